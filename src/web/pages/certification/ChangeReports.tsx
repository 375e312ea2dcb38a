// Change reports (name, address, representative, PIMS manager, scope): the holder files them on
// its case; the body accepts or requires a re-audit, from the case or from its queue.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link } from "react-router";
import { api, query } from "../../api/client.ts";
import { useFullSession } from "../../api/session.ts";
import { DataTable, QueryState } from "../../components/DataTable.tsx";
import { Field, formValues, SelectField, SubmitButton } from "../../components/Field.tsx";
import { formatDateTime } from "../../components/format.ts";
import { OffsetPager } from "../../components/OffsetPager.tsx";
import { Page, Section } from "../../components/Page.tsx";
import { fieldError, ProblemAlert } from "../../components/Problem.tsx";
import { usePagedList } from "../../components/usePagedList.ts";
import { StatusFilter, useStatusParam } from "./StatusFilter.tsx";
import { useCertText } from "./text.ts";

const changeStatuses = ["submitted", "accepted", "reaudit_required"] as const;
import type { ApplicationDetail, ChangeKind, ChangeReport } from "./types.ts";

function useChangeColumns(review: boolean) {
  const { c, locale } = useCertText();
  const t = c.changes;
  return [
    { header: t.kind, cell: (x: ChangeReport) => t.kinds[x.kind] ?? x.kind },
    { header: t.before, cell: (x: ChangeReport) => x.before },
    { header: t.after, cell: (x: ChangeReport) => x.after },
    { header: t.effectiveOn, cell: (x: ChangeReport) => x.effectiveOn },
    { header: t.reason, cell: (x: ChangeReport) => x.reason },
    { header: c.common.status, cell: (x: ChangeReport) => <><span className="status">{t.status[x.status] ?? x.status}</span>{x.reviewNote ? <span className="block small muted">{x.reviewNote} · {formatDateTime(x.reviewedAt, locale)}</span> : null}</> },
    ...(review ? [{ header: t.reviewNote, cell: (x: ChangeReport) => (x.status === "submitted" ? <ReviewForm change={x} /> : c.common.none) }] : []),
  ];
}

function ReviewForm({ change }: { change: ChangeReport }) {
  const { c } = useCertText();
  const queryClient = useQueryClient();
  const [note, setNote] = useState("");
  const review = useMutation({
    mutationFn: (decision: "accept" | "require_reaudit") => api<ChangeReport>("POST", `/certification/applications/${change.applicationId}/change-reports/${change.id}/review`, { decision, note }),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ["cert-changes"] });
      await queryClient.invalidateQueries({ queryKey: ["cert-app", change.applicationId] });
    },
  });
  return (
    <form className="form" noValidate aria-label={`${c.changes.reviewNote} ${c.changes.kinds[change.kind] ?? change.kind}`} onSubmit={(e) => { e.preventDefault(); }}>
      <Field name="note" label={`${c.changes.reviewNote} (${c.changes.kinds[change.kind] ?? change.kind})`} maxLength={2000} value={note} onChange={(e) => { setNote(e.currentTarget.value); }} error={fieldError(review.error, "note")} />
      <ProblemAlert error={review.error} />
      <div className="row-actions">
        <button type="button" className="button primary" disabled={review.isPending} onClick={() => { review.mutate("accept"); }}>{c.changes.accept}</button>
        <button type="button" className="button" disabled={review.isPending} onClick={() => { review.mutate("require_reaudit"); }}>{c.changes.reaudit}</button>
      </div>
    </form>
  );
}

export function ChangeReportsSection({ app }: { app: ApplicationDetail }) {
  const { c } = useCertText();
  const t = c.changes;
  const session = useFullSession();
  const queryClient = useQueryClient();
  const list = useQuery({ queryKey: ["cert-changes", app.id], queryFn: () => api<{ items: ChangeReport[] }>("GET", `/certification/applications/${app.id}/change-reports`) });
  const holder = session.organisation.id === app.merchantOrgId && session.role.startsWith("merchant");
  const reviewer = session.organisation.id === app.cbOrgId && session.role === "cb_admin";
  const file = useMutation({
    mutationFn: (body: Record<string, unknown>) => api<ChangeReport>("POST", `/certification/applications/${app.id}/change-reports`, body),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ["cert-changes"] }),
  });
  const columns = useChangeColumns(reviewer);
  const kinds = Object.keys(t.kinds) as ChangeKind[];
  return (
    <Section title={t.title} id="cert-changes">
      <p className="muted">{t.intro}</p>
      <QueryState query={list} isEmpty={(list.data?.items.length ?? 0) === 0} empty={t.empty}>
        <DataTable label={t.title} rows={list.data?.items ?? []} rowKey={(x) => x.id} columns={columns} />
      </QueryState>
      {holder ? (
        <form
          className="form"
          noValidate
          aria-label={t.file}
          onSubmit={(e) => {
            e.preventDefault();
            const v = formValues(e.currentTarget);
            file.mutate({ kind: v.kind, before: v.before ?? "", after: v.after ?? "", effectiveOn: v.effectiveOn ?? "", reason: v.reason ?? "" });
          }}
        >
          <SelectField name="kind" label={t.kind} options={kinds.map((k) => ({ value: k, label: t.kinds[k] ?? k }))} />
          <Field name="before" label={t.before} maxLength={1000} error={fieldError(file.error, "before")} />
          <Field name="after" label={t.after} maxLength={1000} error={fieldError(file.error, "after")} />
          <Field name="effectiveOn" type="date" label={t.effectiveOn} error={fieldError(file.error, "effectiveOn")} />
          <Field name="reason" label={t.reason} maxLength={2000} error={fieldError(file.error, "reason")} />
          <ProblemAlert error={file.error} />
          <SubmitButton pending={file.isPending}>{t.file}</SubmitButton>
        </form>
      ) : null}
    </Section>
  );
}

export function ChangeReportsPage() {
  const { c } = useCertText();
  const t = c.changes;
  const session = useFullSession();
  const [status, setStatus] = useStatusParam(changeStatuses);
  const list = usePagedList<ChangeReport, { items: ChangeReport[] }>(["cert-changes", "queue", status ?? "all"], (p) => api("GET", `/certification/change-reports${query({ status, ...p })}`));
  const columns = useChangeColumns(session.role === "cb_admin");
  return (
    <Page title={t.queue} intro={t.intro}>
      <Section title={t.queue} id="changes-queue">
        <StatusFilter allowed={changeStatuses} value={status} onChange={setStatus} names={t.status} />
        <QueryState query={list.query} isEmpty={list.items.length === 0} empty={t.empty}>
          <DataTable label={t.queue} rows={list.items} rowKey={(x) => x.id} columns={[{ header: c.pipeline.list, cell: (x: ChangeReport) => <Link to={`/certification/applications/${x.applicationId}`}>{x.applicationId.slice(0, 8)}</Link> }, ...columns]} />
        </QueryState>
        <OffsetPager list={list} label={t.queue} words={c.common} />
      </Section>
    </Page>
  );
}
