// Validators for Taiwan identifiers and the generic types. Rules in our own words in
// ../shared/reference/pii.md §2; each function is pure, allocation-light and total (never throws).
import { isIP } from "node:net";

/** Letter values of the national-ID / resident-certificate area letter (pii.md §2.1). */
const AREA_VALUE: Readonly<Record<string, number>> = {
  A: 10, B: 11, C: 12, D: 13, E: 14, F: 15, G: 16, H: 17, I: 34, J: 18, K: 19, L: 20, M: 21,
  N: 22, O: 35, P: 23, Q: 24, R: 25, S: 26, T: 27, U: 28, V: 29, W: 32, X: 30, Y: 31, Z: 33,
};
const ID_WEIGHTS = [1, 9, 8, 7, 6, 5, 4, 3, 2, 1, 1] as const;

export type TwIdKind = "national" | "arc_new" | "arc_old";

function digitAt(s: string, i: number): number {
  const c = s.charCodeAt(i) - 48;
  return c >= 0 && c <= 9 ? c : -1;
}

/**
 * Classifies and validates a 10-character Taiwan personal identifier: national ID `[A-Z][12]\d{8}`,
 * new resident certificate `[A-Z][89]\d{8}` (2021) or old resident certificate `[A-Z][A-D]\d{8}`.
 * Returns the kind when the weighted mod-10 checksum holds, otherwise null.
 */
export function twIdKind(s: string): TwIdKind | null {
  if (s.length !== 10) return null;
  const area = AREA_VALUE[s.charAt(0)];
  if (area === undefined) return null;
  const second = s.charAt(1);
  let kind: TwIdKind;
  let v1: number;
  if (second === "1" || second === "2") { kind = "national"; v1 = digitAt(s, 1); }
  else if (second === "8" || second === "9") { kind = "arc_new"; v1 = digitAt(s, 1); }
  else if (second >= "A" && second <= "D") { kind = "arc_old"; v1 = (AREA_VALUE[second] ?? 0) % 10; }
  else return null;
  let sum = Math.floor(area / 10) * ID_WEIGHTS[0] + (area % 10) * ID_WEIGHTS[1] + v1 * ID_WEIGHTS[2];
  for (let i = 2; i < 10; i++) {
    const d = digitAt(s, i);
    if (d < 0) return null;
    sum += d * (ID_WEIGHTS[i + 1] ?? 0);
  }
  return sum % 10 === 0 ? kind : null;
}

export type UbnRule = "current" | "legacy";

/**
 * Unified Business Number (統一編號) checksum, pii.md §2.3: weights 1,2,1,2,1,2,4,1, digit sums of
 * the products; divisible by 5 (rule in force since 2023-04-01) or by 10 (legacy). When the 7th digit
 * is 7 the product 28 may count as 1 or 0, so sum+1 also qualifies.
 * Returns "both" when valid under the legacy rule too, "current" when only under the 2023 rule.
 */
export function ubnValidity(s: string): "both" | "current" | null {
  if (s.length !== 8) return null;
  const w = [1, 2, 1, 2, 1, 2, 4, 1];
  let sum = 0;
  for (let i = 0; i < 8; i++) {
    const d = digitAt(s, i);
    if (d < 0) return null;
    const p = d * (w[i] ?? 0);
    sum += Math.floor(p / 10) + (p % 10);
  }
  const seven = s.charAt(6) === "7";
  const ok = (div: number): boolean => sum % div === 0 || (seven && (sum + 1) % div === 0);
  if (ok(10)) return "both";
  if (ok(5)) return "current";
  return null;
}

export function isValidUbn(s: string, rule: UbnRule = "current"): boolean {
  const v = ubnValidity(s);
  return rule === "current" ? v !== null : v === "both";
}

/** Luhn mod-10 over a string of digits only. */
export function luhn(digits: string): boolean {
  let sum = 0;
  let dbl = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digitAt(digits, i);
    if (d < 0) return false;
    if (dbl) { d *= 2; if (d > 9) d -= 9; }
    sum += d;
    dbl = !dbl;
  }
  return digits.length > 0 && sum % 10 === 0;
}

export type CardBrand = "visa" | "mastercard" | "amex" | "jcb" | "unionpay" | "discover" | "diners";

