// Members of an organisation: role changes and removal for those who manage it.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { rolesByOrgKind } from "../../../platform/auth/roles.ts";
import { api } from "../../api/client.ts";
import type { Member, Organisation, Role } from "../../api/types.ts";
import { DataTable, QueryState } from "../../components/DataTable.tsx";
import { formatDateTime } from "../../components/format.ts";
import { Section } from "../../components/Page.tsx";
import { ProblemAlert } from "../../components/Problem.tsx";
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
      <QueryState query={members} isEmpty={members.data?.items.length === 0} empty={t("org.noMembers")}>
        <DataTable
          label={t("org.members")}
          rows={members.data?.items ?? []}
          rowKey={(m) => m.userId}
          columns={[
            {
              header: t("common.displayName"),
              cell: (m) => (
                <>
                  {m.displayName}
                  {m.userId === selfId ? <span className="badge">{t("org.you")}</span> : null}
                </>
              ),
            },
            { header: t("common.email"), cell: (m) => m.email },
            { header: t("common.role"), cell: (m) => t(`roles.${m.role}`) },
            { header: t("account.mfa"), cell: (m) => (m.mfaEnabled ? t("common.yes") : t("common.no")) },
            { header: t("org.joined"), cell: (m) => formatDateTime(m.createdAt, locale) },
            ...(manage
              ? [
                  {
                    header: t("common.actions"),
                    cell: (m: Member) =>
                      m.userId === selfId ? (
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
                      ),
                  },
                ]
              : []),
          ]}
        />
      </QueryState>
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
