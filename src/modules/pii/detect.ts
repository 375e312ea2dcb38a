// The detector engine: candidate regexes (all linear: bounded quantifiers, no nested quantifiers over
// the same characters), validators, character-window context cues, scores, overlap resolution.
// detect() works on one string and returns UTF-16 offsets into it.
import { foldWidth } from "./normalize.ts";
import type { Detection, EntityType, Reason } from "./pii.types.ts";
import { CueIndex, cueBit, maybeCue, startsCue, INVOICE_BIT, NEG_BIT, type GatedType, type Trigger } from "./cues.ts";
import type { ColumnClass } from "./lexicon.ts";
import {
  classifyTwPhone, ipInfo, isTwPlate, isValidCard, onlyDigits, parseBirthDate, twIdKind, twMrzLine2,
  ubnValidity, TW_BANK_CODES, type UbnRule,
} from "./validators.ts";
import { parseAddressAt, parseEnglishAddressAt, isAddressValue } from "./address.ts";
import { parseNameAfter, parseNameBefore, isNameValue } from "./names.ts";

export interface DetectOptions {
  /** Only these types (default: all). */
  types?: ReadonlySet<EntityType>;
  /** Drop detections scoring below this (default 0.5). */
  minScore?: number;
  /** UBN checksum rule: "current" (÷5, since 2023, accepts legacy numbers too) or "legacy" (÷10 only). */
  ubnRule?: UbnRule;
}

// Shared reason lists (detections never mutate them).
const R_CHE_HEA: Reason[] = ["checksum", "header"];
const R_GAZ_HEA: Reason[] = ["gazetteer", "header"];
const R_PAT: Reason[] = ["pattern"];
const R_PAT_CHE: Reason[] = ["pattern", "checksum"];
const R_PAT_CHE_CON: Reason[] = ["pattern", "checksum", "context"];
const R_PAT_CON: Reason[] = ["pattern", "context"];
const R_PAT_GAZ: Reason[] = ["pattern", "gazetteer"];
const R_PAT_GAZ_CON: Reason[] = ["pattern", "gazetteer", "context"];
const R_PAT_HEA: Reason[] = ["pattern", "header"];

const R_PAT_CON_CHE: Reason[] = ["pattern", "context", "checksum"];
const BEFORE = 24;
const AFTER = 12;
const VERSION_CUE = /(?:version|ver|v|版本).?$/i; // "v1.2.3.4", "Version 1.0.0.1": not addresses

// The cue-list bits of the shape-first types (cueBit looks them up in a map: these run per candidate).
const ID_CUES = cueBit("TW_NATIONAL_ID"), ARC_CUES = cueBit("TW_RESIDENT_CERT"), MOBILE_CUES = cueBit("TW_MOBILE");
const LANDLINE_CUES = cueBit("TW_LANDLINE"), CARD_CUES = cueBit("CREDIT_CARD"), CARRIER_CUES = cueBit("TW_EINVOICE_CARRIER");
const ADDRESS_CUES = cueBit("TW_ADDRESS");

/** True when a cue of the lists in `bits` lies within the window around [start, end). */
function hasCue(ctx: Ctx, start: number, end: number, bits: number): boolean {
  return ctx.cues.before(start, bits, BEFORE) < Infinity || ctx.cues.after(end, bits, AFTER);
}

/** True when a negative cue (order no., invoice, tracking …) is nearer before `start` than any cue of the lists in `bits`. */
function negativeNearer(ctx: Ctx, start: number, bits: number): boolean {
  const neg = ctx.cues.before(start, NEG_BIT, 16);
  if (neg === Infinity) return false;
  return neg < ctx.cues.before(start, bits, 16);
}

