// The scanner's only I/O: everything goes through the injected SSRF-safe Fetcher, with a
// per-scan time budget and request budget. Produces a serialisable Retrieval.
import { createHash } from "node:crypto";
import type { FetchResponse, Fetcher } from "../../platform/net/fetcher.ts";
import { isNetError } from "../../platform/net/net.errors.ts";
import type { Clock } from "../../platform/clock.ts";
import { decodeBody } from "./decode.ts";
import { combined } from "./headers.ts";
import { byTag, parseHtml } from "./html.ts";
import { EXPOSURE_PROBES } from "./checks/exposure.ts";
import { findPrivacyLink } from "./checks/privacy-notice.ts";
import type { ProbeRecord, ResponseRecord, Retrieval, SessionRecord } from "./scanner.types.ts";
import type { ScanTarget } from "./target.ts";

export const CORS_ORIGIN = "https://scanner.ectrust.invalid";
const MAX_REDIRECTS = 10;
const PAGE_BYTES = 2 * 1024 * 1024;
const PROBE_BYTES = 64 * 1024;
const MAX_PAYMENT_SCRIPTS = 15;

export interface RetrieveOptions {
  fetcher: Fetcher;
  clock: Clock;
  /** Whole-scan budget; each request gets what is left (at most perRequestMs). */
  budgetMs?: number;
  perRequestMs?: number;
  /** Upper bound on HTTP requests for one scan. */
  maxRequests?: number;
  paymentPages?: readonly string[];
  /** Exposure probes, security.txt, privacy page (default true). */
  deep?: boolean;
  tlsProbes?: boolean;
}

function toRecord(res: FetchResponse, maxChars?: number): ResponseRecord {
  const d = decodeBody(res.body, res.headers, maxChars);
  return { url: res.url, status: res.status, headers: res.headers, body: d.text, bodyTruncated: res.truncated, charset: d.charset, decodeErrors: d.errors, tls: res.tls };
}

function errorOf(e: unknown): { code: string; message: string } {
  if (isNetError(e)) return { code: e.code, message: e.message };
  return { code: "internal", message: e instanceof Error ? e.message : String(e) };
}

