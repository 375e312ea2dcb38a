// Marks and sanctions (authority: every mark; a body: its own): marks by status with their
// validity and the cautions and recommendations recorded on them. Sanctions are taken on the
// case page, where the lifecycle checks the level against the scheme's ladder.
import { useQuery } from "@tanstack/react-query";
import { Link, Navigate, useParams } from "react-router";
import { api, query } from "../../api/client.ts";
import { DataTable, QueryState } from "../../components/DataTable.tsx";
import { formatDate, formatDateTime } from "../../components/format.ts";
import { OffsetPager } from "../../components/OffsetPager.tsx";
import { Page, Section } from "../../components/Page.tsx";
import { usePagedList } from "../../components/usePagedList.ts";
import { OrgName, StatusBadge } from "./shared.tsx";
import { StatusFilter, useStatusParam } from "./StatusFilter.tsx";
import { useCertText } from "./text.ts";
import type { Alarm, ApplicationList, NamedApplication, Status } from "./types.ts";

const markStates: Status[] = ["active", "active_under_surveillance", "renewal_in_review", "suspended", "revoked", "expired", "withdrawn"];

export function MarksPage() {
  const { c, locale } = useCertText();
  const [chosen, setStatus] = useStatusParam(markStates, "active");
  const status = chosen ?? "active";
  const list = usePagedList<NamedApplication, ApplicationList>(["cert-list", "marks", status], (page) => api<ApplicationList>("GET", `/certification/applications${query({ status, ...page })}`));
  const rows = list.items.filter((a) => a.markNumber);
  return (
    <Page title={c.marks.title} intro={c.marks.intro}>
      <Section title={c.marks.list} id="marks-list">
        <StatusFilter allowed={markStates} value={status} onChange={setStatus} names={c.status} withAll={false} />
        <QueryState query={list.query} isEmpty={rows.length === 0} empty={c.marks.empty}>
          <DataTable
            label={c.marks.list}
            rows={rows}
            rowKey={(a) => a.id}
            columns={[
              { header: c.common.markNumber, cell: (a) => <Link to={`/certification/applications/${a.id}`}>{a.markNumber}</Link> },
              { header: c.common.applicant, cell: (a) => <OrgName id={a.merchantOrgId} zh={a.merchantNameZh} en={a.merchantNameEn} /> },
              { header: c.common.scope, cell: (a) => a.scope },
              { header: c.common.status, cell: (a) => <StatusBadge status={a.status} /> },
              { header: c.common.validTo, cell: (a) => formatDate(a.suspendedUntil ?? a.validTo, locale) },
              { header: c.marks.flags, cell: (a) => a.flags.map((f) => `${c.flagKind[f.kind] ?? f.kind}${f.level !== null ? ` (${f.level})` : ""}`).join(", ") || c.common.none },
            ]}
          />
        </QueryState>
        <OffsetPager list={list} label={c.marks.list} words={c.common} />
      </Section>
    </Page>
  );
}

export function AlarmsPage() {
  const { c, locale } = useCertText();
  const alarms = useQuery({ queryKey: ["cert-alarms"], queryFn: () => api<{ items: Alarm[] }>("GET", "/certification/alarms") });
  return (
    <Page title={c.alarms.title} intro={c.alarms.intro}>
      <Section title={c.alarms.title} id="alarms-list">
        <QueryState query={alarms} isEmpty={(alarms.data?.items.length ?? 0) === 0} empty={c.alarms.empty}>
          <DataTable
            label={c.alarms.title}
            rows={alarms.data?.items ?? []}
            rowKey={(a) => a.id}
            columns={[
              { header: c.alarms.kind, cell: (a) => c.alarmKind[a.kind.startsWith("renewal_reminder") ? "renewal_reminder" : a.kind] ?? a.kind },
              { header: c.alarms.due, cell: (a) => formatDateTime(a.dueAt, locale) },
              { header: c.alarms.application, cell: (a) => <Link to={`/certification/applications/${a.applicationId}`}>{a.applicationId.slice(0, 8)}</Link> },
              { header: c.common.applicant, cell: (a) => <OrgName id={a.merchantOrgId} zh={a.merchantNameZh} en={a.merchantNameEn} /> },
              { header: c.alarms.raised, cell: (a) => formatDateTime(a.raisedAt, locale) },
            ]}
          />
        </QueryState>
      </Section>
    </Page>
  );
}

/** The old address of a mark's public page: the certificate page now. */
export function MarkPage() {
  const { markNumber = "" } = useParams();
  return <Navigate to={`/certificates/${encodeURIComponent(markNumber)}`} replace />;
}
