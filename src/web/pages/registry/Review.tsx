// The authority's side: the review queue, one shop's review (documents, register check,
// legal-detail changes, decisions with reasons) and the exports.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link, useParams } from "react-router";
import { api, query } from "../../api/client.ts";
import { DataTable, QueryState } from "../../components/DataTable.tsx";
import { Field } from "../../components/Field.tsx";
import { formatDate, formatDateTime } from "../../components/format.ts";
import { Page, Section } from "../../components/Page.tsx";
import { Notice, ProblemAlert } from "../../components/Problem.tsx";
import { Empty, LoadError, Loading } from "../../components/States.tsx";
import { fill, useRegistryText } from "./text.ts";
import type { Change, Doc, HistoryEvent, Origin, Shop } from "./types.ts";

export function ReviewQueuePage() {
  const { r, locale } = useRegistryText();
  const [offset, setOffset] = useState(0);
  const queue = useQuery({ queryKey: ["registry-queue", offset], queryFn: () => api<{ items: Shop[]; nextOffset: number | null }>("GET", `/registry/review-queue${query({ offset, limit: 25 })}`) });
  return (
    <Page
      title={r.review.title}
      actions={
        <>
          <a className="button" href="/api/v1/registry/export?format=csv" download>
            {r.review.exportCsv}
          </a>{" "}
          <a className="button" href="/api/v1/registry/export?format=xlsx" download>
            {r.review.exportXlsx}
          </a>
        </>
      }
    >
      <Section title={r.review.queue} id="registry-queue">
        <QueryState query={queue} isEmpty={queue.data?.items.length === 0} empty={r.review.empty}>
          <DataTable
            label={r.review.queue}
            rows={queue.data?.items ?? []}
            rowKey={(s) => s.id}
            columns={[
              {
                header: r.shop.legalNameZh,
                cell: (s) => (
                  <>
                    {s.legalNameZh}
                    <br />
                    <span className="muted">{s.legalNameEn}</span>
                  </>
                ),
              },
              { header: r.shop.ubn, cell: (s) => s.ubn },
              {
                header: r.shop.status,
                cell: (s) =>
                  `${r.status[s.identityStatus]}${s.hasPendingChange ? ` · ${r.review.pendingChangeFlag}` : ""}${s.sameUbnClaims ? ` · ${fill(r.review.sameUbnFlag, { n: String(s.sameUbnClaims) })}` : ""}`,
              },
              { header: r.wizard.history, cell: (s) => formatDateTime(s.statusChangedAt, locale) },
              {
                header: r.review.open,
                cell: (s) => (
                  <Link to={`/registry/review/${s.id}`} aria-label={`${r.review.open} ${s.legalNameZh}`}>
                    {r.review.open}
                  </Link>
                ),
              },
            ]}
          />
        </QueryState>
        <div className="page-actions">
          {offset > 0 ? <button type="button" className="button" onClick={() => { setOffset(Math.max(0, offset - 25)); }}>←</button> : null}
          {queue.data?.nextOffset ? <button type="button" className="button" onClick={() => { setOffset(queue.data.nextOffset ?? 0); }}>→</button> : null}
        </div>
      </Section>
    </Page>
  );
}

