// Typed errors of the audit trail: one class, a closed set of codes.

export type AuditErrorCode =
  | "key_missing" // a keyed trail, and a process without the audit keys tried to append to it
  | "checkpoint_malformed" // the checkpoint file does not parse
  | "checkpoint_mac"; // the checkpoint file's MAC does not verify under this deployment's key

export class AuditError extends Error {
  override readonly name = "AuditError";
  readonly code: AuditErrorCode;
  constructor(code: AuditErrorCode, message: string, options?: { cause?: unknown }) {
    super(`${code}: ${message}`, options);
    this.code = code;
  }
}