// ---- candidate patterns (linear; each quantified group consumes a distinct character) ----
const RE_ID = /(?<![A-Za-z0-9])[A-Z][1289A-D]\d{8}(?![A-Za-z0-9])/g;
const RE_MOBILE = /(?<![0-9A-Za-z+])(?:(?:\+|00)?886[- ]?(?:\(0\))?|0)9\d{2}[- ]?\d{3}[- ]?\d{3}(?![0-9])/g;
const RE_LANDLINE = /(?<![0-9A-Za-z+])(?:(?:\+|00)?886[- ]?\(?0?|\(0|0)[2-8]\d{0,3}\)?[- ]?\d{2,4}[- ]?\d{3,4}(?: ?(?:#|ext\.?|分機) ?\d{1,6})?(?![0-9])/g;
const RE_CARD = /(?<![0-9])[2-6](?:[ -]?\d){12,18}(?![0-9])/g;
const RE_IPV4 = /(?<![0-9.])(?:\d{1,3}\.){3}\d{1,3}(?![0-9]|\.\d)/g;
const RE_CARRIER = /(?<![0-9A-Za-z/.])\/[0-9A-Z.+-]{7}(?![0-9A-Za-z.+\-/])/g;
const RE_CDC = /(?<![A-Za-z0-9])[A-Z]{2}\d{14}(?![0-9])/g;
const RE_MRZ = /[0-9A-Z<]{9}\dTWN\d{6}\d[MFX<]\d{6}\d/g;
const RE_EMAIL_DOMAIN = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?){0,8}\.[A-Za-z]{2,24}/;

// Values searched for in a window after (or before) a cue word, for context-gated types.
const RE_UBN = /(?<![0-9])\d{8}(?![0-9])/g;
const RE_PASSPORT = /(?<![0-9A-Za-z])\d{9}(?![0-9])/g;
const RE_NHI = /(?<![0-9])\d{4} ?\d{4} ?\d{4}(?![0-9])/g;
const RE_BANK = /(?<![0-9])(?:\(\d{3}\) ?|\d{3}-)?\d(?:-?\d){9,15}(?![0-9])/g;
const RE_DATE = /(?:民國|民国) ?\d{2,3} ?年 ?\d{1,2} ?月 ?\d{1,2} ?日?|(?<![0-9])(?:(?:19|20)\d{2} ?[-/.年] ?\d{1,2} ?[-/.月] ?\d{1,2}(?: ?日)?|\d{2,3}[-/.]\d{1,2}[-/.]\d{1,2}|\d{2,3}年\d{1,2}月\d{1,2}日?|\d{1,2}\/\d{1,2}\/(?:19|20)\d{2}|(?:19|20)\d{6}|\d{7})(?![0-9])/g;
const RE_PLATE = /(?<![A-Za-z0-9])(?:[A-Z]{2,3}-?\d{3,4}|\d{3,4}-[A-Z]{2,3})(?![A-Za-z0-9])/g;

interface Ctx {
  text: string;
  /** The text with its validated cells (detectFolded's `full`), which a trigger word's window still reads; else `text`. */
  full: string;
  cues: CueIndex;
  out: Detection[];
  types: ReadonlySet<EntityType> | undefined;
  ubnRule: UbnRule;
}

function want(ctx: Ctx, t: EntityType): boolean {
  return ctx.types === undefined || ctx.types.has(t);
}

function push(ctx: Ctx, type: EntityType, start: number, end: number, score: number, reasons: Reason[], detail?: string): void {
  if (!want(ctx, type)) return;
  ctx.out.push({ type, start, end, score: Math.min(1, Math.round(score * 100) / 100), reasons, detail, column: null });
}

function onId(ctx: Ctx, s: number, raw: string): void {
  const kind = twIdKind(raw);
  if (!kind) return;
  const e = s + 10;
  if (kind === "national") {
    const cue = hasCue(ctx, s, e, ID_CUES);
    push(ctx, "TW_NATIONAL_ID", s, e, cue ? 1 : 0.9, cue ? R_PAT_CHE_CON : R_PAT_CHE, kind);
  } else {
    const cue = hasCue(ctx, s, e, ARC_CUES | ID_CUES);
    // Old-format certificates share their shape with e-invoice numbers (字軌 + 8 digits).
    if (kind === "arc_old" && ctx.cues.before(s, INVOICE_BIT, BEFORE) < ctx.cues.before(s, ARC_CUES, BEFORE)) return;
    const base = kind === "arc_new" ? 0.9 : 0.7;
    push(ctx, "TW_RESIDENT_CERT", s, e, cue ? 1 : base, cue ? R_PAT_CHE_CON : R_PAT_CHE, kind);
  }
}

function onMobile(ctx: Ctx, s: number, raw: string): void {
  const e = s + raw.length;
  const p = classifyTwPhone(raw);
  if (p?.kind !== "mobile") return;
  if (negativeNearer(ctx, s, MOBILE_CUES)) return;
  const cue = hasCue(ctx, s, e, MOBILE_CUES);
  const bare = /^\d{10}$/.test(raw);
  push(ctx, "TW_MOBILE", s, e, cue ? 1 : bare ? 0.75 : 0.85, cue ? R_PAT_CON : R_PAT, "mobile");
}

function onLandline(ctx: Ctx, s: number, raw: string): void {
  const e = s + raw.length;
  const p = classifyTwPhone(raw);
  if (p?.kind !== "landline") return;
  if (negativeNearer(ctx, s, LANDLINE_CUES)) return;
  const cue = hasCue(ctx, s, e, LANDLINE_CUES | MOBILE_CUES);
  const shaped = /[-()+ ]/.test(raw);
  if (!shaped && !cue) return;
  push(ctx, "TW_LANDLINE", s, e, cue ? 1 : 0.8, cue ? R_PAT_CON : R_PAT, "landline");
}

/**
 * The card in a RE_CARD match: the longest prefix ending before a separator (or the whole match)
 * that passes Luhn with an issuer's prefix and length. A greedy match may have swallowed a following
 * number group, so each separator is tried from the right. Returns its length and brand, or null.
 */
function cardIn(matched: string): { length: number; brand: string } | null {
  const digits = onlyDigits(matched);
  let brand = isValidCard(digits);
  if (brand) return { length: matched.length, brand };
  for (let i = matched.length - 1, nd = digits.length; i > 0 && nd >= 13; i--) {
    const c = matched.charCodeAt(i);
    if (c >= 48 && c <= 57) nd--;
    else if ((brand = isValidCard(digits.slice(0, nd)))) return { length: i, brand };
  }
  return null;
}

function onCard(ctx: Ctx, s: number, e: number, brand: string): void {
  const cue = hasCue(ctx, s, e, CARD_CUES);
  const neg = negativeNearer(ctx, s, CARD_CUES);
  let score = cue ? 1 : 0.85;
  if (neg) score = 0.3;
  if (!cue && e - s === 13) score = 0.45; // EAN-13 look-alikes
  push(ctx, "CREDIT_CARD", s, e, score, cue ? R_PAT_CHE_CON : R_PAT_CHE, brand);
}

const EMAIL_LOCAL = (c: number): boolean =>
  (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 46 || c === 95 || c === 37 || c === 43 || c === 45;

function detectEmails(ctx: Ctx): void {
  if (!want(ctx, "EMAIL")) return;
  const { text } = ctx;
  let at = text.indexOf("@");
  while (at >= 0) {
    let s = at;
    while (s > 0 && at - s < 64 && EMAIL_LOCAL(text.charCodeAt(s - 1))) s--;
    while (s < at && text.charCodeAt(s) === 46) s++; // no leading dot
    if (s < at) {
      const dm = RE_EMAIL_DOMAIN.exec(text.slice(at + 1, at + 256));
      if (dm) {
        const e = at + 1 + dm[0].length;
        const next = text.charCodeAt(e);
        const tooLong = (next >= 48 && next <= 57) || (next >= 65 && next <= 90) || (next >= 97 && next <= 122) || next === 45 || next === 95;
        if (!tooLong) push(ctx, "EMAIL", s, e, 0.95, R_PAT);
      }
    }
    at = text.indexOf("@", at + 1);
  }
}

function onIpv4(ctx: Ctx, s: number, raw: string): void {
  const info = ipInfo(raw);
  if (!info) return;
  // Version numbers such as "v1.2.3.4" or "Version 1.0.0.1".
  if (VERSION_CUE.test(ctx.text.slice(Math.max(0, s - 9), s))) return;
  push(ctx, "IP_ADDRESS", s, s + raw.length, 0.9, R_PAT_CHE, info.scope);
}

const isHexOrColon = (c: number): boolean => (c >= 48 && c <= 58) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);

const isWordOrDot = (c: number): boolean => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 46;

/**
 * True when text[s, e) has the colons of an IPv6 address without a dotted IPv4 part (the only kind this
 * scan's span can hold): seven, or a "::" and fewer. Times such as 12:00:01 then skip node:net's check.
 */
function colonsFit(text: string, s: number, e: number): boolean {
  let colons = 0, double = false;
  for (let i = s; i < e; i++) {
    if (text.charCodeAt(i) !== 58) continue;
    colons++;
    if (text.charCodeAt(i + 1) === 58) double = true;
  }
  return double ? colons <= 8 : colons === 7;
}

/** IPv6: from each "x:x" colon, expand over hex digits and colons (bounded), then validate with node:net. */
function detectIpv6(ctx: Ctx): void {
  const { text } = ctx;
  let next = 0;
  for (let i = text.indexOf(":"); i >= 0; i = text.indexOf(":", Math.max(i + 1, next))) {
    if (i < next) continue;
    let s = i, e = i + 1;
    while (s > 0 && i - s < 45 && isHexOrColon(text.charCodeAt(s - 1))) s--;
    while (e < text.length && e - i < 45 && isHexOrColon(text.charCodeAt(e))) e++;
    next = e;
    if (e - s < 6 || isWordOrDot(text.charCodeAt(s - 1)) || isWordOrDot(text.charCodeAt(e)) || !colonsFit(text, s, e)) continue;
    const v = text.slice(s, e);
    let groups = 0;
    for (const g of v.split(":")) if (g.length > 0) groups++;
    if (groups < 3) continue;
    const info = ipInfo(v);
    if (info?.version !== 6) continue;
    push(ctx, "IP_ADDRESS", s, e, 0.9, R_PAT_CHE, info.scope);
  }
}

function onCarrier(ctx: Ctx, s: number, raw: string): void {
  const e = s + 8;
  const cue = hasCue(ctx, s, e, CARRIER_CUES);
  const body = raw.slice(1);
  if (!cue && !(/[0-9.+-]/.test(body) && /[A-Z]/.test(body))) return;
  push(ctx, "TW_EINVOICE_CARRIER", s, e, cue ? 0.95 : 0.6, cue ? R_PAT_CON : R_PAT, "mobile-barcode");
}

function onCdc(ctx: Ctx, s: number): void {
  const e = s + 16;
  const cue = hasCue(ctx, s, e, CARRIER_CUES);
  push(ctx, "TW_EINVOICE_CARRIER", s, e, cue ? 0.95 : 0.6, cue ? R_PAT_CON : R_PAT, "citizen-certificate");
}

// ---- one pass over the text for the shape-first detectors ----
// Each candidate regex is run sticky, only at positions where its lookbehind holds and a cheap test
// of the next characters says it could match, and only from where its previous match ended (what a
// global regex's lastIndex does). So the matches are exactly those of one global pass per regex,
// found in one loop instead of seven passes over the text.
const sticky = (re: RegExp): RegExp => new RegExp(re.source, "y");
const Y_ID = sticky(RE_ID), Y_MOBILE = sticky(RE_MOBILE), Y_LANDLINE = sticky(RE_LANDLINE), Y_CARD = sticky(RE_CARD);
const Y_IPV4 = sticky(RE_IPV4), Y_CARRIER = sticky(RE_CARRIER), Y_CDC = sticky(RE_CDC);

const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isUpper = (c: number): boolean => c >= 65 && c <= 90;
const isLetter = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
const isAlnum = (c: number): boolean => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);

/** Matches of one kind, in order: starts and ends. */
class Spans {
  s: number[] = [];
  e: number[] = [];
  add(s: number, e: number): void { this.s.push(s); this.e.push(e); }
}

/** Sticky match of `re` at i: its end, or -1. */
function at(re: RegExp, text: string, i: number): number {
  re.lastIndex = i;
  return re.test(text) ? re.lastIndex : -1;
}

/** True when at least 13 digits follow from i, with single spaces or dashes between them (a card could start here). */
function cardLength(text: string, i: number): boolean {
  let d = 0;
  for (let j = i, n = text.length; j < n && d < 13; j++) {
    const c = text.charCodeAt(j);
    if (isDigit(c)) d++;
    else if (!(d > 0 && (c === 32 || c === 45) && isDigit(text.charCodeAt(j + 1)))) return false;
  }
  return d >= 13;
}

/** Calls a shape's validator with each of its matches (a plain function: see valueHit). */
function eachSpan(ctx: Ctx, sp: Spans, f: (ctx: Ctx, s: number, raw: string) => void): void {
  const text = ctx.text;
  for (let k = 0; k < sp.s.length; k++) { const s = sp.s[k] ?? 0; f(ctx, s, text.slice(s, sp.e[k])); }
}

/**
 * The one pass: records the cue words (into ctx.cues) and the matches of the shape-first regexes,
 * then runs their validators and scores in detector order (scores need the whole cue index).
 */
function detectShapes(ctx: Ctx): void {
  const text = ctx.text, n = text.length, cues = ctx.cues;
  const ids = new Spans(), mobiles = new Spans(), landlines = new Spans(), ipv4 = new Spans(), carriers = new Spans(), cdcs = new Spans(), cards = new Spans();
  const brands: string[] = [];
  const wantCards = want(ctx, "CREDIT_CARD"), wantIp = want(ctx, "IP_ADDRESS"), wantCarrier = want(ctx, "TW_EINVOICE_CARRIER");
  const wantMobile = want(ctx, "TW_MOBILE"), wantLandline = want(ctx, "TW_LANDLINE");
  let nId = 0, nMobile = 0, nLandline = 0, nCard = 0, nIp = 0, nCarrier = 0, nCdc = 0;
  let prev = -1;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    const p = prev;
    prev = c;
    if (c >= 128) {
      if (startsCue(c) && maybeCue(text, i)) cues.visitCjk(i);
      continue;
    }
    if (c >= 97 && c <= 122) {
      if (startsCue(c) && !isLetter(p) && maybeCue(text, i)) cues.visitAscii(i);
      continue;
    }
    if (c >= 48 && c <= 57) {
      if (isDigit(p)) continue;
      const c1 = text.charCodeAt(i + 1), c2 = text.charCodeAt(i + 2);
      if (wantIp && i >= nIp && p !== 46 && (c1 === 46 || (isDigit(c1) && (c2 === 46 || (isDigit(c2) && text.charCodeAt(i + 3) === 46))))) {
        const e = at(Y_IPV4, text, i);
        if (e >= 0) { ipv4.add(i, e); nIp = e; }
      }
      if (wantCards && i >= nCard && c >= 50 && c <= 54 && cardLength(text, i)) {
        const e = at(Y_CARD, text, i);
        if (e >= 0) {
          const card = cardIn(text.slice(i, e));
          if (card) { cards.add(i, i + card.length); brands.push(card.brand); nCard = i + card.length; } else nCard = e;
        }
      }
      if (isAlnum(p) || p === 43) continue;
      // 09…, 0[2-8]…, 886…, 00886…
      const intl = (c === 56 && c1 === 56 && c2 === 54) || (c === 48 && c1 === 48 && c2 === 56);
      if (wantMobile && i >= nMobile && ((c === 48 && c1 === 57) || intl)) {
        const e = at(Y_MOBILE, text, i);
        if (e >= 0) { mobiles.add(i, e); nMobile = e; }
      }
      if (wantLandline && i >= nLandline && ((c === 48 && c1 >= 50 && c1 <= 56) || intl)) {
        const e = at(Y_LANDLINE, text, i);
        if (e >= 0) { landlines.add(i, e); nLandline = e; }
      }
    } else if (c >= 65 && c <= 90) {
      if (startsCue(c) && !isLetter(p) && maybeCue(text, i)) cues.visitAscii(i);
      if (isAlnum(p)) continue;
      const c1 = text.charCodeAt(i + 1);
      if (i >= nId && (isDigit(c1) || (c1 >= 65 && c1 <= 68)) && isDigit(text.charCodeAt(i + 2))) {
        const e = at(Y_ID, text, i);
        if (e >= 0) { ids.add(i, e); nId = e; }
      }
      if (wantCarrier && i >= nCdc && isUpper(c1) && isDigit(text.charCodeAt(i + 2))) {
        const e = at(Y_CDC, text, i);
        if (e >= 0) { cdcs.add(i, e); nCdc = e; }
      }
    } else if (c === 43 || c === 40) {
      // +886…, (0…
      if (isAlnum(p) || p === 43) continue;
      const c1 = text.charCodeAt(i + 1);
      if (c === 43 ? c1 !== 56 : c1 !== 48) continue;
      if (wantMobile && c === 43 && i >= nMobile) {
        const e = at(Y_MOBILE, text, i);
        if (e >= 0) { mobiles.add(i, e); nMobile = e; }
      }
      if (wantLandline && i >= nLandline) {
        const e = at(Y_LANDLINE, text, i);
        if (e >= 0) { landlines.add(i, e); nLandline = e; }
      }
    } else if (c === 47) {
      if (!wantCarrier || i < nCarrier || isAlnum(p) || p === 47 || p === 46) continue;
      const e = at(Y_CARRIER, text, i);
      if (e >= 0) { carriers.add(i, e); nCarrier = e; }
    }
  }
  // Handled in the order of the detectors before the single pass, so that ties between detections
  // of equal span and score resolve as they always did.
  eachSpan(ctx, ids, onId);
  eachSpan(ctx, mobiles, onMobile);
  eachSpan(ctx, landlines, onLandline);
  for (let k = 0; k < cards.s.length; k++) onCard(ctx, cards.s[k] ?? 0, cards.e[k] ?? 0, brands[k] ?? "");
  detectEmails(ctx);
  eachSpan(ctx, ipv4, onIpv4);
  if (wantIp) detectIpv6(ctx);
  eachSpan(ctx, carriers, onCarrier);
  for (const s of cdcs.s) onCdc(ctx, s);
}