export function ReviewShopPage() {
  const { r, locale } = useRegistryText();
  const { shopId = "" } = useParams();
  const queryClient = useQueryClient();
  const base = `/registry/shops/${encodeURIComponent(shopId)}`;
  const shop = useQuery({ queryKey: ["registry-shop", shopId], queryFn: () => api<Shop>("GET", base) });
  const origins = useQuery({ queryKey: ["registry-origins", shopId], queryFn: () => api<{ items: Origin[] }>("GET", `${base}/origins`) });
  const docs = useQuery({ queryKey: ["registry-docs", shopId], queryFn: () => api<{ items: Doc[] }>("GET", `${base}/documents`) });
  const history = useQuery({ queryKey: ["registry-history", shopId], queryFn: () => api<{ items: HistoryEvent[] }>("GET", `${base}/history`) });
  const changes = useQuery({ queryKey: ["registry-changes", shopId], queryFn: () => api<{ items: Change[] }>("GET", `${base}/changes`) });
  const register = useQuery({
    queryKey: ["registry-register", shop.data?.ubn],
    queryFn: () => api<{ found: boolean; name: string | null; status: string | null }>("GET", `/registry/register-check${query({ ubn: shop.data?.ubn })}`),
    enabled: !!shop.data,
  });
  const refresh = async () => {
    for (const k of ["registry-shop", "registry-history", "registry-changes", "registry-queue"]) await queryClient.invalidateQueries({ queryKey: [k] });
  };
  const act = useMutation({ mutationFn: (body: { action: string; reason: string }) => api<Shop>("POST", `${base}/identity`, body), onSuccess: refresh });
  const decide = useMutation({ mutationFn: (b: { id: string; decision: "approve" | "reject"; reason: string }) => api<Shop>("POST", `/registry/changes/${b.id}/decision`, { decision: b.decision, reason: b.reason }), onSuccess: refresh });
  const [reason, setReason] = useState("");
  if (shop.isPending) return <Loading />;
  if (shop.isError) return <LoadError error={shop.error} onRetry={() => void shop.refetch()} />;
  const s = shop.data;
  const actions: { action: string; label: string; danger?: boolean }[] =
    s.identityStatus === "pending" ? [{ action: "approve", label: r.review.approve }, { action: "request_more", label: r.review.requestMore }, { action: "reject", label: r.review.reject, danger: true }]
    : s.identityStatus === "confirmed" ? [{ action: "renew", label: r.review.renew }, { action: "withdraw", label: r.review.withdraw, danger: true }]
    : s.identityStatus === "withdrawn" ? [{ action: "reopen", label: "reopen" }]
    : [];
  return (
    <Page title={s.legalNameZh} intro={`${s.legalNameEn} · ${r.status[s.identityStatus]}`}>
      <Section title={r.shop.status} id="registry-review-facts">
        <dl className="facts">
          <dt>{r.shop.ubn}</dt>
          <dd>{s.ubn}{s.ubnCurrentRuleOnly ? ` (${r.shop.ubnLegacyNote})` : ""}</dd>
          <dt>{r.review.registerCheck}</dt>
          <dd>{register.data ? (register.data.found ? fill(r.review.registerFound, { name: register.data.name ?? "", status: register.data.status ?? "" }) : r.review.registerMissing) : "…"}</dd>
          <dt>{r.shop.representative}</dt>
          <dd>{s.representative}</dd>
          <dt>{r.shop.address}</dt>
          <dd>{s.address}</dd>
          <dt>{r.shop.contactEmail}</dt>
          <dd>{s.contactEmail} · {s.contactPhone}</dd>
          <dt>{r.shop.serviceChannel}</dt>
          <dd>{s.serviceChannel}</dd>
          <dt>{r.shop.expiresAt}</dt>
          <dd>{formatDate(s.expiresAt, locale)}</dd>
        </dl>
        {s.awaitingShop ? <Notice tone="info">{r.wizard.awaiting}</Notice> : null}
        {s.sameUbn && s.sameUbn.length > 0 ? (
          <Notice tone="warning">
            <strong>{r.review.sameUbn}</strong>
            <ul className="result-list">
              {s.sameUbn.map((o) => (
                <li key={o.id}>
                  <Link to={`/registry/review/${o.id}`}>{o.legalNameZh}</Link> · {o.legalNameEn} · {r.status[o.identityStatus]} · {formatDateTime(o.statusChangedAt, locale)}
                </li>
              ))}
            </ul>
            {r.review.sameUbnNote}
          </Notice>
        ) : null}
        <form className="form" noValidate aria-label={r.review.title} onSubmit={(e) => { e.preventDefault(); }}>
          <Field name="reason" label={r.review.reasonLabel} required={false} maxLength={2000} value={reason} onChange={(e) => { setReason(e.currentTarget.value); }} />
          <div className="page-actions">
            {actions.map((a) => (
              <button key={a.action} type="button" className={a.danger ? "button danger" : "button primary"} disabled={act.isPending} onClick={() => { act.mutate({ action: a.action, reason }); }}>
                {a.label}
              </button>
            ))}
          </div>
        </form>
        <ProblemAlert error={act.error} />
      </Section>
      <Section title={r.shop.origins} id="registry-review-origins">
        <ul className="result-list">
          {origins.data?.items.map((o) => (
            <li key={o.id}>
              {o.origin} · {r.originStatus[o.status]} {o.method ? `(${o.method})` : ""} {o.tls ? `· TLS ${o.tls.fingerprint256.slice(0, 16)}…` : ""}
            </li>
          ))}
        </ul>
      </Section>
      <Section title={r.review.documents} id="registry-review-docs">
        {docs.data?.items.length === 0 ? <Empty>{r.wizard.noDocuments}</Empty> : null}
        <ul className="result-list">
          {docs.data?.items.map((d) => (
            <li key={d.id}>
              {r.docKind[d.kind]} {d.note ? `· ${d.note}` : ""} · <a href={`/api/v1/evidence/${d.evidenceId}/download`}>{r.review.download}</a>
            </li>
          ))}
        </ul>
      </Section>
      <Section title={r.review.changes} id="registry-review-changes">
        {changes.data?.items.length === 0 ? <Empty>—</Empty> : null}
        <ul className="result-list">
          {changes.data?.items.map((c) => {
            const label = (field: string): string => (field in r.shop ? r.shop[field as keyof typeof r.shop] : field);
            // each button names the change it decides (several may wait at once)
            const which = fill(r.review.changeOf, { date: formatDateTime(c.createdAt, locale), fields: Object.keys(c.proposed).map(label).join(locale === "en" ? ", " : "、") });
            return (
              <li key={c.id}>
                {formatDateTime(c.createdAt, locale)} · {r.review.changeStatus[c.status]} ·{" "}
                {Object.entries(c.proposed).map(([k, v]) => `${label(k)}: ${c.previous[k] || "—"} → ${v}`).join("; ")}
                {c.status === "pending" ? (
                  <>
                    {" "}
                    <button type="button" className="button small primary" aria-label={fill(r.review.decideChange, { action: r.review.approveChange, change: which })} onClick={() => { decide.mutate({ id: c.id, decision: "approve", reason }); }}>{r.review.approveChange}</button>{" "}
                    <button type="button" className="button small danger" aria-label={fill(r.review.decideChange, { action: r.review.rejectChange, change: which })} onClick={() => { decide.mutate({ id: c.id, decision: "reject", reason }); }}>{r.review.rejectChange}</button>
                  </>
                ) : null}
              </li>
            );
          })}
        </ul>
        <ProblemAlert error={decide.error} />
      </Section>
      <Section title={r.wizard.history} id="registry-review-history">
        <ul className="result-list">
          {history.data?.items.map((h) => (
            <li key={h.id}>
              {formatDateTime(h.at, locale)} · {r.historyAction[h.action] ?? h.action} · {r.status[h.fromStatus]} → {r.status[h.toStatus]} {h.reason ? `· ${h.reason}` : ""}
            </li>
          ))}
        </ul>
      </Section>
    </Page>
  );
}
