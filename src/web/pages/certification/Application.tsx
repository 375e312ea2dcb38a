// One application: its summary and mark, the lifecycle events this person may take (with the
// reason, sanction level and months the edge needs; a refused guard comes back as a problem
// that names it), the role's work (self-assessment, team, audit, corrective actions, the
// agreement) and the history of every transition.
import { useMutation, useQuery } from "@tanstack/react-query";
import { Fragment, useState, type ReactNode } from "react";
import { Link, useParams } from "react-router";
import { api } from "../../api/client.ts";
import { useFullSession } from "../../api/session.ts";
import { DataTable, QueryState } from "../../components/DataTable.tsx";
import { Field, SubmitButton } from "../../components/Field.tsx";
import { formatDate, formatDateTime } from "../../components/format.ts";
import { Page, Section } from "../../components/Page.tsx";
import { fieldError, Notice, ProblemAlert } from "../../components/Problem.tsx";
import { LoadError, Loading } from "../../components/States.tsx";
import { AuditPlanSection, AuditResultsSection } from "./AuditWorkspace.tsx";
import { ChangeReportsSection } from "./ChangeReports.tsx";
import { CorrectiveActionsSection } from "./CorrectiveActions.tsx";
import { EvidenceLinksSection } from "./EvidenceItems.tsx";
import { SelfAssessmentSection } from "./SelfAssessment.tsx";
import { MarkBadge, OrgName, StatusBadge, useCatalogue, useRefreshApplication, useSchemeTitle } from "./shared.tsx";
import { TeamSection } from "./Team.tsx";
import { eventName, useCertText } from "./text.ts";
import type { ApplicationDetail, CertEvent } from "./types.ts";

const needsReason = new Set(["applicant_withdraws", "intake_incomplete", "intake_ineligible", "ca_rejected", "grant", "refuse", "surveillance_passed", "surveillance_failed", "sanction_caution", "sanction_recommendation", "sanction_suspend", "suspension_lifted", "sanction_revoke", "holder_withdraws", "change_report"]);
const needsLevel = new Set(["sanction_caution", "sanction_recommendation", "sanction_suspend", "sanction_revoke"]);
const needsMonths = new Set(["sanction_suspend", "surveillance_failed"]);
const danger = new Set(["applicant_withdraws", "intake_ineligible", "refuse", "sanction_suspend", "sanction_revoke", "holder_withdraws", "surveillance_failed"]);
/** the stages where the applicant may still change the self-assessment (the server decides) */
const selfOpen = (a: ApplicationDetail): boolean => a.status === "draft" || a.status === "renewal_in_review";

export function ApplicationPage() {
  const { id = "" } = useParams();
  const session = useFullSession();
  const app = useQuery({ queryKey: ["cert-app", id, "detail"], queryFn: () => api<ApplicationDetail>("GET", `/certification/applications/${encodeURIComponent(id)}`), retry: false });
  const catalogue = useCatalogue(app.data?.scheme, app.data?.schemeVersion);
  const schemeTitle = useSchemeTitle();
  if (app.isPending) return <Loading />;
  if (app.isError) return <LoadError error={app.error} onRetry={() => void app.refetch()} />;
  const a = app.data;
  const requirements = catalogue.data?.catalogue.requirements ?? [];
  const role = session.role;
  const isApplicant = session.organisation.id === a.merchantOrgId;
  const isBodyAdmin = session.organisation.id === a.cbOrgId && role === "cb_admin";
  const isAuditor = session.organisation.id === a.cbOrgId && role === "auditor";
  const auditStage = ["document_review", "onsite_audit"].includes(a.status);
  const pastIntake = !["draft", "submitted", "intake_review"].includes(a.status);
  return (
    <Page title={a.scope} intro={<><StatusBadge status={a.status} /> {schemeTitle(a.scheme)} {a.schemeVersion}</>}>
      <SummarySection app={a} />
      <TransitionSection app={a} />
      {isBodyAdmin && a.status === "approved_pending_activation" ? <AgreementSection app={a} /> : null}
      {isApplicant || !pastIntake ? <SelfAssessmentSection app={a} requirements={requirements} editable={isApplicant && selfOpen(a) && role.startsWith("merchant")} /> : null}
      {isApplicant && role.startsWith("merchant") ? <EvidenceLinksSection app={a} requirements={requirements} /> : null}
      {!isApplicant ? <TeamSection app={a} manage={isBodyAdmin} /> : null}
      {!isApplicant && pastIntake ? (
        <>
          <AuditPlanSection app={a} editable={(isBodyAdmin || (isAuditor && a.availableEvents.length > 0)) && !["active", "revoked", "expired", "withdrawn", "rejected"].includes(a.status)} />
          <AuditResultsSection app={a} requirements={requirements} editable={isAuditor && auditStage} />
        </>
      ) : null}
      {a.caRound > 0 ? <CorrectiveActionsSection app={a} side={isApplicant && role === "merchant_admin" ? "applicant" : isAuditor ? "auditor" : "reader"} /> : null}
      {a.markNumber ? <ChangeReportsSection app={a} /> : null}
      <HistorySection id={a.id} />
    </Page>
  );
}