function detectMrz(ctx: Ctx): void {
  if (!want(ctx, "TW_PASSPORT") || !ctx.text.includes("TWN")) return;
  RE_MRZ.lastIndex = 0;
  for (let m = RE_MRZ.exec(ctx.text); m; m = RE_MRZ.exec(ctx.text)) {
    const doc = twMrzLine2(m[0]);
    if (doc) push(ctx, "TW_PASSPORT", m.index, m.index + doc.length, 1, R_PAT_CHE, "mrz");
  }
}

function detectAddresses(ctx: Ctx): void {
  if (!want(ctx, "TW_ADDRESS")) return;
  const { text } = ctx;
  let lastEnd = -1;
  for (let i = text.indexOf("號"); i >= 0; i = text.indexOf("號", i + 1)) {
    if (i < lastEnd) continue;
    const a = parseAddressAt(text, i);
    if (!a) continue;
    const cue = hasCue(ctx, a.start, a.end, ADDRESS_CUES);
    if (a.level < 2 && !cue) continue;
    const score = a.level >= 3 ? 0.95 : a.level === 2 ? 0.85 : 0.75;
    push(ctx, "TW_ADDRESS", a.start, a.end, cue ? Math.max(score, 0.9) : score, cue ? R_PAT_GAZ_CON : R_PAT_GAZ);
    lastEnd = a.end;
  }
  // English order: "No. 7, Sec. 5, Xinyi Rd., Xinyi Dist., Taipei City 110".
  lastEnd = -1;
  for (let i = text.indexOf("No."); i >= 0; i = text.indexOf("No.", i + 3)) {
    if (i < lastEnd || (i > 0 && /[A-Za-z0-9]/.test(text.charAt(i - 1)))) continue;
    const a = parseEnglishAddressAt(text, i);
    if (!a) continue;
    const cue = hasCue(ctx, a.start, a.end, ADDRESS_CUES);
    if (a.level < 2 && !cue) continue;
    const score = a.level >= 3 ? 0.95 : a.level === 2 ? 0.85 : 0.75;
    push(ctx, "TW_ADDRESS", a.start, a.end, cue ? Math.max(score, 0.9) : score, cue ? R_PAT_CON : R_PAT, "english");
    lastEnd = a.end;
  }
}

