// The personal-data inventory (個資清冊) of one application: a paged register (purpose, data
// categories, source, legal basis, systems, recipients, retention, record counts, cross-border),
// a row form, CSV/XLSX import (uploaded first, any bad row imports nothing, row errors listed)
// and export. The applicant edits; the body and the authority read.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link, useParams } from "react-router";
import { api, ApiError, query } from "../../api/client.ts";
import { useFullSession } from "../../api/session.ts";
import { DataTable, QueryState } from "../../components/DataTable.tsx";
import { Field, formValues, SelectField, SubmitButton } from "../../components/Field.tsx";
import { OffsetPager } from "../../components/OffsetPager.tsx";
import { Page, Section } from "../../components/Page.tsx";
import { fieldError, Notice, ProblemAlert } from "../../components/Problem.tsx";
import { LoadError, Loading } from "../../components/States.tsx";
import { usePagedList } from "../../components/usePagedList.ts";
import { chosenFile, useEvidenceUpload } from "./shared.tsx";
import { fill, useCertText } from "./text.ts";
import type { ApplicationDetail } from "./types.ts";

export interface InventoryItem {
  id: string;
  name: string;
  purpose: string;
  purposeCodes: string[];
  dataCategories: string[];
  source: string;
  legalBasis: string;
  systems: string[];
  recipients: string[];
  retention: string;
  retentionMonths: number | null;
  recordCount: number;
  crossBorder: boolean;
  crossBorderCountries: string[];
  notes: string;
  origin: "manual" | "import" | "pii_draft";
}
type ItemInput = Omit<InventoryItem, "id" | "origin">;
interface ImportResult {
  kind: "register" | "pii_draft";
  rows: number;
  written: number;
  replaced: number;
  dryRun: boolean;
}

const list = (s: string | undefined): string[] => (s ?? "").split(/[,，、\n]/).map((x) => x.trim()).filter(Boolean);
const join = (xs: readonly string[]): string => xs.join(", ");

function inputOf(form: HTMLFormElement): ItemInput {
  const v = formValues(form);
  const cross = (form.elements.namedItem("crossBorder") as HTMLInputElement | null)?.checked ?? false;
  return {
    name: v.name ?? "",
    purpose: v.purpose ?? "",
    purposeCodes: list(v.purposeCodes),
    dataCategories: list(v.dataCategories).map((x) => x.toUpperCase()),
    source: v.source ?? "",
    legalBasis: v.legalBasis ?? "",
    systems: list(v.systems),
    recipients: list(v.recipients),
    retention: v.retention ?? "",
    retentionMonths: v.retentionMonths ? Number(v.retentionMonths) : null,
    recordCount: Number(v.recordCount || 0),
    crossBorder: cross,
    crossBorderCountries: list(v.crossBorderCountries).map((x) => x.toUpperCase()),
    notes: v.notes ?? "",
  };
}

/** Every field's message, including list fields whose errors name an element (dataCategories.0). */
function errorFor(error: unknown, field: string): string | undefined {
  if (!(error instanceof ApiError)) return undefined;
  return fieldError(error, field) ?? error.problem.errors?.find((e) => e.field.replace(/^body\./, "").startsWith(`${field}.`))?.message;
}

