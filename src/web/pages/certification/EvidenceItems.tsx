// Evidence items: the merchant's library (an uploaded file with a title, effective date,
// expiry and SHA-256, and how often it is used), links from items to requirements (one item
// serves many requirements and later cycles; an expired item is refused), and the renewal's
// carry-over of still-valid links. The body and the auditors read the links beside each
// requirement in the audit workspace.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api, query } from "../../api/client.ts";
import { DataTable, QueryState, type Column } from "../../components/DataTable.tsx";
import { Field, formValues, SelectField, SubmitButton } from "../../components/Field.tsx";
import { formatDate } from "../../components/format.ts";
import { OffsetPager } from "../../components/OffsetPager.tsx";
import { Page, Section } from "../../components/Page.tsx";
import { fieldError, Notice, ProblemAlert } from "../../components/Problem.tsx";
import { usePagedList } from "../../components/usePagedList.ts";
import type { Requirement } from "../schemes/types.ts";
import { chosenFile, useEvidenceUpload } from "./shared.tsx";
import { fill, useCertText } from "./text.ts";
import type { ApplicationDetail } from "./types.ts";

export interface EvidenceItem {
  id: string;
  fileId: string;
  title: string;
  filename: string;
  mediaType: string;
  sizeBytes: number;
  sha256: string;
  effectiveFrom: string;
  expiresAt: string | null;
  expired: boolean;
  uses: number;
  createdAt: string;
}
export interface EvidenceLinkRow {
  requirementId: string;
  cycle: number;
  evidence: EvidenceItem;
  linkedAt: string;
}

export function useEvidenceLinks(appId: string) {
  return useQuery({ queryKey: ["cert-app", appId, "evidence-links"], queryFn: () => api<{ cycle: number; items: EvidenceLinkRow[] }>("GET", `/certification/applications/${appId}/evidence-links`) });
}

/** One linked item as a download link with its validity. */
export function EvidenceItemLink({ item }: { item: EvidenceItem }) {
  const { c, locale } = useCertText();
  return (
    <span className="block small">
      <a href={`/api/v1/evidence/${item.fileId}/download`} download>{item.title}</a>{" "}
      <span className={item.expired ? "status status-rejected" : "muted"}>
        {item.expired ? c.evidence.expired : item.expiresAt ? fill(c.evidence.until, { date: formatDate(item.expiresAt, locale) }) : c.evidence.noExpiry}
      </span>
    </span>
  );
}

type EvidenceField = "file" | "title" | "effectiveFrom";

/**
 * What is missing from the new evidence form, checked before anything is uploaded: without it the
 * API answered a missing file with "Invalid UUID" (of the file it never got) and a missing date
 * with "Invalid ISO date", in English on the zh-TW page.
 */
function missingEvidenceFields(form: HTMLFormElement): EvidenceField[] {
  const v = formValues(form);
  const out: EvidenceField[] = [];
  if (!chosenFile(form)) out.push("file");
  if (!(v.title ?? "").trim()) out.push("title");
  if (!v.effectiveFrom) out.push("effectiveFrom");
  return out;
}

export function EvidenceLibraryPage() {
  const { c, locale } = useCertText();
  const queryClient = useQueryClient();
  const [missing, setMissing] = useState<readonly EvidenceField[]>([]);
  const list = usePagedList<EvidenceItem, { items: EvidenceItem[]; total: number }>(["cert-evidence-items"], (p) => api("GET", `/certification/evidence${query(p)}`));
  const upload = useEvidenceUpload();
  const register = useMutation({
    mutationFn: async (form: HTMLFormElement) => {
      const file = chosenFile(form);
      const v = formValues(form);
      const fileId = file ? (await upload(file)).id : "";
      return api<EvidenceItem>("POST", "/certification/evidence", { fileId, title: v.title ?? "", effectiveFrom: v.effectiveFrom ?? "", expiresOn: v.expiresOn ? v.expiresOn : null });
    },
    // Cleared once added, so that pressing the button again does not upload the same file twice;
    // the status line says what was added.
    onSuccess: (_item, form) => {
      form.reset();
      return queryClient.invalidateQueries({ queryKey: ["cert-evidence-items"] });
    },
  });
  const e = c.evidence;
  const problem = (field: EvidenceField, apiField: string): string | undefined => (missing.includes(field) ? e.invalid[field] : fieldError(register.error, apiField));
  return (
    <Page title={e.title} intro={e.intro}>
      <Section title={e.add} id="evidence-add">
        <form
          className="form"
          noValidate
          aria-label={e.add}
          onSubmit={(ev) => {
            ev.preventDefault();
            const form = ev.currentTarget;
            const fields = missingEvidenceFields(form);
            setMissing(fields);
            if (fields.length > 0) {
              register.reset();
              const first = form.elements.namedItem(fields[0] ?? "");
              if (first instanceof HTMLElement) first.focus();
              return;
            }
            register.mutate(form);
          }}
        >
          <Field name="file" type="file" label={e.file} accept="application/pdf,image/png,image/jpeg,text/plain,text/csv" error={problem("file", "fileId")} />
          <Field name="title" label={e.itemTitle} maxLength={300} error={problem("title", "title")} />
          <Field name="effectiveFrom" type="date" label={e.effectiveFrom} error={problem("effectiveFrom", "effectiveFrom")} />
          <Field name="expiresOn" type="date" label={e.expiresOn} required={false} error={fieldError(register.error, "expiresOn")} />
          {missing.length > 0 ? (
            <div className="alert alert-error" role="alert">
              <p className="alert-title">{e.invalid.fix}</p>
            </div>
          ) : null}
          <ProblemAlert error={register.error} />
          <div role="status" className="status-region">
            {register.isSuccess ? <p className="alert alert-success">{fill(e.addedNamed, { title: register.data.title, file: register.data.filename })}</p> : null}
          </div>
          <SubmitButton pending={register.isPending}>{e.addSubmit}</SubmitButton>
        </form>
      </Section>
      <Section title={e.list} id="evidence-list">
        <QueryState query={list.query} isEmpty={list.items.length === 0} empty={e.empty}>
          <DataTable
            label={e.list}
            rows={list.items}
            rowKey={(x) => x.id}
            columns={[
              { header: e.itemTitle, cell: (x) => <a href={`/api/v1/evidence/${x.fileId}/download`} download>{x.title}</a> },
              { header: e.file, cell: (x) => `${x.filename} (${Math.ceil(x.sizeBytes / 1024)} KB)` },
              { header: "SHA-256", cell: (x) => <code className="small">{x.sha256.slice(0, 16)}…</code> },
              { header: e.effectiveFrom, cell: (x) => formatDate(x.effectiveFrom, locale) },
              { header: e.expiresOn, cell: (x) => (x.expired ? <span className="status status-rejected">{e.expired}</span> : formatDate(x.expiresAt, locale)) },
              { header: e.uses, cell: (x) => x.uses },
            ]}
          />
        </QueryState>
        <OffsetPager list={list} label={e.list} words={c.common} />
      </Section>
    </Page>
  );
}