function hasDigit(text: string, a: number, b: number): boolean {
  for (let i = Math.max(0, a); i < b && i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) return true;
  }
  return false;
}

function searchWindow(ctx: Ctx, re: RegExp, a: number, b: number, nearestFirst: boolean): Array<[number, string]> {
  if (!hasDigit(ctx.full, a, b)) return [];
  const w = ctx.full.slice(Math.max(0, a), b);
  const base = Math.max(0, a);
  const out: Array<[number, string]> = [];
  re.lastIndex = 0;
  for (let m = re.exec(w); m; m = re.exec(w)) out.push([base + m.index, m[0]]);
  return nearestFirst ? out : out.reverse();
}

function gatedValue(ctx: Ctx, t: GatedType, s: number, raw: string, reasons: Reason[], score: number): boolean {
  const e = s + raw.length;
  switch (t) {
    case "TW_BUSINESS_NUMBER": {
      const v = ubnValidity(raw);
      if (!v || (ctx.ubnRule === "legacy" && v !== "both")) return false;
      push(ctx, t, s, e, score, reasons === R_PAT_CON ? R_PAT_CON_CHE : [...reasons, "checksum"], v === "both" ? "both-rules" : "2023-rule");
      return true;
    }
    case "TW_PASSPORT":
    case "TW_NHI_CARD":
      push(ctx, t, s, e, score, reasons);
      return true;
    case "TW_BANK_ACCOUNT": {
      const code = /^\((\d{3})\)|^(\d{3})-/.exec(raw);
      const codeStr = code ? (code[1] ?? code[2] ?? "") : "";
      if (code && !TW_BANK_CODES.has(codeStr)) return false;
      const digits = onlyDigits(code ? raw.slice(code[0].length) : raw);
      if (digits.length < 10 || digits.length > 16) return false;
      if (classifyTwPhone(raw)?.kind === "mobile" && !code) return false;
      push(ctx, t, s, e, score, reasons, code ? `bank-${codeStr}` : undefined);
      return true;
    }
    case "DATE_OF_BIRTH": {
      if (!parseBirthDate(raw)) return false;
      push(ctx, t, s, e, score, reasons);
      return true;
    }
    case "TW_LICENSE_PLATE":
      if (!isTwPlate(raw)) return false;
      push(ctx, t, s, e, score, reasons);
      return true;
    case "PERSON_NAME_ZH":
      return false;
  }
}

