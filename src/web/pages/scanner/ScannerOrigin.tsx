// One scanned website: latest grade and score, every finding with its risk, fix and
// configuration examples (nginx, Apache, platforms), the difference from the previous scan,
// the payment-page script inventory with its changes, "scan now", the declared payment pages,
// the scan interval, and the history a page at a time. The merchant sees its own shop's
// websites; the authority every shop's (the API answers 404 otherwise).
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useId, useState } from "react";
import { Link, useParams } from "react-router";
import { api } from "../../api/client.ts";
import { can, useSession } from "../../api/session.ts";
import { Field, formValues, SubmitButton } from "../../components/Field.tsx";
import { DataTable } from "../../components/DataTable.tsx";
import { formatDateTime } from "../../components/format.ts";
import { Page, Section } from "../../components/Page.tsx";
import { Pager, useCursor } from "../../components/Pager.tsx";
import { fieldError, Notice, ProblemAlert } from "../../components/Problem.tsx";
import { Empty, LoadError, Loading } from "../../components/States.tsx";
import { GradeBadge } from "./Grade.tsx";
import { useScannerText, type ScannerText } from "./text.ts";
import type { Finding, ScanAlert, ScanSummary, ScanWithResult, ScriptItem, WatchedOrigin } from "./types.ts";

type Locale = "zh-TW" | "en";
const fill = (t: string, v: Record<string, string>): string => t.replace(/\{\{(\w+)\}\}/g, (_m, k: string) => v[k] ?? "");
const isOpen = (scan: ScanSummary | undefined): boolean => scan?.status === "queued" || scan?.status === "running";

export function ScannerOriginPage() {
  const { s, locale } = useScannerText();
  const { originId = "" } = useParams();
  const session = useSession();
  const queryClient = useQueryClient();
  const cursor = useCursor();
  const history = useQuery({
    queryKey: ["scanner-scans", originId, cursor.before],
    queryFn: () => api<{ items: ScanSummary[]; nextBefore: string | null }>("GET", `/scanner/origins/${originId}/scans?limit=10${cursor.before ? `&before=${encodeURIComponent(cursor.before)}` : ""}`),
    refetchInterval: (q) => (cursor.page === 1 && isOpen(q.state.data?.items[0]) ? 1500 : false),
  });
  const running = cursor.page === 1 && isOpen(history.data?.items[0]);
  const latest = useQuery({
    queryKey: ["scanner-latest", originId, running],
    queryFn: () => api<{ origin: WatchedOrigin; scan: ScanWithResult | null }>("GET", `/scanner/origins/${originId}/latest`),
    retry: false,
  });
  const scripts = useQuery({ queryKey: ["scanner-scripts", originId, running], queryFn: () => api<{ items: ScriptItem[] }>("GET", `/scanner/origins/${originId}/scripts`) });
  const scanNow = useMutation({
    mutationFn: () => api<{ scan: ScanSummary; created: boolean }>("POST", `/scanner/origins/${originId}/scans`),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ["scanner-scans", originId] }),
  });
  if (latest.isPending) return <Loading />;
  if (latest.isError) {
    return (
      <Page title={s.shop.title}>
        <LoadError error={latest.error} onRetry={() => void latest.refetch()} />
      </Page>
    );
  }
  const { origin, scan } = latest.data;
  const mayScan = can(session.data, "scanner.scan");
  const findings = scan?.result?.findings ?? [];
  return (
    <Page
      title={origin.origin}
      intro={<Link to={can(session.data, "scanner.admin") ? "/scanner/grades" : "/scanner"}>{s.origin.back}</Link>}
      actions={
        mayScan ? (
          <button type="button" className="button primary" disabled={scanNow.isPending || running} onClick={() => { scanNow.mutate(); }}>
            {s.origin.scanNow}
          </button>
        ) : undefined
      }
    >
      <ProblemAlert error={scanNow.error} />
      {running ? <Notice>{history.data?.items[0]?.status === "running" ? s.origin.scanRunning : s.origin.scanQueued}</Notice> : null}
      <Section title={s.origin.grade} id="scanner-grade">
        <dl className="facts">
          <dt>{s.origin.grade}</dt>
          <dd>
            <GradeBadge grade={origin.lastGrade} />
          </dd>
          <dt>{s.origin.score}</dt>
          <dd>{origin.lastScore ?? "—"}</dd>
          <dt>{s.origin.scannedAt}</dt>
          <dd>{formatDateTime(origin.lastScannedAt, locale)}</dd>
          <dt>{s.origin.nextScan}</dt>
          <dd>{formatDateTime(origin.nextScanAt, locale)}</dd>
          <dt>{s.origin.cadence}</dt>
          <dd>{origin.cadenceDays === null ? s.origin.cadenceDefault : fill(s.origin.days, { n: String(origin.cadenceDays) })}</dd>
        </dl>
        {scan?.error ? (
          <p>
            {s.origin.error}: <code>{scan.error}</code>
          </p>
        ) : null}
        {!scan ? <Empty>{s.origin.noScan}</Empty> : null}
      </Section>
      {scan ? <Findings findings={findings} s={s} locale={locale} /> : null}
      {scan ? <Difference scan={scan} s={s} /> : null}
      <Section title={s.origin.scripts} id="scanner-scripts">
        <p className="muted">{s.origin.scriptsIntro}</p>
        {scripts.isError ? <LoadError error={scripts.error} onRetry={() => void scripts.refetch()} /> : null}
        {scripts.data?.items.length === 0 ? <Empty>{s.origin.noScripts}</Empty> : null}
        {scripts.data && scripts.data.items.length > 0 ? <ScriptTable items={scripts.data.items} s={s} locale={locale} /> : null}
        {mayScan ? <PaymentPagesForm origin={origin} s={s} /> : null}
      </Section>
      <Section title={s.origin.history} id="scanner-history">
        {history.isPending ? <Loading /> : null}
        {history.isError ? <LoadError error={history.error} onRetry={() => void history.refetch()} /> : null}
        {history.data?.items.length === 0 ? <Empty>{s.origin.noHistory}</Empty> : null}
        {history.data && history.data.items.length > 0 ? <HistoryTable items={history.data.items} s={s} locale={locale} /> : null}
        <Pager cursor={cursor} nextBefore={history.data?.nextBefore} label={s.origin.history} />
      </Section>
      {mayScan ? <CadenceForm origin={origin} s={s} /> : null}
    </Page>
  );
}

