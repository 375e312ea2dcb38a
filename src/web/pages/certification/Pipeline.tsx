// The case board: counts per lifecycle state (choose one to list it) and a paged list. The same
// page serves each role with what the API lets it see: the authority every case, a body its
// own, an auditor the cases whose team they are on, a merchant its applications.
import { Link } from "react-router";
import { api, query } from "../../api/client.ts";
import { can, useFullSession } from "../../api/session.ts";
import { DataTable, QueryState } from "../../components/DataTable.tsx";
import { formatDateTime } from "../../components/format.ts";
import { OffsetPager } from "../../components/OffsetPager.tsx";
import { Page, Section } from "../../components/Page.tsx";
import { usePagedList } from "../../components/usePagedList.ts";
import { OrgName, StatusBadge, useSchemeTitle } from "./shared.tsx";
import { useStatusParam } from "./StatusFilter.tsx";
import { useCertText } from "./text.ts";
import type { ApplicationList, NamedApplication, Status } from "./types.ts";

export function PipelinePage() {
  const { c, locale } = useCertText();
  const session = useFullSession();
  const schemeTitle = useSchemeTitle();
  const merchant = session.organisation.kind === "merchant";
  const [status, choose] = useStatusParam(Object.keys(c.status) as Status[]);
  const list = usePagedList<NamedApplication, ApplicationList>(["cert-list", "pipeline", status ?? "all"], (p) => api<ApplicationList>("GET", `/certification/applications${query({ status, ...p })}`));
  const counts = list.extra?.countsByStatus ?? {};
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  return (
    <Page
      title={merchant ? c.pipeline.titleMerchant : c.pipeline.title}
      intro={merchant ? c.pipeline.introMerchant : c.pipeline.intro}
      actions={
        can(session, "cert.apply") && session.role === "merchant_admin" ? (
          <>
            <Link className="button" to="/certification/evidence">
              {c.evidence.nav}
            </Link>{" "}
            <Link className="button primary" to="/certification/apply">
              {c.pipeline.apply}
            </Link>
          </>
        ) : null
      }
    >
      <Section title={c.pipeline.board} id="cert-board">
        <nav aria-label={c.pipeline.filterLabel}>
          <ul className="tiles">
            <li className="tile">
              <button type="button" className="link-button" aria-pressed={!status} onClick={() => { choose(undefined); }}>
                <span className="tile-title">{c.pipeline.all}</span> <span className="tile-body num">{total}</span>
              </button>
            </li>
            {(Object.keys(c.status) as Status[])
              .filter((s) => (counts[s] ?? 0) > 0 || s === status)
              .map((s) => (
                <li key={s} className="tile">
                  <button type="button" className="link-button" aria-pressed={s === status} onClick={() => { choose(s); }}>
                    <span className="tile-title">{c.status[s]}</span> <span className="tile-body num">{counts[s] ?? 0}</span>
                  </button>
                </li>
              ))}
          </ul>
        </nav>
      </Section>
      <Section title={status ? `${c.pipeline.list} · ${c.status[status]}` : c.pipeline.list} id="cert-list">
        <QueryState query={list.query} isEmpty={list.items.length === 0} empty={merchant && !status ? c.pipeline.emptyMerchant : c.pipeline.empty}>
          <DataTable
            label={c.pipeline.list}
            rows={list.items}
            rowKey={(a) => a.id}
            columns={[
              { header: c.common.scope, cell: (a) => <Link to={`/certification/applications/${a.id}`}>{a.scope}</Link> },
              { header: c.common.applicant, cell: (a) => <OrgName id={a.merchantOrgId} zh={a.merchantNameZh} en={a.merchantNameEn} /> },
              { header: c.common.scheme, cell: (a) => `${schemeTitle(a.scheme)} ${a.schemeVersion}` },
              { header: c.common.status, cell: (a) => <StatusBadge status={a.status} /> },
              { header: c.common.markNumber, cell: (a) => a.markNumber ?? c.common.none },
              { header: c.common.updated, cell: (a) => formatDateTime(a.updatedAt, locale) },
            ]}
          />
        </QueryState>
        <OffsetPager list={list} label={c.pipeline.list} words={c.common} />
      </Section>
    </Page>
  );
}
