// A certification body's auditor register: grade, status, qualifications, training hours; one
// auditor's record with declared conflicts of interest and the audits they were on.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, useParams } from "react-router";
import { api } from "../../api/client.ts";
import { can, useFullSession } from "../../api/session.ts";
import { DataTable, QueryState } from "../../components/DataTable.tsx";
import { Field, formValues, SelectField, SubmitButton } from "../../components/Field.tsx";
import { formatDateTime } from "../../components/format.ts";
import { Page, Section } from "../../components/Page.tsx";
import { fieldError, Notice, ProblemAlert } from "../../components/Problem.tsx";
import { LoadError, Loading } from "../../components/States.tsx";
import { OrgName, StatusBadge } from "./shared.tsx";
import { useAuditors } from "./Team.tsx";
import { useCertText } from "./text.ts";
import type { Auditor, AuditorRecord, Grade } from "./types.ts";

const splitList = (s: string | undefined): string[] => (s ?? "").split(/[,，]/).map((x) => x.trim()).filter(Boolean);

export function AuditorsPage() {
  const { c } = useCertText();
  const session = useFullSession();
  const queryClient = useQueryClient();
  const auditors = useAuditors(session.organisation.id);
  const manage = can(session, "cert.cb_manage");
  const members = useQuery({ queryKey: ["members", session.organisation.id], queryFn: () => api<{ items: { userId: string; displayName: string; email: string; role: string }[] }>("GET", `/organisations/${session.organisation.id}/members`), enabled: manage });
  const add = useMutation({
    mutationFn: (b: { name: string; userId?: string; grade: Grade; qualifications: string[]; trainingHours: number }) => api<Auditor>("POST", "/certification/auditors", b),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ["cert-auditors"] }),
  });
  const grades = Object.keys(c.grade) as Grade[];
  return (
    <Page title={c.auditors.title} intro={c.auditors.intro}>
      {manage ? (
        <Section title={c.auditors.add} id="auditor-add">
          <form
            className="form"
            noValidate
            aria-label={c.auditors.add}
            onSubmit={(e) => {
              e.preventDefault();
              const v = formValues(e.currentTarget);
              add.mutate({ name: v.name ?? "", grade: (v.grade ?? "candidate") as Grade, qualifications: splitList(v.qualifications), trainingHours: Number(v.trainingHours || 0), ...(v.userId ? { userId: v.userId } : {}) });
            }}
          >
            <Field name="name" label={c.auditors.name} maxLength={200} error={fieldError(add.error, "name")} />
            <SelectField name="userId" label={c.auditors.user} options={[{ value: "", label: c.auditors.userNone }, ...(members.data?.items ?? []).filter((m) => m.role === "auditor").map((m) => ({ value: m.userId, label: `${m.displayName} <${m.email}>` }))]} error={fieldError(add.error, "userId")} />
            <SelectField name="grade" label={c.auditors.grade} options={grades.map((g) => ({ value: g, label: c.grade[g] }))} />
            <Field name="qualifications" label={c.auditors.qualifications} required={false} maxLength={2000} />
            <Field name="trainingHours" type="number" min={0} label={c.auditors.trainingHours} defaultValue="0" error={fieldError(add.error, "trainingHours")} />
            <ProblemAlert error={add.error} />
            {add.isSuccess ? <Notice tone="success">{c.common.saved}</Notice> : null}
            <SubmitButton pending={add.isPending}>{c.auditors.add}</SubmitButton>
          </form>
        </Section>
      ) : null}
      <Section title={c.auditors.list} id="auditor-list">
        <QueryState query={auditors} isEmpty={(auditors.data?.items.length ?? 0) === 0} empty={c.auditors.empty}>
          <DataTable
            label={c.auditors.list}
            rows={auditors.data?.items ?? []}
            rowKey={(a) => a.id}
            columns={[
              { header: c.auditors.name, cell: (a) => <Link to={`/certification/auditors/${a.id}`}>{a.name}</Link> },
              { header: c.auditors.grade, cell: (a) => c.grade[a.grade] },
              { header: c.auditors.status, cell: (a) => c.auditors.statusName[a.status] ?? a.status },
              { header: c.auditors.trainingHours, cell: (a) => a.trainingHours },
              { header: c.auditors.qualifications, cell: (a) => a.qualifications.join(", ") || c.common.none },
            ]}
          />
        </QueryState>
      </Section>
    </Page>
  );
}

