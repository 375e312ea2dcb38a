// The one way the web app talks to the API: same-origin fetch with the session cookie, the
// CSRF token on every write, the chosen language, a time limit, and RFC 9457 problem details
// turned into a typed error the forms can read field by field. A request that gets no problem
// document (the network failed, the time ran out, a proxy answered 413, 429 or 502 with its own
// page) becomes a problem too, with a code that components/problem-text.ts puts into words.

export interface FieldProblem {
  field: string;
  message: string;
}

export interface ProblemDocument {
  type: string;
  title: string;
  titles?: { "zh-TW": string; en: string };
  status: number;
  detail?: string;
  code?: string;
  requestId?: string;
  errors?: FieldProblem[];
  /** 429: seconds until the limit lets requests through (the server's member, or Retry-After) */
  retryAfterSeconds?: number;
  /** 413 from the evidence store: the largest file it takes */
  maxBytes?: number;
}

/** Codes of the problems the client makes itself, beside the server's (src/platform/errors.ts). */
export type ClientProblemCode = "network" | "timeout" | "http" | "unexpected_response";

/** How long a request may take before the client gives up on it. */
export const REQUEST_TIMEOUT_MS = 60_000;
/** Uploads (evidence files of up to 20 MiB) get longer, for slow connections. */
export const UPLOAD_TIMEOUT_MS = 10 * 60_000;

export class ApiError extends Error {
  readonly problem: ProblemDocument;
  constructor(problem: ProblemDocument) {
    super(problem.detail ?? problem.title);
    this.name = "ApiError";
    this.problem = problem;
  }
  get status(): number {
    return this.problem.status;
  }
  get code(): string | undefined {
    return this.problem.code;
  }
  /** The message the API gave for one field, if any (matches "email" and "admin.email"). */
  fieldMessage(field: string): string | undefined {
    return this.problem.errors?.find((e) => e.field === field || e.field === `body.${field}`)?.message;
  }
}

let csrfToken: string | undefined;
/** Whether we have asked the server yet: until then, a missing token may just not be loaded. */
let csrfKnown = false;
let csrfProbe: Promise<void> | undefined;
const tokenKnown = (): boolean => csrfKnown; // read afresh after each await
let language = "zh-TW";

/** Remembered from GET /auth/session and from the login, MFA and switch responses. */
export function setCsrfToken(token: string | undefined): void {
  csrfToken = token;
  csrfKnown = true;
}

/**
 * A write sent before GET /auth/session has answered (a page that posts as it opens, such as
 * the invitation lookup) would go out without the token, and a browser that holds a session
 * cookie gets 403 "csrf" for it, even on a public route. Ask for the session first, once.
 */
async function ensureCsrfToken(): Promise<void> {
  if (tokenKnown()) return;
  csrfProbe ??= (async () => {
    try {
      const response = await fetch("/api/v1/auth/session", { method: "GET", headers: { accept: "application/json", "accept-language": language }, credentials: "same-origin", cache: "no-store" });
      if (!tokenKnown() && response.status === 200) {
        const body = (await response.json()) as { csrfToken?: unknown };
        if (!tokenKnown() && typeof body.csrfToken === "string") setCsrfToken(body.csrfToken);
      } else if (!tokenKnown() && (response.status === 204 || response.status === 401)) {
        setCsrfToken(undefined);
      }
    } catch {
      // the write itself reports the network problem
    } finally {
      csrfProbe = undefined;
    }
  })();
  await csrfProbe;
}

export function setApiLanguage(lang: string): void {
  language = lang;
}

const WRITES = new Set(["POST", "PUT", "PATCH", "DELETE"]);

function isProblem(value: unknown): value is ProblemDocument {
  return typeof value === "object" && value !== null && typeof (value as { title?: unknown }).title === "string" && typeof (value as { status?: unknown }).status === "number";
}

export async function api<T>(method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE", path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers["content-type"] = "application/json";
  return send<T>(method, path, headers, body === undefined ? undefined : JSON.stringify(body), REQUEST_TIMEOUT_MS);
}

/** A multipart upload (evidence files): the same token, language and problem handling as api(). */
export async function upload<T>(path: string, data: FormData): Promise<T> {
  return send<T>("POST", path, {}, data, UPLOAD_TIMEOUT_MS);
}

/** The problem for a request that got no answer: fetch (or reading the body) threw. */
export function problemFromFailure(cause: unknown): ProblemDocument {
  // AbortSignal.timeout() rejects with a DOMException named "TimeoutError"; anything else that
  // fetch throws (TypeError "Failed to fetch") means the server could not be reached.
  const timedOut = cause instanceof Error && cause.name === "TimeoutError";
  const detail = cause instanceof Error ? cause.message : String(cause);
  return timedOut ? { type: "about:blank", title: "The server did not answer in time", status: 0, detail, code: "timeout" } : { type: "about:blank", title: "The server could not be reached", status: 0, detail, code: "network" };
}

/** The problem for an error answer that is not a problem document (a proxy's or gateway's own page). */
export function problemFromStatus(status: number, statusText: string, retryAfter: string | null): ProblemDocument {
  const code = status === 408 || status === 504 ? "timeout" : status === 413 ? "payload_too_large" : status === 429 ? "rate_limited" : status === 502 || status === 503 ? "unavailable" : status >= 500 ? "internal" : "http";
  const problem: ProblemDocument = { type: "about:blank", title: statusText || `HTTP ${String(status)}`, status, code };
  const seconds = retryAfter !== null && /^\d{1,6}$/.test(retryAfter.trim()) ? Number(retryAfter.trim()) : undefined;
  if (code === "rate_limited" && seconds !== undefined) problem.retryAfterSeconds = seconds;
  return problem;
}

async function send<T>(method: string, path: string, extra: Record<string, string>, body: string | FormData | undefined, timeoutMs: number): Promise<T> {
  if (WRITES.has(method)) await ensureCsrfToken();
  const headers: Record<string, string> = { accept: "application/json", "accept-language": language, ...extra };
  if (WRITES.has(method) && csrfToken) headers["x-csrf-token"] = csrfToken;
  let response: Response;
  let text: string;
  try {
    response = await fetch(`/api/v1${path}`, {
      method,
      headers,
      body,
      credentials: "same-origin",
      cache: "no-store",
      signal: AbortSignal.timeout(timeoutMs),
    });
    text = await response.text(); // the time limit covers the body too
  } catch (cause) {
    throw new ApiError(problemFromFailure(cause));
  }
  let parsed: unknown = undefined;
  if (text) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
  }
  // 204 has no body; 202 bodies (if any) are informational only
  if (response.status === 204 || response.status === 202) return parsed as T;
  if (!response.ok) {
    throw new ApiError(isProblem(parsed) ? parsed : problemFromStatus(response.status, response.statusText, response.headers.get("retry-after")));
  }
  if (parsed === undefined) {
    throw new ApiError({ type: "about:blank", title: "Unexpected answer from the server", status: response.status, detail: `${method} /api/v1${path}`, code: "unexpected_response" });
  }
  return parsed as T;
}

/** Builds "?a=1&b=2" from the defined, non-empty values. */
export function query(params: Record<string, string | number | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== "") q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : "";
}
