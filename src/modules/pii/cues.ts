// The cue index: every context cue word of every list (each type's cues, the negative cues, the
// invoice cues, the gated types' trigger words and the name honorifics), found in ONE linear pass
// over a segment. Detectors then ask "is there a cue of list L within N characters before/after
// this position, on the same line?" by a binary search instead of slicing a window and running a
// regex per candidate (pii.md §4.3: one pass, context only around candidates).
//
// Matching: zh-TW words anywhere; ASCII words case-insensitively and only at a word start (the
// character before is not an ASCII letter), so "hotel" is not a "tel" cue. Trigger words for the
// context-gated types also need a word end for ASCII words, and are taken leftmost-longest and
// non-overlapping, as an alternation regex would take them.
import { CUES, NAME_SUFFIXES, NEGATIVE_CUES } from "./lexicon.ts";
import type { EntityType } from "./pii.types.ts";

/** Context-gated types: reported only next to one of their trigger words. */
export type GatedType = "TW_BUSINESS_NUMBER" | "TW_PASSPORT" | "TW_NHI_CARD" | "TW_BANK_ACCOUNT" | "DATE_OF_BIRTH" | "TW_LICENSE_PLATE" | "PERSON_NAME_ZH";
export const GATED: readonly GatedType[] = ["TW_BUSINESS_NUMBER", "TW_PASSPORT", "TW_NHI_CARD", "TW_BANK_ACCOUNT", "DATE_OF_BIRTH", "TW_LICENSE_PLATE", "PERSON_NAME_ZH"];

export const INVOICE_CUES: readonly string[] = ["發票", "invoice", "字軌"];

// One bit per cue list.
const CUE_TYPES_WITH_LISTS = Object.keys(CUES) as EntityType[];
const TYPE_BIT = new Map<EntityType, number>(CUE_TYPES_WITH_LISTS.map((t, i) => [t, 1 << i]));
export const NEG_BIT = 1 << CUE_TYPES_WITH_LISTS.length;
export const INVOICE_BIT = NEG_BIT << 1;
if (CUE_TYPES_WITH_LISTS.length + 2 > 30) throw new Error("too many cue lists for a 31-bit mask");

/** The bit of a type's cue list (0 when the type has no cues). */
export function cueBit(t: EntityType): number {
  return TYPE_BIT.get(t) ?? 0;
}

interface Word {
  w: string;
  ascii: boolean;
  /** Lists this word belongs to (bits). */
  mask: number;
  /** Gated types this word triggers, when it is a trigger. */
  trigger: readonly GatedType[] | null;
  suffix: boolean;
}

const isAsciiWord = (w: string): boolean => /^[ -~]*$/.test(w);
const WORDS = new Map<string, Word>();
const word = (w: string): Word => {
  let x = WORDS.get(w);
  if (!x) { x = { w, ascii: isAsciiWord(w), mask: 0, trigger: null, suffix: false }; WORDS.set(w, x); }
  return x;
};
for (const t of CUE_TYPES_WITH_LISTS) for (const w of CUES[t] ?? []) word(w).mask |= cueBit(t);
for (const w of NEGATIVE_CUES) word(w).mask |= NEG_BIT;
for (const w of INVOICE_CUES) word(w).mask |= INVOICE_BIT;
for (const t of GATED) {
  for (const w of CUES[t] ?? []) {
    if (t === "TW_BUSINESS_NUMBER" && (w === "公司" || w === "發票")) continue; // too common as a trigger; still counted as context
    const x = word(w);
    x.trigger = [...(x.trigger ?? []), t];
  }
}
for (const s of NAME_SUFFIXES) { const x = word(s); x.trigger = ["PERSON_NAME_ZH"]; x.suffix = true; }

/** Words by their first code unit (ASCII lower-cased), longest first. */
const BY_FIRST: Word[][] = [];
const NONE: Word[] = [];
/** Index into BY_FIRST + 1 for each code unit that starts a cue word (ASCII letters in both cases); 0 otherwise. */
const FIRST = new Uint16Array(65536);
for (const x of [...WORDS.values()].sort((a, b) => b.w.length - a.w.length)) {
  const c = x.w.charCodeAt(0);
  if (FIRST[c] === 0) { BY_FIRST.push([]); FIRST[c] = BY_FIRST.length; }
  (BY_FIRST[(FIRST[c] ?? 1) - 1] ?? NONE).push(x);
  if (c >= 97 && c <= 122) FIRST[c - 32] = FIRST[c] ?? 0;
}

/**
 * A filter on a cue word's first two code units (ASCII lower-cased), hashed into 64 K bits: a position
 * whose pair is not set starts no cue word, and its list is not tried. Common characters such as 小,
 * 生, 同, 出 and 會 start cue words (小姐, 生日 …) but are mostly followed by something else.
 */
const PAIRS = new Uint8Array(8192);
const pairHash = (c: number, c1: number): number => (Math.imul(c, 0x9e3779b1) ^ c1) & 0xffff;
const lower = (c: number): number => (c >= 65 && c <= 90 ? c + 32 : c);
/** Code units that a one-unit cue word is (none today; kept exact should a list gain one). */
const SINGLE = new Uint8Array(65536);
for (const x of WORDS.values()) {
  const c = lower(x.w.charCodeAt(0));
  if (x.w.length === 1) { SINGLE[c] = 1; continue; } // (maybeCue looks it up lower-cased)
  const h = pairHash(c, lower(x.w.charCodeAt(1)));
  PAIRS[h >> 3] = (PAIRS[h >> 3] ?? 0) | (1 << (h & 7));
}

