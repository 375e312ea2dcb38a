// The audit trail: every change, who made it, when, in which organisation, filterable and
// paged newest first. The authority sees all rows and can verify the hash chain against the
// newest checkpoint kept outside the database (docs/operations.md, "Audit trail").
import { useMutation, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import type { TFunction } from "i18next";
import { useTranslation } from "react-i18next";
import { useSearchParams } from "react-router";
import { api, query } from "../api/client.ts";
import { can, useFullSession } from "../api/session.ts";
import type { AuditRow, AuditVerifyResult, Page as ApiPage } from "../api/types.ts";
import { Field, formValues } from "../components/Field.tsx";
import { formatDateTime, shortId, taipeiDayBound } from "../components/format.ts";
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
  "user.login_failed", "user.login_refused_unverified", "user.login_refused_locked", "user.locked", "user.email_verified", "user.purged_unconfirmed",
];

/** Problem kinds the verification names (src/platform/audit/audit.ts, AuditProblemKind); another is told as "other". */
const PROBLEM_KINDS = ["gap", "broken_link", "hash_mismatch", "unkeyed_row", "key_missing", "checkpoint_mismatch", "truncated", "checkpoint_invalid", "outside_chain"] as const;
const knownKind = (kind: string): kind is (typeof PROBLEM_KINDS)[number] => (PROBLEM_KINDS as readonly string[]).includes(kind);

const FILTERS = ["orgId", "action", "objectType", "objectId", "from", "to"] as const;
type Filter = (typeof FILTERS)[number];

/** Keys of a name table: dots and colons are i18next separators, so they become underscores. */
const nameKey = (code: string): string => code.replace(/[.:]/g, "_");

/** An object type's name in the interface's language; the code itself for a type this app does not name. */
function objectTypeName(t: TFunction, type: string): string {
  return t(`audit.objectTypes.${nameKey(type)}`, { defaultValue: type });
}

/** Who acted: "system:<job>" by the job's name (the demo data's seed among them), other kinds by their name. */
function actorName(t: TFunction, kind: string): string {
  if (kind.startsWith("system:")) {
    const job = kind.slice("system:".length);
    return t(`audit.systemActors.${nameKey(job)}`, { defaultValue: t("audit.systemActor", { job }) });
  }
  return t(`audit.actorKind.${nameKey(kind)}`, { defaultValue: kind });
}

/**
 * An id cut to its first 8 characters, the whole id in its title and copied whole by its button;
 * given a name (the acting user's), the name instead, with the short id in its title.
 */
function ShortId({ id, name }: { id: string; name?: string | null | undefined }) {
  const { t } = useTranslation();
  const [copied, setCopied] = useState(false);
  return (
    <span className="block nowrap">
      {name ? (
        <span className="actor-name" title={shortId(id)}>
          {name}
        </span>
      ) : (
        <code className="small id" title={id}>
          {shortId(id)}
        </code>
      )}{" "}
      <button
        type="button"
        className="button small"
        aria-label={t("audit.copyId", { id })}
        title={t("audit.copyId", { id })}
        onClick={() => {
          void navigator.clipboard.writeText(id).then(() => {
            setCopied(true);
          });
        }}
      >
        {copied ? t("audit.copied") : t("audit.copy")}
      </button>
    </span>
  );
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
        `/audit${query({ ...filters, from: taipeiDayBound(filters.from, false), to: taipeiDayBound(filters.to, true), before: cursor.before, limit: 50 })}`,
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
      {verify.data ? <VerifyReport result={verify.data} /> : null}
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
                      <span className="block" title={r.objectType}>
                        {objectTypeName(t, r.objectType)}
                      </span>
                      {r.objectId ? <ShortId id={r.objectId} /> : null}
                    </td>
                    <td>
                      <span className="block" title={r.actorKind}>
                        {actorName(t, r.actorKind)}
                      </span>
                      {r.actorUserId ? <ShortId id={r.actorUserId} name={r.actorName} /> : null}
                    </td>
                    <td>
                      {summaryText(r.summary) ? (
                        <details>
                          <summary>{t("audit.summaryShow")}</summary>
                          <code className="small summary">{summaryText(r.summary)}</code>
                        </details>
                      ) : null}
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

/**
 * What a verification found: whether the chain holds, against which checkpoint, how many legacy
 * rows it has, and each problem kind in words. Without a checkpoint an intact chain proves less:
 * removing the newest rows leaves a valid, shorter one.
 */
function VerifyReport({ result }: { result: AuditVerifyResult }) {
  const { t } = useTranslation();
  const locale = currentLocale();
  const { checkpoint, problem } = result;
  const facts = (
    <dl className="facts">
      <dt>{t("audit.rowsChecked")}</dt>
      <dd>{result.rows}</dd>
      <dt>{t("audit.legacyRows")}</dt>
      <dd>{result.legacyRows}</dd>
      <dt>{t("audit.lastCheckpoint")}</dt>
      <dd>{checkpoint ? t("audit.checkpointValue", { seq: checkpoint.seq, at: formatDateTime(checkpoint.at, locale) }) : t("audit.checkpointNone")}</dd>
    </dl>
  );
  // a malformed checkpoint file is its own problem; otherwise a missing one is said as well
  const noCheckpoint = checkpoint === null && problem?.kind !== "checkpoint_invalid" ? <p>{t("audit.noCheckpoint")}</p> : null;
  if (result.ok && checkpoint) {
    return (
      <Notice tone="success">
        <p>{t("audit.verifyOk", { rows: result.rows })}</p>
        {facts}
      </Notice>
    );
  }
  if (result.ok) {
    return (
      <Notice tone="warning">
        <p className="alert-title">{t("audit.verifyNoCheckpoint", { rows: result.rows })}</p>
        {noCheckpoint}
        {facts}
      </Notice>
    );
  }
  return (
    <div className="alert alert-error" role="alert">
      <p className="alert-title">{t("audit.verifyBad", { rows: result.rows })}</p>
      {problem ? (
        <p>
          {knownKind(problem.kind)
            ? t(`audit.problem.${problem.kind}`, { seq: problem.seq, checkpoint: checkpoint?.seq ?? "?" })
            : t("audit.problem.other", { seq: problem.seq, kind: problem.kind })}
        </p>
      ) : null}
      {noCheckpoint}
      {facts}
      {problem ? (
        <details>
          <summary>{t("audit.technicalDetail")}</summary>
          <pre className="wrap">{summaryText(problem)}</pre>
        </details>
      ) : null}
    </div>
  );
}
