// The merchant's application wizard: scheme (with the version the application will keep),
// an accredited body and the scope, then a confirmation. The self-assessment follows on the
// application's own page.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useNavigate } from "react-router";
import { api } from "../../api/client.ts";
import { Field, SelectField } from "../../components/Field.tsx";
import { formatDate } from "../../components/format.ts";
import { Page, Section } from "../../components/Page.tsx";
import { fieldError, ProblemAlert } from "../../components/Problem.tsx";
import { Empty, LoadError, Loading } from "../../components/States.tsx";
import type { SchemeSummary } from "../schemes/types.ts";
import { OrgName, useOrgName } from "./shared.tsx";
import { fill, useCertText } from "./text.ts";
import type { Application, NamedAccreditation } from "./types.ts";

type Step = 1 | 2 | 3;

export function ApplyPage() {
  const { c, locale } = useCertText();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [step, setStep] = useState<Step>(1);
  const [scheme, setScheme] = useState("");
  const [cbOrgId, setCbOrgId] = useState("");
  const [scope, setScope] = useState("");
  const [scopeMissing, setScopeMissing] = useState(false);
  const orgName = useOrgName();
  const schemes = useQuery({ queryKey: ["schemes"], queryFn: () => api<{ items: SchemeSummary[] }>("GET", "/schemes") });
  const accreditations = useQuery({ queryKey: ["cert-accreditations", "accredited"], queryFn: () => api<{ items: NamedAccreditation[] }>("GET", "/certification/accreditations") });
  const shop = useQuery({ queryKey: ["cert-apply-shop"], queryFn: async () => (await api<{ shop: { id: string; legalNameZh: string; legalNameEn: string } | null }>("GET", "/registry/my-shop")).shop, retry: false });
  const create = useMutation({
    mutationFn: () => api<Application>("POST", "/certification/applications", { scheme, cbOrgId, scope, ...(shop.data ? { shopId: shop.data.id } : {}) }),
    onSuccess: async (app) => {
      await queryClient.invalidateQueries({ queryKey: ["cert-list"] });
      await navigate(`/certification/applications/${app.id}`);
    },
  });
  if (schemes.isPending || accreditations.isPending) return <Loading />;
  if (schemes.isError) return <LoadError error={schemes.error} onRetry={() => void schemes.refetch()} />;
  if (accreditations.isError) return <LoadError error={accreditations.error} onRetry={() => void accreditations.refetch()} />;
  const offered = schemes.data.items.filter((s) => s.current);
  const chosen = offered.find((s) => s.scheme === scheme) ?? offered[0];
  const bodies = accreditations.data.items.filter((a) => a.scheme === chosen?.scheme && a.status === "accredited");
  const current = chosen?.versions.find((v) => v.version === chosen.current);
  const body = bodies.find((b) => b.cbOrgId === cbOrgId) ?? bodies[0];
  const steps: Array<[Step, string]> = [[1, c.apply.step1], [2, c.apply.step2], [3, c.apply.step3]];
  return (
    <Page title={c.apply.title} intro={c.apply.intro} narrow>
      <nav aria-label={c.apply.steps}>
        <ol className="filter-buttons">
          {steps.map(([n, label]) => (
            <li key={n} aria-current={n === step ? "step" : undefined} className={n === step ? "badge" : "muted"}>
              {label}
            </li>
          ))}
        </ol>
      </nav>
      {step === 1 ? (
        <Section title={c.apply.step1} id="apply-scheme">
          {offered.length === 0 || !chosen ? (
            <Empty>{c.common.none}</Empty>
          ) : (
            <form className="form" noValidate onSubmit={(e) => { e.preventDefault(); setScheme(chosen.scheme); setStep(2); }}>
              <SelectField name="scheme" label={c.common.scheme} value={chosen.scheme} onChange={(e) => { setScheme(e.currentTarget.value); setCbOrgId(""); }} options={offered.map((s) => ({ value: s.scheme, label: `${s.title[locale]} (${s.scheme})` }))} />
              {current ? <p className="hint">{fill(c.apply.versionNote, { version: current.version, count: current.requirementCount })}</p> : null}
              <button type="submit" className="button primary">{c.apply.next}</button>
            </form>
          )}
        </Section>
      ) : null}
      {step === 2 && chosen ? (
        <Section title={c.apply.step2} id="apply-body">
          {bodies.length === 0 || !body ? (
            <Empty>{c.apply.noBody}</Empty>
          ) : (
            <form className="form" noValidate onSubmit={(e) => { e.preventDefault(); setCbOrgId(body.cbOrgId); setScopeMissing(!scope.trim()); if (scope.trim()) setStep(3); }}>
              <SelectField name="cbOrgId" label={c.common.body} value={body.cbOrgId} onChange={(e) => { setCbOrgId(e.currentTarget.value); }} options={bodies.map((b) => ({ value: b.cbOrgId, label: fill(c.apply.bodyOption, { org: orgName(b.cbOrgId, b.cbNameZh, b.cbNameEn), scope: b.scope, to: formatDate(b.validTo, locale) }) }))} />
              <Field name="scope" label={c.common.scope} hint={c.apply.scopeHint} value={scope} maxLength={1000} onChange={(e) => { setScope(e.currentTarget.value); }} error={scopeMissing ? c.apply.scopeRequired : fieldError(create.error, "scope")} />
              {shop.data ? <p className="hint">{c.apply.shop}: {locale === "en" ? shop.data.legalNameEn : shop.data.legalNameZh}</p> : null}
              <div className="page-actions">
                <button type="button" className="button" onClick={() => { setStep(1); }}>{c.apply.back}</button>
                <button type="submit" className="button primary">{c.apply.next}</button>
              </div>
            </form>
          )}
        </Section>
      ) : null}
      {step === 3 && chosen && body ? (
        <Section title={c.apply.step3} id="apply-confirm">
          <p>{c.apply.review}</p>
          <dl className="facts">
            <dt>{c.common.scheme}</dt>
            <dd>{chosen.title[locale]} · {current?.version}</dd>
            <dt>{c.common.body}</dt>
            <dd><OrgName id={body.cbOrgId} zh={body.cbNameZh} en={body.cbNameEn} /></dd>
            <dt>{c.common.scope}</dt>
            <dd>{scope}</dd>
            <dt>{c.apply.shop}</dt>
            <dd>{shop.data ? (locale === "en" ? shop.data.legalNameEn : shop.data.legalNameZh) : c.apply.shopNone}</dd>
          </dl>
          <ProblemAlert error={create.error} />
          <div className="page-actions">
            <button type="button" className="button" onClick={() => { setStep(2); }}>{c.apply.back}</button>
            <button type="button" className="button primary" disabled={create.isPending} onClick={() => { create.mutate(); }}>{c.apply.create}</button>
          </div>
        </Section>
      ) : null}
    </Page>
  );
}
