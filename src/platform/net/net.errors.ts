// Typed errors of the SSRF-safe fetcher: one class, a closed set of codes, a readable message.

export type NetErrorCode =
  | "invalid-url" // not a URL, or userinfo / odd form
  | "scheme-not-allowed" // only http: and https:
  | "blocked-address" // resolves to loopback, private, link-local, metadata, … and not allow-listed
  | "dns-failed" // name does not resolve
  | "connect-failed" // TCP refused / reset
  | "tls-failed" // handshake failed, or certificate not trusted while verification is required
  | "timeout" // total time budget spent
  | "idle-timeout" // no byte for too long (slow drip)
  | "too-many-redirects"
  | "bad-redirect" // Location missing or unparseable
  | "headers-too-large"
  | "body-too-large"
  | "protocol-error"; // malformed HTTP

export class NetError extends Error {
  readonly code: NetErrorCode;
  readonly url: string | undefined;
  constructor(code: NetErrorCode, message: string, options?: { cause?: unknown; url?: string }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = "NetError";
    this.code = code;
    this.url = options?.url;
  }
}

export function isNetError(e: unknown, code?: NetErrorCode): e is NetError {
  return e instanceof NetError && (code === undefined || e.code === code);
}
