// The SSRF-safe fetcher shared by the registry (domain-control proofs) and the scanner.
//
// Every connection: the host is resolved through the injected Resolver, every answer is
// classified (address.ts), and unless all are public (or the exact host:port is allow-listed)
// the request is refused. The connection is then opened to the checked address itself — the
// socket's lookup is pinned to it — so a second, different DNS answer (rebinding) can never be
// used; the connected peer address is checked once more. Redirects go through the same path.
// Time, idle time (slow drip), header size, body size and redirect count are bounded.
import http from "node:http";
import https from "node:https";
import { isIP, type LookupFunction } from "node:net";
import tls from "node:tls";
import zlib from "node:zlib";
import { canonicalIp, classifyAddress } from "./address.ts";
import { NetError, type NetErrorCode } from "./net.errors.ts";
import { systemResolver, type ResolvedAddress, type Resolver } from "./resolver.ts";
import { tlsPeerInfo, type TlsPeerInfo } from "./tls-info.ts";

export type HeaderList = [name: string, value: string][];

export interface FetcherOptions {
  resolver?: Resolver;
  /** `host:port` pairs (`127.0.0.1:8443`, `[::1]:8080`, `localhost:3000`) exempt from the address check. */
  allowHosts?: readonly string[];
  /** Extra trust anchors (PEM), e.g. a test CA. The system store is kept. */
  ca?: readonly string[];
  maxRedirects?: number;
  totalTimeoutMs?: number;
  idleTimeoutMs?: number;
  maxHeaderBytes?: number;
  maxBodyBytes?: number;
  userAgent?: string;
}

export interface FetchOptions {
  method?: "GET" | "HEAD" | "OPTIONS";
  headers?: Record<string, string>;
  /** "follow" (default) follows up to maxRedirects; "manual" returns the 3xx response. */
  redirect?: "follow" | "manual";
  /** Default true: an untrusted or mismatched certificate is an error. When false it is recorded in `tls`. */
  verifyTls?: boolean;
  /** "error" (default) fails on a body over the limit; "truncate" keeps the first bytes and sets `truncated`. */
  onBodyLimit?: "error" | "truncate";
  maxBodyBytes?: number;
  maxRedirects?: number;
  totalTimeoutMs?: number;
  signal?: AbortSignal;
}

export interface FetchHop {
  url: string;
  status: number;
  headers: HeaderList;
  address: string;
  tls: TlsPeerInfo | undefined;
}

export interface FetchResponse extends FetchHop {
  body: Buffer;
  truncated: boolean;
  /** The responses that redirected here, in order. */
  redirects: FetchHop[];
  elapsedMs: number;
}

export interface TlsProbeResult {
  offered: boolean;
  protocol: string | null;
  error: string | undefined;
}

export interface Fetcher {
  fetch(url: string | URL, options?: FetchOptions): Promise<FetchResponse>;
  /** Does the server complete a handshake limited to these protocol versions? */
  probeTls(url: string | URL, versions: { min: tls.SecureVersion; max: tls.SecureVersion }): Promise<TlsProbeResult>;
  /** DNS TXT records through the same resolver. */
  txt(name: string): Promise<string[]>;
}

const DEFAULTS = {
  maxRedirects: 5,
  totalTimeoutMs: 10_000,
  idleTimeoutMs: 5_000,
  maxHeaderBytes: 32 * 1024,
  maxBodyBytes: 2 * 1024 * 1024,
  userAgent: "ectrust-scanner/0.1 (+https://ectrust.tw/scanner)",
};

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

export function header(headers: HeaderList, name: string): string | undefined {
  const n = name.toLowerCase();
  return headers.find(([k]) => k === n)?.[1];
}

export function headerAll(headers: HeaderList, name: string): string[] {
  const n = name.toLowerCase();
  return headers.filter(([k]) => k === n).map(([, v]) => v);
}

function hostKey(host: string, port: number): string {
  const h = host.startsWith("[") ? host.slice(1, -1) : host;
  return isIP(h) === 6 ? `[${canonicalIp(h)}]:${port}` : `${isIP(h) === 4 ? canonicalIp(h) : h.toLowerCase()}:${port}`;
}

/** Parses allow-list entries; throws on malformed ones so a typo is not silently ignored. */
export function parseAllowHost(entry: string): string {
  const m = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(entry.trim());
  const port = Number(m?.[2]);
  if (m?.[1] === undefined || !(port >= 1 && port <= 65535)) {
    throw new NetError("invalid-url", `allow-host "${entry}" must be host:port, e.g. 127.0.0.1:8443 or [::1]:8080`);
  }
  return hostKey(m[1], port);
}

