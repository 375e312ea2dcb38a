// Accreditation of certification bodies: a body applies for a scheme scope; the authority
// moves each application on (assessment, accredit with validity, refuse, suspend, reinstate,
// withdraw), always with a reason.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api } from "../../api/client.ts";
import { can, useFullSession } from "../../api/session.ts";
import { DataTable, QueryState } from "../../components/DataTable.tsx";
import { Field, formValues, SelectField, SubmitButton } from "../../components/Field.tsx";
import { formatDate } from "../../components/format.ts";
import { Page, Section } from "../../components/Page.tsx";
import { fieldError, ProblemAlert } from "../../components/Problem.tsx";
import type { SchemeSummary } from "../schemes/types.ts";
import { OrgName, useSchemeTitle } from "./shared.tsx";
import { useCertText } from "./text.ts";
import type { Accreditation, AccreditationAction, NamedAccreditation } from "./types.ts";

/** Which actions each accreditation status offers (the server's table decides). */
const actionsFrom: Record<string, AccreditationAction[]> = {
  applied: ["start_assessment", "refuse"],
  assessment: ["accredit", "refuse"],
  accredited: ["suspend", "withdraw"],
  suspended: ["reinstate", "withdraw"],
};

export function AccreditationsPage() {
  const { c, locale } = useCertText();
  const session = useFullSession();
  const queryClient = useQueryClient();
  const list = useQuery({ queryKey: ["cert-accreditations", session.organisation.id], queryFn: () => api<{ items: NamedAccreditation[] }>("GET", "/certification/accreditations") });
  const schemes = useQuery({ queryKey: ["schemes"], queryFn: () => api<{ items: SchemeSummary[] }>("GET", "/schemes") });
  const refresh = () => queryClient.invalidateQueries({ queryKey: ["cert-accreditations"] });
  const applyFor = useMutation({ mutationFn: (b: { scheme: string; scope: string }) => api<Accreditation>("POST", "/certification/accreditations", b), onSuccess: refresh });
  const isAuthority = can(session, "cert.accredit");
  const schemeTitle = useSchemeTitle();
  return (
    <Page title={c.accreditations.title} intro={c.accreditations.intro}>
      {can(session, "cert.cb_manage") ? (
        <Section title={c.accreditations.apply} id="acc-apply">
          <form className="form" noValidate aria-label={c.accreditations.apply} onSubmit={(e) => { e.preventDefault(); const v = formValues(e.currentTarget); applyFor.mutate({ scheme: v.scheme ?? "", scope: v.scope ?? "" }); }}>
            <SelectField name="scheme" label={c.common.scheme} options={(schemes.data?.items ?? []).map((s) => ({ value: s.scheme, label: `${s.title[locale]} (${s.scheme})` }))} error={fieldError(applyFor.error, "scheme")} />
            <Field name="scope" label={c.accreditations.scope} maxLength={500} error={fieldError(applyFor.error, "scope")} />
            <ProblemAlert error={applyFor.error} />
            <SubmitButton pending={applyFor.isPending}>{c.accreditations.submit}</SubmitButton>
          </form>
        </Section>
      ) : null}
      <Section title={c.accreditations.list} id="acc-list">
        <QueryState query={list} isEmpty={(list.data?.items.length ?? 0) === 0} empty={c.accreditations.empty}>
          <DataTable
            label={c.accreditations.list}
            rows={list.data?.items ?? []}
            rowKey={(a) => a.id}
            columns={[
              { header: c.common.body, cell: (a) => <OrgName id={a.cbOrgId} zh={a.cbNameZh} en={a.cbNameEn} /> },
              { header: c.common.scheme, cell: (a) => schemeTitle(a.scheme) },
              { header: c.accreditations.scope, cell: (a) => a.scope },
              { header: c.common.status, cell: (a) => <span className={`status ${a.status === "accredited" ? "status-active" : ""}`}>{c.accStatus[a.status] ?? a.status}</span> },
              { header: c.common.validTo, cell: (a) => formatDate(a.validTo, locale) },
              { header: c.common.reason, cell: (a) => a.reason || c.common.none },
              ...(isAuthority ? [{ header: c.accreditations.decide, cell: (a: Accreditation) => <DecideForm acc={a} onDone={refresh} /> }] : []),
            ]}
          />
        </QueryState>
      </Section>
    </Page>
  );
}

function DecideForm({ acc, onDone }: { acc: Accreditation; onDone: () => Promise<void> }) {
  const { c } = useCertText();
  const schemeTitle = useSchemeTitle();
  const [reason, setReason] = useState("");
  const [months, setMonths] = useState("36");
  const decide = useMutation({
    mutationFn: (action: AccreditationAction) => api<Accreditation>("POST", `/certification/accreditations/${acc.id}/${action}`, { reason, ...(action === "accredit" ? { validMonths: Number(months) } : {}) }),
    onSuccess: onDone,
  });
  const actions = actionsFrom[acc.status] ?? [];
  if (actions.length === 0) return <span className="muted">{c.common.none}</span>;
  return (
    <form className="form" noValidate aria-label={`${c.accreditations.decide} ${schemeTitle(acc.scheme)}`} onSubmit={(e) => { e.preventDefault(); }}>
      <Field name="reason" label={`${c.accreditations.reason} (${schemeTitle(acc.scheme)})`} maxLength={2000} value={reason} onChange={(e) => { setReason(e.currentTarget.value); }} error={fieldError(decide.error, "reason")} />
      {actions.includes("accredit") ? <Field name="validMonths" type="number" min={1} max={120} label={c.accreditations.validMonths} value={months} onChange={(e) => { setMonths(e.currentTarget.value); }} error={fieldError(decide.error, "validMonths")} /> : null}
      <ProblemAlert error={decide.error} />
      <div className="row-actions">
        {actions.map((a) => (
          <button key={a} type="button" className={a === "refuse" || a === "withdraw" || a === "suspend" ? "button danger" : "button primary"} disabled={decide.isPending} onClick={() => { decide.mutate(a); }}>
            {c.accAction[a]}
          </button>
        ))}
      </div>
    </form>
  );
}
