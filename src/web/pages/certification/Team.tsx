// The audit team of one application: who is on it (lead, conflict-of-interest check), and for
// the body's administrator the assignment (refused with the reason when an auditor declared a
// conflict with this applicant) and a conflict declaration against this applicant.
import { useMutation, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { api } from "../../api/client.ts";
import { DataTable, QueryState } from "../../components/DataTable.tsx";
import { Field, formValues, SelectField, SubmitButton } from "../../components/Field.tsx";
import { Section } from "../../components/Page.tsx";
import { fieldError, Notice, ProblemAlert } from "../../components/Problem.tsx";
import { useRefreshApplication } from "./shared.tsx";
import { useCertText } from "./text.ts";
import type { ApplicationDetail, Auditor, TeamRow } from "./types.ts";

export function useAuditors(cbOrgId: string, enabled = true) {
  return useQuery({ queryKey: ["cert-auditors", cbOrgId], queryFn: () => api<{ items: Auditor[] }>("GET", `/certification/bodies/${cbOrgId}/auditors`), enabled });
}

export function TeamSection({ app, manage }: { app: ApplicationDetail; manage: boolean }) {
  const { c } = useCertText();
  const refresh = useRefreshApplication(app.id);
  const team = useQuery({ queryKey: ["cert-app", app.id, "team"], queryFn: () => api<{ items: TeamRow[] }>("GET", `/certification/applications/${app.id}/team`) });
  const auditors = useAuditors(app.cbOrgId, manage);
  const [members, setMembers] = useState<ReadonlySet<string>>(new Set());
  const [lead, setLead] = useState("");
  const assign = useMutation({
    mutationFn: () => api<{ items: TeamRow[] }>("PUT", `/certification/applications/${app.id}/team`, { members: [...members].map((auditorId) => ({ auditorId, lead: auditorId === lead })) }),
    onSuccess: refresh,
  });
  const declare = useMutation({
    mutationFn: (v: { auditorId: string; reason: string }) => api("POST", `/certification/auditors/${v.auditorId}/conflicts`, { orgId: app.merchantOrgId, reason: v.reason }),
    onSuccess: refresh,
  });
  const active = (auditors.data?.items ?? []).filter((a) => a.status === "active");
  return (
    <Section title={c.team.title} id="cert-team">
      <p className="muted">{c.team.intro}</p>
      <QueryState query={team} isEmpty={(team.data?.items.length ?? 0) === 0} empty={c.team.empty}>
        <DataTable
          label={c.team.title}
          rows={team.data?.items ?? []}
          rowKey={(t) => t.auditorId}
          columns={[
            { header: c.team.auditor, cell: (t) => t.name },
            { header: c.team.lead, cell: (t) => (t.lead ? c.team.lead : c.team.member) },
            { header: c.team.conflictFree, cell: (t) => <span className={`status ${t.conflictFree ? "status-active" : "status-rejected"}`}>{t.conflictFree ? c.team.clear : c.team.conflicted}</span> },
          ]}
        />
      </QueryState>
      {manage ? (
        <>
          <form
            className="form"
            noValidate
            aria-label={c.team.assign}
            onSubmit={(e) => {
              e.preventDefault();
              assign.mutate();
            }}
          >
            <fieldset>
              <legend>{c.team.pick}</legend>
              {active.map((a) => (
                <div key={a.id} className="row-actions">
                  <label className="checkbox">
                    <input
                      type="checkbox"
                      checked={members.has(a.id)}
                      onChange={(e) => {
                        const next = new Set(members);
                        if (e.currentTarget.checked) next.add(a.id);
                        else next.delete(a.id);
                        setMembers(next);
                      }}
                    />{" "}
                    {a.name} · {c.grade[a.grade]}
                  </label>
                  <label className="checkbox">
                    <input type="radio" name="lead" value={a.id} checked={lead === a.id} onChange={() => { setLead(a.id); setMembers(new Set(members).add(a.id)); }} /> {c.team.leadPick} {a.name}
                  </label>
                </div>
              ))}
            </fieldset>
            {fieldError(assign.error, "members") ? <p className="field-error">{fieldError(assign.error, "members")}</p> : null}
            <ProblemAlert error={assign.error} />
            {assign.isSuccess ? <Notice tone="success">{c.common.saved}</Notice> : null}
            <SubmitButton pending={assign.isPending}>{c.team.assign}</SubmitButton>
          </form>
          <form
            className="form"
            noValidate
            aria-label={c.team.declare}
            onSubmit={(e) => {
              e.preventDefault();
              const v = formValues(e.currentTarget);
              declare.mutate({ auditorId: v.auditorId ?? "", reason: v.reason ?? "" });
            }}
          >
            <h3>{c.team.declare}</h3>
            <SelectField name="auditorId" label={c.team.declareAuditor} options={active.map((a) => ({ value: a.id, label: a.name }))} />
            <Field name="reason" label={c.team.declareReason} maxLength={1000} error={fieldError(declare.error, "reason")} />
            <ProblemAlert error={declare.error} />
            {declare.isSuccess ? <Notice tone="success">{c.team.declared}</Notice> : null}
            <SubmitButton pending={declare.isPending} className="button">{c.team.declareSubmit}</SubmitButton>
          </form>
        </>
      ) : null}
    </Section>
  );
}
