// Test `content-security-policy` (same result ids and order of precedence as the peer, v4).
import { rawValues } from "../headers.ts";
import type { Ctx } from "../context.ts";
import type { CheckOutcome } from "../scanner.types.ts";
import { combined } from "../headers.ts";
import { DUPLICATE_WARNINGS, parseCsp, parseCspMeta, type CspMap } from "./csp-parse.ts";

export const expectation = "csp-implemented-with-no-unsafe";

const BROAD = new Set(["ftp:", "http:", "https:", "*", "http://*", "http://*.*", "https://*", "https://*.*"]);
const UNSAFE_INLINE = new Set(["'unsafe-inline'", "data:"]);
const BROAD_OR_INLINE = new Set([...BROAD, ...UNSAFE_INLINE]);
const PASSIVE = ["img-src", "media-src"];
const NONCE_HASH = ["'sha256-", "'sha384-", "'sha512-", "'nonce-"];

const hasNonceOrHash = (s: Set<string>): boolean => [...s].some((src) => NONCE_HASH.some((p) => src.startsWith(p)));

export interface CspAnalysis extends CheckOutcome {
  /** The merged policy (header and <meta>), when one was parsed. */
  policy: CspMap | null;
  /** The header's policy alone: frame-ancestors counts only there (CSP3 §6.1.2: ignored in <meta>); the XFO test reads it. */
  headerPolicy: CspMap | null;
}

export function analyzeCsp(ctx: Ctx): CspAnalysis {
  const res = ctx.auto;
  if (!res || !ctx.sessionUrl) return { result: "csp-not-implemented", pass: false, policy: null, headerPolicy: null };
  const headerValue = combined(res.headers, "content-security-policy");
  const httpCsp = headerValue === undefined ? [] : [headerValue];
  const metaCsp = ctx.meta.csp;
  let csp: CspMap;
  try {
    csp = parseCsp([...httpCsp, ...metaCsp]);
  } catch {
    return { result: "csp-header-invalid", pass: false, policy: null, headerPolicy: null, data: { header: headerValue?.slice(0, 2048) ?? null } };
  }
  let httpOnly: CspMap;
  let metaOnly: CspMap;
  try { httpOnly = parseCsp(httpCsp); } catch { httpOnly = new Map(); }
  try { metaOnly = parseCspMeta(metaCsp); } catch { metaOnly = new Map(); }
  if (httpOnly.size + metaOnly.size === 0) {
    const reportOnly = rawValues(res.headers, "content-security-policy-report-only").length > 0;
    return { result: reportOnly ? "csp-not-implemented-but-reporting-enabled" : "csp-not-implemented", pass: false, policy: null, headerPolicy: null };
  }
  const pick = (...names: string[]): Set<string> => {
    for (const n of names) {
      const v = csp.get(n);
      if (v) return v;
    }
    return new Set(["*"]);
  };
  const objectSrc = pick("object-src", "default-src");
  const scriptSrc = pick("script-src", "default-src");
  const styleSrc = pick("style-src", "default-src");
  let result: string | null = null;
  const flags: Record<string, boolean> = {};
  for (const list of [scriptSrc, styleSrc]) if (hasNonceOrHash(list)) list.delete("'unsafe-inline'");
  if (hasNonceOrHash(scriptSrc) && scriptSrc.has("'strict-dynamic'")) {
    for (const s of [...scriptSrc]) {
      if ([...BROAD].some((b) => s.startsWith(b)) || s === "'self'" || s === "'unsafe-inline'") scriptSrc.delete(s);
    }
    flags.strictDynamic = true;
  } else if (scriptSrc.has("'strict-dynamic'")) {
    result ??= "csp-header-invalid";
  }
  const active = [...csp.entries()].filter(([d]) => !PASSIVE.includes(d) && d !== "script-src").flatMap(([, s]) => [...s]);
  active.push(...scriptSrc);
  const passive = PASSIVE.flatMap((d) => [...(csp.get(d) ?? csp.get("default-src") ?? new Set<string>())]);
  const https = ctx.sessionUrl.protocol === "https:";
  const insecure = (s: string): boolean => s.startsWith("http:") || s.startsWith("ftp:");
  if ([...scriptSrc].some((s) => BROAD_OR_INLINE.has(s)) || [...objectSrc].some((s) => BROAD.has(s))) {
    result ??= "csp-implemented-with-unsafe-inline";
    flags.unsafeInline = true;
  }
  if (https && active.some(insecure)) {
    result ??= "csp-implemented-with-insecure-scheme";
    flags.insecureSchemeActive = true;
  }
  if (scriptSrc.has("'unsafe-eval'") || styleSrc.has("'unsafe-eval'")) {
    result ??= "csp-implemented-with-unsafe-eval";
    flags.unsafeEval = true;
  }
  if (https && passive.some(insecure)) {
    result ??= "csp-implemented-with-insecure-scheme-in-passive-content-only";
    flags.insecureSchemePassive = true;
  }
  if ([...styleSrc].some((s) => BROAD_OR_INLINE.has(s))) {
    result ??= "csp-implemented-with-unsafe-inline-in-style-src-only";
    flags.unsafeInlineStyle = true;
  }
  const defaultSrc = csp.get("default-src");
  if (defaultSrc?.has("'none'") && defaultSrc.size === 1) {
    result ??= "csp-implemented-with-no-unsafe-default-src-none";
    flags.defaultNone = true;
  } else {
    result ??= "csp-implemented-with-no-unsafe";
  }
  const frameAncestors = httpOnly.get("frame-ancestors") ?? new Set(["*"]);
  flags.antiClickjacking = ![...frameAncestors].some((s) => BROAD.has(s));
  flags.insecureBaseUri = [...(csp.get("base-uri") ?? new Set(["*"]))].some((s) => BROAD_OR_INLINE.has(s));
  flags.insecureFormAction = [...(csp.get("form-action") ?? new Set(["*"]))].some((s) => BROAD.has(s));
  flags.unsafeObjects = [...objectSrc].some((s) => BROAD.has(s));
  let pass = [
    expectation,
    "csp-implemented-with-no-unsafe-default-src-none",
    "csp-implemented-with-unsafe-inline-in-style-src-only",
    "csp-implemented-with-insecure-scheme-in-passive-content-only",
  ].includes(result);
  if (pass && csp.has(DUPLICATE_WARNINGS)) result = "csp-implemented-but-duplicate-directives";
  if (result === "csp-header-invalid") pass = false;
  const policy: Record<string, string[]> = {};
  for (const [k, v] of csp) if (k !== DUPLICATE_WARNINGS) policy[k] = [...v].sort().slice(0, 100);
  return { result, pass, policy: csp, headerPolicy: httpOnly, data: { http: httpCsp.length > 0, meta: metaCsp.length > 0, policy: JSON.stringify(policy).length < 32768 ? policy : {}, flags } };
}

export function check(ctx: Ctx): CheckOutcome {
  const { policy: _policy, headerPolicy: _headerPolicy, ...outcome } = analyzeCsp(ctx);
  return outcome;
}
