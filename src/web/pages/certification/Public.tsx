// Public certification pages: a mark's certificate (holder by registered name, body, scheme,
// scope, validity, status, cautions and recommendations without reasons), the marks section of
// the registry's shop page, and the consumer complaint form (no account needed).
import { useMutation, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Link, useParams, useSearchParams } from "react-router";
import { COMPLAINT_LIMITS } from "../../../modules/certification/complaints.limits.ts";
import { api, ApiError } from "../../api/client.ts";
import { Field, formValues, SelectField, SubmitButton } from "../../components/Field.tsx";
import { formatDate, formatDateTime } from "../../components/format.ts";
import { Page, Section } from "../../components/Page.tsx";
import { fieldError, Notice, ProblemAlert } from "../../components/Problem.tsx";
import { Empty, LoadError, Loading } from "../../components/States.tsx";
import { QueryState } from "../../components/DataTable.tsx";
import { MarkBadge } from "./shared.tsx";
import { fill, useCertText } from "./text.ts";
import type { Certificate, ComplaintCategory } from "./types.ts";

function CertificateFacts({ cert: m }: { cert: Certificate }) {
  const { c, locale } = useCertText();
  return (
    <dl className="facts">
      <dt>{c.common.status}</dt>
      <dd><MarkBadge status={m.status} /></dd>
      <dt>{c.certificate.holder}</dt>
      <dd>
        {locale === "en" ? (m.holder.nameEn ?? m.holder.nameZh) : m.holder.nameZh}
        {m.holder.shopId ? <> · <Link to={`/registry/shops/${m.holder.shopId}`}>{c.certificate.shopPage}</Link></> : null}
      </dd>
      <dt>{c.mark.scheme}</dt>
      <dd>{m.schemeTitle[locale]} ({m.schemeVersion})</dd>
      <dt>{c.common.scope}</dt>
      <dd>{m.scope}</dd>
      <dt>{c.certificate.body}</dt>
      <dd>{m.certificationBody.name}</dd>
      <dt>{c.common.validFrom}</dt>
      <dd>{formatDate(m.validFrom, locale)}</dd>
      <dt>{c.common.validTo}</dt>
      <dd>{formatDate(m.validTo, locale)}</dd>
      {m.suspendedUntil ? (
        <>
          <dt>{c.detail.suspendedUntil}</dt>
          <dd>{formatDate(m.suspendedUntil, locale)}</dd>
        </>
      ) : null}
      <dt>{c.mark.renewal}</dt>
      <dd>{m.renewalCounter}</dd>
      {m.notices.length ? (
        <>
          <dt>{c.certificate.notices}</dt>
          <dd>{m.notices.map((n) => `${c.flagKind[n.kind] ?? n.kind} (${formatDateTime(n.at, locale)})`).join(", ")}</dd>
        </>
      ) : null}
    </dl>
  );
}

export function CertificatePage() {
  const { c } = useCertText();
  const { markNumber = "" } = useParams();
  const cert = useQuery({ queryKey: ["cert-certificate", markNumber], queryFn: () => api<Certificate>("GET", `/certification/certificates/${encodeURIComponent(markNumber)}`), retry: false });
  if (cert.isPending) return <Loading />;
  if (cert.isError) {
    // Not the number from the address: on the programme's own page, a made-up "number" (any text
    // in the link) must not read as a heading under the certificate title.
    return (
      <Page title={fill(c.certificate.title, { number: "" }).trim()}>
        <Empty>{c.mark.notFound}</Empty>
        <LoadError error={cert.error} onRetry={() => void cert.refetch()} />
      </Page>
    );
  }
  const m = cert.data;
  return (
    <Page title={fill(c.certificate.title, { number: m.markNumber })} intro={c.mark.verifyNote}>
      <Section title={m.markNumber} id="certificate">
        <CertificateFacts cert={m} />
        {m.status === "active" || m.status === "suspended" ? (
          <p>
            <Link to={`/complaints/new?mark=${encodeURIComponent(m.markNumber)}`}>{c.certificate.complain}</Link>
          </p>
        ) : null}
      </Section>
    </Page>
  );
}

