// Protection operators on detected values, usable from shops' own code (field-level helpers):
//   mask       type-aware display mask (王○明, A12****789, 0912-***-678)
//   keep-last  all but the last N letters/digits replaced
//   redact     replaced by a type label, e.g. [TW_MOBILE]
//   hmac       keyed HMAC-SHA-256 token over the normalised value: the same person gives the same
//              token in every file (joins still work), without the key it cannot be reversed
//   encrypt    AES-256-GCM (NIST SP 800-38D), random 96-bit IV, AAD binding type and key id;
//              reversible with `unprotect` and the key.
// hmac and encrypt escape token-like text of the input ("{{pii:" written plainly or with JSON \u
// escapes) by writing "lit:" after it, and unprotect removes that mark again: a token pasted into a
// note comes back as the text it was, never decrypted (escapeLiteralText, unprotectText).
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

/** What every token begins with. */
const OPEN = "{{pii:";
/** Written after a token-like "{{pii:" of the input by hmac and encrypt: it is text, not a token. */
export const LITERAL_MARK = "lit:";
/** "{{pii:" character by character as a JSON escape: u007b u007b u0070 u0069 u0069 u003a. */
const OPEN_ESCAPED = Array.from(OPEN, (c) => `u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
/**
 * Where a token-like "{{pii:" may start: two of "{" / \u007b. A native search for the pair costs a
 * quarter of a loop over each "{" and "\" on JSON. Used by one loop at a time.
 */
const RE_OPEN_PAIR = /\{\{|\{\\u007[bB]|\\u007[bB]\{|\\u007[bB]\\u007[bB]/g;
/** Longest a token-like "{{pii:" is: six JSON escapes. */
const MAX_OPEN = 36;
/** Longest a token is (RE_ENC_TOKEN): an unfinished one is waited for at most this far. */
const MAX_TOKEN = 9000;

/**
 * "{{pii:" as written at s[i], each character plain or as a JSON escape (\u007b, \u007B, \u003a …),
 * so that the text stays token-like once a JSON reader decodes it: its length (6 to 36), 0 if there
 * is none, -1 if `s` ends before that can be told.
 */
export function tokenOpenAt(s: string, i: number): number {
  let j = i;
  for (let k = 0; k < OPEN.length; k++) {
    if (j >= s.length) return -1;
    const c = s.charCodeAt(j);
    if (c === OPEN.charCodeAt(k)) { j++; continue; }
    if (c !== 0x5c) return 0;
    const esc = OPEN_ESCAPED[k] ?? "";
    for (let h = 0; h < esc.length; h++) {
      if (j + 1 + h >= s.length) return -1;
      const x = s.charCodeAt(j + 1 + h), want = esc.charCodeAt(h);
      // hex digits in either case; the "u" itself only in lower case, as JSON has it
      if (x !== want && !(want >= 0x61 && want <= 0x66 && x === want - 0x20)) return 0;
    }
    j += 1 + esc.length;
  }
  return j - i;
}

/** The first place from `from` where `s` ends inside what may be a token-like "{{pii:", or -1. */
function unfinishedOpen(s: string, from: number): number {
  for (let j = Math.max(from, s.length - MAX_OPEN + 1); j < s.length; j++) {
    const c = s.charCodeAt(j);
    if ((c === 0x7b || c === 0x5c) && tokenOpenAt(s, j) < 0) return j;
  }
  return -1;
}

/**
 * Escapes text that goes around tokens, fed in pieces: LITERAL_MARK after each token-like "{{pii:"
 * (tokenOpenAt). Text without one comes back unchanged. A piece's end that may be the start of one is
 * held back until the next piece, or `end()`.
 */
export class LiteralEscaper {
  private held = "";

  push(piece: string): string {
    const s = this.held === "" ? piece : this.held + piece;
    this.held = "";
    let out = "", from = 0;
    const re = RE_OPEN_PAIR;
    re.lastIndex = 0;
    for (let m = re.exec(s); m !== null; m = re.exec(s)) {
      const n = tokenOpenAt(s, m.index);
      if (n > 0) {
        out += s.slice(from, m.index + n) + LITERAL_MARK;
        from = re.lastIndex = m.index + n;
      } else {
        re.lastIndex = m.index + 1; // "{{{pii:": the pair at the next character
      }
    }
    // Occurrences never overlap: after one that `s` ends in the middle of, none is complete.
    const hold = unfinishedOpen(s, from);
    if (hold >= 0) {
      this.held = s.slice(hold);
      return out + s.slice(from, hold);
    }
    return from === 0 ? s : out + s.slice(from);
  }

  /** What was held back: the text ends (or a token follows), so it is no token-like text. */
  end(): string {
    const h = this.held;
    this.held = "";
    return h;
  }
}

/**
 * Escapes text that will stand beside tokens, so that unprotectText gives it back as it is, whatever it
 * holds: for code that builds its own text around encryptValue / hmacToken output.
 */
export function escapeLiteralText(text: string): string {
  const e = new LiteralEscaper();
  return e.push(text) + e.end();
}

/** Operators whose output holds tokens, and so escapes token-like text of the input. */
export function escapesLiterals(op: Operator): boolean {
  return op.kind === "encrypt" || op.kind === "hmac";
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

/**
 * Replaces spans (sorted, non-overlapping after the first) in `text` with the operator's output; with
 * hmac and encrypt the text between them is escaped (escapeLiteralText).
 */
export function replaceSpans(text: string, spans: ReadonlyArray<{ start: number; end: number; type: EntityType }>, op: Operator): string {
  const lit = escapesLiterals(op) ? escapeLiteralText : (s: string): string => s;
  let out = "";
  let last = 0;
  for (const s of spans) {
    if (s.start < last) continue;
    out += lit(text.slice(last, s.start)) + applyOperator(op, s.type, text.slice(s.start, s.end));
    last = s.end;
  }
  return out + lit(text.slice(last));
}

const RE_ENC_AT = new RegExp(RE_ENC_TOKEN.source, "y");

export interface Unprotected { text: string; decrypted: number; failed: number }

/**
 * Restores text written by protect, left to right: a token-like "{{pii:" followed by LITERAL_MARK
 * loses the mark; an encrypted token is decrypted (one that fails is left as it is and counted); any
 * other text is kept. Unless `final`, stops before a token or escape that `text` ends in the middle
 * of, and `consumed` says where (streams: the rest goes before the next piece).
 */
export function unprotectPrefix(text: string, keys: KeyRing, final = false): Unprotected & { consumed: number } {
  let out = "", from = 0, decrypted = 0, failed = 0;
  const stop = (at: number): Unprotected & { consumed: number } => ({ text: out + text.slice(from, at), consumed: at, decrypted, failed });
  const re = RE_OPEN_PAIR;
  re.lastIndex = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const i = m.index, n = tokenOpenAt(text, i);
    if (n <= 0) { re.lastIndex = i + 1; continue; } // unfinished ones: below
    const after = i + n;
    if (text.startsWith(LITERAL_MARK, after)) {
      out += text.slice(from, after);
      from = re.lastIndex = after + LITERAL_MARK.length;
      continue;
    }
    if (!final && text.length - after < LITERAL_MARK.length && LITERAL_MARK.startsWith(text.slice(after))) return stop(i);
    if (n === OPEN.length) {
      RE_ENC_AT.lastIndex = i;
      const t = RE_ENC_AT.exec(text);
      if (t !== null) {
        let value = t[0];
        try {
          value = decryptToken(t[0], keys).value;
          decrypted++;
        } catch {
          failed++;
        }
        out += text.slice(from, i) + value;
        from = re.lastIndex = i + t[0].length;
        continue;
      }
      // a token may still be on its way (its characters hold no "}")
      if (!final && text.indexOf("}}", after) < 0 && text.length - i < MAX_TOKEN) return stop(i);
    }
    re.lastIndex = after;
  }
  const cut = final ? -1 : unfinishedOpen(text, from);
  if (cut >= 0) return stop(cut);
  return { text: from === 0 ? text : out + text.slice(from), consumed: text.length, decrypted, failed };
}

/**
 * Decrypts every encrypted token in `text` and removes the escapes of token-like text, so that
 * unprotectText(protectText(x, encrypt).text) === x for every x; tokens that fail are left as they
 * are and counted.
 */
export function unprotectText(text: string, keys: KeyRing): Unprotected {
  const r = unprotectPrefix(text, keys, true);
  return { text: r.text, decrypted: r.decrypted, failed: r.failed };
}

/** Detects personal data in `text` and applies the operator to each finding (library entry point). */
export function protectText(text: string, op: Operator, opts: DetectOptions = {}): { text: string; replaced: number } {
  const ds = detect(text, opts);
  return { text: replaceSpans(text, ds, op), replaced: ds.length };
}
