// Test `strict-transport-security` (RFC 6797), peer-compatible result ids. Deliberate
// difference: a max-age that is not a number is `hsts-header-invalid` (the peer, parsing with
// parseInt, takes NaN as "at least six months").
import type { Ctx } from "../context.ts";
import { rawValues } from "../headers.ts";
import type { CheckOutcome } from "../scanner.types.ts";

export const expectation = "hsts-implemented-max-age-at-least-six-months";
export const SIX_MONTHS = 15_552_000;

export interface HstsHeader {
  maxAge: number | null;
  includeSubDomains: boolean;
  preload: boolean;
  valid: boolean;
}

export function parseHsts(value: string): HstsHeader {
  const data = value.slice(0, 1024);
  const out: HstsHeader = { maxAge: null, includeSubDomains: false, preload: false, valid: false };
  if (data.includes(",")) return out; // sent more than once
  // RFC 6797 §6.1: "All directives MUST appear only once"; browsers ignore a header that repeats one.
  const seen = new Set<string>();
  let repeated = false;
  for (const p of data.split(";").map((s) => s.trim().toLowerCase())) {
    const name = p.split("=")[0]?.trim() ?? "";
    if (name !== "" && seen.has(name)) repeated = true;
    seen.add(name);
    if (p.startsWith("max-age=")) {
      const v = p.slice(8, 128).replace(/^"(.*)"$/, "$1");
      out.maxAge = /^\d+$/.test(v) ? Number(v) : Number.NaN;
    } else if (p === "includesubdomains") out.includeSubDomains = true;
    else if (p === "preload") out.preload = true;
  }
  out.valid = !repeated && out.maxAge !== null && !Number.isNaN(out.maxAge);
  return out;
}

export function check(ctx: Ctx): CheckOutcome {
  const res = ctx.r.https.final;
  if (!res) return { result: "hsts-not-implemented-no-https", pass: false };
  if (!ctx.r.https.verified) return { result: "hsts-invalid-cert", pass: false };
  const values = rawValues(res.headers, "strict-transport-security");
  if (values.length === 0) return { result: "hsts-not-implemented", pass: false };
  const joined = values.join(", ");
  const h = parseHsts(joined);
  const data = { header: joined.slice(0, 1024), maxAge: h.maxAge !== null && Number.isNaN(h.maxAge) ? null : h.maxAge, includeSubDomains: h.includeSubDomains, preload: h.preload };
  if (!h.valid || h.maxAge === null) return { result: "hsts-header-invalid", pass: false, data };
  if (h.maxAge < SIX_MONTHS) return { result: "hsts-implemented-max-age-less-than-six-months", pass: false, data };
  return { result: expectation, pass: true, data };
}