export function AuditorRecordPage() {
  const { c, locale } = useCertText();
  const { id = "" } = useParams();
  const session = useFullSession();
  const queryClient = useQueryClient();
  const record = useQuery({ queryKey: ["cert-auditor", id], queryFn: () => api<AuditorRecord>("GET", `/certification/auditors/${encodeURIComponent(id)}`), retry: false });
  const refresh = async () => {
    await queryClient.invalidateQueries({ queryKey: ["cert-auditor", id] });
    await queryClient.invalidateQueries({ queryKey: ["cert-auditors"] });
  };
  const update = useMutation({ mutationFn: (b: Partial<Pick<Auditor, "grade" | "status" | "trainingHours" | "qualifications">>) => api<Auditor>("PATCH", `/certification/auditors/${id}`, b), onSuccess: refresh });
  const declare = useMutation({ mutationFn: (b: { orgId: string; reason: string }) => api("POST", `/certification/auditors/${id}/conflicts`, b), onSuccess: refresh });
  if (record.isPending) return <Loading />;
  if (record.isError) return <LoadError error={record.error} onRetry={() => void record.refetch()} />;
  const { auditor: a, conflicts, audits } = record.data;
  const manage = can(session, "cert.cb_manage");
  return (
    <Page title={a.name} intro={`${c.grade[a.grade]} · ${c.auditors.statusName[a.status] ?? a.status}`}>
      {manage ? (
        <Section title={c.auditors.update} id="auditor-update">
          <form
            className="form"
            noValidate
            aria-label={c.auditors.update}
            onSubmit={(e) => {
              e.preventDefault();
              const v = formValues(e.currentTarget);
              update.mutate({ grade: v.grade as Grade, status: v.status ?? a.status, trainingHours: Number(v.trainingHours || 0), qualifications: splitList(v.qualifications) });
            }}
          >
            <SelectField name="grade" label={c.auditors.grade} defaultValue={a.grade} options={(Object.keys(c.grade) as Grade[]).map((g) => ({ value: g, label: c.grade[g] }))} />
            <SelectField name="status" label={c.auditors.status} defaultValue={a.status} options={Object.entries(c.auditors.statusName).map(([value, label]) => ({ value, label }))} />
            <Field name="trainingHours" type="number" min={0} label={c.auditors.trainingHours} defaultValue={String(a.trainingHours)} error={fieldError(update.error, "trainingHours")} />
            <Field name="qualifications" label={c.auditors.qualifications} required={false} defaultValue={a.qualifications.join(", ")} />
            <ProblemAlert error={update.error} />
            {update.isSuccess ? <Notice tone="success">{c.common.saved}</Notice> : null}
            <SubmitButton pending={update.isPending}>{c.auditors.update}</SubmitButton>
          </form>
        </Section>
      ) : null}
      <Section title={c.auditors.conflicts} id="auditor-conflicts">
        {conflicts.length === 0 ? <p className="empty">{c.auditors.noConflicts}</p> : (
          <DataTable label={c.auditors.conflicts} rows={conflicts} rowKey={(x) => x.id} columns={[
            { header: c.common.applicant, cell: (x) => <OrgName id={x.orgId} zh={x.orgNameZh} en={x.orgNameEn} /> },
            { header: c.common.reason, cell: (x) => x.reason },
            { header: c.common.updated, cell: (x) => formatDateTime(x.declaredAt, locale) },
          ]} />
        )}
        <form className="form" noValidate aria-label={c.team.declareSubmit} onSubmit={(e) => { e.preventDefault(); const v = formValues(e.currentTarget); declare.mutate({ orgId: v.orgId ?? "", reason: v.reason ?? "" }); }}>
          <Field name="orgId" label={c.auditors.conflictOrg} maxLength={36} error={fieldError(declare.error, "orgId")} />
          <Field name="reason" label={c.team.declareReason} maxLength={1000} error={fieldError(declare.error, "reason")} />
          <ProblemAlert error={declare.error} />
          <SubmitButton pending={declare.isPending} className="button">{c.team.declareSubmit}</SubmitButton>
        </form>
      </Section>
      <Section title={c.auditors.audits} id="auditor-audits">
        {audits.length === 0 ? <p className="empty">{c.auditors.noAudits}</p> : (
          <DataTable label={c.auditors.audits} rows={audits} rowKey={(x) => x.applicationId} columns={[
            { header: c.pipeline.list, cell: (x) => <Link to={`/certification/applications/${x.applicationId}`}>{x.scheme} · {x.applicationId.slice(0, 8)}</Link> },
            { header: c.team.lead, cell: (x) => (x.lead ? c.auditors.leadYes : c.team.member) },
            { header: c.common.status, cell: (x) => <StatusBadge status={x.status} /> },
            { header: c.common.updated, cell: (x) => formatDateTime(x.assignedAt, locale) },
          ]} />
        )}
      </Section>
    </Page>
  );
}
