// Protection operators on detected values, usable from shops' own code (field-level helpers):
//   mask       type-aware display mask (王○明, A12****789, 0912-***-678)
//   keep-last  all but the last N letters/digits replaced
//   redact     replaced by a type label, e.g. [TW_MOBILE]
//   hmac       keyed HMAC-SHA-256 token over the normalised value: the same person gives the same
//              token in every file (joins still work), without the key it cannot be reversed
//   encrypt    AES-256-GCM (NIST SP 800-38D), random 96-bit IV, AAD binding type and key id;
//              reversible with `unprotect` and the key.
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from "node:crypto";
import { deriveKey, HKDF_INFO_AEAD, HKDF_INFO_HMAC, KeyError, type KeyRing } from "./keys.ts";
import { keepLast, maskFor } from "./mask.ts";
import { foldWidth } from "./normalize.ts";
import { isEntityType, type EntityType } from "./pii.types.ts";
import { detect, type DetectOptions } from "./detect.ts";
import { classifyTwPhone, onlyDigits } from "./validators.ts";

export type Operator =
  | { kind: "mask" }
  | { kind: "keep-last"; n: number }
  | { kind: "redact" }
  | { kind: "hmac"; keys: KeyRing }
  | { kind: "encrypt"; keys: KeyRing };

const AAD_PREFIX = "ectrust/pii/enc1";
/** Encrypted tokens in text: {{pii:enc1:TYPE:keyid:base64url(iv ‖ ciphertext ‖ tag)}}. */
export const RE_ENC_TOKEN = /\{\{pii:enc1:([A-Z_]{2,32}):([A-Za-z0-9_-]{1,32}):([A-Za-z0-9_-]{38,8000})\}\}/g;

const RE_ENC_ONE = /^\{\{pii:enc1:([A-Z_]{2,32}):([A-Za-z0-9_-]{1,32}):([A-Za-z0-9_-]{38,8000})\}\}$/;

/** The canonical form that HMAC tokens are computed over, so that 0912-345-678 and +886912345678 match. */
export function canonicalValue(type: EntityType, value: string): string {
  const v = foldWidth(value).trim();
  switch (type) {
    case "TW_MOBILE":
    case "TW_LANDLINE":
      return classifyTwPhone(v)?.national ?? onlyDigits(v);
    case "CREDIT_CARD":
    case "TW_BANK_ACCOUNT":
    case "TW_NHI_CARD":
    case "TW_PASSPORT":
    case "TW_BUSINESS_NUMBER":
      return onlyDigits(v);
    case "TW_NATIONAL_ID":
    case "TW_RESIDENT_CERT":
    case "TW_LICENSE_PLATE":
      return v.toUpperCase().replace(/[\s-]/g, "");
    case "EMAIL":
      return v.toLowerCase();
    default:
      return v.replace(/\s+/g, " ").replace(/台/g, "臺");
  }
}

/** Keyed, deterministic pseudonym: {{pii:tok:TYPE:22 base64url chars}} (128 bits of HMAC-SHA-256). */
export function hmacToken(type: EntityType, value: string, keys: KeyRing): string {
  const master = keys.keys.get(keys.active);
  if (!master) throw new KeyError("KEY_MISSING", "active key missing");
  const mac = createHmac("sha256", deriveKey(master, HKDF_INFO_HMAC)).update(`${type}\u0000${canonicalValue(type, value)}`).digest();
  return `{{pii:tok:${type}:${mac.subarray(0, 16).toString("base64url")}}}`;
}

export function encryptValue(type: EntityType, value: string, keys: KeyRing): string {
  const master = keys.keys.get(keys.active);
  if (!master) throw new KeyError("KEY_MISSING", "active key missing");
  const iv = randomBytes(12);
  const c = createCipheriv("aes-256-gcm", deriveKey(master, HKDF_INFO_AEAD), iv);
  c.setAAD(Buffer.from(`${AAD_PREFIX}|${type}|${keys.active}`));
  const ct = Buffer.concat([c.update(value, "utf8"), c.final()]);
  return `{{pii:enc1:${type}:${keys.active}:${Buffer.concat([iv, ct, c.getAuthTag()]).toString("base64url")}}}`;
}

