// The applicant's self-assessment: per requirement a status, a note and evidence files
// (uploaded to the organisation's evidence store, then linked). Read-only for the body and
// once the application has left the stages where it may change.
import { useMutation, useQuery } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import { api } from "../../api/client.ts";
import { DataTable, QueryState } from "../../components/DataTable.tsx";
import { Section } from "../../components/Page.tsx";
import { Notice, ProblemAlert } from "../../components/Problem.tsx";
import type { Requirement } from "../schemes/types.ts";
import { optionsOf, RequirementCell, useRowEdits } from "./requirements.tsx";
import { EvidenceLinks, useEvidenceUpload, useRefreshApplication } from "./shared.tsx";
import { fill, useCertText } from "./text.ts";
import type { ApplicationDetail, SelfRow, SelfStatus } from "./types.ts";

type Answer = { status: SelfStatus; note: string; evidenceIds: string[] };

export function useSelfAssessment(id: string) {
  return useQuery({ queryKey: ["cert-app", id, "self"], queryFn: () => api<{ items: SelfRow[] }>("GET", `/certification/applications/${id}/self-assessment`) });
}

export function SelfAssessmentSection({ app, requirements, editable }: { app: ApplicationDetail; requirements: readonly Requirement[]; editable: boolean }) {
  const { c } = useCertText();
  const rows = useSelfAssessment(app.id);
  const refresh = useRefreshApplication(app.id);
  const upload = useEvidenceUpload();
  const saved = useMemo(() => new Map((rows.data?.items ?? []).map((r) => [r.requirementId, { status: r.status, note: r.note, evidenceIds: r.evidenceIds } satisfies Answer])), [rows.data]);
  const edits = useRowEdits<Answer>(saved);
  const ids = requirements.map((r) => r.id);
  const save = useMutation({
    mutationFn: () => api<{ answered: number; total: number }>("PUT", `/certification/applications/${app.id}/self-assessment`, { items: edits.all(ids) }),
    onSuccess: async () => {
      edits.reset();
      await refresh();
    },
  });
  const [attachError, setAttachError] = useState<unknown>(null);
  const attach = async (reqId: string, file: File | undefined): Promise<void> => {
    if (!file) return;
    setAttachError(null);
    try {
      const f = await upload(file);
      const cur = edits.get(reqId) ?? { status: "implemented" as const, note: "", evidenceIds: [] };
      edits.set(reqId, { ...cur, evidenceIds: [...cur.evidenceIds, f.id] });
    } catch (e) {
      setAttachError(e);
    }
  };
  const answered = edits.all(ids).length;
  const statusOptions = optionsOf(c.selfStatus, c.self.unanswered);
  return (
    <Section title={c.self.title} id="cert-self">
      <p className="muted">{c.self.intro}</p>
      <p role="status">{fill(c.self.progress, { answered, total: ids.length })}</p>
      {!editable && app.status !== "draft" ? <p className="muted">{c.self.closed}</p> : null}
      <QueryState query={rows} isEmpty={!editable && (rows.data?.items.length ?? 0) === 0} empty={c.self.none}>
        <form
          className="form"
          noValidate
          aria-label={c.self.title}
          onSubmit={(e) => {
            e.preventDefault();
            save.mutate();
          }}
        >
          {editable ? (
            <div className="page-actions">
              <button type="button" className="button" onClick={() => { edits.fillRest(ids, { status: "implemented", note: "", evidenceIds: [] }); }}>
                {c.self.fillRest}
              </button>
            </div>
          ) : null}
          <DataTable
            label={c.self.title}
            rows={requirements}
            rowKey={(r) => r.id}
            columns={[
              { header: c.self.requirement, cell: (r) => <RequirementCell req={r} /> },
              {
                header: c.self.status,
                cell: (r) => {
                  const a = edits.get(r.id);
                  if (!editable) return a ? c.selfStatus[a.status] : c.self.unanswered;
                  return (
                    <select aria-label={`${c.self.status} ${r.id}`} value={a?.status ?? ""} onChange={(e) => { const v = e.currentTarget.value as SelfStatus | ""; if (v) edits.set(r.id, { note: "", evidenceIds: [], ...a, status: v }); }}>
                      {statusOptions.map((o) => <option key={o.value} value={o.value}>{o.label}</option>)}
                    </select>
                  );
                },
              },
              {
                header: c.self.note,
                cell: (r) => {
                  const a = edits.get(r.id);
                  if (!editable) return a?.note ?? "";
                  return <input aria-label={`${c.self.note} ${r.id}`} maxLength={4000} value={a?.note ?? ""} disabled={!a} onChange={(e) => { if (a) edits.set(r.id, { ...a, note: e.currentTarget.value }); }} />;
                },
              },
              {
                header: c.self.evidence,
                cell: (r) => (
                  <>
                    <EvidenceLinks ids={edits.get(r.id)?.evidenceIds ?? []} />
                    {editable ? <input type="file" aria-label={`${c.self.attach} ${r.id}`} accept="application/pdf,image/png,image/jpeg,text/plain,text/csv" onChange={(e) => void attach(r.id, e.currentTarget.files?.[0])} /> : null}
                  </>
                ),
              },
            ]}
          />
          <ProblemAlert error={attachError} />
          <ProblemAlert error={save.error} />
          {save.isSuccess && !edits.dirty ? <Notice tone="success">{c.common.saved}</Notice> : null}
          {editable ? (
            <button type="submit" className="button primary" disabled={save.isPending || !edits.dirty}>
              {c.self.save}
            </button>
          ) : null}
        </form>
      </QueryState>
    </Section>
  );
}