export function InventoryPage() {
  const { c, locale } = useCertText();
  const { id = "" } = useParams();
  const session = useFullSession();
  const queryClient = useQueryClient();
  const app = useQuery({ queryKey: ["cert-app", id, "detail"], queryFn: () => api<ApplicationDetail>("GET", `/certification/applications/${encodeURIComponent(id)}`), retry: false });
  const bases = useQuery({ queryKey: ["inventory-legal-bases"], queryFn: () => api<{ items: { key: string; zh: string; en: string }[] }>("GET", "/certification/inventory/legal-bases"), staleTime: Infinity });
  const rows = usePagedList<InventoryItem, { items: InventoryItem[]; total: number }>(["cert-app", id, "inventory"], (p) => api("GET", `/certification/applications/${id}/inventory${query(p)}`));
  const [editing, setEditing] = useState<InventoryItem | "new" | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: ["cert-app", id, "inventory"] });
  const remove = useMutation({ mutationFn: (itemId: string) => api("DELETE", `/certification/applications/${id}/inventory/${itemId}`), onSuccess: refresh });
  if (app.isPending) return <Loading />;
  if (app.isError) return <LoadError error={app.error} onRetry={() => void app.refetch()} />;
  const a = app.data;
  const editable = session.organisation.id === a.merchantOrgId && session.role.startsWith("merchant");
  const baseName = (k: string): string => {
    const b = bases.data?.items.find((x) => x.key === k);
    return b ? (locale === "en" ? b.en : b.zh) : k;
  };
  const t = c.inventory;
  return (
    <Page
      title={t.title}
      intro={<><Link to={`/certification/applications/${a.id}`}>{a.scope}</Link> · {t.intro}</>}
      actions={
        <>
          <a className="button" href={`/api/v1/certification/applications/${a.id}/inventory/export?format=csv`} download>{t.exportCsv}</a>{" "}
          <a className="button" href={`/api/v1/certification/applications/${a.id}/inventory/export?format=xlsx`} download>{t.exportXlsx}</a>
        </>
      }
    >
      <Section title={fill(t.rows, { total: rows.extra?.total ?? 0 })} id="inventory-rows">
        {editable && editing === null ? <button type="button" className="button primary" onClick={() => { setEditing("new"); }}>{t.add}</button> : null}
        {editable && editing !== null ? <ItemForm appId={a.id} item={editing === "new" ? null : editing} bases={bases.data?.items ?? []} onDone={() => { setEditing(null); void refresh(); }} /> : null}
        <QueryState query={rows.query} isEmpty={rows.items.length === 0} empty={t.empty}>
          <DataTable
            label={t.title}
            rows={rows.items}
            rowKey={(r) => r.id}
            columns={[
              { header: t.name, cell: (r) => <><strong>{r.name}</strong><span className="block small muted">{r.purpose} {r.purposeCodes.length ? `(${join(r.purposeCodes)})` : ""}</span></> },
              { header: t.dataCategories, cell: (r) => join(r.dataCategories) },
              { header: t.source, cell: (r) => r.source },
              { header: t.legalBasis, cell: (r) => baseName(r.legalBasis) },
              { header: t.systems, cell: (r) => join(r.systems) || c.common.none },
              { header: t.recipients, cell: (r) => join(r.recipients) || c.common.none },
              { header: t.retention, cell: (r) => r.retention },
              { header: t.recordCount, cell: (r) => r.recordCount.toLocaleString(locale) },
              { header: t.crossBorder, cell: (r) => (r.crossBorder ? join(r.crossBorderCountries) : c.common.no) },
              ...(editable
                ? [{
                    header: t.actions,
                    cell: (r: InventoryItem) => (
                      <span className="row-actions">
                        <button type="button" className="button small" onClick={() => { setEditing(r); }}>{t.edit} {r.name}</button>
                        <button type="button" className="button small danger" disabled={remove.isPending} onClick={() => { remove.mutate(r.id); }}>{t.remove} {r.name}</button>
                      </span>
                    ),
                  }]
                : []),
            ]}
          />
        </QueryState>
        <ProblemAlert error={remove.error} />
        <OffsetPager list={rows} label={t.title} words={c.common} />
      </Section>
      {editable ? <ImportSection appId={a.id} onDone={() => void refresh()} /> : null}
    </Page>
  );
}

