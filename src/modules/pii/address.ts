// Taiwan street addresses (pii.md §2.10), parsed backwards from the 號 of the house number:
// [zip] 縣市 鄉鎮市區 [村里] [鄰] 路/街/大道 [段] [巷] [弄] N[之M]號 [N樓[之M]] [N室].
// A hand-written linear scanner (no regex backtracking), bounded by fixed component lengths.
import { CITIES } from "./lexicon.ts";

const isHan = (c: number): boolean => c >= 0x4e00 && c <= 0x9fff;
const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const CN_NUM = "一二三四五六七八九十";
const isNumChar = (ch: string): boolean => CN_NUM.includes(ch) || (ch >= "0" && ch <= "9");
const DISTRICT_SUFFIX = "區鄉鎮市";
const STOP_BACK = "區鄉鎮市縣村里鄰";
/** Characters that end an address on the left (verbs and particles before it: 寄到…, 住在…, 地址…). */
const LEFT_STOP = "到在於寄送住至為是的往從址:：";

export interface AddressSpan { start: number; end: number; level: 1 | 2 | 3 }

/** Moves back over up to `max` digits ending before `p`; returns the new position (== p when none). */
function backDigits(text: string, p: number, max: number): number {
  let q = p;
  while (q > 0 && p - q < max && isDigit(text.charCodeAt(q - 1))) q--;
  return q;
}

function backNum(text: string, p: number, max: number): number {
  let q = p;
  while (q > 0 && p - q < max && isNumChar(text.charAt(q - 1))) q--;
  return q;
}

/** Han run ending before p, at most max chars, not crossing a stop suffix character. */
function backName(text: string, p: number, max: number, stops: string): number {
  let q = p;
  while (q > 0 && p - q < max && isHan(text.charCodeAt(q - 1)) && !stops.includes(text.charAt(q - 1)) && !LEFT_STOP.includes(text.charAt(q - 1))) q--;
  return q;
}

// Every county and city name is three characters ending in 市 or 縣 (checked at load).
const CITY_SET: ReadonlySet<string> = new Set(CITIES);
if (CITIES.some((c) => c.length !== 3 || !"市縣".includes(c.charAt(2)))) throw new Error("CITIES: expected three-character names ending in 市 or 縣");

function cityBefore(text: string, p: number): number {
  const last = text.charCodeAt(p - 1);
  if (last !== 0x5e02 && last !== 0x7e23) return -1; // 市, 縣
  return p >= 3 && CITY_SET.has(text.slice(p - 3, p)) ? p - 3 : -1;
}

const RE_SUB = /之\d{1,3}/y;
const RE_FLOOR = / ?(?:\d{1,3}|[一二三四五六七八九十]{1,3}|B\d)樓(?:之\d{1,3})?/y;
const RE_ROOM = / ?\d{1,4}室/y;

/** The end of a sticky match of `re` at e, or e when it does not match there. */
function forward(re: RegExp, text: string, e: number): number {
  re.lastIndex = e;
  return re.test(text) ? re.lastIndex : e;
}

/** Parses an address whose house-number 號 is at index `hao`; returns its span or null. */
export function parseAddressAt(text: string, hao: number): AddressSpan | null {
  // House number: N號, N之M號, N-M號.
  let p = backDigits(text, hao, 5);
  if (p === hao) return null;
  if (p > 1 && (text.charAt(p - 1) === "之" || text.charAt(p - 1) === "-") && isDigit(text.charCodeAt(p - 2))) {
    p = backDigits(text, p - 1, 5);
  }
  let hasRoad = false;
  let hasLocal = false;
  // 弄, 巷, 段 (optional, in this order backwards).
  for (const unit of ["弄", "衖", "巷"]) {
    if (text.charAt(p - 1) === unit) {
      const q = backDigits(text, p - 1, 4);
      if (q < p - 1) { p = q; hasLocal = true; }
    }
  }
  if (text.charAt(p - 1) === "段") {
    const q = backNum(text, p - 1, 3);
    if (q < p - 1) p = q;
  }
  // Road: ...路 / ...街 / ...大道
  const ch = text.charAt(p - 1);
  if (ch === "路" || ch === "街" || (ch === "道" && text.charAt(p - 2) === "大")) {
    const end = ch === "道" ? p - 2 : p - 1;
    let q = backName(text, end, 6, STOP_BACK);
    // A road name may itself start with a suffix character (市民大道, 區運路): extend by one when short.
    if (end - q < 2 && q > 0 && STOP_BACK.includes(text.charAt(q - 1))) q = backName(text, q - 1, 5, STOP_BACK);
    if (q < end || ch === "道") { p = q; hasRoad = true; }
  }
  // 鄰 and 村/里 (rural addresses without a road).
  if (text.charAt(p - 1) === "鄰") {
    const q = backDigits(text, p - 1, 3);
    if (q < p - 1) { p = q; hasLocal = true; }
  }
  if (text.charAt(p - 1) === "村" || text.charAt(p - 1) === "里") {
    const q = backName(text, p - 1, 3, STOP_BACK);
    if (q < p - 1) { p = q; hasLocal = true; }
  }
  if (!hasRoad && !hasLocal) return null;
  let start = p;
  let level: 1 | 2 | 3 = 1;
  // District: 2–4 chars ending in 區/鄉/鎮/市.
  if (DISTRICT_SUFFIX.includes(text.charAt(p - 1))) {
    const city = cityBefore(text, p);
    if (city >= 0) { p = city; level = 3; }
    else {
      const q = backName(text, p - 1, 3, "縣市");
      if (q < p - 1) {
        p = q; level = 2;
        const c2 = cityBefore(text, p);
        if (c2 >= 0) { p = c2; level = 3; }
      }
    }
    start = p;
  }
  // Postal code: 3, 5 or 6 digits, optionally followed by a space.
  if (level >= 2) {
    let z = p;
    if (text.charAt(z - 1) === " ") z--;
    const q = backDigits(text, z, 6);
    const n = z - q;
    // Zip codes start with 1–9 and are not the tail of a digit group ("0933 589 023 臺南市…").
    const before = text.charAt(q - 1), before2 = text.charCodeAt(q - 2);
    const tail = z < p && (before === " " || before === "-") && isDigit(before2);
    if ((n === 3 || n === 5 || n === 6) && text.charAt(q) !== "0" && !isDigit(text.charCodeAt(q - 1)) && !tail) start = q;
  }
  // Forward: 之M, floor, room (sticky regexes at e: no slice, no closure per address).
  let e = hao + 1;
  e = forward(RE_SUB, text, e);
  e = forward(RE_FLOOR, text, e);
  e = forward(RE_ROOM, text, e);
  return { start, end: e, level };
}

