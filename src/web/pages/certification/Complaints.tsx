// Consumer complaints against mark holders, for the body, the holder and the authority: a
// paged list by status, and one complaint with the holder's response and the determination
// (upheld may sanction the mark through the lifecycle, at a level of the scheme's ladder).
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link, useParams } from "react-router";
import { api, query } from "../../api/client.ts";
import { useFullSession } from "../../api/session.ts";
import { DataTable, QueryState } from "../../components/DataTable.tsx";
import { Field, SelectField, SubmitButton } from "../../components/Field.tsx";
import { formatDateTime } from "../../components/format.ts";
import { OffsetPager } from "../../components/OffsetPager.tsx";
import { Page, Section } from "../../components/Page.tsx";
import { fieldError, ProblemAlert } from "../../components/Problem.tsx";
import { LoadError, Loading } from "../../components/States.tsx";
import { usePagedList } from "../../components/usePagedList.ts";
import { OrgName } from "./shared.tsx";
import { StatusFilter, useStatusParam } from "./StatusFilter.tsx";
import { eventName, fill, useCertText } from "./text.ts";
import type { Complaint, ComplaintStatus, NamedComplaint } from "./types.ts";

const statuses: ComplaintStatus[] = ["received", "responded", "upheld", "dismissed"];
const sanctionEvents = ["sanction_caution", "sanction_recommendation", "sanction_suspend", "sanction_revoke"] as const;

export function ComplaintsPage() {
  const { c, locale } = useCertText();
  const t = c.complaint;
  const [status, setStatus] = useStatusParam(statuses);
  const list = usePagedList<NamedComplaint, { items: NamedComplaint[]; total: number }>(["cert-complaints", status ?? "all"], (p) => api("GET", `/certification/complaints${query({ status, ...p })}`));
  return (
    <Page title={t.consoleTitle} intro={t.consoleIntro}>
      <Section title={t.list} id="complaints-list">
        <StatusFilter allowed={statuses} value={status} onChange={setStatus} names={t.status} />
        <QueryState query={list.query} isEmpty={list.items.length === 0} empty={t.empty}>
          <DataTable
            label={t.list}
            rows={list.items}
            rowKey={(x) => x.id}
            columns={[
              { header: t.reference, cell: (x) => <Link to={`/certification/complaints/${x.id}`}>{x.reference}</Link> },
              { header: c.common.markNumber, cell: (x) => x.markNumber },
              { header: c.common.applicant, cell: (x) => <OrgName id={x.merchantOrgId} zh={x.merchantNameZh} en={x.merchantNameEn} /> },
              { header: t.category, cell: (x) => t.categories[x.category] ?? x.category },
              { header: c.common.status, cell: (x) => <span className="status">{t.status[x.status] ?? x.status}</span> },
              { header: t.filedAt, cell: (x) => formatDateTime(x.filedAt, locale) },
            ]}
          />
        </QueryState>
        <OffsetPager list={list} label={t.list} words={c.common} />
      </Section>
    </Page>
  );
}