function Findings({ findings, s, locale }: { findings: Finding[]; s: ScannerText; locale: Locale }) {
  return (
    <Section title={s.origin.findings} id="scanner-findings">
      {findings.length === 0 ? <Empty>{s.origin.noFindings}</Empty> : null}
      <ul className="result-list">
        {findings.map((f) => (
          <li key={f.id}>
            <h3>
              {f.title[locale]} <span className="badge">{s.origin.severity[f.severity]}</span>
            </h3>
            <p className="muted">
              <code>{f.id}</code>
            </p>
            <dl className="facts">
              <dt>{s.origin.risk}</dt>
              <dd>{f.risk[locale]}</dd>
              <dt>{s.origin.fix}</dt>
              <dd>{f.fix[locale]}</dd>
            </dl>
            {Object.keys(f.snippets).length > 0 ? (
              <details>
                <summary>
                  {s.origin.snippets} ({Object.keys(f.snippets).join(", ")})
                </summary>
                {Object.entries(f.snippets).map(([platform, snippet]) => (
                  <div key={platform}>
                    <h4>{platform}</h4>
                    <pre tabIndex={0}>
                      <code>{snippet}</code>
                    </pre>
                  </div>
                ))}
              </details>
            ) : null}
          </li>
        ))}
      </ul>
    </Section>
  );
}

function alertLine(a: ScanAlert, s: ScannerText): string {
  const what = s.origin.alertKind[a.kind];
  const where = [a.page, a.src].filter(Boolean).join(" · ");
  const change = a.from !== undefined || a.to !== undefined ? ` (${a.from ?? "—"} → ${a.to ?? "—"})` : "";
  return `${what}${where ? `: ${where}` : ""}${change}`;
}

function Difference({ scan, s }: { scan: ScanSummary; s: ScannerText }) {
  const d = scan.diff;
  return (
    <Section title={s.origin.diff} id="scanner-diff">
      {!d ? (
        <Empty>{s.origin.noDiff}</Empty>
      ) : (
        <>
          <p>{fill(s.origin.gradeChange, { from: d.previousGrade, to: d.currentGrade, delta: d.scoreDelta > 0 ? `+${String(d.scoreDelta)}` : String(d.scoreDelta) })}</p>
          <dl className="facts">
            <dt>{s.origin.newFindings}</dt>
            <dd>{d.newFindings.length > 0 ? d.newFindings.map((id) => <code key={id}>{id} </code>) : s.origin.none}</dd>
            <dt>{s.origin.resolvedFindings}</dt>
            <dd>{d.resolvedFindings.length > 0 ? d.resolvedFindings.map((id) => <code key={id}>{id} </code>) : s.origin.none}</dd>
            <dt>{s.origin.alerts}</dt>
            <dd>
              {d.alerts.length > 0 ? (
                <ul>
                  {d.alerts.map((a, i) => (
                    <li key={i}>{alertLine(a, s)}</li>
                  ))}
                </ul>
              ) : (
                s.origin.none
              )}
            </dd>
          </dl>
        </>
      )}
    </Section>
  );
}

