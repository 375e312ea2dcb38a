// Inviting people by e-mail, and the invitations still waiting for an answer.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { LIMITS } from "../../../modules/accounts/accounts.limits.ts";
import { rolesByOrgKind } from "../../../platform/auth/roles.ts";
import { api } from "../../api/client.ts";
import type { Invitation, Organisation, Role } from "../../api/types.ts";
import { DataTable, QueryState } from "../../components/DataTable.tsx";
import { Field, formValues, SelectField, SubmitButton } from "../../components/Field.tsx";
import { formatDateTime } from "../../components/format.ts";
import { Section } from "../../components/Page.tsx";
import { fieldError, Notice, ProblemAlert } from "../../components/Problem.tsx";
import { currentLocale } from "../../i18n/i18n.ts";

export function Invitations({ org }: { org: Organisation }) {
  const { t } = useTranslation();
  const locale = currentLocale();
  const queryClient = useQueryClient();
  const key = ["invitations", org.id];
  const invitations = useQuery({ queryKey: key, queryFn: () => api<{ items: Invitation[] }>("GET", `/organisations/${org.id}/invitations`) });
  const invite = useMutation({
    mutationFn: (body: { email: string; role: Role }) => api<Invitation>("POST", `/organisations/${org.id}/invitations`, body),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: key }),
  });
  const revoke = useMutation({
    mutationFn: (id: string) => api<undefined>("DELETE", `/organisations/${org.id}/invitations/${id}`),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: key }),
  });
  const roles = rolesByOrgKind[org.kind];
  const pending = invitations.data?.items.filter((i) => i.status === "pending") ?? [];

  return (
    <Section title={t("org.invitations")} id="invitations">
      <form
        className="form form-inline"
        noValidate
        aria-label={t("org.inviteForm")}
        onSubmit={(e) => {
          e.preventDefault();
          const form = e.currentTarget;
          const v = formValues(form);
          invite.mutate({ email: v.email ?? "", role: (v.role ?? roles[0]) as Role }, { onSuccess: () => { form.reset(); } });
        }}
      >
        <Field name="email" type="email" label={t("org.inviteEmail")} required maxLength={LIMITS.email} autoComplete="off" error={fieldError(invite.error, "email")} />
        <SelectField name="role" label={t("common.role")} options={roles.map((r) => ({ value: r, label: t(`roles.${r}`) }))} error={fieldError(invite.error, "role")} />
        <SubmitButton pending={invite.isPending}>{t("org.inviteSubmit")}</SubmitButton>
      </form>
      {invite.isSuccess ? <Notice tone="success">{t("org.invited", { email: invite.data.email })}</Notice> : null}
      <ProblemAlert error={invite.error ?? revoke.error} />
      <h3>{t("org.pendingInvitations")}</h3>
      <QueryState query={invitations} isEmpty={pending.length === 0} empty={t("org.noInvitations")}>
        <DataTable
          label={t("org.pendingInvitations")}
          rows={pending}
          rowKey={(i) => i.id}
          columns={[
            { header: t("common.email"), cell: (i) => i.email },
            { header: t("common.role"), cell: (i) => t(`roles.${i.role}`) },
            { header: t("org.invitedAt"), cell: (i) => formatDateTime(i.createdAt, locale) },
            { header: t("org.expiresAt"), cell: (i) => formatDateTime(i.expiresAt, locale) },
            {
              header: t("common.actions"),
              cell: (i) => (
                <button
                  type="button"
                  className="button small danger"
                  disabled={revoke.isPending}
                  aria-label={t("org.revokeInvitationFor", { email: i.email })}
                  onClick={() => {
                    if (window.confirm(t("org.confirmRevokeInvitation", { email: i.email }))) revoke.mutate(i.id);
                  }}
                >
                  {t("org.revokeInvitation")}
                </button>
              ),
            },
          ]}
        />
      </QueryState>
    </Section>
  );
}
