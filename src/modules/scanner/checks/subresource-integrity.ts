// Test `subresource-integrity` (W3C SRI): every script from another registrable domain, or
// protocol-relative, should carry `integrity` and load over https. Script `src` values are read
// as written (the peer's parser has no base URL, so relative ones stay relative).
import { getDomain } from "tldts";
import type { Ctx } from "../context.ts";
import { byTag } from "../html.ts";
import type { CheckOutcome } from "../scanner.types.ts";

export const expectation = "sri-implemented-and-external-scripts-loaded-securely";

const ORDER = [
  "sri-implemented-and-all-scripts-loaded-securely",
  "sri-implemented-and-external-scripts-loaded-securely",
  "sri-implemented-but-external-scripts-not-loaded-securely",
  "sri-not-implemented-but-external-scripts-loaded-securely",
  "sri-not-implemented-and-external-scripts-not-loaded-securely",
  "sri-not-implemented-response-not-html",
];

function worse(next: string, current: string | null): string {
  return current === null || ORDER.indexOf(next) > ORDER.indexOf(current) ? next : current;
}

/**
 * Does an `integrity` attribute carry metadata a browser enforces? (SRI §3.3.3 "parse
 * metadata": tokens whose algorithm is not a known SHA-2 are skipped, and with none left the
 * resource loads unchecked — so `integrity="x"` or `"md5-…"` protects nothing.)
 */
export function enforcedIntegrity(value: string | null | undefined): boolean {
  if (!value) return false;
  return value.split(/[\t\n\f\r ]+/).some((t) => /^sha-?(256|384|512)-[A-Za-z0-9+/_-]+={0,2}(\?.*)?$/i.test(t));
}

/**
 * A URL reference as a browser reads it before resolving it (WHATWG URL: leading and trailing C0
 * controls and spaces dropped, tabs and newlines removed anywhere, and in http(s) URLs "\\" is "/"):
 * "/\\cdn.evil.example/x.js" and "https:\\\\cdn.evil.example/x.js" load from cdn.evil.example, and must
 * not be read as same-origin paths.
 */
export function asBrowserReads(ref: string): string {
  let a = 0, b = ref.length;
  while (a < b && ref.charCodeAt(a) <= 0x20) a++;
  while (b > a && ref.charCodeAt(b - 1) <= 0x20) b--;
  return ref.slice(a, b).replace(/[\t\n\r]/g, "").replace(/\\/g, "/");
}

/** Registrable domain, null for IP literals and names with no public suffix match. */
export function registrable(hostname: string): string | null {
  return getDomain(hostname, { allowPrivateDomains: false });
}

export function check(ctx: Ctx): CheckOutcome {
  if (!ctx.auto) return { result: "sri-not-implemented-but-no-scripts-loaded", pass: true };
  if (!ctx.isHtml || !ctx.doc) return { result: "sri-not-implemented-response-not-html", pass: true };
  const scripts = byTag(ctx.doc, "script");
  const siteDomain = registrable(ctx.r.hostname);
  const sessionHttps = ctx.sessionUrl?.protocol === "https:";
  let result: string | null = null;
  let foreign = false;
  const data: Record<string, { integrity: string | null; crossorigin: string | null }> = {};
  for (const s of scripts) {
    const src = asBrowserReads(s.attrs.src ?? "");
    if (src === "") continue;
    const integrity = s.attrs.integrity ?? null;
    const enforced = enforcedIntegrity(integrity);
    const relativeProtocol = src.startsWith("//"); // (more slashes too: "///cdn.example/x.js" names a host in http(s))
    const absolute = /^https?:\/\//i.test(src);
    const relativeOrigin = !relativeProtocol && !absolute;
    let sameSite = true;
    let scheme: string | null = null;
    if (absolute) {
      try {
        const u = new URL(src);
        scheme = u.protocol;
        sameSite = registrable(u.hostname) === siteDomain;
      } catch {
        sameSite = false;
      }
    }
    const secureOrigin = relativeOrigin || (sameSite && !relativeProtocol);
    if (!secureOrigin) foreign = true;
    const secureScheme = scheme === "https:" || (relativeOrigin && sessionHttps);
    if (!secureOrigin) {
      if (Object.keys(data).length < 200) data[src.slice(0, 500)] = { integrity, crossorigin: s.attrs.crossorigin ?? null };
      if (enforced && !secureScheme) result = worse("sri-implemented-but-external-scripts-not-loaded-securely", result);
      else if (!enforced && secureScheme) result = worse("sri-not-implemented-but-external-scripts-loaded-securely", result);
      else if (!enforced && !secureScheme) result = worse("sri-not-implemented-and-external-scripts-not-loaded-securely", result);
    } else if (enforced && secureScheme && result === null) {
      result = "sri-implemented-and-all-scripts-loaded-securely";
    }
  }
  if (scripts.length === 0) result = "sri-not-implemented-but-no-scripts-loaded";
  else result ??= foreign ? expectation : "sri-not-implemented-but-all-scripts-loaded-from-secure-origin";
  const pass = [
    "sri-implemented-and-all-scripts-loaded-securely",
    expectation,
    "sri-not-implemented-response-not-html",
    "sri-not-implemented-but-all-scripts-loaded-from-secure-origin",
    "sri-not-implemented-but-no-scripts-loaded",
  ].includes(result);
  return { result, pass, data: { scripts: data } };
}
