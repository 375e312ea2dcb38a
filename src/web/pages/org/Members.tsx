// Members of an organisation: role changes and removal for those who manage it.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { rolesByOrgKind } from "../../../platform/auth/roles.ts";
import { api } from "../../api/client.ts";
import type { Member, Organisation, Role } from "../../api/types.ts";
import { formatDateTime } from "../../components/format.ts";
import { Section } from "../../components/Page.tsx";
import { ProblemAlert } from "../../components/Problem.tsx";
import { Empty, LoadError, Loading } from "../../components/States.tsx";
import { currentLocale } from "../../i18n/i18n.ts";

export function Members({ org, manage, selfId }: { org: Organisation; manage: boolean; selfId: string }) {
  const { t } = useTranslation();
  const locale = currentLocale();
  const queryClient = useQueryClient();
  const key = ["members", org.id];
  const members = useQuery({ queryKey: key, queryFn: () => api<{ items: Member[] }>("GET", `/organisations/${org.id}/members`) });
  const changeRole = useMutation({
    mutationFn: ({ userId, role }: { userId: string; role: Role }) => api<unknown>("PATCH", `/organisations/${org.id}/members/${userId}`, { role }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: key }),
  });
  const remove = useMutation({
    mutationFn: (userId: string) => api<undefined>("DELETE", `/organisations/${org.id}/members/${userId}`),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: key }),
  });

  return (
    <Section title={t("org.members")} id="members">
      <ProblemAlert error={changeRole.error ?? remove.error} />
      {members.isPending ? <Loading /> : null}
      {members.isError ? <LoadError error={members.error} onRetry={() => void members.refetch()} /> : null}
      {members.data && members.data.items.length === 0 ? <Empty>{t("org.noMembers")}</Empty> : null}
      {members.data && members.data.items.length > 0 ? (
        <div className="table-wrap" role="region" aria-labelledby="members-title" tabIndex={0}>
          <table>
            <thead>
              <tr>
                <th scope="col">{t("common.displayName")}</th>
                <th scope="col">{t("common.email")}</th>
                <th scope="col">{t("common.role")}</th>
                <th scope="col">{t("account.mfa")}</th>
                <th scope="col">{t("org.joined")}</th>
                {manage ? <th scope="col">{t("common.actions")}</th> : null}
              </tr>
            </thead>
            <tbody>
              {members.data.items.map((m) => (
                <tr key={m.userId}>
                  <td>
                    {m.displayName}
                    {m.userId === selfId ? <span className="badge">{t("org.you")}</span> : null}
                  </td>
                  <td>{m.email}</td>
                  <td>{t(`roles.${m.role}`)}</td>
                  <td>{m.mfaEnabled ? t("common.yes") : t("common.no")}</td>
                  <td>{formatDateTime(m.createdAt, locale)}</td>
                  {manage ? (
                    <td>
                      {m.userId === selfId ? (
                        <span className="muted">—</span>
                      ) : (
                        <MemberActions
                          member={m}
                          roles={rolesByOrgKind[org.kind]}
                          pending={changeRole.isPending || remove.isPending}
                          onRole={(role) => {
                            changeRole.mutate({ userId: m.userId, role });
                          }}
                          onRemove={() => {
                            if (window.confirm(t("org.confirmRemove", { name: m.displayName }))) remove.mutate(m.userId);
                          }}
                        />
                      )}
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </Section>
  );
}

function MemberActions({ member, roles, pending, onRole, onRemove }: { member: Member; roles: readonly Role[]; pending: boolean; onRole: (role: Role) => void; onRemove: () => void }) {
  const { t } = useTranslation();
  const [role, setRole] = useState<Role>(member.role);
  return (
    <div className="row-actions">
      {roles.length > 1 ? (
        <>
          <select
            aria-label={t("org.roleOf", { name: member.displayName })}
            value={role}
            onChange={(e) => {
              setRole(e.target.value as Role);
            }}
          >
            {roles.map((r) => (
              <option key={r} value={r}>
                {t(`roles.${r}`)}
              </option>
            ))}
          </select>
          <button
            type="button"
            className="button small"
            disabled={pending || role === member.role}
            onClick={() => {
              onRole(role);
            }}
          >
            {t("org.changeRole")}
          </button>
        </>
      ) : null}
      <button type="button" className="button small danger" disabled={pending} onClick={onRemove} aria-label={t("org.removeNamed", { name: member.displayName })}>
        {t("org.remove")}
      </button>
    </div>
  );
}