/** Issuer (IIN prefix) and length table, pii.md §2.5. */
export function cardBrand(d: string): CardBrand | null {
  const n = d.length;
  const p2 = Number(d.slice(0, 2));
  const p3 = Number(d.slice(0, 3));
  const p4 = Number(d.slice(0, 4));
  if (d.startsWith("4")) return n === 13 || n === 16 || n === 19 ? "visa" : null;
  if ((p2 >= 51 && p2 <= 55) || (p4 >= 2221 && p4 <= 2720)) return n === 16 ? "mastercard" : null;
  if (p2 === 34 || p2 === 37) return n === 15 ? "amex" : null;
  if (p4 >= 3528 && p4 <= 3589) return n >= 16 && n <= 19 ? "jcb" : null;
  if (p4 === 6011 || (p3 >= 644 && p3 <= 649) || p2 === 65) return n >= 16 && n <= 19 ? "discover" : null;
  if (p2 === 62) return n >= 16 && n <= 19 ? "unionpay" : null;
  if ((p3 >= 300 && p3 <= 305) || p2 === 36 || p2 === 38 || p2 === 39) return n >= 14 && n <= 19 ? "diners" : null;
  return null;
}

export function isValidCard(digits: string): CardBrand | null {
  if (digits.length < 13 || digits.length > 19) return null;
  const brand = cardBrand(digits);
  return brand !== null && luhn(digits) ? brand : null;
}

const NON_DIGITS = /[^0-9]+/g;

/** Keeps only ASCII digits (the string itself when it has nothing else; runs once per candidate). */
export function onlyDigits(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return s.replace(NON_DIGITS, "");
  }
  return s;
}

/**
 * Normalises a Taiwan phone number (pii.md §2.4): strips separators, turns +886/886 into 0.
 * Returns the national form (leading 0) and its class, or null.
 */
export function classifyTwPhone(raw: string): { national: string; kind: "mobile" | "landline" | "tollfree" } | null {
  if (raw.length === 10 && raw.charCodeAt(0) === 48 && raw.charCodeAt(1) === 57 && onlyDigits(raw) === raw) return { national: raw, kind: "mobile" };
  const hash = raw.indexOf("#"); // "#" starts an extension
  let d = onlyDigits(hash < 0 ? raw : raw.slice(0, hash));
  if (d.startsWith("886")) d = "0" + d.slice(3).replace(/^0/, "");
  if (!d.startsWith("0")) return null;
  if (/^09\d{8}$/.test(d)) return { national: d, kind: "mobile" };
  if (/^080[09]\d{6}$/.test(d)) return { national: d, kind: "tollfree" };
  if (/^0(?:2\d{8}|[3-8]\d{7,8})$/.test(d)) return { national: d, kind: "landline" };
  return null;
}

function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

/** True when y-m-d is a real calendar date. */
export function isRealDate(y: number, m: number, d: number): boolean {
  if (!Number.isInteger(y) || m < 1 || m > 12 || d < 1) return false;
  const days = [31, isLeap(y) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1] ?? 0;
  return d <= days;
}

let year = 0, yearStarts = 0, yearEnds = 0;
/** The current UTC year, read from a clock only when it may have changed (this runs for every date candidate). */
function thisYear(): number {
  const now = Date.now();
  if (now >= yearEnds || now < yearStarts) {
    year = new Date(now).getUTCFullYear();
    yearStarts = Date.UTC(year, 0, 1);
    yearEnds = Date.UTC(year + 1, 0, 1);
  }
  return year;
}

/**
 * Parses a birth-date string in Gregorian or ROC (民國, year + 1911) form, pii.md §2.12.
 * Returns ISO yyyy-mm-dd for plausible birth dates (1900 … maxYear), otherwise null.
 */
