// Schemes: every scheme with its catalogue versions; one scheme's version (parameters and
// requirements, searchable and paged) and the difference between two versions. The authority
// imports a version from YAML as a draft and publishes it.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link, useParams, useSearchParams } from "react-router";
import { api } from "../../api/client.ts";
import { can, useSession } from "../../api/session.ts";
import { DataTable, QueryState } from "../../components/DataTable.tsx";
import { Field, SelectField, SubmitButton } from "../../components/Field.tsx";
import { formatDateTime } from "../../components/format.ts";
import { OffsetPager } from "../../components/OffsetPager.tsx";
import { Page, Section } from "../../components/Page.tsx";
import { fieldError, Notice, ProblemAlert } from "../../components/Problem.tsx";
import { Empty, LoadError, Loading } from "../../components/States.tsx";
import { usePagedList } from "../../components/usePagedList.ts";
import { useSchemesText } from "./text.ts";
import type { Catalogue, Diff, Requirement, SchemeSummary, SchemeVersion, VersionSummary } from "./types.ts";

const fill = (t: string, v: Record<string, string>): string => t.replace(/\{\{(\w+)\}\}/g, (_m, k: string) => v[k] ?? "");

function useSchemes() {
  return useQuery({ queryKey: ["schemes"], queryFn: () => api<{ items: SchemeSummary[] }>("GET", "/schemes") });
}

export function SchemesPage() {
  const { s, locale } = useSchemesText();
  const schemes = useSchemes();
  const session = useSession();
  return (
    <Page title={s.title} intro={s.intro}>
      <Section title={s.list} id="schemes-list">
        <QueryState query={schemes} isEmpty={(schemes.data?.items.length ?? 0) === 0} empty={s.empty}>
          <DataTable
            label={s.list}
            rows={schemes.data?.items ?? []}
            rowKey={(x) => x.scheme}
            columns={[
              { header: s.scheme, cell: (x) => <Link to={`/schemes/${x.scheme}`}>{x.title[locale]}</Link> },
              { header: s.prefix, cell: (x) => x.markPrefix },
              { header: s.current, cell: (x) => x.current ?? "—" },
              { header: s.versions, cell: (x) => x.versions.map((v) => `${v.version} (${s.status[v.status] ?? v.status})`).join(", ") },
            ]}
          />
        </QueryState>
      </Section>
      {can(session.data, "schemes.manage") ? <ImportSection /> : null}
    </Page>
  );
}

function ImportSection() {
  const { s } = useSchemesText();
  const queryClient = useQueryClient();
  const [yaml, setYaml] = useState("");
  const imp = useMutation({ mutationFn: () => api<VersionSummary>("POST", "/schemes/import", { yaml }), onSuccess: () => queryClient.invalidateQueries({ queryKey: ["schemes"] }) });
  const textareaError = fieldError(imp.error, "yaml");
  return (
    <Section title={s.importTitle} id="schemes-import">
      <form className="form" noValidate aria-label={s.importTitle} onSubmit={(e) => { e.preventDefault(); imp.mutate(); }}>
        <div className="field">
          <label htmlFor="scheme-yaml">{s.importLabel}</label>
          <textarea id="scheme-yaml" name="yaml" rows={10} value={yaml} aria-describedby="scheme-yaml-hint" aria-invalid={textareaError ? true : undefined} onChange={(e) => { setYaml(e.currentTarget.value); }} />
          <p className="hint" id="scheme-yaml-hint">{s.importHint}</p>
          {textareaError ? <p className="field-error">{textareaError}</p> : null}
        </div>
        <ProblemAlert error={imp.error} />
        {imp.data ? <Notice tone="success">{fill(s.imported, { scheme: imp.data.scheme, version: imp.data.version })}</Notice> : null}
        <SubmitButton pending={imp.isPending}>{s.importSubmit}</SubmitButton>
      </form>
    </Section>
  );
}