/** The registry shop page's marks section. */
export function ShopMarksSection({ shopId }: { shopId: string }) {
  const { c, locale } = useCertText();
  const marks = useQuery({ queryKey: ["cert-shop-marks", shopId], queryFn: () => api<{ items: Certificate[] }>("GET", `/certification/public/shops/${encodeURIComponent(shopId)}/marks`), retry: false });
  return (
    <Section title={c.certificate.marksOfShop} id="shop-marks">
      <QueryState query={marks} isEmpty={(marks.data?.items.length ?? 0) === 0} empty={c.certificate.noMarks}>
        <ul className="result-list">
          {marks.data?.items.map((m) => (
            <li key={m.markNumber}>
              <Link to={`/certificates/${m.markNumber}`}>{m.markNumber}</Link> <MarkBadge status={m.status} /> · {m.schemeTitle[locale]} · {c.common.validTo} {formatDate(m.validTo, locale)}
            </li>
          ))}
        </ul>
      </QueryState>
    </Section>
  );
}

type ComplaintField = "markNumber" | "description" | "name" | "email" | "consent";
interface ComplaintInput {
  markNumber: string;
  description: string;
  name: string;
  email: string;
  consent: boolean;
}

/**
 * The fields of a complaint the API would refuse, checked before sending with the API's own rules
 * (COMPLAINT_LIMITS): the API's messages are English, and a consumer on the zh-TW page must read
 * what to correct in Chinese.
 */
export function complaintProblems(v: ComplaintInput): ComplaintField[] {
  const out: ComplaintField[] = [];
  if (!COMPLAINT_LIMITS.markNumber.test(v.markNumber)) out.push("markNumber");
  if (v.description.trim().length < COMPLAINT_LIMITS.descriptionMin) out.push("description");
  if (v.name.trim() === "") out.push("name");
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v.email.trim()) || v.email.length > COMPLAINT_LIMITS.emailMax) out.push("email");
  if (!v.consent) out.push("consent");
  return out;
}

export function ComplaintFormPage() {
  const { c } = useCertText();
  const [params] = useSearchParams();
  const file = useMutation({ mutationFn: (body: ComplaintInput & { category: string | undefined }) => api<{ reference: string; markNumber: string; filedAt: string }>("POST", "/certification/public/complaints", body) });
  const [invalid, setInvalid] = useState<readonly ComplaintField[]>([]);
  const t = c.complaint;
  const e = (f: ComplaintField | "category"): string | undefined => (f !== "category" && invalid.includes(f) ? t.invalid[f] : fieldError(file.error, f));
  return (
    <Page title={t.title} intro={t.intro} narrow>
      {file.data ? (
        <Notice tone="success">
          {fill(t.received, { reference: file.data.reference })} <Link to={`/complaints/status?ref=${file.data.reference}`}>{t.statusLink}</Link>
        </Notice>
      ) : (
        <form
          className="form"
          noValidate
          aria-label={t.title}
          onSubmit={(ev) => {
            ev.preventDefault();
            const form = ev.currentTarget;
            const v = formValues(form);
            const body = { markNumber: (v.markNumber ?? "").trim().toUpperCase(), category: v.category, description: v.description ?? "", name: v.name ?? "", email: (v.email ?? "").trim(), consent: v.consent === "on" };
            const problems = complaintProblems(body);
            setInvalid(problems);
            if (problems.length > 0) {
              file.reset();
              const first = form.elements.namedItem(problems[0] ?? "");
              if (first instanceof HTMLElement) first.focus();
              return;
            }
            file.mutate(body);
          }}
        >
          <Field name="markNumber" label={t.markNumber} defaultValue={params.get("mark") ?? ""} maxLength={30} error={e("markNumber")} />
          <SelectField name="category" label={t.category} options={(Object.keys(t.categories) as ComplaintCategory[]).map((k) => ({ value: k, label: t.categories[k] ?? k }))} error={e("category")} />
          <div className="field">
            <label htmlFor="complaint-description">{t.description}</label>
            <textarea id="complaint-description" name="description" rows={6} maxLength={4000} aria-invalid={e("description") ? true : undefined} aria-describedby={e("description") ? "complaint-description-error" : undefined} />
            {e("description") ? <p className="field-error" id="complaint-description-error">{e("description")}</p> : null}
          </div>
          <Field name="name" label={t.name} maxLength={200} autoComplete="name" error={e("name")} />
          <Field name="email" type="email" label={t.email} hint={t.emailHint} maxLength={254} autoComplete="email" error={e("email")} />
          <label className="checkbox">
            <input type="checkbox" name="consent" aria-invalid={e("consent") ? true : undefined} aria-describedby={e("consent") ? "complaint-consent-error" : undefined} /> {t.consent}
          </label>
          {e("consent") ? <p className="field-error" id="complaint-consent-error">{e("consent")}</p> : null}
          {invalid.length > 0 ? (
            <div className="alert alert-error" role="alert">
              <p className="alert-title">{t.invalid.fix}</p>
            </div>
          ) : null}
          <ProblemAlert error={file.error} />
          <SubmitButton pending={file.isPending}>{t.submit}</SubmitButton>
        </form>
      )}
    </Page>
  );
}

