// The one way the web app talks to the API: same-origin fetch with the session cookie, the
// CSRF token on every write, the chosen language, and RFC 9457 problem details turned into
// a typed error the forms can read field by field.

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
}

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
      if (!tokenKnown() && response.ok) {
        const body = (await response.json()) as { csrfToken?: unknown };
        if (!tokenKnown() && typeof body.csrfToken === "string") setCsrfToken(body.csrfToken);
      } else if (!tokenKnown() && response.status === 401) {
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
  return send<T>(method, path, headers, body === undefined ? undefined : JSON.stringify(body));
}

/** A multipart upload (evidence files): the same token, language and problem handling as api(). */
export async function upload<T>(path: string, data: FormData): Promise<T> {
  return send<T>("POST", path, {}, data);
}

async function send<T>(method: string, path: string, extra: Record<string, string>, body: string | FormData | undefined): Promise<T> {
  if (WRITES.has(method)) await ensureCsrfToken();
  const headers: Record<string, string> = { accept: "application/json", "accept-language": language, ...extra };
  if (WRITES.has(method) && csrfToken) headers["x-csrf-token"] = csrfToken;
  let response: Response;
  try {
    response = await fetch(`/api/v1${path}`, {
      method,
      headers,
      body,
      credentials: "same-origin",
      cache: "no-store",
    });
  } catch (cause) {
    throw new ApiError({ type: "about:blank", title: language === "en" ? "The server could not be reached" : "無法連線到伺服器", status: 0, detail: cause instanceof Error ? cause.message : String(cause), code: "network" });
  }
  if (response.status === 204 || response.status === 202) {
    // 202 bodies (if any) are informational only
    const text = await response.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }
  const text = await response.text();
  let parsed: unknown = undefined;
  if (text) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
  }
  if (!response.ok) {
    throw new ApiError(isProblem(parsed) ? parsed : { type: "about:blank", title: response.statusText || `HTTP ${response.status}`, status: response.status, code: "http" });
  }
  if (parsed === undefined) {
    throw new ApiError({ type: "about:blank", title: language === "en" ? "Unexpected answer from the server" : "伺服器回應格式不正確", status: response.status, detail: `${method} /api/v1${path}`, code: "unexpected_response" });
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