function errCode(e: unknown): string {
  return typeof e === "object" && e !== null && "code" in e && typeof e.code === "string" ? e.code : "";
}

function mapError(e: unknown, url: string): NetError {
  if (e instanceof NetError) return e;
  const code = errCode(e);
  const msg = e instanceof Error ? e.message : String(e);
  let c: NetErrorCode = "connect-failed";
  let text = `cannot connect to ${url}: ${code || msg}`;
  if (code === "HPE_HEADER_OVERFLOW") {
    c = "headers-too-large";
    text = `response headers from ${url} exceed the size limit`;
  } else if (code.startsWith("HPE_")) {
    c = "protocol-error";
    text = `malformed HTTP response from ${url} (${code})`;
  } else if (code.startsWith("ERR_SSL") || code === "EPROTO" || code.startsWith("ERR_TLS") || /SSL|TLS/.test(msg)) {
    c = "tls-failed";
    text = `TLS handshake with ${url} failed (${code || msg})`;
  } else if (code === "ECONNRESET" || code === "ECONNREFUSED" || code === "EHOSTUNREACH" || code === "ENETUNREACH") {
    text = `cannot connect to ${url} (${code})`;
  } else if (code === "ABORT_ERR") {
    c = "timeout";
    text = `request to ${url} was aborted`;
  }
  return new NetError(c, text, { cause: e, url });
}