/** Public: where a complaint stands, by its reference (status and dates only). */
export function ComplaintStatusPage() {
  const { c, locale } = useCertText();
  const t = c.complaint;
  const [params, setParams] = useSearchParams();
  const ref = (params.get("ref") ?? "").trim().toUpperCase();
  // checked here with the API's rule, so that a mistyped reference is told in the interface's language
  const wellFormed = COMPLAINT_LIMITS.reference.test(ref);
  const status = useQuery({
    queryKey: ["cert-complaint-status", ref],
    queryFn: () => api<{ reference: string; markNumber: string; status: string; filedAt: string; respondedAt: string | null; determinedAt: string | null }>("GET", `/certification/public/complaints/${encodeURIComponent(ref)}`),
    enabled: ref !== "" && wellFormed,
    retry: false,
  });
  const unknown = status.error instanceof ApiError && status.error.problem.status === 404;
  return (
    <Page title={t.statusTitle} intro={t.statusIntro} narrow>
      <form className="form form-inline" noValidate aria-label={t.statusTitle} onSubmit={(e) => { e.preventDefault(); setParams({ ref: (formValues(e.currentTarget).ref ?? "").trim() }); }}>
        <Field name="ref" label={t.reference} defaultValue={ref} key={ref} maxLength={20} error={ref !== "" && !wellFormed ? t.invalid.reference : undefined} />
        <button type="submit" className="button primary">{t.statusLookup}</button>
      </form>
      {unknown ? <Empty>{t.notFound}</Empty> : status.isError ? <ProblemAlert error={status.error} /> : null}
      {status.data ? (
        <Section title={status.data.reference} id="complaint-status">
          <dl className="facts">
            <dt>{c.common.status}</dt>
            <dd><span className="status">{t.status[status.data.status] ?? status.data.status}</span></dd>
            <dt>{c.common.markNumber}</dt>
            <dd>{status.data.markNumber}</dd>
            <dt>{t.filedAt}</dt>
            <dd>{formatDateTime(status.data.filedAt, locale)}</dd>
            <dt>{t.respondedAt}</dt>
            <dd>{formatDateTime(status.data.respondedAt, locale)}</dd>
            <dt>{t.determinedAt}</dt>
            <dd>{formatDateTime(status.data.determinedAt, locale)}</dd>
          </dl>
        </Section>
      ) : null}
    </Page>
  );
}