const GATED_RE: Record<Exclude<GatedType, "PERSON_NAME_ZH">, RegExp> = {
  TW_BUSINESS_NUMBER: RE_UBN, TW_PASSPORT: RE_PASSPORT, TW_NHI_CARD: RE_NHI, TW_BANK_ACCOUNT: RE_BANK,
  DATE_OF_BIRTH: RE_DATE, TW_LICENSE_PLATE: RE_PLATE,
};

function onCue(ctx: Ctx, tr: Trigger): void {
  const text = ctx.full; // a window after (or before) a trigger word reads validated cells too, as it always did
  const cs = tr.start, ce = tr.end;
  for (const t of tr.types) {
    if (!want(ctx, t)) continue;
    if (t === "PERSON_NAME_ZH") {
      const isSuffix = tr.suffix;
      const n = isSuffix ? parseNameBefore(text, cs) : parseNameAfter(text, ce);
      if (n) push(ctx, t, n.start, n.end, 0.9, R_PAT_GAZ_CON);
      continue;
    }
    const re = GATED_RE[t];
    // After the cue first (up to 40 chars, not past a line end), then just before it ("22099131（統編）").
    // (The line end is looked for within the window only: indexOf("\n") read on to the segment's end
    // for every trigger, and a segment of one long line full of trigger words took seconds.)
    let b = Math.min(text.length, ce + 40);
    for (let i = ce; i < b; i++) if (text.charCodeAt(i) === 10) { b = i; break; }
    let found = false;
    for (const [s, raw] of searchWindow(ctx, re, ce, b, true)) {
      if (gatedValue(ctx, t, s, raw, R_PAT_CON, 0.9)) { found = true; break; }
    }
    if (!found) {
      const a = Math.max(0, cs - 20);
      const near = searchWindow(ctx, re, a, cs, false)[0];
      if (near && cs - (near[0] + near[1].length) <= 3) gatedValue(ctx, t, near[0], near[1], R_PAT_CON, 0.85);
    }
  }
}

