// The shop onboarding wizard: profile → origins → proofs → documents → submit. Each step is
// reachable from the step list; the status panel shows where the application stands.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api, upload as uploadFile } from "../../api/client.ts";
import { can, useFullSession } from "../../api/session.ts";
import { Field, formValues, SelectField, SubmitButton } from "../../components/Field.tsx";
import { formatDate, formatDateTime } from "../../components/format.ts";
import { Page, Section } from "../../components/Page.tsx";
import { Notice, ProblemAlert } from "../../components/Problem.tsx";
import { Empty, LoadError, Loading } from "../../components/States.tsx";
import { OriginsStep, ProofsStep } from "./Origins.tsx";
import { ProfileForm } from "./ProfileForm.tsx";
import { useRegistryText } from "./text.ts";
import type { Doc, HistoryEvent, Shop } from "./types.ts";

const STEPS = ["profile", "origins", "proofs", "documents", "submit"] as const;
type Step = (typeof STEPS)[number];
const kinds: Doc["kind"][] = ["business_registration", "representative_id", "authorisation", "other"];

function DocumentsStep({ shop }: { shop: Shop }) {
  const { r } = useRegistryText();
  const queryClient = useQueryClient();
  const key = ["registry-docs", shop.id];
  const docs = useQuery({ queryKey: key, queryFn: () => api<{ items: Doc[] }>("GET", `/registry/shops/${shop.id}/documents`) });
  const upload = useMutation({
    mutationFn: async (form: HTMLFormElement) => {
      const data = new FormData();
      const input = form.elements.namedItem("file");
      const file = input instanceof HTMLInputElement ? input.files?.[0] : undefined;
      if (!file) throw new Error(r.wizard.file);
      data.set("file", file);
      const body = await uploadFile<{ id: string }>(`/organisations/${shop.orgId}/evidence`, data);
      const v = formValues(form);
      return api<Doc>("POST", `/registry/shops/${shop.id}/documents`, { evidenceId: body.id, kind: v.kind ?? "other", note: v.note ?? "" });
    },
    onSuccess: () => queryClient.invalidateQueries({ queryKey: key }),
  });
  return (
    <div>
      <form
        className="form"
        noValidate
        aria-label={r.wizard.upload}
        onSubmit={(e) => {
          e.preventDefault();
          const form = e.currentTarget;
          upload.mutate(form, { onSuccess: () => { form.reset(); } });
        }}
      >
        <Field name="file" type="file" label={r.wizard.file} accept=".pdf,.png,.jpg,.jpeg,application/pdf,image/png,image/jpeg" />
        <SelectField name="kind" label={r.wizard.docKind} options={kinds.map((k) => ({ value: k, label: r.docKind[k] }))} />
        <Field name="note" label={r.wizard.note} maxLength={500} required={false} />
        <SubmitButton pending={upload.isPending}>{r.wizard.upload}</SubmitButton>
      </form>
      <ProblemAlert error={upload.error} />
      {docs.isPending ? <Loading /> : null}
      {docs.isError ? <LoadError error={docs.error} onRetry={() => void docs.refetch()} /> : null}
      {docs.data?.items.length === 0 ? <Empty>{r.wizard.noDocuments}</Empty> : null}
      <ul className="result-list">
        {docs.data?.items.map((d) => (
          <li key={d.id}>
            {r.docKind[d.kind]} {d.note ? `· ${d.note}` : ""} · <a href={`/api/v1/evidence/${d.evidenceId}/download`}>{d.evidenceId.slice(0, 8)}</a>
          </li>
        ))}
      </ul>
    </div>
  );
}