function ItemForm({ appId, item, bases, onDone }: { appId: string; item: InventoryItem | null; bases: { key: string; zh: string; en: string }[]; onDone: () => void }) {
  const { c, locale } = useCertText();
  const t = c.inventory;
  const save = useMutation({
    mutationFn: (body: ItemInput) => (item ? api<InventoryItem>("PUT", `/certification/applications/${appId}/inventory/${item.id}`, body) : api<InventoryItem>("POST", `/certification/applications/${appId}/inventory`, body)),
    onSuccess: onDone,
  });
  const e = (f: string): string | undefined => errorFor(save.error, f);
  return (
    <form className="form" noValidate aria-label={item ? `${t.edit} ${item.name}` : t.add} onSubmit={(ev) => { ev.preventDefault(); save.mutate(inputOf(ev.currentTarget)); }}>
      <div className="grid-2">
        <Field name="name" label={t.name} defaultValue={item?.name} maxLength={200} error={e("name")} />
        <Field name="purpose" label={t.purpose} defaultValue={item?.purpose} maxLength={1000} error={e("purpose")} />
        <Field name="purposeCodes" label={t.purposeCodes} hint={t.purposeCodesHint} required={false} defaultValue={join(item?.purposeCodes ?? [])} error={e("purposeCodes")} />
        <Field name="dataCategories" label={t.dataCategories} hint={t.dataCategoriesHint} defaultValue={join(item?.dataCategories ?? [])} error={e("dataCategories")} />
        <Field name="source" label={t.source} defaultValue={item?.source} maxLength={500} error={e("source")} />
        <SelectField name="legalBasis" label={t.legalBasis} defaultValue={item?.legalBasis ?? "contract"} options={bases.map((b) => ({ value: b.key, label: locale === "en" ? b.en : b.zh }))} error={e("legalBasis")} />
        <Field name="systems" label={t.systems} required={false} defaultValue={join(item?.systems ?? [])} error={e("systems")} />
        <Field name="recipients" label={t.recipients} required={false} defaultValue={join(item?.recipients ?? [])} error={e("recipients")} />
        <Field name="retention" label={t.retention} defaultValue={item?.retention} maxLength={500} error={e("retention")} />
        <Field name="retentionMonths" type="number" min={0} max={1200} label={t.retentionMonths} required={false} defaultValue={item?.retentionMonths ?? ""} error={e("retentionMonths")} />
        <Field name="recordCount" type="number" min={0} label={t.recordCount} defaultValue={item?.recordCount ?? 0} error={e("recordCount")} />
        <Field name="crossBorderCountries" label={t.countries} hint={t.countriesHint} required={false} defaultValue={join(item?.crossBorderCountries ?? [])} error={e("crossBorderCountries")} />
      </div>
      <label className="checkbox">
        <input type="checkbox" name="crossBorder" defaultChecked={item?.crossBorder ?? false} aria-describedby={e("crossBorder") ? "inv-cross-error" : undefined} /> {t.crossBorder}
      </label>
      {e("crossBorder") ? <p className="field-error" id="inv-cross-error">{e("crossBorder")}</p> : null}
      <Field name="notes" label={t.notes} required={false} defaultValue={item?.notes} maxLength={4000} error={e("notes")} />
      <ProblemAlert error={save.error} />
      <div className="row-actions">
        <SubmitButton pending={save.isPending}>{t.save}</SubmitButton>
        <button type="button" className="button" onClick={onDone}>{t.cancel}</button>
      </div>
    </form>
  );
}

function ImportSection({ appId, onDone }: { appId: string; onDone: () => void }) {
  const { c } = useCertText();
  const t = c.inventory;
  const upload = useEvidenceUpload();
  const imp = useMutation({
    mutationFn: async (form: HTMLFormElement) => {
      const file = chosenFile(form);
      if (!file) throw new ApiError({ type: "about:blank", title: t.fileMissing, status: 400 });
      const v = formValues(form);
      const evidence = await upload(file);
      return api<ImportResult>("POST", `/certification/applications/${appId}/inventory/import`, { evidenceId: evidence.id, mode: v.mode === "replace" ? "replace" : "append", dryRun: v.dryRun === "on" });
    },
    onSuccess: (r) => {
      if (!r.dryRun) onDone();
    },
  });
  const rowErrors = imp.error instanceof ApiError ? (imp.error.problem.errors ?? []).filter((x) => x.field.startsWith("rows.")) : [];
  return (
    <Section title={t.importTitle} id="inventory-import">
      <p className="muted">{t.importIntro}</p>
      <form className="form" noValidate aria-label={t.importTitle} onSubmit={(ev) => { ev.preventDefault(); imp.mutate(ev.currentTarget); }}>
        <Field name="file" type="file" label={t.file} accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" />
        <SelectField name="mode" label={t.mode} options={[{ value: "append", label: t.append }, { value: "replace", label: t.replace }]} />
        <label className="checkbox">
          <input type="checkbox" name="dryRun" /> {t.dryRun}
        </label>
        <ProblemAlert error={imp.error} />
        {rowErrors.length ? (
          <ul className="result-list" aria-label={t.rowErrors}>
            {rowErrors.map((x) => {
              const [, row = "", field = ""] = /^rows\.(\d+)\.(.*)$/.exec(x.field) ?? [];
              return <li key={x.field}>{fill(t.row, { row, field })}: {x.message}</li>;
            })}
          </ul>
        ) : null}
        {imp.data ? <Notice tone="success">{fill(imp.data.dryRun ? t.checked : t.imported, { rows: imp.data.rows, written: imp.data.written, replaced: imp.data.replaced })}</Notice> : null}
        <SubmitButton pending={imp.isPending}>{t.importSubmit}</SubmitButton>
      </form>
    </Section>
  );
}