function detectGated(ctx: Ctx): void {
  for (const tr of ctx.cues.triggers) onCue(ctx, tr);
}

const isAnchor = (d: Detection): boolean => d.type === "TW_MOBILE" || d.type === "TW_LANDLINE" || d.type === "EMAIL" || d.type === "TW_NATIONAL_ID" || d.type === "TW_ADDRESS";

/**
 * Names written right before another personal-data item ("陳志明 0912-345-678", "林美玲/臺北市…"): the
 * items found in the text, then `more` (the cells a column validated, which the free-text pass did not look into).
 */
function detectAdjacentNames(ctx: Ctx, more: readonly Detection[]): void {
  if (!want(ctx, "PERSON_NAME_ZH")) return;
  const anchors = ctx.out.filter(isAnchor);
  for (const d of more) if (isAnchor(d)) anchors.push(d);
  for (const d of anchors) {
    let p = d.start;
    let gap = 0;
    while (p > 0 && gap < 2) {
      const c = ctx.text.charAt(p - 1);
      if (c === " " || c === "," || c === "，" || c === "/" || c === "、" || c === "\t" || c === "(" || c === "（") { p--; gap++; } else break;
    }
    const n = parseNameBefore(ctx.text, p);
    if (n) push(ctx, "PERSON_NAME_ZH", n.start, n.end, 0.6, R_PAT_GAZ);
  }
}

