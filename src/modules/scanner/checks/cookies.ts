// Test `cookies`, peer-compatible: the worst finding over the auto session's cookie jar wins.
// "Session" cookies are recognised by name (login / sess), anti-CSRF ones by "csrf", as the
// peer does; the stricter rules (prefixes, Domain, lifetime, consent) live in cookies-strict.ts.
import type { Ctx } from "../context.ts";
import { rawValues } from "../headers.ts";
import type { CheckOutcome } from "../scanner.types.ts";
import { check as hsts } from "./strict-transport-security.ts";

export const expectation = "cookies-secure-with-httponly-sessions";

// From least to most severe.
const ORDER = [
  "cookies-without-secure-flag-but-protected-by-hsts",
  "cookies-without-secure-flag",
  "cookies-session-without-secure-flag-but-protected-by-hsts",
  "cookies-samesite-flag-invalid",
  "cookies-anticsrf-without-samesite-flag",
  "cookies-session-without-httponly-flag",
  "cookies-session-without-secure-flag",
];
const IGNORED = new Set(["heroku-session-affinity"]);

function worse(next: string, current: string | null): string {
  return current === null || ORDER.indexOf(next) > ORDER.indexOf(current) ? next : current;
}

function invalidSameSite(raw: string): boolean {
  for (const part of raw.trim().split(";")) {
    const [k = "", v] = part.trim().split("=");
    if (k.trim().toLowerCase() === "samesite") {
      if (!v) return true;
      if (!["lax", "strict", "none"].includes(v.trim().toLowerCase())) return true;
    }
  }
  return false;
}

export function check(ctx: Ctx): CheckOutcome {
  const protectedByHsts = hsts(ctx).pass;
  let result: string | null = null;
  let missingSameSite = false;
  if (ctx.auto) {
    for (const raw of rawValues(ctx.auto.headers, "set-cookie")) if (invalidSameSite(raw)) result = worse("cookies-samesite-flag-invalid", result);
  }
  const jar = ctx.cookies.filter((c) => c.name !== "" && !IGNORED.has(c.name));
  if (jar.length === 0) return { result: "cookies-not-found", pass: true };
  const sameSite = (c: (typeof jar)[number]): string | null => (c.sameSite === "invalid" ? null : c.sameSite);
  for (const c of jar) {
    const name = c.name.toLowerCase();
    const session = name.includes("login") || name.includes("sess");
    const csrf = name.includes("csrf");
    if (!c.secure && sameSite(c) === "none") result = worse("cookies-samesite-flag-invalid", result);
    if (!c.secure) result = worse(protectedByHsts ? "cookies-without-secure-flag-but-protected-by-hsts" : "cookies-without-secure-flag", result);
    if (csrf && sameSite(c) === null) result = worse("cookies-anticsrf-without-samesite-flag", result);
    if (session && !c.secure) result = worse(protectedByHsts ? "cookies-session-without-secure-flag-but-protected-by-hsts" : "cookies-session-without-secure-flag", result);
    if (session && !c.httpOnly) result = worse("cookies-session-without-httponly-flag", result);
    if (sameSite(c) === null) missingSameSite = true;
  }
  result ??= missingSameSite ? expectation : "cookies-secure-with-httponly-sessions-and-samesite";
  const data: Record<string, unknown> = {};
  for (const c of jar.slice(0, 200)) {
    data[c.name.slice(0, 100)] = { domain: c.storedDomain, path: c.storedPath, secure: c.secure, httponly: c.httpOnly, samesite: sameSite(c), expires: c.expires, "max-age": c.maxAge };
  }
  const pass = [expectation, "cookies-not-found", "cookies-secure-with-httponly-sessions-and-samesite"].includes(result);
  return { result, pass, data: { cookies: data, count: jar.length } };
}
