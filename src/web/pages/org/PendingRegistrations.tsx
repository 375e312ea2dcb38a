// Merchant self-registrations waiting for the authority: approve, or reject with a reason. A
// registration can be approved only once its registrant has confirmed their e-mail address.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { LIMITS, UNCONFIRMED_PURGE_DAYS } from "../../../modules/accounts/accounts.limits.ts";
import { api, query } from "../../api/client.ts";
import type { ListedOrganisation, Page as ApiPage } from "../../api/types.ts";
import { Field, formValues } from "../../components/Field.tsx";
import { formatDateTime, orgName } from "../../components/format.ts";
import { Section } from "../../components/Page.tsx";
import { fieldError, ProblemAlert } from "../../components/Problem.tsx";
import { Empty, LoadError, Loading } from "../../components/States.tsx";
import { currentLocale } from "../../i18n/i18n.ts";

export function PendingRegistrations() {
  const { t } = useTranslation();
  const locale = currentLocale();
  const queryClient = useQueryClient();
  const pending = useQuery({
    queryKey: ["organisations", "pending"],
    queryFn: () => api<ApiPage<ListedOrganisation>>("GET", `/organisations${query({ kind: "merchant", status: "pending", limit: 100 })}`),
  });
  const decide = useMutation({
    mutationFn: ({ orgId, decision, reason }: { orgId: string; decision: "approve" | "reject"; reason: string }) =>
      api<unknown>("POST", `/organisations/${orgId}/decision`, { decision, reason }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ["organisations"] }),
  });
  const [rejecting, setRejecting] = useState<string | undefined>(undefined);

  return (
    <Section title={t("orgs.pending")} id="pending">
      <ProblemAlert error={decide.error} />
      {pending.isPending ? <Loading /> : null}
      {pending.isError ? <LoadError error={pending.error} onRetry={() => void pending.refetch()} /> : null}
      {pending.data && pending.data.items.length === 0 ? <Empty>{t("orgs.noPending")}</Empty> : null}
      {pending.data && pending.data.items.length > 0 ? (
        <ul className="decision-list">
          {pending.data.items.map((o) => (
            <li key={o.id} className="decision">
              <div>
                <p className="decision-name">{orgName(o, locale)}</p>
                <p className="muted small">
                  {locale === "en" ? o.nameZh : o.nameEn} · {t("orgs.registeredAt", { date: formatDateTime(o.createdAt, locale) })}
                </p>
                <p className="small">
                  <span className={`status status-${o.emailConfirmed ? "active" : "pending"}`}>{o.emailConfirmed ? t("orgs.emailConfirmed") : t("orgs.emailUnconfirmed")}</span>
                </p>
                {o.emailConfirmed ? null : (
                  <p className="muted small" id={`unconfirmed-${o.id}`}>
                    {t("orgs.approveNeedsConfirmation", { days: UNCONFIRMED_PURGE_DAYS })}
                  </p>
                )}
              </div>
              {rejecting === o.id ? (
                <form
                  className="form form-inline"
                  onSubmit={(e) => {
                    e.preventDefault();
                    decide.mutate({ orgId: o.id, decision: "reject", reason: formValues(e.currentTarget).reason ?? "" }, { onSuccess: () => { setRejecting(undefined); } });
                  }}
                >
                  <Field name="reason" label={t("orgs.reason")} required maxLength={LIMITS.reason} error={fieldError(decide.error, "reason")} />
                  <button type="submit" className="button danger" disabled={decide.isPending}>
                    {t("orgs.confirmReject")}
                  </button>
                  <button
                    type="button"
                    className="button"
                    onClick={() => {
                      setRejecting(undefined);
                    }}
                  >
                    {t("common.cancel")}
                  </button>
                </form>
              ) : (
                <div className="row-actions">
                  <button
                    type="button"
                    className="button primary"
                    disabled={decide.isPending || !o.emailConfirmed}
                    aria-label={t("orgs.approveNamed", { name: orgName(o, locale) })}
                    aria-describedby={o.emailConfirmed ? undefined : `unconfirmed-${o.id}`}
                    onClick={() => {
                      decide.mutate({ orgId: o.id, decision: "approve", reason: "" });
                    }}
                  >
                    {t("orgs.approve")}
                  </button>
                  <button
                    type="button"
                    className="button danger"
                    disabled={decide.isPending}
                    aria-label={t("orgs.rejectNamed", { name: orgName(o, locale) })}
                    onClick={() => {
                      setRejecting(o.id);
                    }}
                  >
                    {t("orgs.reject")}
                  </button>
                </div>
              )}
            </li>
          ))}
        </ul>
      ) : null}
    </Section>
  );
}