export async function retrieve(target: ScanTarget, o: RetrieveOptions): Promise<Retrieval> {
  const started = Date.now();
  const deadline = started + (o.budgetMs ?? 30_000);
  const perRequest = o.perRequestMs ?? 10_000;
  const maxRequests = o.maxRequests ?? 40;
  let requests = 0;

  async function get(url: string, init: { method?: "GET" | "OPTIONS"; headers?: Record<string, string>; redirect?: "follow" | "manual"; maxBytes?: number } = {}): Promise<FetchResponse> {
    const left = deadline - Date.now();
    if (left <= 50) throw new Error("scan time budget spent");
    if (requests >= maxRequests) throw new Error("scan request budget spent");
    requests++;
    return o.fetcher.fetch(url, {
      method: init.method ?? "GET",
      headers: { accept: "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", ...init.headers },
      redirect: init.redirect ?? "follow",
      maxRedirects: MAX_REDIRECTS,
      verifyTls: false,
      onBodyLimit: "truncate",
      maxBodyBytes: init.maxBytes ?? PAGE_BYTES,
      totalTimeoutMs: Math.min(perRequest, left),
    });
  }

  /** Follows redirects hop by hop so every response (cookies, HSTS) is kept. */
  async function session(start: string): Promise<SessionRecord> {
    const s: SessionRecord = { route: [], responses: [], final: null, verified: true, error: null };
    let url = start;
    try {
      for (let hop = 0; ; hop++) {
        const res = await get(url, { redirect: "manual" });
        const rec = toRecord(res);
        s.responses.push(rec);
        s.route.push({ url: res.url, status: res.status });
        if (res.tls && !res.tls.authorized) s.verified = false;
        const location = combined(res.headers, "location");
        if (![301, 302, 303, 307, 308].includes(res.status) || location === undefined) break;
        if (hop >= MAX_REDIRECTS) {
          s.error = { code: "too-many-redirects", message: `more than ${MAX_REDIRECTS} redirects from ${start}` };
          break;
        }
        url = new URL(location, url).href;
      }
      s.final = s.responses[s.responses.length - 1] ?? null;
    } catch (e) {
      s.error = errorOf(e);
      // A chain that failed on a later hop (e.g. a redirect to a private address) keeps its last response.
      s.final = s.responses[s.responses.length - 1] ?? null;
    }
    return s;
  }

  const [http, https] = await Promise.all([session(target.httpUrl), session(target.httpsUrl)]);
  const autoScheme = https.final ? "https" : http.final ? "http" : null;
  const autoSession = autoScheme === "https" ? https : autoScheme === "http" ? http : null;
  const startUrl = autoScheme === "https" ? target.httpsUrl : target.httpUrl;
  const finalUrl = autoSession?.route[autoSession.route.length - 1]?.url ?? startUrl;
  const r: Retrieval = {
    hostname: target.hostname, httpUrl: target.httpUrl, httpsUrl: target.httpsUrl, startedAt: o.clock.now().toISOString(),
    http, https, autoScheme, extra: [], cors: null, tlsVersions: null, deep: o.deep ?? true, probes: [], securityTxt: null, privacyPage: null,
    paymentPages: [], requestCount: 0, elapsedMs: 0,
  };
  if (autoSession === null) {
    r.requestCount = requests;
    r.elapsedMs = Date.now() - started;
    return r;
  }
  const soft = async <T>(p: () => Promise<T>): Promise<T | null> => {
    try {
      return await p();
    } catch {
      return null;
    }
  };
  const tasks: Promise<unknown>[] = [];
  tasks.push(soft(async () => { const res = await get(new URL("/robots.txt", startUrl).href, { headers: { accept: "text/plain,*/*;q=0.8" }, maxBytes: PROBE_BYTES }); r.extra.push(toRecord(res, PROBE_BYTES)); }));
  r.cors = { requestOrigin: CORS_ORIGIN, response: null };
  tasks.push(soft(async () => {
    const res = await get(finalUrl, { method: "OPTIONS", headers: { origin: CORS_ORIGIN, "access-control-request-method": "GET" }, maxBytes: PROBE_BYTES });
    const rec = toRecord(res, PROBE_BYTES);
    if (r.cors) r.cors.response = rec;
    r.extra.push(rec);
  }));
  const httpsFinal = https.route[https.route.length - 1]?.url;
  if ((o.tlsProbes ?? true) && httpsFinal?.startsWith("https:")) {
    tasks.push(soft(async () => {
      const versions: Record<string, boolean> = {};
      const u = httpsFinal;
      const [v10, v11] = await Promise.all([
        o.fetcher.probeTls(u, { min: "TLSv1", max: "TLSv1" }),
        o.fetcher.probeTls(u, { min: "TLSv1.1", max: "TLSv1.1" }),
      ]);
      versions["TLSv1"] = v10.offered;
      versions["TLSv1.1"] = v11.offered;
      const proto = https.final?.tls?.protocol;
      if (proto) versions[proto] = true;
      r.tlsVersions = versions;
    }));
  }
  if (o.deep ?? true) {
    const origin = new URL(finalUrl).origin;
    const page = autoSession.final;
    const doc = page ? parseHtml(page.body) : null;
    const scriptSrcs = doc ? byTag(doc, "script").map((s) => s.attrs.src ?? "").filter((s) => s !== "") : [];
    for (const probe of EXPOSURE_PROBES) {
      const paths = probe.paths(scriptSrcs, finalUrl);
      for (const path of paths) {
        tasks.push(soft(async () => {
          const url = new URL(path, origin).href;
          const rec: ProbeRecord = { probe: probe.id, url, status: null, contentType: "", head: "", error: null };
          try {
            const res = await get(url, { redirect: "manual", maxBytes: 16 * 1024 });
            rec.status = res.status;
            rec.contentType = combined(res.headers, "content-type") ?? "";
            rec.head = res.body.subarray(0, 4096).toString("latin1");
          } catch (e) {
            rec.error = errorOf(e).code;
          }
          r.probes.push(rec);
        }));
      }
    }
    tasks.push(soft(async () => { const res = await get(new URL("/.well-known/security.txt", origin).href, { maxBytes: PROBE_BYTES }); r.securityTxt = toRecord(res, PROBE_BYTES); }));
    const privacy = doc ? findPrivacyLink(doc, finalUrl) : null;
    if (privacy) tasks.push(soft(async () => { r.privacyPage = toRecord(await get(privacy)); }));
  }
  for (const p of o.paymentPages ?? []) {
    tasks.push((async () => {
      try {
        const res = await get(p);
        const rec = toRecord(res);
        // PCI DSS 11.6.1: hash the bytes of every external script so a changed file behind an
        // unchanged URL is noticed. Bounded: MAX_PAYMENT_SCRIPTS per page, 1 MiB each.
        const srcs = [...new Set(byTag(parseHtml(rec.body), "script").map((s) => s.attrs.src?.trim() ?? "").filter((s) => s !== ""))].slice(0, MAX_PAYMENT_SCRIPTS);
        const scriptHashes: Record<string, string | null> = {};
        await Promise.all(srcs.map(async (src) => {
          let abs: string;
          try { abs = new URL(src, res.url).href; } catch { return; }
          try {
            const body = await get(abs, { headers: { accept: "*/*" }, maxBytes: 1024 * 1024 });
            scriptHashes[abs] = body.status === 200 && !body.truncated ? createHash("sha256").update(body.body).digest("hex") : null;
          } catch {
            scriptHashes[abs] = null;
          }
        }));
        r.paymentPages.push({ url: p, response: rec, error: null, scriptHashes });
      } catch (e) {
        r.paymentPages.push({ url: p, response: null, error: errorOf(e).message });
      }
    })());
  }
  await Promise.all(tasks);
  r.probes.sort((a, b) => a.url.localeCompare(b.url));
  r.requestCount = requests;
  r.elapsedMs = Date.now() - started;
  return r;
}
