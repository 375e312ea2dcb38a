// The auditor's workspace: the audit plan, then per requirement what the scheme asks, what the
// applicant said (status, note, evidence to open) and the auditor's result with a note. Results
// are recorded by auditors on the team; the body's administrator and the authority read them.
import { useMutation, useQuery } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import { api } from "../../api/client.ts";
import { DataTable, QueryState } from "../../components/DataTable.tsx";
import { Field, formValues, SelectField, SubmitButton } from "../../components/Field.tsx";
import { Section } from "../../components/Page.tsx";
import { fieldError, Notice, ProblemAlert } from "../../components/Problem.tsx";
import type { Requirement } from "../schemes/types.ts";
import { EvidenceItemLink, useEvidenceLinks } from "./EvidenceItems.tsx";
import { optionsOf, RequirementCell, useRowEdits } from "./requirements.tsx";
import { useSelfAssessment } from "./SelfAssessment.tsx";
import { EvidenceLinks, useRefreshApplication } from "./shared.tsx";
import { fill, useCertText } from "./text.ts";
import type { ApplicationDetail, AuditPlan, ResultRow, ResultValue } from "./types.ts";

export function AuditPlanSection({ app, editable }: { app: ApplicationDetail; editable: boolean }) {
  const { c } = useCertText();
  const refresh = useRefreshApplication(app.id);
  const save = useMutation({ mutationFn: (plan: AuditPlan) => api<AuditPlan>("PUT", `/certification/applications/${app.id}/audit-plan`, plan), onSuccess: refresh });
  const plan = app.auditPlan;
  return (
    <Section title={c.audit.plan} id="cert-plan">
      {!editable ? (
        plan ? (
          <dl className="facts">
            <dt>{c.audit.mode}</dt>
            <dd>{c.mode[plan.mode]}</dd>
            <dt>{c.audit.docReviewOn}</dt>
            <dd>{plan.documentReviewOn ?? c.common.none}</dd>
            <dt>{c.audit.onsiteOn}</dt>
            <dd>{plan.onsiteOn ?? c.common.none}</dd>
            <dt>{c.audit.notes}</dt>
            <dd>{plan.notes || c.common.none}</dd>
          </dl>
        ) : (
          <p className="empty">{c.common.none}</p>
        )
      ) : (
        <form
          className="form"
          noValidate
          aria-label={c.audit.plan}
          onSubmit={(e) => {
            e.preventDefault();
            const v = formValues(e.currentTarget);
            save.mutate({ mode: (v.mode ?? "onsite") as AuditPlan["mode"], notes: v.notes ?? "", ...(v.documentReviewOn ? { documentReviewOn: v.documentReviewOn } : {}), ...(v.onsiteOn ? { onsiteOn: v.onsiteOn } : {}) });
          }}
        >
          <SelectField name="mode" label={c.audit.mode} defaultValue={plan?.mode ?? "onsite"} options={(Object.keys(c.mode) as AuditPlan["mode"][]).map((m) => ({ value: m, label: c.mode[m] }))} />
          <Field name="documentReviewOn" type="date" label={c.audit.docReviewOn} defaultValue={plan?.documentReviewOn ?? ""} error={fieldError(save.error, "documentReviewOn")} />
          <Field name="onsiteOn" type="date" label={c.audit.onsiteOn} defaultValue={plan?.onsiteOn ?? ""} error={fieldError(save.error, "onsiteOn")} />
          <Field name="notes" label={c.audit.notes} defaultValue={plan?.notes ?? ""} maxLength={4000} />
          <ProblemAlert error={save.error} />
          {save.isSuccess ? <Notice tone="success">{c.common.saved}</Notice> : null}
          <SubmitButton pending={save.isPending}>{c.audit.savePlan}</SubmitButton>
        </form>
      )}
    </Section>
  );
}

type Verdict = { result: ResultValue; note: string };