const TYPE_RANK: Partial<Record<EntityType, number>> = {
  TW_NATIONAL_ID: 9, TW_RESIDENT_CERT: 9, CREDIT_CARD: 8, EMAIL: 8, TW_PASSPORT: 7, TW_BUSINESS_NUMBER: 7,
  TW_MOBILE: 6, TW_ADDRESS: 6, TW_BANK_ACCOUNT: 5, DATE_OF_BIRTH: 5, TW_LANDLINE: 4,
};

const rank = (d: Detection): number => TYPE_RANK[d.type] ?? 0;
const better = (a: Detection, b: Detection): boolean =>
  a.score !== b.score ? a.score > b.score
    : rank(a) !== rank(b) ? rank(a) > rank(b)
      : a.end - a.start > b.end - b.start;
const byStartThenLongest = (a: Detection, b: Detection): number => a.start - b.start || b.end - a.end;

const KEY_START = 2 ** 20, KEY_INDEX = 2 ** 13;
let keys = new Float64Array(1024);

/**
 * Sorts by start, longest first, equal spans in their current order (what a stable sort with
 * byStartThenLongest gives). Each detection becomes one exact double (start, inverted length, index:
 * 20 + 20 + 13 bits) and a native numeric sort orders them; beyond those sizes, the comparator sort.
 */
function sortByStartThenLongest(ds: Detection[]): Detection[] {
  const n = ds.length;
  if (n < 2) return ds;
  if (n >= KEY_INDEX) return ds.sort(byStartThenLongest);
  if (keys.length < n) keys = new Float64Array(Math.max(n, keys.length * 2));
  for (let k = 0; k < n; k++) {
    const d = ds[k];
    if (d === undefined || d.start >= KEY_START || d.end - d.start >= KEY_START) return ds.sort(byStartThenLongest);
    keys[k] = (d.start * KEY_START + (KEY_START - 1 - (d.end - d.start))) * KEY_INDEX + k;
  }
  const view = keys.subarray(0, n).sort();
  const out: Detection[] = new Array<Detection>(n);
  for (let j = 0; j < n; j++) {
    const key = view[j] ?? 0;
    out[j] = ds[key - Math.floor(key / KEY_INDEX) * KEY_INDEX] as Detection;
  }
  return out;
}

/** The sweep of resolveOverlaps over detections already sorted by start, longest first. */
function keepBest(ds: readonly Detection[]): Detection[] {
  const out: Detection[] = [];
  for (const d of ds) {
    const last = out[out.length - 1];
    if (last && d.start < last.end) {
      if (last.type === d.type && last.start === d.start && last.end === d.end) {
        if (d.score > last.score) out[out.length - 1] = d;
      } else if (better(d, last)) out[out.length - 1] = d;
      continue;
    }
    out.push(d);
  }
  return out;
}

/** Keeps the best of overlapping detections: higher score, then checksum-bearing type, then longer span. */
export function resolveOverlaps(ds: Detection[]): Detection[] {
  return keepBest(sortByStartThenLongest(ds));
}

/**
 * resolveOverlaps(a.concat(b)) for `a` already resolved (sorted, no overlaps): when `b` is sorted too,
 * the two are merged (ties: `a` first, as the stable sort would keep them) instead of sorted again.
 */
export function resolveOverlapsWith(a: Detection[], b: Detection[]): Detection[] {
  for (let k = 1; k < b.length; k++) if (byStartThenLongest(b[k - 1] as Detection, b[k] as Detection) > 0) return resolveOverlaps(a.concat(b));
  const merged: Detection[] = [];
  let i = 0, j = 0;
  while (i < a.length || j < b.length) {
    const x = a[i], y = b[j];
    if (y === undefined || (x !== undefined && byStartThenLongest(x, y) <= 0)) { merged.push(x as Detection); i++; } else { merged.push(y); j++; }
  }
  return keepBest(merged);
}

/**
 * Finds personal data in one string. Offsets are UTF-16 indices into `text` (full-width forms are
 * folded internally without moving offsets). Never throws; cost is linear in the text length.
 */
export function detect(text: string, opts: DetectOptions = {}): Detection[] {
  const folded = foldWidth(text);
  return detectFolded(folded, opts, NO_DETECTIONS, folded);
}

const NO_DETECTIONS: readonly Detection[] = [];

/**
 * detect() for structured text whose validated cells have been blanked out (emitter.ts): `cellHits`, the
 * detections of those cells, still anchor the names written right before them, and the window after
 * (or before) a trigger word reads `full`, the text before blanking: it takes the first value there, and
 * a blanked one must not let it reach the next (a birthday key's date, not the order date after it).
 * Both texts come folded (foldWidth, which keeps offsets): the emitter folds a segment once for both.
 */
export function detectFolded(folded: string, opts: DetectOptions, cellHits: readonly Detection[], full: string): Detection[] {
  const ctx: Ctx = {
    text: folded, full, cues: new CueIndex(folded, false), out: [], types: opts.types, ubnRule: opts.ubnRule ?? "current",
  };
  detectShapes(ctx);
  detectMrz(ctx);
  detectAddresses(ctx);
  detectGated(ctx);
  detectAdjacentNames(ctx, cellHits);
  const min = opts.minScore ?? 0.5;
  return resolveOverlaps(ctx.out.filter((d) => d.score >= min));
}