export function SchemePage() {
  const { s, locale } = useSchemesText();
  const { scheme = "" } = useParams();
  const [params, setParams] = useSearchParams();
  const schemes = useSchemes();
  const summary = schemes.data?.items.find((x) => x.scheme === scheme);
  const version = params.get("version") ?? summary?.current ?? summary?.versions.at(-1)?.version;
  const detail = useQuery({
    queryKey: ["scheme-version", scheme, version],
    queryFn: () => api<SchemeVersion>("GET", `/schemes/${encodeURIComponent(scheme)}/versions/${encodeURIComponent(version ?? "")}`),
    enabled: !!version,
    staleTime: 60 * 60_000,
  });
  if (schemes.isPending) return <Loading />;
  if (schemes.isError) return <LoadError error={schemes.error} onRetry={() => void schemes.refetch()} />;
  if (!summary) return <Page title={s.notFound}><Empty>{s.notFound}</Empty></Page>;
  const set = (k: string, v: string): void => {
    const next = new URLSearchParams(params);
    next.set(k, v);
    setParams(next);
  };
  return (
    <Page title={summary.title[locale]} intro={`${summary.scheme} · ${s.prefix} ${summary.markPrefix}`}>
      <Section title={s.versions} id="scheme-versions">
        <VersionsTable summary={summary} />
        <SelectField name="version" label={s.version} value={version ?? ""} onChange={(e) => { set("version", e.currentTarget.value); }} options={summary.versions.map((v) => ({ value: v.version, label: `${v.version} (${s.status[v.status] ?? v.status})` }))} />
      </Section>
      {detail.isPending && version ? <Loading /> : null}
      {detail.isError ? <LoadError error={detail.error} onRetry={() => void detail.refetch()} /> : null}
      {detail.data ? <ParametersSection catalogue={detail.data.catalogue} /> : null}
      {detail.data ? <RequirementsSection catalogue={detail.data.catalogue} /> : null}
      {summary.versions.length > 1 ? <DiffSection summary={summary} /> : null}
    </Page>
  );
}

function VersionsTable({ summary }: { summary: SchemeSummary }) {
  const { s, locale } = useSchemesText();
  const session = useSession();
  const queryClient = useQueryClient();
  const publish = useMutation({ mutationFn: (v: string) => api<VersionSummary>("POST", `/schemes/${summary.scheme}/versions/${v}/publish`), onSuccess: () => queryClient.invalidateQueries({ queryKey: ["schemes"] }) });
  const manage = can(session.data, "schemes.manage");
  return (
    <>
      <DataTable
        label={s.versions}
        rows={summary.versions}
        rowKey={(v) => v.version}
        columns={[
          { header: s.version, cell: (v) => v.version },
          { header: s.requirementCount, cell: (v) => v.requirementCount },
          { header: s.publishedAt, cell: (v) => (v.publishedAt ? formatDateTime(v.publishedAt, locale) : s.status[v.status] ?? v.status) },
          { header: "SHA-256", cell: (v) => <code className="small">{v.sha256.slice(0, 16)}…</code> },
          ...(manage ? [{ header: s.publish, cell: (v: VersionSummary) => (v.status === "draft" ? <button type="button" className="button small primary" disabled={publish.isPending} onClick={() => { publish.mutate(v.version); }}>{s.publish} {v.version}</button> : "—") }] : []),
        ]}
      />
      <ProblemAlert error={publish.error} />
    </>
  );
}

function ParametersSection({ catalogue: { parameters: p } }: { catalogue: Catalogue }) {
  const { s } = useSchemesText();
  return (
    <Section title={s.parameters} id="scheme-parameters">
      <dl className="facts">
        <dt>{s.param.style}</dt>
        <dd>{p.style}</dd>
        <dt>{s.param.validityMonths}</dt>
        <dd>{p.validityMonths}</dd>
        <dt>{s.param.renewalWindow}</dt>
        <dd>{p.renewalWindow.opensMonthsBefore} → {p.renewalWindow.closesMonthsBefore}</dd>
        <dt>{s.param.surveillance}</dt>
        <dd>{p.surveillance.cadenceMonths ?? s.param.noSurveillance}</dd>
        <dt>{s.param.correctiveAction}</dt>
        <dd>{p.correctiveAction.initialDays}; {p.correctiveAction.refindingDays}</dd>
        <dt>{s.param.activationTimeoutDays}</dt>
        <dd>{p.activationTimeoutDays}</dd>
        <dt>{s.param.reapplicationBarMonths}</dt>
        <dd>{p.reapplicationBarMonths}</dd>
        <dt>{s.param.ladder}</dt>
        <dd>{p.sanctionLadder.map((l) => `${l.level} ${s.sanction[l.kind] ?? l.kind}${l.minMonths ? ` ${l.minMonths}–${l.maxMonths ?? ""}` : ""}`).join(" · ")}</dd>
      </dl>
    </Section>
  );
}