function SummarySection({ app: a }: { app: ApplicationDetail }) {
  const { c, locale } = useCertText();
  const rows: Array<[string, ReactNode]> = [
    [c.common.status, <StatusBadge key="s" status={a.status} />],
    [c.common.applicant, <OrgName key="o" id={a.merchantOrgId} zh={a.merchantNameZh} en={a.merchantNameEn} />],
    [c.common.body, <OrgName key="b" id={a.cbOrgId} zh={a.cbNameZh} en={a.cbNameEn} />],
    [c.detail.cycle, a.cycle === "renewal" ? c.detail.cycleRenewal : c.detail.cycleInitial],
  ];
  if (a.caRound > 0) rows.push([c.detail.caRound, String(a.caRound)]);
  if (a.caDueAt) rows.push([c.detail.caDue, formatDateTime(a.caDueAt, locale)]);
  if (a.activationDueAt) rows.push([c.detail.activationDue, formatDateTime(a.activationDueAt, locale)]);
  if (a.markNumber) {
    rows.push([c.common.markNumber, <Link key="m" to={`/certificates/${a.markNumber}`}>{a.markNumber}</Link>]);
    if (a.mark) rows.push([c.detail.certificate, <MarkBadge key="mb" status={a.mark.status} />]);
  }
  if (a.validFrom) rows.push([c.common.validFrom, formatDate(a.validFrom, locale)]);
  if (a.validTo) rows.push([c.common.validTo, formatDate(a.validTo, locale)]);
  if (a.surveillanceDueAt) rows.push([c.detail.surveillanceDue, formatDateTime(a.surveillanceDueAt, locale)]);
  if (a.suspendedUntil) rows.push([c.detail.suspendedUntil, formatDate(a.suspendedUntil, locale)]);
  if (a.reapplyAfter) rows.push([c.detail.reapplyAfter, formatDate(a.reapplyAfter, locale)]);
  return (
    <Section title={c.detail.summary} id="cert-summary">
      <dl className="facts">
        {rows.map(([k, v]) => (
          <Fragment key={k}>
            <dt>{k}</dt>
            <dd>{v}</dd>
          </Fragment>
        ))}
      </dl>
      <p className="row-actions">
        <Link to={`/certification/applications/${a.id}/inventory`}>{c.inventory.link}</Link>
        {!["draft", "submitted", "intake_review"].includes(a.status) ? (
          <>
            <a href={`/api/v1/certification/applications/${a.id}/report.html`} target="_blank" rel="noopener">{c.report.html}</a>
            <a href={`/api/v1/certification/applications/${a.id}/report.xlsx`} download>{c.report.xlsx}</a>
          </>
        ) : null}
      </p>
      {a.flags.length ? (
        <>
          <h3>{c.detail.flags}</h3>
          <ul className="result-list">
            {a.flags.map((f) => (
              <li key={`${f.kind}-${f.at}`}>
                {formatDateTime(f.at, locale)} · {c.flagKind[f.kind] ?? f.kind}
                {f.level !== null ? ` (${f.level})` : ""} · {f.reason}
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </Section>
  );
}

function TransitionSection({ app }: { app: ApplicationDetail }) {
  const { c } = useCertText();
  const refresh = useRefreshApplication(app.id);
  const [reason, setReason] = useState("");
  const [level, setLevel] = useState("");
  const [months, setMonths] = useState("");
  const take = useMutation({
    mutationFn: (event: string) =>
      api("POST", `/certification/applications/${app.id}/transitions`, {
        event,
        ...(reason.trim() ? { reason } : {}),
        ...(needsLevel.has(event) && level ? { level: Number(level) } : {}),
        ...(needsMonths.has(event) && months ? { months: Number(months) } : {}),
      }),
    onSuccess: async () => {
      setReason("");
      await refresh();
    },
  });
  const events = app.availableEvents;
  return (
    <Section title={c.detail.actions} id="cert-actions">
      {events.length === 0 ? (
        <p className="empty">{c.detail.noActions}</p>
      ) : (
        <form className="form" noValidate aria-label={c.detail.actions} onSubmit={(e) => { e.preventDefault(); }}>
          {events.some((e) => e === "grant" || e === "refuse") ? <Notice>{c.detail.decisionNote}</Notice> : null}
          {events.some((e) => needsReason.has(e)) ? <Field name="reason" label={c.detail.reasonLabel} required={false} maxLength={2000} value={reason} onChange={(e) => { setReason(e.currentTarget.value); }} error={fieldError(take.error, "reason")} /> : null}
          {events.some((e) => needsLevel.has(e)) ? <Field name="level" type="number" min={1} max={20} label={c.detail.level} required={false} value={level} onChange={(e) => { setLevel(e.currentTarget.value); }} error={fieldError(take.error, "level")} /> : null}
          {events.some((e) => needsMonths.has(e)) ? <Field name="months" type="number" min={1} max={120} label={c.detail.months} required={false} value={months} onChange={(e) => { setMonths(e.currentTarget.value); }} error={fieldError(take.error, "months")} /> : null}
          <ProblemAlert error={take.error} />
          <div className="row-actions">
            {events.map((e) => (
              <button key={e} type="button" className={danger.has(e) ? "button danger" : "button primary"} disabled={take.isPending} onClick={() => { take.mutate(e); }}>
                {eventName(c, e)}
              </button>
            ))}
          </div>
        </form>
      )}
    </Section>
  );
}

function AgreementSection({ app }: { app: ApplicationDetail }) {
  const { c } = useCertText();
  const refresh = useRefreshApplication(app.id);
  const [signed, setSigned] = useState(app.agreementSigned);
  const [paid, setPaid] = useState(app.feePaid);
  const save = useMutation({ mutationFn: () => api("PUT", `/certification/applications/${app.id}/agreement`, { agreementSigned: signed, feePaid: paid }), onSuccess: refresh });
  return (
    <Section title={c.detail.agreement} id="cert-agreement">
      <form className="form" noValidate aria-label={c.detail.agreement} onSubmit={(e) => { e.preventDefault(); save.mutate(); }}>
        <label className="checkbox">
          <input type="checkbox" checked={signed} onChange={(e) => { setSigned(e.currentTarget.checked); }} /> {c.detail.agreementSigned}
        </label>
        <label className="checkbox">
          <input type="checkbox" checked={paid} onChange={(e) => { setPaid(e.currentTarget.checked); }} /> {c.detail.feePaid}
        </label>
        <ProblemAlert error={save.error} />
        {save.isSuccess ? <Notice tone="success">{c.common.saved}</Notice> : null}
        <SubmitButton pending={save.isPending}>{c.detail.saveAgreement}</SubmitButton>
      </form>
    </Section>
  );
}

function HistorySection({ id }: { id: string }) {
  const { c, locale } = useCertText();
  const events = useQuery({ queryKey: ["cert-app", id, "events"], queryFn: () => api<{ items: CertEvent[] }>("GET", `/certification/applications/${id}/events`) });
  return (
    <Section title={c.detail.history} id="cert-history">
      <QueryState query={events} isEmpty={(events.data?.items.length ?? 0) === 0} empty={c.detail.noHistory}>
        <DataTable
          label={c.detail.history}
          rows={events.data?.items ?? []}
          rowKey={(e) => e.id}
          columns={[
            { header: c.common.updated, cell: (e) => formatDateTime(e.at, locale) },
            { header: c.detail.actions, cell: (e) => eventName(c, e.event) },
            { header: c.common.status, cell: (e) => `${c.status[e.fromStatus]} → ${c.status[e.toStatus]}` },
            { header: c.common.reason, cell: (e) => e.reason || c.common.none },
            { header: c.detail.actor, cell: (e) => (e.actorKind.startsWith("system") ? c.detail.system : (c.detail.actorKind[e.actorKind] ?? e.actorKind)) },
          ]}
        />
      </QueryState>
    </Section>
  );
}
