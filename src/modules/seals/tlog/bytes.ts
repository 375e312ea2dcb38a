// Byte helpers that run unchanged in Node and in browsers (no Buffer): strict base64,
// base64url, hex, UTF-8, SHA-256 through WebCrypto.

export type Bytes = Uint8Array<ArrayBuffer>;

const enc = new TextEncoder();
const dec = new TextDecoder("utf-8", { fatal: true });

export function utf8(s: string): Bytes {
  return enc.encode(s);
}

/** Decodes UTF-8, returning undefined on invalid sequences. */
export function fromUtf8(b: Uint8Array): string | undefined {
  try {
    return dec.decode(b);
  } catch {
    return undefined;
  }
}

export function concat(...parts: Uint8Array[]): Bytes {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export function equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= Number(a[i]) ^ Number(b[i]);
  return d === 0;
}

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

function encode(b: Uint8Array, alphabet: string, pad: boolean): string {
  const c = (n: number): string => alphabet.charAt(n & 63);
  let s = "";
  let i = 0;
  for (; i + 2 < b.length; i += 3) {
    const n = (Number(b[i]) << 16) | (Number(b[i + 1]) << 8) | Number(b[i + 2]);
    s += c(n >> 18) + c(n >> 12) + c(n >> 6) + c(n);
  }
  const rest = b.length - i;
  if (rest > 0) {
    const n = (Number(b[i]) << 16) | (rest === 2 ? Number(b[i + 1]) << 8 : 0);
    s += c(n >> 18) + c(n >> 12);
    s += rest === 2 ? c(n >> 6) : pad ? "=" : "";
    if (pad) s += "=";
  }
  return s;
}

/** Strict decoder: canonical encodings only (no stray padding, no non-zero trailing bits). */
function decode(s: string, alphabet: string, pad: boolean): Bytes | undefined {
  let body = s;
  if (pad) {
    if (s.length % 4 !== 0) return undefined;
    if (s.endsWith("==")) body = s.slice(0, -2);
    else if (s.endsWith("=")) body = s.slice(0, -1);
  }
  if (body.length % 4 === 1) return undefined;
  const out = new Uint8Array(Math.floor((body.length * 3) / 4));
  let bits = 0;
  let acc = 0;
  let o = 0;
  for (const ch of body) {
    const v = alphabet.indexOf(ch);
    if (v < 0) return undefined;
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 255;
    }
  }
  if ((acc & ((1 << bits) - 1)) !== 0) return undefined;
  return out;
}

export const base64 = (b: Uint8Array): string => encode(b, B64, true);
export const fromBase64 = (s: string): Bytes | undefined => decode(s, B64, true);
export const base64url = (b: Uint8Array): string => encode(b, B64URL, false);
export const fromBase64url = (s: string): Bytes | undefined => decode(s, B64URL, false);

export function hex(b: Uint8Array): string {
  let s = "";
  for (const x of b) s += x.toString(16).padStart(2, "0");
  return s;
}

export function fromHex(s: string): Bytes | undefined {
  if (s.length % 2 !== 0 || !/^[0-9a-f]*$/.test(s)) return undefined;
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(s.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export async function sha256(data: Uint8Array): Promise<Bytes> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", data as Bytes));
}

/** Parses a canonical decimal (no sign, no leading zeros) into a safe integer. */
export function parseDecimal(s: string): number | undefined {
  if (!/^(0|[1-9][0-9]{0,15})$/.test(s)) return undefined;
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : undefined;
}