function ScriptTable({ items, s, locale }: { items: ScriptItem[]; s: ScannerText; locale: Locale }) {
  return (
    <DataTable
      dense
      label={s.origin.scripts}
      rows={items}
      rowKey={(x) => `${x.page} ${x.src}`}
      columns={[
        {
          header: s.origin.script,
          cell: (x) => (
            <>
              <code>{x.src}</code>
              <br />
              <span className="muted">{x.page}</span>
            </>
          ),
        },
        { header: s.origin.scriptOrigin, cell: (x) => x.origin },
        { header: s.origin.hash, cell: (x) => <code title={x.sha256 ?? ""}>{x.sha256 ? `${x.sha256.slice(0, 16)}…` : "—"}</code> },
        { header: s.origin.sri, cell: (x) => (x.integrity ? s.origin.yes : s.origin.no) },
        { header: s.origin.firstSeen, cell: (x) => formatDateTime(x.firstSeenAt, locale) },
        { header: s.origin.lastSeen, cell: (x) => formatDateTime(x.lastSeenAt, locale) },
        { header: s.origin.removed, cell: (x) => (x.removedAt ? formatDateTime(x.removedAt, locale) : "—") },
      ]}
    />
  );
}

function HistoryTable({ items, s, locale }: { items: ScanSummary[]; s: ScannerText; locale: Locale }) {
  return (
    <DataTable
      dense
      label={s.origin.history}
      rows={items}
      rowKey={(x) => x.id}
      columns={[
        {
          header: s.origin.when,
          cell: (x) => (
            <>
              {formatDateTime(x.finishedAt ?? x.queuedAt, locale)}
              <br />
              <span className="muted">
                {s.origin.status[x.status]} · {s.origin.trigger[x.trigger]}
              </span>
            </>
          ),
        },
        { header: s.origin.grade, cell: (x) => (x.status === "done" ? <GradeBadge grade={x.grade} /> : "—") },
        { header: s.origin.score, cell: (x) => x.score ?? "—" },
        { header: s.origin.diff, cell: (x) => (x.diff ? `${x.diff.previousGrade} → ${x.diff.currentGrade} (${x.diff.scoreDelta > 0 ? "+" : ""}${String(x.diff.scoreDelta)})` : "—") },
        { header: s.origin.alerts, cell: (x) => (x.diff && x.diff.alerts.length > 0 ? x.diff.alerts.map((a) => s.origin.alertKind[a.kind]).join("、") : (x.error ?? "—")) },
      ]}
    />
  );
}

function PaymentPagesForm({ origin, s }: { origin: WatchedOrigin; s: ScannerText }) {
  const queryClient = useQueryClient();
  const id = useId();
  const [saved, setSaved] = useState(false);
  const save = useMutation({
    mutationFn: (pages: string[]) => api<WatchedOrigin>("PUT", `/scanner/origins/${origin.id}/payment-pages`, { pages }),
    onSuccess: async () => {
      setSaved(true);
      await queryClient.invalidateQueries({ queryKey: ["scanner-latest", origin.id] });
    },
  });
  return (
    <form
      className="form"
      noValidate
      aria-label={s.origin.paymentPages}
      onSubmit={(e) => {
        e.preventDefault();
        setSaved(false);
        const text = new FormData(e.currentTarget).get("pages");
        save.mutate((typeof text === "string" ? text : "").split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== ""));
      }}
    >
      <div className="field">
        <label htmlFor={id}>{s.origin.paymentPagesLabel}</label>
        <textarea id={id} name="pages" rows={3} defaultValue={origin.paymentPages.join("\n")} aria-invalid={save.isError ? true : undefined} />
      </div>
      <ProblemAlert error={save.error} />
      {saved ? <Notice tone="success">{s.origin.saved}</Notice> : null}
      <SubmitButton pending={save.isPending}>{s.origin.savePages}</SubmitButton>
    </form>
  );
}

function CadenceForm({ origin, s }: { origin: WatchedOrigin; s: ScannerText }) {
  const queryClient = useQueryClient();
  const [saved, setSaved] = useState(false);
  const save = useMutation({
    mutationFn: (cadenceDays: number | null) => api<WatchedOrigin>("PUT", `/scanner/origins/${origin.id}/cadence`, { cadenceDays }),
    onSuccess: async () => {
      setSaved(true);
      await queryClient.invalidateQueries({ queryKey: ["scanner-latest", origin.id] });
    },
  });
  return (
    <Section title={s.origin.cadence} id="scanner-cadence">
      <form
        className="form form-inline"
        noValidate
        aria-label={s.origin.cadence}
        onSubmit={(e) => {
          e.preventDefault();
          setSaved(false);
          const v = (formValues(e.currentTarget).cadenceDays ?? "").trim();
          save.mutate(v === "" ? null : Number(v));
        }}
      >
        <Field name="cadenceDays" type="number" min={1} max={90} label={s.origin.cadenceLabel} required={false} defaultValue={origin.cadenceDays ?? ""} error={fieldError(save.error, "cadenceDays")} />
        <SubmitButton pending={save.isPending}>{s.origin.saveCadence}</SubmitButton>
      </form>
      {save.isError && !fieldError(save.error, "cadenceDays") ? <ProblemAlert error={save.error} /> : null}
      {saved ? <Notice tone="success">{s.origin.saved}</Notice> : null}
    </Section>
  );
}