export function AuditResultsSection({ app, requirements, editable }: { app: ApplicationDetail; requirements: readonly Requirement[]; editable: boolean }) {
  const { c } = useCertText();
  const refresh = useRefreshApplication(app.id);
  const results = useQuery({ queryKey: ["cert-app", app.id, "results"], queryFn: () => api<{ items: ResultRow[] }>("GET", `/certification/applications/${app.id}/results`) });
  const self = useSelfAssessment(app.id);
  const saved = useMemo(() => new Map((results.data?.items ?? []).map((r) => [r.requirementId, { result: r.result, note: r.note } satisfies Verdict])), [results.data]);
  const selfBy = useMemo(() => new Map((self.data?.items ?? []).map((r) => [r.requirementId, r])), [self.data]);
  const links = useEvidenceLinks(app.id);
  const linksBy = useMemo(() => Map.groupBy(links.data?.items ?? [], (l) => l.requirementId), [links.data]);
  const edits = useRowEdits<Verdict>(saved);
  const [onlyOpen, setOnlyOpen] = useState(false);
  const ids = requirements.map((r) => r.id);
  const save = useMutation({
    mutationFn: () => api<{ recorded: number }>("PUT", `/certification/applications/${app.id}/results`, { items: edits.all(ids) }),
    onSuccess: async () => {
      edits.reset();
      await refresh();
    },
  });
  const shown = onlyOpen ? requirements.filter((r) => { const v = edits.get(r.id); return !v || v.result === "minor_nc" || v.result === "major_nc"; }) : requirements;
  const resultOptions = optionsOf(c.result, c.audit.unassessed);
  return (
    <Section title={c.audit.results} id="cert-results">
      <p role="status">{fill(c.audit.progress, { done: edits.all(ids).length, total: ids.length })}</p>
      <QueryState query={results} isEmpty={false} empty={null}>
        <form
          className="form"
          noValidate
          aria-label={c.audit.results}
          onSubmit={(e) => {
            e.preventDefault();
            save.mutate();
          }}
        >
          <div className="page-actions">
            <SelectField name="filter" label={c.audit.filter} value={onlyOpen ? "open" : "all"} onChange={(e) => { setOnlyOpen(e.currentTarget.value === "open"); }} options={[{ value: "all", label: c.audit.filterAll }, { value: "open", label: c.audit.filterOpen }]} />
            {editable ? (
              <button type="button" className="button" onClick={() => { edits.fillRest(ids, { result: "conforming", note: "" }); }}>
                {c.audit.fillRest}
              </button>
            ) : null}
          </div>
          <DataTable
            label={c.audit.results}
            rows={shown}
            rowKey={(r) => r.id}
            columns={[
              { header: c.self.requirement, cell: (r) => <RequirementCell req={r} details /> },
              {
                header: c.audit.merchantSays,
                cell: (r) => {
                  const s = selfBy.get(r.id);
                  const linked = (linksBy.get(r.id) ?? []).map((l) => <EvidenceItemLink key={l.evidence.id} item={l.evidence} />);
                  return s ? (
                    <>
                      {c.selfStatus[s.status]}
                      {s.note ? <span className="block small">{s.note}</span> : null}
                      <span className="block small"><EvidenceLinks ids={s.evidenceIds} /></span>
                      {linked}
                    </>
                  ) : (
                    <>
                      <span className="muted">{c.self.unanswered}</span>
                      {linked}
                    </>
                  );
                },
              },
              {
                header: c.audit.result,
                cell: (r) => {
                  const v = edits.get(r.id);
                  if (!editable) return v ? c.result[v.result] : c.audit.unassessed;
                  return (
                    <select aria-label={`${c.audit.result} ${r.id}`} value={v?.result ?? ""} onChange={(e) => { const x = e.currentTarget.value as ResultValue | ""; if (x) edits.set(r.id, { note: "", ...v, result: x }); }}>
                      {resultOptions.map((o) => <option key={o.value} value={o.value}>{o.label}</option>)}
                    </select>
                  );
                },
              },
              {
                header: c.audit.resultNote,
                cell: (r) => {
                  const v = edits.get(r.id);
                  if (!editable) return v?.note ?? "";
                  return <input aria-label={`${c.audit.resultNote} ${r.id}`} maxLength={4000} value={v?.note ?? ""} disabled={!v} onChange={(e) => { if (v) edits.set(r.id, { ...v, note: e.currentTarget.value }); }} />;
                },
              },
            ]}
          />
          <ProblemAlert error={save.error} />
          {save.isSuccess && !edits.dirty ? <Notice tone="success">{c.common.saved}</Notice> : null}
          {editable ? (
            <button type="submit" className="button primary" disabled={save.isPending || !edits.dirty}>
              {c.audit.saveResults}
            </button>
          ) : null}
        </form>
      </QueryState>
    </Section>
  );
}
