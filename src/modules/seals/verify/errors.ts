// Typed errors of seal verification: one class, a closed set of codes. Every code is a reason
// a verifier refuses a seal (or cannot decide its status); see docs/seals.md.

export type VerifyErrorCode =
  // the trust anchor (design note §4.2, §5.4 step 1)
  | "anchor_malformed"
  | "anchor_signature"
  | "anchor_version"
  | "anchor_expired"
  // the compact JWS (§5.4 step 2)
  | "jws_malformed"
  | "jws_alg"
  | "jws_typ"
  | "jws_crit"
  | "kid_unknown"
  | "key_not_valid"
  | "signature_invalid"
  // the VC 2.0 claims (§5.4 step 3)
  | "claims_malformed"
  | "claims_mismatch"
  | "issuer_mismatch"
  | "not_yet_valid"
  | "expired"
  // the log (§5.4 step 5)
  | "proof_malformed"
  | "checkpoint_origin"
  | "checkpoint_signature"
  | "entry_malformed"
  | "entry_mismatch"
  | "inclusion_failed"
  // the status lists (§5.4 step 6)
  | "status_unavailable"
  | "status_malformed"
  | "status_signature"
  | "status_purpose"
  | "status_expired"
  | "status_compression"
  | "status_length"
  | "status_index"
  | "status_rollback"
  // anything else: a verifier bug or a broken runtime (e.g. an Ed25519 implementation that throws)
  | "internal_error";

export class VerifyError extends Error {
  override readonly name = "VerifyError";
  readonly code: VerifyErrorCode;
  constructor(code: VerifyErrorCode, message: string, options?: { cause?: unknown }) {
    super(`${code}: ${message}`, options);
    this.code = code;
  }
}

export function reject(code: VerifyErrorCode, message: string): never {
  throw new VerifyError(code, message);
}

/**
 * Runs `f`; any exception that is not already a VerifyError becomes one with `code` (with
 * `all`, typed ones are recoded too).
 */
export async function as<T>(code: VerifyErrorCode, f: () => Promise<T> | T, all = false): Promise<T> {
  try {
    return await f();
  } catch (e) {
    if (e instanceof VerifyError && !all) throw e;
    throw new VerifyError(code, e instanceof Error ? e.message : String(e), { cause: e });
  }
}
