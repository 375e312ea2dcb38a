// RFC 9457 problem details. Every error leaves the API in this shape: a stable `type`, the
// title in the caller's language plus both titles, the status, a detail, the offending fields
// for validation errors, and the request id that finds the log line.
import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { hasZodFastifySchemaValidationErrors } from "fastify-type-provider-zod";
import { AppError, errorCatalogue, type ErrorCode, type FieldProblem } from "../errors.ts";

export const problemType = (code: ErrorCode): string => `urn:ectrust:problem:${code}`;

export interface Problem {
  type: string;
  title: string;
  titles: { "zh-TW": string; en: string };
  status: number;
  detail: string;
  code: ErrorCode;
  requestId: string;
  errors?: FieldProblem[];
  [extra: string]: unknown;
}

export type Lang = "zh-TW" | "en";

/** The caller's language: the `lang` cookie, then Accept-Language; zh-TW by default. */
export function requestLang(request: FastifyRequest): Lang {
  const cookie = request.cookies.lang;
  if (cookie === "en" || cookie === "zh-TW") return cookie;
  const accept = request.headers["accept-language"] ?? "";
  const first = accept.split(",")[0]?.trim().toLowerCase() ?? "";
  return first.startsWith("en") ? "en" : "zh-TW";
}

export function toProblem(error: AppError, request: FastifyRequest): Problem {
  const entry = errorCatalogue[error.code];
  const lang = requestLang(request);
  const problem: Problem = {
    ...error.extra,
    type: problemType(error.code),
    title: lang === "en" ? entry.en : entry.zh,
    titles: { "zh-TW": entry.zh, en: entry.en },
    status: entry.status,
    detail: error.message,
    code: error.code,
    requestId: request.id,
  };
  if (error.fields.length > 0) problem.errors = error.fields;
  return problem;
}

export function sendProblem(reply: FastifyReply, request: FastifyRequest, error: AppError): FastifyReply {
  const problem = toProblem(error, request);
  if (error.code === "rate_limited" && typeof error.extra.retryAfterSeconds === "number") {
    void reply.header("retry-after", String(error.extra.retryAfterSeconds));
  }
  return reply.code(problem.status).type("application/problem+json; charset=utf-8").send(problem);
}

function zodField(path: string): string {
  return path.replace(/^\//, "").replaceAll("/", ".");
}

/** Turns anything thrown inside a request into an AppError; unknown errors become `internal`. */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (hasZodFastifySchemaValidationErrors(error)) {
    const where = (error as { validationContext?: string }).validationContext ?? "body";
    const fields: FieldProblem[] = error.validation.flatMap((v) => {
      const keys = (v.params as { keys?: unknown }).keys;
      if (v.keyword === "unrecognized_keys" && Array.isArray(keys)) {
        return keys.map((k) => ({ field: [zodField(v.instancePath), String(k)].filter(Boolean).join("."), message: `Unknown field "${String(k)}"` }));
      }
      return [{ field: zodField(v.instancePath) || where, message: v.message ?? "invalid" }];
    });
    return new AppError("validation", `The ${where} is not valid: ${fields.map((f) => `${f.field}: ${f.message}`).join("; ")}`, { fields });
  }
  const fe = error as Partial<FastifyError> | undefined;
  switch (fe?.code) {
    case "FST_ERR_CTP_INVALID_JSON_BODY":
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
    case "FST_ERR_CTP_INVALID_CONTENT_LENGTH":
      return new AppError("malformed_request", "The request body is not valid JSON.", { cause: error });
    case "FST_ERR_CTP_BODY_TOO_LARGE":
    case "FST_REQ_FILE_TOO_LARGE":
      return new AppError("payload_too_large", "The request body is larger than this endpoint accepts.", { cause: error });
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
    case "FST_ERR_CTP_INVALID_TYPE":
      return new AppError("unsupported_media_type", "Send this request as application/json.", { cause: error });
    case "FST_ERR_VALIDATION":
      return new AppError("validation", fe.message ?? "The request is not valid.", { cause: error });
    default:
      break;
  }
  if (typeof fe?.statusCode === "number" && fe.statusCode >= 400 && fe.statusCode < 500) {
    const code: ErrorCode = fe.statusCode === 404 ? "not_found" : fe.statusCode === 413 ? "payload_too_large" : fe.statusCode === 415 ? "unsupported_media_type" : "malformed_request";
    return new AppError(code, undefined, { cause: error });
  }
  return new AppError("internal", "Something went wrong on our side. The request id identifies it in our logs.", { cause: error });
}