export function ComplaintPage() {
  const { c, locale } = useCertText();
  const t = c.complaint;
  const { id = "" } = useParams();
  const session = useFullSession();
  const queryClient = useQueryClient();
  const complaint = useQuery({ queryKey: ["cert-complaint", id], queryFn: () => api<Complaint>("GET", `/certification/complaints/${encodeURIComponent(id)}`), retry: false });
  const refresh = async () => {
    await queryClient.invalidateQueries({ queryKey: ["cert-complaint", id] });
    await queryClient.invalidateQueries({ queryKey: ["cert-complaints"] });
  };
  const [response, setResponse] = useState("");
  const respond = useMutation({ mutationFn: () => api<Complaint>("POST", `/certification/complaints/${id}/response`, { response }), onSuccess: refresh });
  const [determination, setDetermination] = useState("");
  const [outcome, setOutcome] = useState<"upheld" | "dismissed">("upheld");
  const [sanction, setSanction] = useState("");
  const [level, setLevel] = useState("");
  const [months, setMonths] = useState("");
  const determine = useMutation({
    mutationFn: () =>
      api<Complaint>("POST", `/certification/complaints/${id}/determination`, {
        outcome,
        determination,
        ...(sanction ? { sanction: { event: sanction, level: Number(level), ...(months ? { months: Number(months) } : {}) } } : {}),
      }),
    onSuccess: refresh,
  });
  if (complaint.isPending) return <Loading />;
  if (complaint.isError) return <LoadError error={complaint.error} onRetry={() => void complaint.refetch()} />;
  const x = complaint.data;
  const open = x.status === "received" || x.status === "responded";
  const holder = session.organisation.id === x.merchantOrgId && session.role === "merchant_admin";
  const decider = (session.organisation.id === x.cbOrgId && session.role === "cb_admin") || session.role === "authority_admin";
  return (
    <Page title={fill(t.detail, { reference: x.reference })} intro={<>{x.markNumber} · <span className="status">{t.status[x.status] ?? x.status}</span></>}>
      <Section title={t.title} id="complaint-facts">
        <dl className="facts">
          <dt>{t.category}</dt>
          <dd>{t.categories[x.category] ?? x.category}</dd>
          <dt>{t.description}</dt>
          <dd>{x.description}</dd>
          <dt>{t.filedAt}</dt>
          <dd>{formatDateTime(x.filedAt, locale)}</dd>
          {x.complainantName !== null ? (
            <>
              <dt>{t.complainant}</dt>
              <dd>{x.complainantName} · {x.complainantEmail}</dd>
            </>
          ) : null}
          <dt>{t.response}</dt>
          <dd>{x.merchantResponse || c.common.none}</dd>
          {x.determinedAt ? (
            <>
              <dt>{t.determination}</dt>
              <dd>{x.determination}{x.sanctionEvent ? ` · ${eventName(c, x.sanctionEvent)}` : ""}</dd>
            </>
          ) : null}
        </dl>
        <p><Link to={`/certification/applications/${x.applicationId}`}>{c.pipeline.list}</Link></p>
      </Section>
      {holder && open ? (
        <Section title={t.respond} id="complaint-respond">
          <form className="form" noValidate aria-label={t.respond} onSubmit={(e) => { e.preventDefault(); respond.mutate(); }}>
            <Field name="response" label={t.response} maxLength={4000} value={response} onChange={(e) => { setResponse(e.currentTarget.value); }} error={fieldError(respond.error, "response")} />
            <ProblemAlert error={respond.error} />
            <SubmitButton pending={respond.isPending}>{t.respond}</SubmitButton>
          </form>
        </Section>
      ) : null}
      {decider && open ? (
        <Section title={t.determine} id="complaint-determine">
          <form className="form" noValidate aria-label={t.determine} onSubmit={(e) => { e.preventDefault(); determine.mutate(); }}>
            <SelectField name="outcome" label={t.outcome} value={outcome} onChange={(e) => { setOutcome(e.currentTarget.value === "dismissed" ? "dismissed" : "upheld"); }} options={[{ value: "upheld", label: t.upheld }, { value: "dismissed", label: t.dismissed }]} />
            <Field name="determination" label={t.determination} maxLength={4000} value={determination} onChange={(e) => { setDetermination(e.currentTarget.value); }} error={fieldError(determine.error, "determination")} />
            <SelectField name="sanction" label={t.sanction} value={sanction} onChange={(e) => { setSanction(e.currentTarget.value); }} options={[{ value: "", label: t.sanctionNone }, ...sanctionEvents.map((s) => ({ value: s, label: eventName(c, s) }))]} error={fieldError(determine.error, "sanction")} />
            {sanction ? <Field name="level" type="number" min={1} max={20} label={t.level} value={level} onChange={(e) => { setLevel(e.currentTarget.value); }} error={fieldError(determine.error, "sanction.level")} /> : null}
            {sanction === "sanction_suspend" ? <Field name="months" type="number" min={1} max={120} label={t.months} value={months} onChange={(e) => { setMonths(e.currentTarget.value); }} error={fieldError(determine.error, "sanction.months")} /> : null}
            <ProblemAlert error={determine.error} />
            <SubmitButton pending={determine.isPending}>{t.determine}</SubmitButton>
          </form>
        </Section>
      ) : null}
    </Page>
  );
}
