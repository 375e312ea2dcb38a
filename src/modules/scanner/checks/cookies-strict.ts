// Test `cookies-strict` (ectrust, beyond the peer): cookie prefixes (RFC 6265bis §4.1.3),
// Domain scope, lifetime (RFC 6265bis caps at 400 days), and tracking cookies or tracker scripts
// present on the first visit, before any consent (PDPA Art. 19 / GDPR-style consent).
import type { Ctx } from "../context.ts";
import { byTag } from "../html.ts";
import { parseSetCookie } from "../cookie-parse.ts";
import type { CheckOutcome } from "../scanner.types.ts";

export const expectation = "cookies-strict-ok";

const SESSIONISH = /(sess|sid$|^sid|login|auth|token|jwt|remember)/i;
const TRACKING = /^(_ga($|_)|_gid$|_gat|_gcl_|__utm[a-z]|_fbp$|_fbc$|_hj|_clck$|_clsk$|_uet(sid|vid)$|_tt_|_ttp$|ide$|__gads$|__gpi$|_pin_unauth$|_scid|mp_.*_mixpanel$|ajs_anonymous_id$)/i;
const TRACKER_SCRIPTS = /(googletagmanager\.com|google-analytics\.com|connect\.facebook\.net|static\.hotjar\.com|clarity\.ms|analytics\.tiktok\.com|bat\.bing\.com|snap\.licdn\.com|s\.pinimg\.com)/i;
const CONSENT_TOOLS = /(cookiebot|onetrust|cookieyes|cookielaw|didomi|quantcast|usercentrics|iubenda|termly|cookie-?consent|klaro|osano|trustarc)/i;
const MAX_LIFETIME_S = 400 * 86_400;
const MAX_SESSION_LIFETIME_S = 30 * 86_400;

function lifetimeSeconds(maxAge: number | null, expires: string | null, now: Date): number | null {
  if (maxAge !== null) return maxAge;
  if (expires !== null) {
    const t = Date.parse(expires);
    if (!Number.isNaN(t)) return Math.round((t - now.getTime()) / 1000);
  }
  return null;
}

export function check(ctx: Ctx, now: Date): CheckOutcome {
  const issues = new Set<string>();
  const evidence: Record<string, string[]> = {};
  const note = (issue: string, name: string): void => {
    issues.add(issue);
    const list = (evidence[issue] ??= []);
    if (list.length < 20 && !list.includes(name)) list.push(name);
  };
  for (const c of ctx.refusedCookies) if (c.rejected === "secure-prefix" || c.rejected === "host-prefix") note("cookie-prefix-invalid", c.name);
  for (const c of ctx.refusedCookies) if (c.rejected === "domain-mismatch" || c.rejected === "public-suffix") note("cookie-domain-invalid", c.name);
  for (const { raw } of ctx.allSetCookies) {
    const c = parseSetCookie(raw);
    if (!c || c.name === "") continue;
    const session = SESSIONISH.test(c.name);
    if (session && c.domain !== null) note("cookie-domain-too-broad", c.name);
    if (session && !c.name.startsWith("__Host-") && !c.name.startsWith("__Secure-")) note("cookie-session-without-prefix", c.name);
    const life = lifetimeSeconds(c.maxAge, c.expires, now);
    if (life !== null && (life > MAX_LIFETIME_S || (session && life > MAX_SESSION_LIFETIME_S))) note("cookie-lifetime-too-long", c.name);
    if (TRACKING.test(c.name)) note("cookies-tracking-before-consent", c.name);
  }
  if (ctx.doc) {
    const trackers = byTag(ctx.doc, "script").flatMap((s) => {
      const src = s.attrs.src ?? "";
      return TRACKER_SCRIPTS.test(src) ? [src] : TRACKER_SCRIPTS.test(s.text) ? ["inline"] : [];
    });
    const cmp = byTag(ctx.doc, "script").some((s) => CONSENT_TOOLS.test(s.attrs.src ?? "") || CONSENT_TOOLS.test(s.text.slice(0, 20_000)));
    if (trackers.length > 0 && !cmp) for (const t of trackers.slice(0, 10)) note("tracking-scripts-without-consent-tool", t.slice(0, 200));
  }
  const list = [...issues];
  const result = issues.has("cookies-tracking-before-consent") ? "cookies-tracking-before-consent" : list.length > 0 ? "cookies-strict-issues" : expectation;
  return { result, pass: list.length === 0, issues: list, data: { evidence } };
}
