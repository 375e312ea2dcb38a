// Typed application errors. Services throw AppError with a code from the closed union below;
// the HTTP layer maps each code to an RFC 9457 problem (status, stable type URI, zh-TW and
// English titles). Services never throw HTTP errors.

export const errorCatalogue = {
  validation: { status: 400, zh: "輸入資料有誤", en: "The request is not valid" },
  malformed_request: { status: 400, zh: "請求格式錯誤", en: "The request could not be read" },
  unauthenticated: { status: 401, zh: "請先登入", en: "Sign-in required" },
  invalid_credentials: { status: 401, zh: "帳號或密碼錯誤", en: "Wrong e-mail or password" },
  mfa_required: { status: 401, zh: "需要兩步驟驗證碼", en: "A two-step verification code is required" },
  mfa_invalid: { status: 401, zh: "驗證碼錯誤", en: "The verification code is wrong" },
  mfa_enrolment_required: { status: 403, zh: "此角色必須先設定兩步驟驗證", en: "This role must set up two-step verification first" },
  forbidden: { status: 403, zh: "沒有權限執行此操作", en: "You are not allowed to do this" },
  csrf: { status: 403, zh: "請重新整理頁面後再試", en: "The request failed a cross-site check; reload the page and try again" },
  account_locked: { status: 423, zh: "帳號暫時鎖定", en: "The account is temporarily locked" },
  not_found: { status: 404, zh: "找不到資料", en: "Not found" },
  conflict: { status: 409, zh: "資料衝突", en: "The request conflicts with the current state" },
  invalid_transition: { status: 409, zh: "目前狀態不允許此操作", en: "This action is not allowed in the current state" },
  gone: { status: 410, zh: "連結已失效", en: "The link has expired or was already used" },
  payload_too_large: { status: 413, zh: "資料過大", en: "The request is too large" },
  unsupported_media_type: { status: 415, zh: "不支援的檔案類型", en: "This file type is not accepted" },
  rate_limited: { status: 429, zh: "請求過於頻繁", en: "Too many requests" },
  internal: { status: 500, zh: "系統發生錯誤", en: "Something went wrong on our side" },
  unavailable: { status: 503, zh: "服務暫時無法使用", en: "The service is temporarily unavailable" },
} as const;

export type ErrorCode = keyof typeof errorCatalogue;

export interface FieldProblem {
  /** JSON pointer-ish path of the offending field, e.g. "email" or "members.0.role". */
  field: string;
  message: string;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly fields: FieldProblem[];
  /** Extra members added to the problem document (safe to show to the caller). */
  readonly extra: Record<string, unknown>;
  constructor(code: ErrorCode, detail?: string, options?: { fields?: FieldProblem[]; extra?: Record<string, unknown>; cause?: unknown }) {
    super(detail ?? errorCatalogue[code].en, { cause: options?.cause });
    this.name = "AppError";
    this.code = code;
    this.fields = options?.fields ?? [];
    this.extra = options?.extra ?? {};
  }
}

export function isAppError(e: unknown): e is AppError {
  return e instanceof AppError;
}

export const notFound = (what: string): AppError => new AppError("not_found", `${what} was not found`);
export const forbidden = (detail?: string): AppError => new AppError("forbidden", detail);
export const invalid = (field: string, message: string): AppError =>
  new AppError("validation", message, { fields: [{ field, message }] });
