// Display masking of detected values (the `masked` field of findings and the `mask` operator's default).
// Taiwan conventions: 王○明 for names, A12****789 for IDs, first 6 / last 4 digits for cards (PCI DSS).
import type { EntityType } from "./pii.types.ts";

/** Letters, digits and CJK characters are masked; separators and punctuation stay. */
const isAlnum = (c: number): boolean =>
  (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 0xff10 && c <= 0xff5a) ||
  (c >= 0x3400 && c <= 0x9fff) || (c >= 0xf900 && c <= 0xfaff);

const STARS = Array.from({ length: 33 }, (_, n) => "*".repeat(n));
/** `ch` n times; runs of "*" (the default) come from a table. */
const repeat = (ch: string, n: number): string => (ch === "*" && n < STARS.length ? (STARS[n] ?? "") : ch.repeat(n));

/** Masks letters/digits/CJK except the first `head` and last `tail` of them; separators are kept. */
export function maskMiddle(v: string, head: number, tail: number, ch = "*"): string {
  let total = 0, plain = true;
  for (let i = 0; i < v.length; i++) if (isAlnum(v.charCodeAt(i))) total++; else plain = false;
  if (head + tail >= total) { head = Math.min(head, Math.floor(total / 3)); tail = Math.min(tail, Math.floor(total / 3)); }
  // No separators (most IDs, phones and cards): one repeat between two slices.
  if (plain) return total - head - tail <= 0 ? v : v.slice(0, head) + repeat(ch, total - head - tail) + v.slice(total - tail);
  // Copies runs of kept characters as slices and masked runs as repeats: a handful of strings per
  // value instead of one per character (this runs once per finding).
  let out = "";
  let k = 0, from = 0, masked = 0;
  for (let i = 0; i < v.length; i++) {
    if (!isAlnum(v.charCodeAt(i))) { if (masked > 0) { out += repeat(ch, masked); masked = 0; from = i; } continue; }
    const hide = k >= head && k < total - tail;
    k++;
    if (hide) { if (masked === 0) out += v.slice(from, i); masked++; }
    else if (masked > 0) { out += repeat(ch, masked); masked = 0; from = i; }
  }
  return masked > 0 ? out + repeat(ch, masked) : out + v.slice(from);
}

/** Keeps only the last `n` alphanumerics visible (keep-last-N). */
export function keepLast(v: string, n: number, ch = "*"): string {
  return maskMiddle(v, 0, n, ch);
}

export function maskName(v: string): string {
  let pairs = false;
  for (let i = 0; i < v.length && !pairs; i++) pairs = (v.charCodeAt(i) & 0xfc00) === 0xd800;
  if (!pairs) {
    // One code unit per character (nearly every name): no array of characters.
    if (v.length <= 1) return "○";
    if (v.length === 2) return `${v.charAt(0)}○`;
    return v.charAt(0) + "○".repeat(v.length - 2) + v.charAt(v.length - 1);
  }
  const chars = Array.from(v);
  if (chars.length <= 1) return "○";
  if (chars.length === 2) return `${chars[0] ?? ""}○`;
  return (chars[0] ?? "") + "○".repeat(chars.length - 2) + (chars[chars.length - 1] ?? "");
}

export function maskEmail(v: string): string {
  const at = v.indexOf("@");
  if (at <= 0) return maskMiddle(v, 1, 0);
  return `${v.charAt(0)}${"*".repeat(Math.max(1, at - 1))}${v.slice(at)}`;
}

/** Keeps the zip, county/city and district of an address (up to the first 區/鄉/鎮/市 after the city), masks the rest. */
export function maskAddress(v: string): string {
  let k = 0;
  while (k < v.length && k < 6 && v.charCodeAt(k) >= 48 && v.charCodeAt(k) <= 57) k++;
  if (v.charAt(k) === " ") k++;
  const city = v.charAt(k + 2);
  if (city === "縣" || city === "市") k += 3;
  for (let i = k + 1; i < Math.min(v.length, k + 5); i++) {
    if ("區鄉鎮市".includes(v.charAt(i))) { k = i + 1; break; }
  }
  k = Math.max(0, Math.min(k, v.length - 3));
  return v.slice(0, k) + "*".repeat(Math.max(1, v.length - k));
}

/** The default display mask for a type. */
export function maskFor(type: EntityType, v: string): string {
  switch (type) {
    case "TW_NATIONAL_ID":
    case "TW_RESIDENT_CERT":
      return maskMiddle(v, 3, 3);
    case "CREDIT_CARD":
      return maskMiddle(v, 6, 4);
    case "TW_MOBILE":
    case "TW_LANDLINE":
      return maskMiddle(v, 4, 3);
    case "EMAIL":
      return maskEmail(v);
    case "PERSON_NAME_ZH":
      return maskName(v);
    case "TW_ADDRESS":
      return maskAddress(v);
    case "IP_ADDRESS":
      return v.includes(":") ? v.replace(/[0-9a-fA-F]+$/, "*") : v.replace(/\d+$/, "*").replace(/\.\d+\.\*$/, ".*.*");
    case "DATE_OF_BIRTH":
      return maskMiddle(v, 0, 0);
    default:
      return keepLast(v, 3);
  }
}