function RequirementsSection({ catalogue }: { catalogue: Catalogue }) {
  const { s, locale } = useSchemesText();
  const [q, setQ] = useState("");
  const needle = q.trim().toLowerCase();
  const domains = new Map(catalogue.domains.map((d) => [d.id, d.title[locale]]));
  const matches = catalogue.requirements.filter((r) => !needle || r.id.toLowerCase().includes(needle) || r.title["zh-TW"].toLowerCase().includes(needle) || r.title.en.toLowerCase().includes(needle));
  const list = usePagedList<Requirement>(["scheme-reqs", catalogue.scheme, catalogue.version, needle], (p) => Promise.resolve({ items: matches.slice(p.offset, p.offset + p.limit) }), 20);
  return (
    <Section title={`${s.requirements} (${catalogue.requirements.length})`} id="scheme-requirements">
      <Field name="q" type="search" label={s.filter} required={false} value={q} onChange={(e) => { setQ(e.currentTarget.value); }} />
      <QueryState query={list.query} isEmpty={list.items.length === 0} empty={s.empty}>
        <DataTable
          label={s.requirements}
          rows={list.items}
          rowKey={(r) => r.id}
          columns={[
            { header: "ID", cell: (r) => <strong>{r.id}</strong> },
            { header: s.domain, cell: (r) => domains.get(r.domain) ?? r.domain },
            { header: s.requirements, cell: (r) => (<>{r.title[locale]}<span className="block small muted">{r.auditorChecks[locale] ?? r.auditorChecks.en}</span></>) },
            { header: s.basis, cell: (r) => r.basis },
          ]}
        />
      </QueryState>
      <OffsetPager list={list} label={s.requirements} words={s} />
    </Section>
  );
}

function DiffSection({ summary }: { summary: SchemeSummary }) {
  const { s } = useSchemesText();
  const vs = summary.versions.map((v) => v.version);
  const [from, setFrom] = useState(vs.at(-2) ?? "");
  const [to, setTo] = useState(vs.at(-1) ?? "");
  const [asked, setAsked] = useState<{ from: string; to: string } | null>(null);
  const diff = useQuery({ queryKey: ["scheme-diff", summary.scheme, asked], queryFn: () => api<Diff>("GET", `/schemes/${summary.scheme}/diff?from=${encodeURIComponent(asked?.from ?? "")}&to=${encodeURIComponent(asked?.to ?? "")}`), enabled: !!asked, retry: false });
  const d = diff.data;
  const empty = d && d.added.length + d.removed.length + d.changed.length + d.parameters.length === 0;
  const options = vs.map((v) => ({ value: v, label: v }));
  return (
    <Section title={s.diff} id="scheme-diff">
      <form className="form form-inline" noValidate aria-label={s.diff} onSubmit={(e) => { e.preventDefault(); setAsked({ from, to }); }}>
        <SelectField name="from" label={s.from} value={from} onChange={(e) => { setFrom(e.currentTarget.value); }} options={options} />
        <SelectField name="to" label={s.to} value={to} onChange={(e) => { setTo(e.currentTarget.value); }} options={options} />
        <button type="submit" className="button primary">{s.compare}</button>
      </form>
      <ProblemAlert error={diff.error} />
      {empty ? <Empty>{s.noDiff}</Empty> : null}
      {d && !empty ? (
        <dl className="facts">
          <dt>{s.added}</dt>
          <dd>{d.added.join(", ") || "—"}</dd>
          <dt>{s.removed}</dt>
          <dd>{d.removed.join(", ") || "—"}</dd>
          <dt>{s.changed}</dt>
          <dd>{d.changed.map((x) => `${x.id} (${x.fields.join(", ")})`).join("; ") || "—"}</dd>
          <dt>{s.paramChanges}</dt>
          <dd>{d.parameters.map((x) => `${x.path}: ${JSON.stringify(x.from)} → ${JSON.stringify(x.to)}`).join("; ") || "—"}</dd>
        </dl>
      ) : null}
    </Section>
  );
}
