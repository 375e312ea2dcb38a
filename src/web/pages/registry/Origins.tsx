// Wizard steps 2 and 3: register websites, then prove control of each with copy-paste
// instructions (HTTP file or DNS TXT record) in both languages.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { REGISTRY_LIMITS } from "../../../modules/registry/registry.limits.ts";
import { api } from "../../api/client.ts";
import { Field, formValues, SubmitButton } from "../../components/Field.tsx";
import { formatDateTime } from "../../components/format.ts";
import { fieldError, Notice, ProblemAlert } from "../../components/Problem.tsx";
import { Empty, LoadError, Loading } from "../../components/States.tsx";
import { useRegistryText } from "./text.ts";
import type { Origin, Shop } from "./types.ts";

export function useOrigins(shop: Shop) {
  return useQuery({ queryKey: ["registry-origins", shop.id], queryFn: () => api<{ items: Origin[] }>("GET", `/registry/shops/${shop.id}/origins`) });
}

export function OriginsStep({ shop }: { shop: Shop }) {
  const { r } = useRegistryText();
  const queryClient = useQueryClient();
  const origins = useOrigins(shop);
  const key = ["registry-origins", shop.id];
  const add = useMutation({ mutationFn: (origin: string) => api<Origin>("POST", `/registry/shops/${shop.id}/origins`, { origin }), onSuccess: () => queryClient.invalidateQueries({ queryKey: key }) });
  const remove = useMutation({ mutationFn: (id: string) => api<undefined>("DELETE", `/registry/shops/${shop.id}/origins/${id}`), onSuccess: () => queryClient.invalidateQueries({ queryKey: key }) });
  return (
    <div>
      <form
        className="form form-inline"
        noValidate
        aria-label={r.wizard.addOrigin}
        onSubmit={(e) => {
          e.preventDefault();
          const form = e.currentTarget;
          add.mutate(formValues(form).origin ?? "", { onSuccess: () => { form.reset(); } });
        }}
      >
        <Field name="origin" type="url" label={r.wizard.originLabel} required maxLength={REGISTRY_LIMITS.origin} placeholder="https://shop.example" error={fieldError(add.error, "origin")} />
        <SubmitButton pending={add.isPending}>{r.wizard.addOrigin}</SubmitButton>
      </form>
      <ProblemAlert error={add.error ?? remove.error} />
      {origins.isPending ? <Loading /> : null}
      {origins.isError ? <LoadError error={origins.error} onRetry={() => void origins.refetch()} /> : null}
      {origins.data?.items.length === 0 ? <Empty>{r.wizard.noOrigins}</Empty> : null}
      <ul className="result-list">
        {origins.data?.items.map((o) => (
          <li key={o.id}>
            <strong>{o.origin}</strong> {o.unicodeHost ? <span className="muted">({o.unicodeHost})</span> : null} · {r.originStatus[o.status]}{" "}
            <button type="button" className="button small danger" disabled={remove.isPending} onClick={() => { remove.mutate(o.id); }} aria-label={`${r.wizard.removeOrigin} ${o.origin}`}>
              {r.wizard.removeOrigin}
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}

function ProofCard({ shop, origin }: { shop: Shop; origin: Origin }) {
  const { r, locale } = useRegistryText();
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [method, setMethod] = useState<"http" | "dns">(origin.method ?? "http");
  const check = useMutation({
    mutationFn: () => api<{ ok: boolean; message: string; messageZh: string }>("POST", `/registry/shops/${shop.id}/origins/${origin.id}/verify`, { method }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ["registry-origins", shop.id] }),
  });
  const ins = method === "http" ? origin.instructions.http : origin.instructions.dns;
  const text = locale === "en" ? ins.en : ins.zh;
  return (
    <li className="proof">
      <h3>
        {origin.origin} · {r.originStatus[origin.status]}
      </h3>
      <fieldset>
        <legend className="visually-hidden">{origin.origin}</legend>
        <label>
          <input type="radio" name={`method-${origin.id}`} checked={method === "http"} onChange={() => { setMethod("http"); }} /> {r.wizard.httpMethod}
        </label>{" "}
        <label>
          <input type="radio" name={`method-${origin.id}`} checked={method === "dns"} onChange={() => { setMethod("dns"); }} /> {r.wizard.dnsMethod}
        </label>
      </fieldset>
      <pre className="instructions" aria-label={method === "http" ? r.wizard.httpInstructions : r.wizard.dnsInstructions}>{text}</pre>
      <button type="button" className="button small" onClick={() => void navigator.clipboard.writeText(method === "http" ? origin.instructions.http.body : origin.instructions.dns.value)}>
        {t("common.copy")} {method === "http" ? "token" : "TXT"}
      </button>{" "}
      <button type="button" className="button primary small" disabled={check.isPending} aria-busy={check.isPending || undefined} onClick={() => { check.mutate(); }}>
        {r.wizard.check}
      </button>
      {check.data ? <Notice tone={check.data.ok ? "success" : "warning"}>{check.data.ok ? r.wizard.proofOk : locale === "en" ? check.data.message : check.data.messageZh}</Notice> : null}
      {!check.data && origin.lastError ? <p className="muted">{r.wizard.lastError}: {origin.lastError}</p> : null}
      {origin.tls ? (
        <p className="muted">
          TLS <code>{origin.tls.fingerprint256.slice(0, 32)}…</code> · {origin.tls.issuer} · {formatDateTime(origin.tls.validTo, locale)}
        </p>
      ) : null}
      <ProblemAlert error={check.error} />
    </li>
  );
}

export function ProofsStep({ shop }: { shop: Shop }) {
  const { r } = useRegistryText();
  const origins = useOrigins(shop);
  if (origins.isPending) return <Loading />;
  if (origins.isError) return <LoadError error={origins.error} onRetry={() => void origins.refetch()} />;
  if (origins.data.items.length === 0) return <Empty>{r.wizard.noOrigins}</Empty>;
  return (
    <ul className="result-list">
      {origins.data.items.map((o) => (
        <ProofCard key={o.id} shop={shop} origin={o} />
      ))}
    </ul>
  );
}