export function parseBirthDate(raw: string, maxYear = thisYear()): string | null {
  const s = raw.trim();
  let y: number, m: number, d: number;
  let mm: RegExpExecArray | null;
  if ((mm = /^(?:民國|民国)\s?(\d{2,3})\s?年\s?(\d{1,2})\s?月\s?(\d{1,2})\s?日?$/.exec(s))) {
    y = Number(mm[1]) + 1911; m = Number(mm[2]); d = Number(mm[3]);
  } else if ((mm = /^((?:19|20)\d{2})\s?[-/.年]\s?(\d{1,2})\s?[-/.月]\s?(\d{1,2})\s?日?$/.exec(s))) {
    y = Number(mm[1]); m = Number(mm[2]); d = Number(mm[3]);
  } else if ((mm = /^(\d{2,3})\s?[-/.年]\s?(\d{1,2})\s?[-/.月]\s?(\d{1,2})\s?日?$/.exec(s))) {
    y = Number(mm[1]) + 1911; m = Number(mm[2]); d = Number(mm[3]);
  } else if ((mm = /^((?:19|20)\d{2})(\d{2})(\d{2})$/.exec(s))) {
    y = Number(mm[1]); m = Number(mm[2]); d = Number(mm[3]);
  } else if ((mm = /^(\d{3})(\d{2})(\d{2})$/.exec(s))) {
    y = Number(mm[1]) + 1911; m = Number(mm[2]); d = Number(mm[3]);
  } else if ((mm = /^(\d{1,2})\/(\d{1,2})\/((?:19|20)\d{2})$/.exec(s))) {
    // dd/mm/yyyy or mm/dd/yyyy: accept when either reading is a real date.
    y = Number(mm[3]);
    const a = Number(mm[1]), b = Number(mm[2]);
    if (isRealDate(y, b, a)) { m = b; d = a; } else { m = a; d = b; }
  } else return null;
  if (y < 1900 || y > maxYear || !isRealDate(y, m, d)) return null;
  return `${y}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}`;
}

/** IPv4/IPv6 via node:net, with private/public classification for the inventory. */
export function ipInfo(s: string): { version: 4 | 6; scope: "private" | "public" | "loopback" } | null {
  const v = isIP(s);
  if (v === 4) {
    const p = s.split(".").map(Number);
    const [a = 0, b = 0] = p;
    if (a === 127) return { version: 4, scope: "loopback" };
    if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254)) {
      return { version: 4, scope: "private" };
    }
    return { version: 4, scope: "public" };
  }
  if (v === 6) {
    const l = s.toLowerCase();
    if (l === "::1") return { version: 6, scope: "loopback" };
    if (l.startsWith("fe80:") || l.startsWith("fc") || l.startsWith("fd")) return { version: 6, scope: "private" };
    return { version: 6, scope: "public" };
  }
  return null;
}

/** Current-format licence plate: 3 letters without I/O, 4 digits without 4 (pii.md §2.9), or older shapes. */
export function isTwPlate(s: string): boolean {
  return /^[A-HJ-NP-Z]{3}-?[0-35-9]{4}$/.test(s) || /^(?:[A-Z]{2}-\d{4}|\d{4}-[A-Z]{2}|[A-Z]{3}-\d{3}|\d{3}-[A-Z]{3})$/.test(s);
}

/** ICAO 9303 check digit (weights 7,3,1; < = 0, A = 10 …). */
export function icaoCheckDigit(field: string): number {
  const w = [7, 3, 1];
  let sum = 0;
  for (let i = 0; i < field.length; i++) {
    const c = field.charCodeAt(i);
    let v = 0;
    if (c >= 48 && c <= 57) v = c - 48;
    else if (c >= 65 && c <= 90) v = c - 55;
    sum += v * (w[i % 3] ?? 0);
  }
  return sum % 10;
}

/** Validates the second line of a TD3 (passport) MRZ issued by Taiwan; returns the document number. */
export function twMrzLine2(line: string): string | null {
  if (line.length < 28 || line.slice(10, 13) !== "TWN") return null;
  const doc = line.slice(0, 9), dob = line.slice(13, 19), exp = line.slice(21, 27);
  if (icaoCheckDigit(doc) !== digitAt(line, 9)) return null;
  if (icaoCheckDigit(dob) !== digitAt(line, 19)) return null;
  if (icaoCheckDigit(exp) !== digitAt(line, 27)) return null;
  return doc.replace(/<+$/, "");
}

/** Bank codes (金融機構代號) of Taiwan's banks and postal savings, pii.md §2.6 (a subset). */
export const TW_BANK_CODES: ReadonlySet<string> = new Set([
  "004", "005", "006", "007", "008", "009", "011", "012", "013", "016", "017", "018", "021", "048", "050",
  "052", "053", "054", "081", "101", "102", "103", "108", "118", "147", "700", "803", "805", "806", "807",
  "808", "809", "810", "812", "815", "816", "822", "823", "824", "826",
]);
