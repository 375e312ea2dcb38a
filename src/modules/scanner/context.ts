// Derived views of a Retrieval that several checks share, computed once per scan.
import { combined, HTML_TYPES, mediaType, rawValues } from "./headers.ts";
import { httpEquiv, parseHtml, type HtmlDoc } from "./html.ts";
import { storeCookies, type StoredCookie } from "./cookie-parse.ts";
import type { ResponseRecord, Retrieval, SessionRecord } from "./scanner.types.ts";

export interface Ctx {
  r: Retrieval;
  auto: ResponseRecord | null;
  autoSession: SessionRecord | null;
  /** Where the auto session started (the peer's `session.url`). */
  sessionUrl: URL | null;
  isHtml: boolean;
  doc: HtmlDoc | null;
  meta: { csp: string[]; referrer: string[] };
  /** The cookie jar of the auto session: its chain, robots.txt and the CORS preflight. */
  cookies: StoredCookie[];
  refusedCookies: StoredCookie[];
  /** Every Set-Cookie seen anywhere in the scan, including the other session. */
  allSetCookies: { url: string; raw: string }[];
}

export function header(res: ResponseRecord | null | undefined, name: string): string | undefined {
  return res ? combined(res.headers, name) : undefined;
}

export function buildContext(r: Retrieval): Ctx {
  const autoSession = r.autoScheme === "https" ? r.https : r.autoScheme === "http" ? r.http : null;
  const auto = autoSession?.final ?? null;
  const isHtml = auto !== null && HTML_TYPES.has(mediaType(auto.headers));
  const doc = auto !== null && isHtml ? parseHtml(auto.body) : null;
  const meta = doc ? httpEquiv(doc) : { csp: [], referrer: [] };
  const jar = new Map<string, StoredCookie>();
  const refused: StoredCookie[] = [];
  for (const res of [...(autoSession?.responses ?? []), ...r.extra]) {
    storeCookies(jar, rawValues(res.headers, "set-cookie"), res.url, refused);
  }
  const allSetCookies: { url: string; raw: string }[] = [];
  for (const res of [...r.http.responses, ...r.https.responses, ...r.extra]) {
    for (const raw of rawValues(res.headers, "set-cookie")) if (allSetCookies.length < 5000) allSetCookies.push({ url: res.url, raw });
  }
  return {
    r,
    auto,
    autoSession,
    sessionUrl: r.autoScheme === "https" ? new URL(r.httpsUrl) : r.autoScheme === "http" ? new URL(r.httpUrl) : null,
    isHtml,
    doc,
    meta,
    cookies: [...jar.values()],
    refusedCookies: refused,
    allSetCookies,
  };
}
