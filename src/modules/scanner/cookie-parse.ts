// Set-Cookie parsing (RFC 6265 §5.2) and a cookie jar with the storage rules browsers (and the
// peer's tough-cookie jar) apply: Domain must domain-match the host and not be a public
// suffix, __Secure-/__Host- prefix rules, later cookies replace earlier ones of the same
// (domain, path, name). Bounded: at most MAX_COOKIES cookies are kept.
import { getDomain } from "tldts";
import { isIP } from "node:net";

export interface ParsedCookie {
  name: string;
  value: string;
  domain: string | null; // the Domain attribute, lowercased, without a leading dot
  path: string | null;
  secure: boolean;
  httpOnly: boolean;
  /** "strict" | "lax" | "none" if valid, "invalid" if present with another value, null if absent. */
  sameSite: "strict" | "lax" | "none" | "invalid" | null;
  expires: string | null;
  maxAge: number | null;
  raw: string;
}

export interface StoredCookie extends ParsedCookie {
  hostOnly: boolean;
  storedDomain: string;
  storedPath: string;
  setBy: string; // URL of the response that set it
  /** Why the jar refused it, when it did. */
  rejected: string | null;
}

export const MAX_COOKIES = 3000;

export function parseSetCookie(raw: string): ParsedCookie | null {
  const parts = raw.slice(0, 8192).split(";");
  const pair = parts.shift() ?? "";
  const eq = pair.indexOf("=");
  if (eq < 0) return null;
  const name = pair.slice(0, eq).trim();
  const value = pair.slice(eq + 1).trim();
  const c: ParsedCookie = { name, value, domain: null, path: null, secure: false, httpOnly: false, sameSite: null, expires: null, maxAge: null, raw };
  for (const part of parts) {
    const i = part.indexOf("=");
    const key = (i < 0 ? part : part.slice(0, i)).trim().toLowerCase();
    const val = i < 0 ? "" : part.slice(i + 1).trim();
    switch (key) {
      case "secure": c.secure = true; break;
      case "httponly": c.httpOnly = true; break;
      case "domain": if (val !== "") c.domain = val.replace(/^\./, "").toLowerCase(); break;
      case "path": c.path = val; break;
      case "expires": c.expires = val; break;
      case "max-age": if (/^-?\d+$/.test(val)) c.maxAge = Number(val); break;
      case "samesite": {
        const v = val.toLowerCase();
        c.sameSite = v === "strict" || v === "lax" || v === "none" ? v : "invalid";
        break;
      }
      default:
    }
  }
  return c;
}

function defaultPath(pathname: string): string {
  if (!pathname.startsWith("/")) return "/";
  const i = pathname.lastIndexOf("/");
  return i <= 0 ? "/" : pathname.slice(0, i);
}

/** Adds every Set-Cookie of one response to the jar (a Map kept by the caller). */
export function storeCookies(jar: Map<string, StoredCookie>, setCookies: string[], url: string, refused: StoredCookie[]): void {
  const u = new URL(url);
  const host = u.hostname.replace(/^\[|\]$/g, "").toLowerCase();
  for (const raw of setCookies) {
    const c = parseSetCookie(raw);
    if (c === null || c.name === "") continue;
    let rejected: string | null = null;
    if (c.domain !== null) {
      const matches = host === c.domain || (isIP(host) === 0 && host.endsWith(`.${c.domain}`));
      if (!matches) rejected = "domain-mismatch";
      else if (isIP(c.domain) === 0 && getDomain(c.domain, { allowPrivateDomains: false }) === null) rejected = "public-suffix";
    }
    const storedDomain = c.domain ?? host;
    const storedPath = c.path?.startsWith("/") ? c.path : defaultPath(u.pathname);
    if (rejected === null && c.name.startsWith("__Secure-") && !c.secure) rejected = "secure-prefix";
    if (rejected === null && c.name.startsWith("__Host-") && (!c.secure || c.domain !== null || storedPath !== "/")) rejected = "host-prefix";
    const stored: StoredCookie = { ...c, hostOnly: c.domain === null, storedDomain, storedPath, setBy: url, rejected };
    if (rejected !== null) {
      if (refused.length < MAX_COOKIES) refused.push(stored);
      continue;
    }
    const key = `${storedDomain}\u0000${storedPath}\u0000${c.name}`;
    if (jar.has(key) || jar.size < MAX_COOKIES) jar.set(key, stored);
  }
}