/**
 * detectValue's detection of `type` over [s, e), or null when the type is not wanted. A plain function,
 * not a closure inside detectValue: V8 optimised a closure created per call again and again, for
 * every file (bench/RESULTS.md, pii run 9).
 */
function valueHit(opts: DetectOptions, s: number, e: number, type: EntityType, score: number, reasons: Reason[], detail?: string): Detection | null {
  if (opts.types && !opts.types.has(type)) return null;
  return { type, start: s, end: e, score, reasons, detail, column: null };
}

/**
 * Validates a whole cell whose column header (or JSON key) was classified as `cls`. Returns a detection
 * over the trimmed value, or null. Used for structured inputs where the header is the context.
 */
export function detectValue(cls: ColumnClass, value: string, opts: DetectOptions = {}): Detection | null {
  if (cls === "NEGATIVE" || cls === "UNKNOWN") return null;
  const lead = value.length - value.trimStart().length;
  const v = foldWidth(value.trim());
  if (v.length === 0 || v.length > 200) return null;
  const s = lead, e = lead + v.length;
  switch (cls) {
    case "TW_NATIONAL_ID":
    case "TW_RESIDENT_CERT": {
      const k = twIdKind(v);
      if (!k) return null;
      return valueHit(opts, s, e, k === "national" ? "TW_NATIONAL_ID" : "TW_RESIDENT_CERT", 1, R_CHE_HEA, k);
    }
    case "TW_BUSINESS_NUMBER": {
      const r = ubnValidity(v);
      if (!r || (opts.ubnRule === "legacy" && r !== "both")) return null;
      return valueHit(opts, s, e, cls, 0.95, R_CHE_HEA, r === "both" ? "both-rules" : "2023-rule");
    }
    case "TW_MOBILE":
    case "TW_LANDLINE": {
      if (!/^[0-9+()\- #]{8,24}$/.test(v)) return null;
      const p = classifyTwPhone(v);
      if (!p || p.kind === "tollfree") return null;
      return valueHit(opts, s, e, p.kind === "mobile" ? "TW_MOBILE" : "TW_LANDLINE", 1, R_PAT_HEA, p.kind);
    }
    case "CREDIT_CARD": {
      if (!/^[0-9 -]{13,23}$/.test(v)) return null;
      const b = isValidCard(onlyDigits(v));
      return b ? valueHit(opts, s, e, cls, 1, R_CHE_HEA, b) : null;
    }
    case "TW_BANK_ACCOUNT": {
      if (!/^(?:\(\d{3}\) ?|\d{3}-)?[0-9][0-9-]{9,20}$/.test(v)) return null;
      const n = onlyDigits(v).length;
      return n >= 10 && n <= 19 ? valueHit(opts, s, e, cls, 0.95, R_PAT_HEA) : null;
    }
    case "EMAIL":
      return /^[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,24}$/.test(v) ? valueHit(opts, s, e, cls, 1, R_PAT_HEA) : null;
    case "IP_ADDRESS": {
      const i = ipInfo(v);
      return i ? valueHit(opts, s, e, cls, 1, R_CHE_HEA, i.scope) : null;
    }
    case "DATE_OF_BIRTH":
      return parseBirthDate(v) ? valueHit(opts, s, e, cls, 0.95, R_PAT_HEA) : null;
    case "TW_ADDRESS":
      return isAddressValue(v) ? valueHit(opts, s, e, cls, 0.95, R_PAT_HEA) : null;
    case "PERSON_NAME_ZH":
      return isNameValue(v) ? valueHit(opts, s, e, cls, 0.95, R_GAZ_HEA) : null;
    case "TW_PASSPORT":
      return /^\d{9}$/.test(v) ? valueHit(opts, s, e, cls, 0.95, R_PAT_HEA) : null;
    case "TW_NHI_CARD":
      return /^\d{4} ?\d{4} ?\d{4}$/.test(v) ? valueHit(opts, s, e, cls, 0.9, R_PAT_HEA) : null;
    case "TW_EINVOICE_CARRIER":
      return /^\/[0-9A-Z.+-]{7}$/.test(v) || /^[A-Z]{2}\d{14}$/.test(v) ? valueHit(opts, s, e, cls, 0.95, R_PAT_HEA) : null;
    case "TW_LICENSE_PLATE":
      return isTwPlate(v) ? valueHit(opts, s, e, cls, 0.9, R_PAT_HEA) : null;
  }
}

/** Types that a NEGATIVE column (order numbers, invoice numbers, SKUs, dates …) suppresses. */
export const SUPPRESSED_BY_NEGATIVE_COLUMN: ReadonlySet<EntityType> = new Set([
  "TW_MOBILE", "TW_LANDLINE", "TW_BANK_ACCOUNT", "TW_BUSINESS_NUMBER", "TW_PASSPORT", "TW_NHI_CARD", "DATE_OF_BIRTH",
  "TW_RESIDENT_CERT", "CREDIT_CARD", "TW_LICENSE_PLATE",
]);