export class DecryptError extends Error {
  readonly code: "UNKNOWN_KEY" | "BAD_TOKEN" | "AUTH_FAILED";
  constructor(code: DecryptError["code"], message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "DecryptError";
    this.code = code;
  }
}

/** Decrypts one {{pii:enc1:…}} token; throws DecryptError when the key is unknown or the tag fails. */
export function decryptToken(token: string, keys: KeyRing): { type: EntityType; value: string } {
  const m = RE_ENC_ONE.exec(token);
  if (!m) throw new DecryptError("BAD_TOKEN", "not an encrypted-value token");
  const [, type = "", kid = "", b64 = ""] = m;
  if (!isEntityType(type)) throw new DecryptError("BAD_TOKEN", "unknown entity type in token");
  const master = keys.keys.get(kid);
  if (!master) throw new DecryptError("UNKNOWN_KEY", `no key with id ${kid}`);
  const raw = Buffer.from(b64, "base64url");
  if (raw.length < 28) throw new DecryptError("BAD_TOKEN", "token too short");
  // Base64 decoding ignores a trailing character and the spare bits of the last one: such a token
  // decrypted as if unaltered. Only the text encryptValue writes is accepted.
  if (raw.toString("base64url") !== b64) throw new DecryptError("BAD_TOKEN", "token is not in canonical base64url");
  const d = createDecipheriv("aes-256-gcm", deriveKey(master, HKDF_INFO_AEAD), raw.subarray(0, 12));
  d.setAAD(Buffer.from(`${AAD_PREFIX}|${type}|${kid}`));
  d.setAuthTag(raw.subarray(raw.length - 16));
  try {
    const value = Buffer.concat([d.update(raw.subarray(12, raw.length - 16)), d.final()]).toString("utf8");
    return { type, value };
  } catch (e) {
    throw new DecryptError("AUTH_FAILED", "authentication failed (wrong key or altered token)", { cause: e });
  }
}

/** Applies an operator to one detected value. */
export function applyOperator(op: Operator, type: EntityType, value: string): string {
  switch (op.kind) {
    case "mask": return maskFor(type, value);
    case "keep-last": return keepLast(value, op.n);
    case "redact": return `[${type}]`;
    case "hmac": return hmacToken(type, value, op.keys);
    case "encrypt": return encryptValue(type, value, op.keys);
  }
}

/** Replaces spans (sorted, non-overlapping after the first) in `text` with the operator's output. */
export function replaceSpans(text: string, spans: ReadonlyArray<{ start: number; end: number; type: EntityType }>, op: Operator): string {
  let out = "";
  let last = 0;
  for (const s of spans) {
    if (s.start < last) continue;
    out += text.slice(last, s.start) + applyOperator(op, s.type, text.slice(s.start, s.end));
    last = s.end;
  }
  return out + text.slice(last);
}

/** Decrypts every encrypted token in `text`; tokens that fail are left as they are and counted. */
export function unprotectText(text: string, keys: KeyRing): { text: string; decrypted: number; failed: number } {
  let decrypted = 0, failed = 0;
  const out = text.replace(RE_ENC_TOKEN, (tok) => {
    try {
      const r = decryptToken(tok, keys);
      decrypted++;
      return r.value;
    } catch {
      failed++;
      return tok;
    }
  });
  return { text: out, decrypted, failed };
}

/** Detects personal data in `text` and applies the operator to each finding (library entry point). */
export function protectText(text: string, op: Operator, opts: DetectOptions = {}): { text: string; replaced: number } {
  const ds = detect(text, opts);
  return { text: replaceSpans(text, ds, op), replaced: ds.length };
}