/** False when no cue word can start at i: its first two code units are no cue word's (the filter above). */
export function maybeCue(text: string, i: number): boolean {
  const c = lower(text.charCodeAt(i));
  if (SINGLE[c] === 1) return true;
  const h = pairHash(c, lower(text.charCodeAt(i + 1)));
  return ((PAIRS[h >> 3] ?? 0) & (1 << (h & 7))) !== 0;
}

/** True when some cue word starts with the code unit c (ASCII letters in either case). */
export function startsCue(c: number): boolean {
  return FIRST[c] !== 0;
}

const isLetter = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);

function matches(text: string, i: number, x: Word): boolean {
  if (!x.ascii) return text.startsWith(x.w, i);
  const w = x.w;
  if (i + w.length > text.length) return false;
  for (let k = 1; k < w.length; k++) {
    let c = text.charCodeAt(i + k);
    if (c >= 65 && c <= 90) c += 32;
    if (c !== w.charCodeAt(k)) return false;
  }
  return true;
}

/** A trigger occurrence: a gated type's cue word at [start, end). */
export interface Trigger { word: string; start: number; end: number; types: readonly GatedType[]; suffix: boolean }

/** All cue occurrences of one segment, sorted by start. */
export class CueIndex {
  readonly text: string;
  readonly starts: number[] = [];
  readonly ends: number[] = [];
  readonly masks: number[] = [];
  readonly triggers: Trigger[] = [];

  private freeCjk = 0;
  private freeAscii = 0;

  /**
   * With `scan` false the index starts empty and the caller visits the text itself (detect.ts does,
   * in the same loop that finds the shape-first candidates), calling visitCjk / visitAscii.
   */
  constructor(text: string, scan = true) {
    this.text = text;
    if (!scan) return;
    // Every position whose character starts some cue word (zh-TW words anywhere; ASCII words at a
    // word start, any case) is tried against the words starting with that character. One table
    // lookup per character: cheaper than an alternation regex of all words over Han text.
    let prevLetter = false;
    for (let i = 0, n = text.length; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c < 128) {
        const letter = (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
        if (letter && !prevLetter && FIRST[c] !== 0 && maybeCue(text, i)) this.visitAscii(i);
        prevLetter = letter;
        continue;
      }
      prevLetter = false; // "議address": a word starts after a Han character, as in detect.ts's pass
      if (FIRST[c] !== 0 && maybeCue(text, i)) this.visitCjk(i);
    }
  }

  /** Records the zh-TW cue words starting at i (call for every i whose character startsCue, in order; those that fail maybeCue may be left out). */
  visitCjk(i: number): void {
    this.freeCjk = this.at(this.text, i, this.freeCjk);
  }

  /** Records the ASCII cue words starting at i (call at each word start whose letter startsCue, in order; those that fail maybeCue may be left out). */
  visitAscii(i: number): void {
    this.freeAscii = this.at(this.text, i, this.freeAscii);
  }

  /** Records the cue words starting at `i`; returns the new end of the last trigger (non-overlapping triggers). */
  private at(text: string, i: number, free: number): number {
    const c = text.charCodeAt(i);
    const ascii = c < 128;
    const list = BY_FIRST[(FIRST[c] ?? 0) - 1] ?? NONE;
    for (const x of list) {
      if (!matches(text, i, x)) continue;
      const e = i + x.w.length;
      if (x.mask !== 0) { this.starts.push(i); this.ends.push(e); this.masks.push(x.mask); }
      if (x.trigger === null || i < free) continue;
      if (ascii && e < text.length && isLetter(text.charCodeAt(e))) continue;
      this.triggers.push({ word: x.w, start: i, end: e, types: x.trigger, suffix: x.suffix });
      free = e; // the longest trigger at i; shorter ones at i are now inside it
    }
    return free;
  }

  /** Index of the first occurrence starting at or after `pos`. */
  private firstFrom(pos: number): number {
    let lo = 0, hi = this.starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.starts[mid] ?? 0) < pos) lo = mid + 1; else hi = mid;
    }
    return lo;
  }

  /**
   * Distance from the end of the nearest cue of the lists in `bits` that ends at or before `pos`
   * (within `span` characters, on the same line) to `pos`; Infinity when there is none.
   */
  before(pos: number, bits: number, span: number): number {
    const text = this.text;
    let a = Math.max(0, pos - span);
    for (let i = pos - 1; i >= a; i--) if (text.charCodeAt(i) === 10) { a = i + 1; break; }
    let best = -1;
    for (let k = this.firstFrom(pos) - 1; k >= 0; k--) {
      const s = this.starts[k] ?? 0;
      if (s < a) break;
      const e = this.ends[k] ?? 0;
      if (e <= pos && e > best && ((this.masks[k] ?? 0) & bits) !== 0) best = e;
    }
    return best < 0 ? Infinity : pos - best;
  }

  /** True when a cue of the lists in `bits` lies within `span` characters after `pos`, on the same line. */
  after(pos: number, bits: number, span: number): boolean {
    const text = this.text;
    let b = Math.min(text.length, pos + span);
    for (let i = pos; i < b; i++) if (text.charCodeAt(i) === 10) { b = i; break; }
    for (let k = this.firstFrom(pos); k < this.starts.length; k++) {
      if ((this.starts[k] ?? 0) >= b) break;
      if ((this.ends[k] ?? 0) <= b && ((this.masks[k] ?? 0) & bits) !== 0) return true;
    }
    return false;
  }
}
