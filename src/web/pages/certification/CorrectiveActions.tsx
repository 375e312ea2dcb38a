// Findings and their corrective actions: the applicant answers each (owner, what was corrected,
// evidence) before the deadline; an auditor on the team verifies or returns it with a note.
import { useMutation, useQuery } from "@tanstack/react-query";
import { api } from "../../api/client.ts";
import { QueryState } from "../../components/DataTable.tsx";
import { Field, formValues, SubmitButton } from "../../components/Field.tsx";
import { formatDateTime } from "../../components/format.ts";
import { Section } from "../../components/Page.tsx";
import { fieldError, ProblemAlert } from "../../components/Problem.tsx";
import { chosenFile, EvidenceLinks, useEvidenceUpload, useRefreshApplication } from "./shared.tsx";
import { useCertText } from "./text.ts";
import type { ApplicationDetail, CorrectiveAction } from "./types.ts";

export function CorrectiveActionsSection({ app, side }: { app: ApplicationDetail; side: "applicant" | "auditor" | "reader" }) {
  const { c, locale } = useCertText();
  const cas = useQuery({ queryKey: ["cert-app", app.id, "cas"], queryFn: () => api<{ items: CorrectiveAction[] }>("GET", `/certification/applications/${app.id}/corrective-actions`) });
  return (
    <Section title={c.ca.title} id="cert-cas">
      <QueryState query={cas} isEmpty={(cas.data?.items.length ?? 0) === 0} empty={c.ca.empty}>
        <ul className="decision-list">
          {cas.data?.items.map((ca) => (
            <li key={ca.id} className="decision">
              <div>
                <p className="decision-name">
                  {ca.requirementId} · {ca.grade === "major" ? c.ca.major : c.ca.minor} · <span className="status">{c.ca.status[ca.status] ?? ca.status}</span>
                </p>
                <p>{c.ca.finding}: {ca.finding}</p>
                <p className="muted small">{c.ca.due}: {formatDateTime(ca.dueAt, locale)}</p>
                {ca.response ? <p>{c.ca.owner}: {ca.owner} · {c.ca.response}: {ca.response}</p> : null}
                {ca.evidenceIds.length ? <p className="small"><EvidenceLinks ids={ca.evidenceIds} /></p> : null}
                {ca.verification ? <p className="muted">{c.ca.verification}: {ca.verification}</p> : null}
              </div>
              {side === "applicant" && ca.status === "open" && app.status === "corrective_action" ? <SubmitForm app={app} ca={ca} /> : null}
              {side === "auditor" && ca.status === "submitted" ? <VerifyForm app={app} ca={ca} /> : null}
            </li>
          ))}
        </ul>
      </QueryState>
    </Section>
  );
}

function SubmitForm({ app, ca }: { app: ApplicationDetail; ca: CorrectiveAction }) {
  const { c } = useCertText();
  const refresh = useRefreshApplication(app.id);
  const upload = useEvidenceUpload();
  const submit = useMutation({
    mutationFn: async (form: HTMLFormElement) => {
      const v = formValues(form);
      const file = chosenFile(form);
      const evidenceIds = file ? [(await upload(file)).id] : [];
      return api<CorrectiveAction>("POST", `/certification/applications/${app.id}/corrective-actions/${ca.id}/submit`, { owner: v.owner ?? "", response: v.response ?? "", evidenceIds });
    },
    onSuccess: refresh,
  });
  return (
    <form className="form" noValidate aria-label={`${c.ca.submit} ${ca.requirementId}`} onSubmit={(e) => { e.preventDefault(); submit.mutate(e.currentTarget); }}>
      <Field name="owner" label={`${c.ca.owner} (${ca.requirementId})`} maxLength={200} error={fieldError(submit.error, "owner")} />
      <Field name="response" label={`${c.ca.response} (${ca.requirementId})`} maxLength={4000} error={fieldError(submit.error, "response")} />
      <Field name="file" type="file" label={`${c.ca.evidence} (${ca.requirementId})`} required={false} accept="application/pdf,image/png,image/jpeg,text/plain,text/csv" />
      <ProblemAlert error={submit.error} />
      <SubmitButton pending={submit.isPending}>{c.ca.submit}</SubmitButton>
    </form>
  );
}

function VerifyForm({ app, ca }: { app: ApplicationDetail; ca: CorrectiveAction }) {
  const { c } = useCertText();
  const refresh = useRefreshApplication(app.id);
  const verify = useMutation({
    mutationFn: (v: { accept: boolean; verification: string }) => api<CorrectiveAction>("POST", `/certification/applications/${app.id}/corrective-actions/${ca.id}/verify`, v),
    onSuccess: refresh,
  });
  return (
    <form
      className="form"
      noValidate
      aria-label={`${c.ca.verification} ${ca.requirementId}`}
      onSubmit={(e) => {
        e.preventDefault();
        const accept = e.nativeEvent.submitter?.getAttribute("value") !== "return";
        verify.mutate({ accept, verification: formValues(e.currentTarget).verification ?? "" });
      }}
    >
      <Field name="verification" label={`${c.ca.verification} (${ca.requirementId})`} maxLength={4000} error={fieldError(verify.error, "verification")} />
      <ProblemAlert error={verify.error} />
      <div className="row-actions">
        <button type="submit" value="accept" className="button primary" disabled={verify.isPending}>{c.ca.accept}</button>
        <button type="submit" value="return" className="button" disabled={verify.isPending}>{c.ca.returnIt}</button>
      </div>
    </form>
  );
}
