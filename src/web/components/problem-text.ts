// What an error says on screen, in the interface's language, as keys of the `errors` table.
// The server sends a problem's title in both languages but its `detail` in English, written for
// developers ("This change needs the X-CSRF-Token header…", "Too many requests; try again in 1
// minute"), and a request that got no problem document (the network failed, the time ran out, a
// proxy answered with its own 413, 429 or 502 page) has no words of ours at all. So the web app
// says those itself; other problems keep the server's title in the chosen language and their
// detail, unless it only repeats the title (or only lists, in English, the messages shown beside
// the form's fields). The request id stays, so the log line can be found.
import { ApiError, type ClientProblemCode, type ProblemDocument } from "../api/client.ts";
import type { Locale } from "../api/types.ts";
import type { Messages } from "../i18n/zh-TW.ts";
import { errorCatalogue, type ErrorCode } from "../../platform/errors.ts";

type Leaves<T, P extends string> = { [K in keyof T & string]: T[K] extends string ? `${P}.${K}` : Leaves<T[K], `${P}.${K}`> }[keyof T & string];
/** A key of the `errors` table, e.g. "errors.network.title". */
export type ErrorKey = Leaves<Messages["errors"], "errors">;

/** The placeholders the `errors` texts use. */
export interface ErrorValues {
  status?: string;
  seconds?: string;
  size?: string;
}
/** Text to show: a translation key (with its placeholders' values), or the server's own words. */
export type Words = { key: ErrorKey; values?: ErrorValues } | { text: string };

export interface ProblemWords {
  title: Words;
  detail: Words | undefined;
  requestId: string | undefined;
}

/** Problems the client makes itself: title and detail are both ours. */
const CLIENT_MADE = { network: "network", timeout: "timeout", http: "http", unexpected_response: "unexpected" } as const satisfies Record<ClientProblemCode, string>;

function isCatalogued(code: string): code is ErrorCode {
  return Object.hasOwn(errorCatalogue, code);
}

/** The problem's code: its `code` member, else the code in an `urn:ectrust:problem:<code>` type. */
export function problemCode(problem: ProblemDocument): string {
  return problem.code ?? /^urn:ectrust:problem:([a-z_]+)$/.exec(problem.type)?.[1] ?? "";
}

function megabytes(bytes: number, lang: Locale): string {
  return `${(bytes / (1024 * 1024)).toLocaleString(lang, { maximumFractionDigits: 1 })} MB`;
}

/** The detail src/platform/http/problem.ts writes for a request its zod schema refused. */
const schemaListing = /^The (body|params|querystring|headers) is not valid: /;

/** Our words for a known code's detail, if we have them. */
function knownDetail(code: string, problem: ProblemDocument, lang: Locale): Words | undefined {
  switch (code) {
    case "csrf":
      return { key: "errors.csrf.detail" };
    case "rate_limited":
      return typeof problem.retryAfterSeconds === "number" ? { key: "errors.rateLimited.detailWait", values: { seconds: String(problem.retryAfterSeconds) } } : { key: "errors.rateLimited.detail" };
    case "payload_too_large":
      return typeof problem.maxBytes === "number" ? { key: "errors.tooLarge.detailMax", values: { size: megabytes(problem.maxBytes, lang) } } : { key: "errors.tooLarge.detail" };
    case "unavailable":
      return { key: "errors.unavailable.detail" };
    case "validation":
      // the request schema's own list ("The body is not valid: contactEmail: …"), in English and
      // with the API's field names: each message already sits beside its field
      return schemaListing.test(problem.detail ?? "") && (problem.errors?.length ?? 0) > 0 ? { key: "errors.validation.detail" } : undefined;
    default:
      // any other 5xx: what went wrong stays in our log, found by the request id shown below
      return problem.status >= 500 ? { key: "errors.server.detail" } : undefined;
  }
}

export function problemWords(error: unknown, lang: Locale): ProblemWords {
  if (!(error instanceof ApiError)) {
    return { title: { key: "errors.generic" }, detail: error instanceof Error && error.message ? { text: error.message } : undefined, requestId: undefined };
  }
  const problem = error.problem;
  const code = problemCode(problem);
  const requestId = problem.requestId;
  if (Object.hasOwn(CLIENT_MADE, code)) {
    const key = CLIENT_MADE[code as keyof typeof CLIENT_MADE];
    return { title: { key: `errors.${key}.title`, values: { status: String(problem.status) } }, detail: { key: `errors.${key}.detail` }, requestId };
  }
  const catalogued = isCatalogued(code) ? errorCatalogue[code] : undefined;
  const title = problem.titles?.[lang] ?? (catalogued ? (lang === "en" ? catalogued.en : catalogued.zh) : problem.title);
  const repeats = [title, problem.title, problem.titles?.en, problem.titles?.["zh-TW"], catalogued?.en];
  const serverDetail = problem.detail && !repeats.includes(problem.detail) ? { text: problem.detail } : undefined;
  return { title: { text: title }, detail: knownDetail(code, problem, lang) ?? serverDetail, requestId };
}