/** The applicant links library items to requirements (several at once); the links of this cycle. */
export function EvidenceLinksSection({ app, requirements }: { app: ApplicationDetail; requirements: readonly Requirement[] }) {
  const { c, locale } = useCertText();
  const e = c.evidence;
  const queryClient = useQueryClient();
  const links = useEvidenceLinks(app.id);
  const items = useQuery({ queryKey: ["cert-evidence-items", "all"], queryFn: () => api<{ items: EvidenceItem[]; total: number }>("GET", `/certification/evidence${query({ limit: 500 })}`) });
  const [chosen, setChosen] = useState<string[]>([]);
  const refresh = () => queryClient.invalidateQueries({ queryKey: ["cert-app", app.id, "evidence-links"] });
  const link = useMutation({
    mutationFn: (evidenceId: string) => api<{ cycle: number; linked: number }>("POST", `/certification/applications/${app.id}/evidence-links`, { links: chosen.map((requirementId) => ({ evidenceId, requirementId })) }),
    onSuccess: async () => {
      setChosen([]);
      await refresh();
    },
  });
  const unlink = useMutation({ mutationFn: (l: { evidenceId: string; requirementId: string }) => api("POST", `/certification/applications/${app.id}/evidence-links/remove`, l), onSuccess: refresh });
  const carry = useMutation({ mutationFn: () => api<{ carried: number; skippedExpired: unknown[] }>("POST", `/certification/applications/${app.id}/evidence-links/carry-over`), onSuccess: refresh });
  const usable = (items.data?.items ?? []).filter((x) => !x.expired);
  // the server keeps the evidence a decision rests on: nothing changes while it is taken, nothing is unlinked after it
  const deciding = app.status === "decision_pending";
  const decided = deciding || ["approved_pending_activation", "active", "active_under_surveillance", "suspended"].includes(app.status);
  const columns: Column<EvidenceLinkRow>[] = [
    { header: c.self.requirement, cell: (l) => l.requirementId },
    { header: e.itemTitle, cell: (l) => <EvidenceItemLink item={l.evidence} /> },
    { header: e.uses, cell: (l) => l.evidence.uses },
  ];
  if (!decided) columns.push({ header: e.unlink, cell: (l) => <button type="button" className="button small" disabled={unlink.isPending} onClick={() => { unlink.mutate({ evidenceId: l.evidence.id, requirementId: l.requirementId }); }}>{e.unlink} {l.requirementId}</button> });
  return (
    <Section title={e.linksTitle} id="cert-evidence-links">
      <p className="muted">{e.linksIntro}</p>
      {deciding ? null : <form className="form" noValidate aria-label={e.linkSubmit} onSubmit={(ev) => { ev.preventDefault(); link.mutate(formValues(ev.currentTarget).evidenceId ?? ""); }}>
        <SelectField name="evidenceId" label={e.pickItem} options={usable.map((x) => ({ value: x.id, label: `${x.title} (${x.filename})` }))} error={fieldError(link.error, "links.0.evidenceId")} />
        <div className="field">
          <label htmlFor="evidence-reqs">{e.pickRequirements}</label>
          <select id="evidence-reqs" multiple size={6} value={chosen} onChange={(ev) => { setChosen([...ev.currentTarget.selectedOptions].map((o) => o.value)); }}>
            {requirements.map((r) => <option key={r.id} value={r.id}>{r.id} {r.title[locale]}</option>)}
          </select>
        </div>
        <ProblemAlert error={link.error} />
        <div className="row-actions">
          <SubmitButton pending={link.isPending}>{e.linkSubmit}</SubmitButton>
          {app.cycle === "renewal" || app.renewalCounter > 0 ? <button type="button" className="button" disabled={carry.isPending} onClick={() => { carry.mutate(); }}>{e.carryOver}</button> : null}
        </div>
        <ProblemAlert error={carry.error} />
        {carry.data ? <Notice tone="success">{fill(e.carried, { carried: carry.data.carried, skipped: carry.data.skippedExpired.length })}</Notice> : null}
      </form>}
      <QueryState query={links} isEmpty={(links.data?.items.length ?? 0) === 0} empty={e.noLinks}>
        <DataTable
          label={e.linksTitle}
          rows={links.data?.items ?? []}
          rowKey={(l) => `${l.requirementId}-${l.evidence.id}`}
          columns={columns}
        />
      </QueryState>
      <ProblemAlert error={unlink.error} />
    </Section>
  );
}