export function createFetcher(options: FetcherOptions = {}): Fetcher {
  const resolver = options.resolver ?? systemResolver;
  const allow = new Set((options.allowHosts ?? []).map(parseAllowHost));
  const cfg = { ...DEFAULTS, ...stripUndefined(options) };
  // Built once: parsing the root store for every connection would cost milliseconds each time.
  const secureContext = options.ca && options.ca.length > 0 ? tls.createSecureContext({ ca: [...tls.rootCertificates, ...options.ca] }) : undefined;

  function tlsOptions(servername: string | undefined): tls.ConnectionOptions {
    return {
      servername,
      rejectUnauthorized: false, // verified after the handshake, so an invalid cert can be reported rather than only refused
      requestOCSP: true,
      ...(secureContext ? { secureContext } : {}),
    };
  }

  /** Resolves and checks the target; returns the address to pin. */
  async function admit(url: URL): Promise<ResolvedAddress> {
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      throw new NetError("scheme-not-allowed", `only http and https URLs may be fetched, not ${url.protocol}`, { url: url.href });
    }
    if (url.username !== "" || url.password !== "") {
      throw new NetError("invalid-url", `URLs with user names or passwords are refused: ${url.origin}`, { url: url.href });
    }
    const host = url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname;
    const port = Number(url.port || (url.protocol === "https:" ? 443 : 80));
    const allowed = allow.has(hostKey(host, port));
    const answers: ResolvedAddress[] =
      isIP(host) !== 0 ? [{ address: host, family: isIP(host) === 6 ? 6 : 4 }] : await resolver.lookup(host);
    for (const a of answers) {
      const cls = classifyAddress(a.address) ?? "reserved";
      if (cls !== "public" && !allowed && !allow.has(hostKey(a.address, port))) {
        const via = isIP(host) !== 0 ? "" : ` (${host} resolves to ${a.address})`;
        throw new NetError("blocked-address", `refusing to connect to a ${cls} address${via}: ${url.origin}`, { url: url.href });
      }
    }
    const first = answers[0];
    if (first === undefined) throw new NetError("dns-failed", `DNS: ${host} has no address`, { url: url.href });
    return first;
  }

  function once(url: URL, opts: FetchOptions, deadline: number, pinned: ResolvedAddress): Promise<FetchResponse> {
    const maxBody = opts.maxBodyBytes ?? cfg.maxBodyBytes;
    const verify = opts.verifyTls ?? true;
    const started = Date.now();
    return new Promise<FetchResponse>((resolve, reject) => {
      let settled = false;
      let ocspStapled = false;
      const lookup: LookupFunction = (_hostname, lookupOptions, cb) => {
        if (lookupOptions.all === true) {
          (cb as unknown as (e: null, a: ResolvedAddress[]) => void)(null, [pinned]);
        } else cb(null, pinned.address, pinned.family);
      };
      const host = url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname;
      const common = {
        host,
        port: Number(url.port || (url.protocol === "https:" ? 443 : 80)),
        path: `${url.pathname}${url.search}`,
        method: opts.method ?? "GET",
        headers: { "user-agent": cfg.userAgent, accept: "*/*", "accept-encoding": "gzip, deflate, br", ...opts.headers },
        agent: false as const,
        lookup,
        maxHeaderSize: cfg.maxHeaderBytes,
        signal: opts.signal,
      };
      const req =
        url.protocol === "https:"
          ? https.request({ ...common, ...tlsOptions(isIP(host) === 0 ? host : undefined) })
          : http.request(common);
      let dropDecoder = (): void => undefined; // set once a response's body decoder exists
      const fail = (e: unknown): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        dropDecoder();
        req.destroy();
        reject(mapError(e, url.href));
      };
      const timer = setTimeout(() => {
        fail(new NetError("timeout", `${url.href} did not finish within the time budget`, { url: url.href }));
      }, Math.max(1, deadline - Date.now()));
      req.setTimeout(cfg.idleTimeoutMs, () => {
        fail(new NetError("idle-timeout", `${url.href} sent nothing for ${cfg.idleTimeoutMs} ms`, { url: url.href }));
      });
      req.on("socket", (s) => {
        s.on("OCSPResponse", (r: Buffer | null) => {
          if (r !== null && r.length > 0) ocspStapled = true;
        });
      });
      req.on("error", fail);
      req.on("response", (res) => {
        const socket = res.socket;
        const remote = socket.remoteAddress === undefined ? "" : canonicalIp(socket.remoteAddress);
        if (remote !== canonicalIp(pinned.address)) {
          fail(new NetError("blocked-address", `connected peer ${remote} is not the checked address ${pinned.address}`, { url: url.href }));
          return;
        }
        const tlsInfo = socket instanceof tls.TLSSocket ? tlsPeerInfo(socket, ocspStapled) : undefined;
        if (verify && tlsInfo && !tlsInfo.authorized) {
          fail(new NetError("tls-failed", `certificate of ${url.host} is not trusted (${tlsInfo.authorizationError ?? "unknown"})`, { url: url.href }));
          return;
        }
        const headers: HeaderList = [];
        for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) {
          headers.push([(res.rawHeaders[i] ?? "").toLowerCase(), res.rawHeaders[i + 1] ?? ""]);
        }
        // The body is decoded as it arrives, so that both limits hold on the decoded bytes and
        // "truncate" keeps the decoded first bytes: of a body that inflates past the limit (a
        // bomb), and of a compressed body that is itself over the limit (no raw gzip bytes).
        const truncateMode = (opts.onBodyLimit ?? "error") === "truncate";
        const decoder = decoderFor((header(headers, "content-encoding") ?? "").trim().toLowerCase());
        const raw: Buffer[] = [];
        let rawSize = 0;
        const decoded: Buffer[] = [];
        let decodedSize = 0;
        let truncated = false;
        let ending = false;
        /** The encoding broke before the body ended (a page labelled gzip that is not): the raw bytes are kept, all of them. */
        let broken = false;
        dropDecoder = () => { decoder?.destroy(); };
        const done = (body: Buffer): void => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          decoder?.destroy();
          resolve({ url: url.href, status: res.statusCode ?? 0, headers, address: pinned.address, tls: tlsInfo, body, truncated, redirects: [], elapsedMs: Date.now() - started });
          req.destroy();
        };
        const tooLarge = (what: string): void => {
          fail(new NetError("body-too-large", `${what} of ${url.href} exceeds ${maxBody} bytes`, { url: url.href }));
          decoder?.destroy();
        };
        /** No more input: flush the decoder (its "end" resolves), or resolve with the raw bytes. */
        const finish = (): void => {
          if (settled || ending) return;
          ending = true;
          if (decoder && !broken) decoder.end();
          else done(Buffer.concat(raw));
        };
        if (decoder) {
          decoder.on("data", (c: Buffer) => {
            if (settled || broken) return;
            if (decodedSize + c.length > maxBody) {
              if (!truncateMode) {
                tooLarge("decoded body");
                return;
              }
              decoded.push(c.subarray(0, maxBody - decodedSize));
              truncated = true;
              done(Buffer.concat(decoded));
              return;
            }
            decoded.push(c);
            decodedSize += c.length;
          });
          decoder.on("end", () => { done(Buffer.concat(decoded)); });
          // A broken encoding leaves the raw bytes, the whole body of them (the rest is still to come
          // unless the body has ended); a cut-off one what was decoded before the cut.
          decoder.on("error", () => {
            if (!ending) { broken = true; return; }
            done(truncated ? Buffer.concat(decoded) : Buffer.concat(raw));
          });
        }
        res.on("data", (chunk: Buffer) => {
          if (settled || ending) return;
          let part = chunk;
          if (rawSize + chunk.length > maxBody) {
            if (!truncateMode) {
              tooLarge("body");
              return;
            }
            part = chunk.subarray(0, maxBody - rawSize);
            truncated = true;
          }
          raw.push(part);
          rawSize += part.length;
          if (!broken) decoder?.write(part);
          if (truncated) finish();
        });
        res.on("end", finish);
        // Once the body is complete (or cut at the limit) a connection error changes nothing.
        res.on("error", (e) => { if (!ending) fail(e); });
        res.on("aborted", () => { if (!ending) fail(new NetError("protocol-error", `${url.href} closed the connection mid-body`, { url: url.href })); });
      });
      req.end();
    });
  }

  async function fetchUrl(input: string | URL, opts: FetchOptions = {}): Promise<FetchResponse> {
    let url: URL;
    try {
      url = new URL(input);
    } catch (e) {
      throw new NetError("invalid-url", `not a valid URL: ${String(input).slice(0, 200)}`, { cause: e });
    }
    const deadline = Date.now() + (opts.totalTimeoutMs ?? cfg.totalTimeoutMs);
    const maxRedirects = opts.maxRedirects ?? cfg.maxRedirects;
    const hops: FetchHop[] = [];
    let method = opts.method ?? "GET";
    for (;;) {
      const pinned = await withDeadline(admit(url), deadline, url.href);
      const res = await once(url, { ...opts, method }, deadline, pinned);
      const location = header(res.headers, "location");
      if (opts.redirect === "manual" || !REDIRECTS.has(res.status) || location === undefined) {
        return { ...res, redirects: hops };
      }
      hops.push({ url: res.url, status: res.status, headers: res.headers, address: res.address, tls: res.tls });
      if (hops.length > maxRedirects) {
        throw new NetError("too-many-redirects", `more than ${maxRedirects} redirects starting at ${hops[0]?.url ?? url.href}`, { url: url.href });
      }
      try {
        url = new URL(location, url);
      } catch (e) {
        throw new NetError("bad-redirect", `unparseable redirect Location from ${url.href}`, { cause: e, url: url.href });
      }
      if (res.status === 303) method = "GET";
    }
  }

  async function probeTls(input: string | URL, versions: { min: tls.SecureVersion; max: tls.SecureVersion }): Promise<TlsProbeResult> {
    const url = new URL(input);
    const pinned = await admit(url);
    const host = url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname;
    return new Promise((resolve) => {
      const socket = tls.connect({
        host: pinned.address,
        port: Number(url.port || 443),
        servername: isIP(host) === 0 ? host : undefined,
        minVersion: versions.min,
        maxVersion: versions.max,
        ciphers: "DEFAULT:@SECLEVEL=0", // let old protocols be offered so that we can see a server accepting them
        rejectUnauthorized: false,
      });
      const done = (r: TlsProbeResult): void => {
        clearTimeout(timer);
        socket.destroy();
        resolve(r);
      };
      const timer = setTimeout(() => { done({ offered: false, protocol: null, error: "timeout" }); }, cfg.idleTimeoutMs);
      socket.once("secureConnect", () => { done({ offered: true, protocol: socket.getProtocol(), error: undefined }); });
      socket.once("error", (e) => { done({ offered: false, protocol: null, error: errCode(e) || e.message }); });
    });
  }

  return { fetch: fetchUrl, probeTls, txt: (name) => resolver.txt(name) };
}

/** A streaming decoder for a single known content coding (RFC 9110 §8.4.1), else undefined: the bytes stay as sent. */
function decoderFor(enc: string): zlib.Gunzip | zlib.Inflate | zlib.BrotliDecompress | undefined {
  // Flushing rather than finishing: a cut-off stream (truncate mode) yields what it holds.
  if (enc === "gzip" || enc === "x-gzip") return zlib.createGunzip({ finishFlush: zlib.constants.Z_SYNC_FLUSH });
  if (enc === "deflate") return zlib.createInflate({ finishFlush: zlib.constants.Z_SYNC_FLUSH });
  if (enc === "br") return zlib.createBrotliDecompress({ finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH });
  return undefined;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

async function withDeadline<T>(p: Promise<T>, deadline: number, url: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => { reject(new NetError("timeout", `${url}: DNS did not answer within the time budget`, { url })); }, Math.max(1, deadline - Date.now()));
  });
  try {
    return await Promise.race([p, t]);
  } finally {
    clearTimeout(timer);
  }
}