/** A whole cell of an address column: a parsable address, or a city followed by more text. */
export function isAddressValue(v: string): boolean {
  const i = v.indexOf("號");
  if (i >= 0 && parseAddressAt(v, i)) return true;
  if (v.length < 6) return false; // a city (3 characters) and at least 3 more
  for (let k = 2; k < v.length; k++) {
    const c = v.charCodeAt(k);
    if ((c === 0x5e02 || c === 0x7e23) && CITY_SET.has(v.slice(k - 2, k + 1))) return true;
  }
  return false;
}

// English-order addresses (the Ministry of the Interior's romanised form, smallest unit first):
// [3F., ][Rm. 5, ]No. 7[-1], [Aly. 2, ][Ln. 12, ][Sec. 5, ]Xinyi Rd., [Xinyi Dist., ][Taipei City][ 110][, Taiwan (R.O.C.)]
// Bounded repetitions over distinct token classes: linear, no nested quantifiers over the same characters.
const EN_WORD = String.raw`(?:[A-Z][a-z]{1,15}|[ENSW]\.|\d{1,2}(?:st|nd|rd|th))`;
const EN_PLACE = String.raw`[A-Z][a-z]{1,15}(?:'[a-z]{1,10})?(?:[ -][A-Z][a-z]{1,15})?`;
const RE_EN_ADDRESS = new RegExp(
  String.raw`No\. ?\d{1,5}(?:-\d{1,3})?, ?(?:Aly\. ?\d{1,4}, ?)?(?:Ln\. ?\d{1,4}, ?)?(?:Sec\. ?\d{1,2}, ?)?` +
  String.raw`(?<road>${EN_WORD}(?: ${EN_WORD}){0,3} (?:Rd|St|Blvd|Ave|Road|Street|Boulevard|Avenue)\.?)` +
  String.raw`(?:, ?(?<dist>${EN_PLACE} (?:Dist|Township|Twp|Vil)\.?))?` +
  String.raw`(?:, ?(?<city>${EN_PLACE} (?:City|County|Cty\.?)))?` +
  String.raw`(?: ?,? (?<zip>[1-9]\d{2}(?:\d{2,3})?)(?![0-9]))?` +
  String.raw`(?:, ?Taiwan(?: \(R\.O\.C\.\))?)?`, "y");
const RE_EN_PREFIX = /(?:(?:Rm\. ?\d{1,4}, ?)?(?:\d{1,3}F\.?(?:-\d{1,3})?|\d{1,3}(?:st|nd|rd|th) ?Fl(?:oor|\.)?|B\d ?F\.?), ?)$/;

/**
 * An English-order Taiwan address starting at the "No." at `at`, or null. Level 3 with a city or
 * county, 2 with a district, 1 with only a road (reported only next to an address cue).
 */
export function parseEnglishAddressAt(text: string, at: number): AddressSpan | null {
  RE_EN_ADDRESS.lastIndex = at;
  const m = RE_EN_ADDRESS.exec(text);
  if (!m) return null;
  let end = at + m[0].length;
  while (end > at && (text.charAt(end - 1) === "," || text.charAt(end - 1) === " ")) end--;
  const g = m.groups ?? {};
  const level: 1 | 2 | 3 = g.city !== undefined ? 3 : g.dist !== undefined ? 2 : 1;
  const pre = RE_EN_PREFIX.exec(text.slice(Math.max(0, at - 24), at));
  return { start: pre ? at - pre[0].length : at, end, level };
}
