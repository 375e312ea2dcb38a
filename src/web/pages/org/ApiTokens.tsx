// API tokens for machine clients: created with a role and a lifetime, shown once, revocable.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { LIMITS } from "../../../modules/accounts/accounts.limits.ts";
import { rolesByOrgKind } from "../../../platform/auth/roles.ts";
import { api } from "../../api/client.ts";
import type { ApiToken, Organisation, Role } from "../../api/types.ts";
import { DataTable, QueryState } from "../../components/DataTable.tsx";
import { Field, formValues, SelectField, SubmitButton } from "../../components/Field.tsx";
import { formatDateTime } from "../../components/format.ts";
import { Section } from "../../components/Page.tsx";
import { fieldError, ProblemAlert } from "../../components/Problem.tsx";
import { currentLocale } from "../../i18n/i18n.ts";

const lifetimes = [30, 90, 180, 365] as const;

export function ApiTokens({ org }: { org: Organisation }) {
  const { t } = useTranslation();
  const locale = currentLocale();
  const queryClient = useQueryClient();
  const key = ["api-tokens", org.id];
  const [copied, setCopied] = useState(false);
  const tokens = useQuery({ queryKey: key, queryFn: () => api<{ items: ApiToken[] }>("GET", `/organisations/${org.id}/api-tokens`) });
  const create = useMutation({
    mutationFn: (body: { name: string; role: Role; expiresInDays: number }) => api<ApiToken & { token: string }>("POST", `/organisations/${org.id}/api-tokens`, body),
    onSuccess: () => {
      setCopied(false);
      return queryClient.invalidateQueries({ queryKey: key });
    },
  });
  const revoke = useMutation({
    mutationFn: (id: string) => api<undefined>("DELETE", `/organisations/${org.id}/api-tokens/${id}`),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: key }),
  });
  const roles = rolesByOrgKind[org.kind];

  return (
    <Section title={t("tokens.title")} id="tokens">
      <p className="muted">{t("tokens.intro")}</p>
      <form
        className="form form-inline"
        noValidate
        aria-label={t("tokens.createForm")}
        onSubmit={(e) => {
          e.preventDefault();
          const form = e.currentTarget;
          const v = formValues(form);
          create.mutate({ name: v.name ?? "", role: (v.role ?? roles[0]) as Role, expiresInDays: Number(v.expiresInDays ?? 90) }, { onSuccess: () => { form.reset(); } });
        }}
      >
        <Field name="name" label={t("tokens.name")} required maxLength={LIMITS.tokenName} autoComplete="off" error={fieldError(create.error, "name")} />
        <SelectField name="role" label={t("common.role")} options={roles.map((r) => ({ value: r, label: t(`roles.${r}`) }))} error={fieldError(create.error, "role")} />
        <SelectField name="expiresInDays" label={t("tokens.lifetime")} defaultValue="90" options={lifetimes.map((d) => ({ value: String(d), label: t("tokens.days", { count: d }) }))} error={fieldError(create.error, "expiresInDays")} />
        <SubmitButton pending={create.isPending}>{t("tokens.create")}</SubmitButton>
      </form>
      <ProblemAlert error={create.error ?? revoke.error} />
      {create.data ? (
        <div className="alert alert-success" role="status">
          <p className="alert-title">{t("tokens.created", { name: create.data.name })}</p>
          <p>{t("tokens.once")}</p>
          <p>
            <code className="secret" data-testid="new-api-token">
              {create.data.token}
            </code>
          </p>
          <button
            type="button"
            className="button small"
            onClick={() => {
              void navigator.clipboard.writeText(create.data.token).then(() => {
                setCopied(true);
              });
            }}
          >
            {copied ? t("common.copied") : t("common.copy")}
          </button>
        </div>
      ) : null}
      <QueryState query={tokens} isEmpty={tokens.data?.items.length === 0} empty={t("tokens.none")}>
        <DataTable
          label={t("tokens.title")}
          rows={tokens.data?.items ?? []}
          rowKey={(tok) => tok.id}
          columns={[
            { header: t("tokens.name"), cell: (tok) => tok.name },
            { header: t("tokens.prefix"), cell: (tok) => <code>{tok.prefix}…</code> },
            { header: t("common.role"), cell: (tok) => t(`roles.${tok.role}`) },
            { header: t("common.createdAt"), cell: (tok) => formatDateTime(tok.createdAt, locale) },
            { header: t("tokens.expires"), cell: (tok) => formatDateTime(tok.expiresAt, locale) },
            { header: t("tokens.lastUsed"), cell: (tok) => (tok.lastUsedAt ? formatDateTime(tok.lastUsedAt, locale) : t("tokens.never")) },
            {
              header: t("common.actions"),
              cell: (tok) =>
                tok.revokedAt ? (
                  <span className="status status-rejected">{t("tokens.revoked")}</span>
                ) : (
                  <button
                    type="button"
                    className="button small danger"
                    disabled={revoke.isPending}
                    aria-label={t("tokens.revokeNamed", { name: tok.name })}
                    onClick={() => {
                      if (window.confirm(t("tokens.confirmRevoke", { name: tok.name }))) revoke.mutate(tok.id);
                    }}
                  >
                    {t("tokens.revoke")}
                  </button>
                ),
            },
          ]}
        />
      </QueryState>
    </Section>
  );
}
