// The audit trail: every change, who made it, when, in which organisation, filterable and
// paged newest first. The authority sees all rows and can verify the hash chain.
import { useMutation, useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { useSearchParams } from "react-router";
import { api, query } from "../api/client.ts";
import { can, useFullSession } from "../api/session.ts";
import type { AuditRow, AuditVerifyResult, Page as ApiPage } from "../api/types.ts";
import { Field, formValues } from "../components/Field.tsx";
import { formatDateTime } from "../components/format.ts";
import { Page, Section } from "../components/Page.tsx";
import { Pager, useCursor } from "../components/Pager.tsx";
import { Notice, ProblemAlert } from "../components/Problem.tsx";
import { Empty, LoadError, Loading } from "../components/States.tsx";
import { currentLocale } from "../i18n/i18n.ts";

/** Actions written so far (suggestions only: every module adds its own). */
const KNOWN_ACTIONS = [
  "session.created", "session.mfa_verified", "session.ended", "session.ended_everywhere", "session.switched_organisation",
  "user.created", "user.mfa_enabled", "user.password_changed", "user.password_reset", "user.password_reset_requested",
  "organisation.registered", "organisation.created", "organisation.approved", "organisation.rejected",
  "invitation.created", "invitation.accepted", "invitation.revoked", "member.role_changed", "member.removed",
  "api_token.created", "api_token.revoked",
];

const FILTERS = ["orgId", "action", "objectType", "objectId", "from", "to"] as const;
type Filter = (typeof FILTERS)[number];

/** A date input's day as the start (from) or end (to) of that day in local time, in ISO form. */
function dayBound(value: string, end: boolean): string | undefined {
  if (!value) return undefined;
  const d = new Date(`${value}T${end ? "23:59:59.999" : "00:00:00"}`);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

function summaryText(summary: unknown): string {
  if (summary === null || summary === undefined) return "";
  if (typeof summary === "string") return summary;
  return JSON.stringify(summary);
}

export function AuditPage() {
  const { t } = useTranslation();
  const locale = currentLocale();
  const session = useFullSession();
  const all = can(session, "audit.read_all");
  const [params, setParams] = useSearchParams();
  const cursor = useCursor();
  const filters = Object.fromEntries(FILTERS.map((f) => [f, params.get(f) ?? ""])) as Record<Filter, string>;
  const rows = useQuery({
    queryKey: ["audit", filters, cursor.before],
    queryFn: () =>
      api<ApiPage<AuditRow, number>>(
        "GET",
        `/audit${query({ ...filters, from: dayBound(filters.from, false), to: dayBound(filters.to, true), before: cursor.before, limit: 50 })}`,
      ),
    placeholderData: (previous) => previous,
  });
  const verify = useMutation({ mutationFn: () => api<AuditVerifyResult>("POST", "/audit/verify", {}) });

  return (
    <Page
      title={t("audit.title")}
      intro={all ? t("audit.introAll") : t("audit.introOrg")}
      actions={
        all ? (
          <button
            type="button"
            className="button"
            disabled={verify.isPending}
            aria-busy={verify.isPending || undefined}
            onClick={() => {
              verify.mutate();
            }}
          >
            {verify.isPending ? t("audit.verifying") : t("audit.verify")}
          </button>
        ) : undefined
      }
    >
      {verify.data?.ok ? <Notice tone="success">{t("audit.verifyOk", { rows: verify.data.rows })}</Notice> : null}
      {verify.data && !verify.data.ok ? (
        <div className="alert alert-error" role="alert">
          <p className="alert-title">{t("audit.verifyBad", { rows: verify.data.rows })}</p>
          <pre className="wrap">{summaryText(verify.data.problem)}</pre>
        </div>
      ) : null}
      <ProblemAlert error={verify.error} />
      <Section title={t("audit.filters")} id="audit-filters">
        <form
          className="form form-inline filters"
          role="search"
          aria-labelledby="audit-filters-title"
          onSubmit={(e) => {
            e.preventDefault();
            const v = formValues(e.currentTarget);
            cursor.reset();
            setParams(Object.fromEntries(Object.entries(v).filter(([, value]) => value.trim() !== "")), { replace: true });
          }}
        >
          {all ? <Field name="orgId" label={t("audit.orgId")} defaultValue={filters.orgId} spellCheck={false} /> : null}
          <Field name="action" label={t("audit.action")} defaultValue={filters.action} list="audit-actions" autoComplete="off" spellCheck={false} />
          <datalist id="audit-actions">
            {KNOWN_ACTIONS.map((a) => (
              <option key={a} value={a} />
            ))}
          </datalist>
          <Field name="objectType" label={t("audit.objectType")} defaultValue={filters.objectType} spellCheck={false} />
          <Field name="objectId" label={t("audit.objectId")} defaultValue={filters.objectId} spellCheck={false} />
          <Field name="from" type="date" label={t("audit.from")} defaultValue={filters.from} />
          <Field name="to" type="date" label={t("audit.to")} defaultValue={filters.to} />
          <div className="filter-buttons">
            <button type="submit" className="button primary">
              {t("common.filter")}
            </button>
            <button
              type="reset"
              className="button"
              onClick={() => {
                cursor.reset();
                setParams({}, { replace: true });
              }}
            >
              {t("common.clear")}
            </button>
          </div>
        </form>
      </Section>
      <Section title={t("audit.entries")} id="audit-entries">
        {rows.isPending ? <Loading /> : null}
        {rows.isError ? <LoadError error={rows.error} onRetry={() => void rows.refetch()} /> : null}
        {rows.data && rows.data.items.length === 0 ? <Empty>{t("audit.none")}</Empty> : null}
        {rows.data && rows.data.items.length > 0 ? (
          <div className="table-wrap" role="region" aria-labelledby="audit-entries-title" tabIndex={0}>
            <table className="dense">
              <thead>
                <tr>
                  <th scope="col">#</th>
                  <th scope="col">{t("audit.at")}</th>
                  <th scope="col">{t("audit.action")}</th>
                  <th scope="col">{t("audit.object")}</th>
                  <th scope="col">{t("audit.actor")}</th>
                  <th scope="col">{t("audit.summary")}</th>
                </tr>
              </thead>
              <tbody>
                {rows.data.items.map((r) => (
                  <tr key={r.seq}>
                    <td className="num">{r.seq}</td>
                    <td className="nowrap">{formatDateTime(r.at, locale)}</td>
                    <td>
                      <code>{r.action}</code>
                    </td>
                    <td>
                      <span className="block">{r.objectType}</span>
                      <code className="small id">{r.objectId}</code>
                    </td>
                    <td>
                      <span className="block">{t(`audit.actorKind.${r.actorKind}`, { defaultValue: r.actorKind })}</span>
                      {r.actorUserId ? <code className="small id">{r.actorUserId}</code> : null}
                    </td>
                    <td>
                      <code className="small summary">{summaryText(r.summary)}</code>
                      {r.requestId ? (
                        <span className="muted small block">
                          {t("common.requestId")}: {r.requestId}
                        </span>
                      ) : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
        <Pager cursor={cursor} nextBefore={rows.data?.nextBefore == null ? null : String(rows.data.nextBefore)} label={t("audit.pages")} />
      </Section>
    </Page>
  );
}