function SubmitStep({ shop }: { shop: Shop }) {
  const { r, locale } = useRegistryText();
  const queryClient = useQueryClient();
  const history = useQuery({ queryKey: ["registry-history", shop.id], queryFn: () => api<{ items: HistoryEvent[] }>("GET", `/registry/shops/${shop.id}/history`) });
  const act = useMutation({
    mutationFn: (body: { action: string; reason: string }) => api<Shop>("POST", `/registry/shops/${shop.id}/identity`, body),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ["registry-my-shop"] });
      await queryClient.invalidateQueries({ queryKey: ["registry-history", shop.id] });
    },
  });
  const canSubmit = shop.identityStatus === "unconfirmed" || shop.identityStatus === "lapsed";
  return (
    <div>
      <p>
        {r.wizard.statusNow}: <strong className={`badge status-${shop.identityStatus}`}>{r.status[shop.identityStatus]}</strong>
        {shop.expiresAt ? ` · ${r.shop.expiresAt} ${formatDate(shop.expiresAt, locale)}` : ""}
      </p>
      {shop.awaitingShop ? <Notice tone="warning">{r.wizard.awaiting}</Notice> : null}
      <form
        className="form"
        noValidate
        aria-label={r.wizard.submit}
        onSubmit={(e) => {
          e.preventDefault();
          act.mutate({ action: shop.awaitingShop ? "respond" : "submit", reason: formValues(e.currentTarget).reason ?? "" });
        }}
      >
        <Field name="reason" label={r.wizard.reason} required={false} maxLength={2000} />
        <SubmitButton pending={act.isPending}>{shop.awaitingShop ? r.wizard.respond : r.wizard.submit}</SubmitButton>
        {!canSubmit && !shop.awaitingShop ? <p className="hint">{r.status[shop.identityStatus]}</p> : null}
      </form>
      <ProblemAlert error={act.error} />
      <h3>{r.wizard.history}</h3>
      <ul className="result-list">
        {history.data?.items.map((h) => (
          <li key={h.id}>
            {formatDateTime(h.at, locale)} · {h.action} · {r.status[h.fromStatus]} → {r.status[h.toStatus]} {h.reason ? `· ${h.reason}` : ""}
          </li>
        ))}
      </ul>
    </div>
  );
}

export function MyShopPage() {
  const { r } = useRegistryText();
  // merchant staff read the application; only its administrator changes it (the server refuses
  // the rest, and an upload would leave a file behind): the steps' controls are disabled for them
  const manage = can(useFullSession(), "registry.manage");
  const [step, setStep] = useState<Step>("profile");
  const mine = useQuery({ queryKey: ["registry-my-shop"], queryFn: () => api<{ shop: Shop | null }>("GET", "/registry/my-shop") });
  if (mine.isPending) return <Loading />;
  if (mine.isError) return <LoadError error={mine.error} onRetry={() => void mine.refetch()} />;
  const shop = mine.data.shop;
  const go = (s: Step) => { setStep(s); };
  const index = STEPS.indexOf(step);
  return (
    <Page title={r.wizard.title} intro={shop ? `${shop.legalNameZh} · ${r.status[shop.identityStatus]}` : undefined}>
      <nav aria-label={r.wizard.stepsLabel}>
        <ol className="steps">
          {STEPS.map((s) => (
            <li key={s}>
              <button type="button" className={s === step ? "button primary small" : "button small"} aria-current={s === step ? "step" : undefined} disabled={!shop && s !== "profile"} onClick={() => { go(s); }}>
                {r.wizard.steps[s]}
              </button>
            </li>
          ))}
        </ol>
      </nav>
      {manage ? null : <Notice tone="info">{shop ? r.wizard.readOnly : r.wizard.noShopReadOnly}</Notice>}
      <Section title={r.wizard.steps[step]} id={`registry-step-${step}`}>
        <fieldset className="bare" disabled={!manage}>
          {step === "profile" && (shop || manage) ? <ProfileForm shop={shop} onSaved={() => { go("origins"); }} /> : null}
          {shop && step === "origins" ? <OriginsStep shop={shop} /> : null}
          {shop && step === "proofs" ? <ProofsStep shop={shop} /> : null}
          {shop && step === "documents" ? <DocumentsStep shop={shop} /> : null}
          {shop && step === "submit" ? <SubmitStep shop={shop} /> : null}
        </fieldset>
      </Section>
      <div className="page-actions">
        {index > 0 ? (
          <button type="button" className="button" onClick={() => { go(STEPS[index - 1] ?? "profile"); }}>
            {r.wizard.back}
          </button>
        ) : null}
        {shop && index < STEPS.length - 1 ? (
          <button type="button" className="button" onClick={() => { go(STEPS[index + 1] ?? "submit"); }}>
            {r.wizard.next}
          </button>
        ) : null}
      </div>
    </Page>
  );
}
