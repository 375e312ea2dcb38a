// Turns decoded text segments (with optional structured cells) into findings with absolute UTF-16
// offsets, byte offsets in the source encoding, 1-based lines and column names.
import { detect, detectFolded, detectValue, resolveOverlaps, resolveOverlapsWith, SUPPRESSED_BY_NEGATIVE_COLUMN, type DetectOptions } from "./detect.ts";
import type { ColumnClass } from "./lexicon.ts";
import { maskFor } from "./mask.ts";
import { foldWidth } from "./normalize.ts";
import type { Detection, Finding } from "./pii.types.ts";
import type { Encoding } from "./source.ts";

/**
 * A structured cell inside a segment: offsets relative to the segment text. `escaped`: the cell is the
 * body of a JSON string with backslash escapes; it is scanned decoded, offsets mapped back to the text.
 * `part`: a window of a value too long for one segment, whose rest follows in the next segment (not
 * counted as a cell of its own in cellsPerColumn; the value's last part is).
 */
export interface Cell { start: number; end: number; column: string; cls: ColumnClass; escaped: boolean; part?: boolean }

/** Decoded values of detections found in escaped JSON strings (the text holds the escaped form). */
const DECODED = new WeakMap<Detection, string>();

const ESCAPES: Record<string, string> = { "\"": "\"", "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };
const HEX4 = /^[0-9A-Fa-f]{4}$/;

/** Length of the escape sequence at raw[i] (6 for \uXXXX, 2 for \n and the like), or 1 when none starts there. */
export function escapeLength(raw: string, i: number): number {
  if (raw.charCodeAt(i) !== 92 || i + 1 >= raw.length) return 1;
  const n = raw.charAt(i + 1);
  if (n === "u") return HEX4.test(raw.slice(i + 2, i + 6)) ? 6 : 1;
  return ESCAPES[n] !== undefined ? 2 : 1;
}

/**
 * Decodes the body of a JSON string. `map[i]` is the offset in `raw` where decoded character i starts,
 * and `map[text.length]` is `raw.length`, so a decoded span [s, e) is the raw span [map[s], map[e]).
 * Malformed escapes are kept as they are. Plain runs are copied as slices, not character by character
 * (a window of a long string is a million characters), and a long string's map is an Int32Array (a
 * growing array of a million numbers would be copied as it grows); a short string's is a plain array,
 * which is cheaper to make (most cells are short).
 */
export function decodeJsonString(raw: string): { text: string; map: ArrayLike<number> } {
  const long = raw.length > 65_536;
  const map: number[] | Int32Array = long ? new Int32Array(raw.length + 1) : [];
  let text = "", run = 0, n = 0;
  for (let i = 0; i < raw.length;) {
    const len = escapeLength(raw, i);
    if (len === 1) { map[n++] = i++; continue; }
    if (i > run) text += raw.slice(run, i);
    text += len === 6 ? String.fromCharCode(parseInt(raw.slice(i + 2, i + 6), 16)) : ESCAPES[raw.charAt(i + 1)] ?? "";
    map[n++] = i;
    i += len;
    run = i;
  }
  if (raw.length > run) text += raw.slice(run);
  map[n] = raw.length;
  return { text, map: long ? (map as Int32Array).subarray(0, n + 1) : map };
}

/** Detections in an escaped JSON string cell, at offsets of the (escaped) segment text. */
function escapedCell(text: string, c: Cell, opts: EmitOptions, min: number): Placed[] {
  const { text: dec, map } = decodeJsonString(text.slice(c.start, c.end));
  const ds = detect(dec, opts) as Placed[];
  const v = c.cls === "UNKNOWN" || c.cls === "NEGATIVE" ? null : detectValue(c.cls, dec, opts) as Placed | null;
  const all = v && v.score >= min ? resolveOverlaps([...ds, v]) as Placed[] : ds;
  for (const d of all) {
    DECODED.set(d, dec.slice(d.start, d.end));
    d.start = c.start + (map[d.start] ?? 0);
    d.end = c.start + (map[d.end] ?? 0);
  }
  return all;
}

export interface EmitOptions extends DetectOptions { showValues?: boolean }

interface Placed extends Detection { column: string | null }

/** The cell containing `pos` (cells sorted by start), by binary search. */
function cellAt(cells: readonly Cell[], pos: number): Cell | undefined {
  let lo = 0, hi = cells.length - 1, ans = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if ((cells[mid]?.start ?? 0) <= pos) { ans = mid; lo = mid + 1; } else hi = mid - 1;
  }
  const c = cells[ans];
  return c && pos < c.end ? c : undefined;
}

const SPACES = " ".repeat(256);

/** True when text[from, to) has no line break (a blanked cell must not join two lines). */
function oneLine(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 13) return false;
  }
  return true;
}

/**
 * Runs the detectors over a segment and applies column context: header-validated cells, suppressed negatives.
 *
 * A cell whose column class validates its whole value (a mobile under 手機, an address under 地址) is
 * that column's value: the free-text detectors see it blanked out (spaces, so offsets stay); the name
 * written right before it still takes it as an anchor, and the window after a trigger word (生日, 統編)
 * still reads it (detectFolded's `full`: that window takes its first value). A value over several lines is not
 * blanked (its lines would become one). On the mixed corpus the findings are the same as scanning the
 * cells twice, for 3–6 % less CPU (bench/RESULTS.md, pii run 12). What differs: a cue word inside
 * such a value ("tel@shop.example") is no context for its neighbours, and an item inside it no longer
 * outranks the column's own finding. `blank` false scans such cells twice, as before (the reference
 * the tests compare with).
 */
export function analyzeSegment(text: string, cells: readonly Cell[] | undefined, opts: EmitOptions, blank = true): Placed[] {
  if (!cells || cells.length === 0) return detect(text, opts) as Placed[]; // detect() creates every detection with column: null
  const extra: Placed[] = [];
  const hits: Placed[] = [];
  const min = opts.minScore ?? 0.5;
  let blanked = "", from = 0, folded: string | undefined;
  for (const c of cells) {
    if (c.escaped && c.end > c.start) { for (const d of escapedCell(text, c, opts, min)) extra.push(d); continue; }
    if (c.cls === "UNKNOWN" || c.cls === "NEGATIVE" || c.end <= c.start) continue;
    const d = detectValue(c.cls, text.slice(c.start, c.end), opts) as Placed | null;
    if (!d || d.score < min) continue;
    d.start += c.start; d.end += c.start;
    extra.push(d);
    if (!blank || d.start < from || !oneLine(text, d.start, d.end)) continue;
    const n = d.end - d.start;
    folded ??= foldWidth(text); // once, for both texts detectFolded reads (folding keeps offsets)
    blanked += folded.slice(from, d.start) + (n <= SPACES.length ? SPACES.slice(0, n) : " ".repeat(n));
    from = d.end;
    hits.push(d);
  }
  // blanked is made of folded slices and spaces: folded already.
  const ds = (folded === undefined ? detect(text, opts) : detectFolded(blanked + folded.slice(from), opts, hits, folded)) as Placed[];
  const all = (extra.length > 0 ? resolveOverlapsWith(ds, extra) : ds) as Placed[];
  const out: Placed[] = [];
  // Detections and cells are both sorted by start: walk them together.
  let ci = 0;
  for (const d of all) {
    while (ci < cells.length && (cells[ci]?.end ?? 0) <= d.start) ci++;
    let cell = cells[ci];
    if (cell && cell.start > d.start) cell = cellAt(cells, d.start);
    if (cell?.cls === "NEGATIVE" && SUPPRESSED_BY_NEGATIVE_COLUMN.has(d.type)) continue;
    // In an escaped JSON string, a match over the escaped form (it contains a backslash) is not kept;
    // the decoded pass reports that value.
    if (cell?.escaped === true && !DECODED.has(d) && text.lastIndexOf("\\", d.end - 1) >= d.start) continue;
    d.column = cell ? cell.column : null;
    out.push(d);
  }
  return out;
}

/** Big5 bytes of text[from, to): 1 for ASCII, 2 otherwise. */
function big5Bytes(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) n += text.charCodeAt(i) < 0x80 ? 1 : 2;
  return n;
}

/** UTF-8 bytes of text[from, to) (a lone surrogate counts 3, as the encoder's U+FFFD). */
function utf8Bytes(text: string, from: number, to: number): number {
  let n = to - from;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) n += 1;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < to && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) { n += 2; i++; }
    else n += 2;
  }
  return n;
}

/** Keeps the running position (UTF-16, bytes, line) of a file and emits findings for each segment. */
export class Emitter {
  readonly file: string;
  readonly encoding: Encoding;
  readonly opts: EmitOptions;
  readonly onFinding: (f: Finding) => void;
  utf16 = 0;
  byte = 0;
  line = 1;
  findings = 0;
  /** Non-empty cells seen per column (structured inputs), for prevalence in the inventory. */
  readonly cellsPerColumn = new Map<string, number>();
  /**
   * Called at the end of each segment with its text and how much of it the segment consumed (after
   * that segment's findings): consecutive calls hand over the decoded file, each character once, so
   * a caller can rewrite the file as it is scanned (protect-files.ts).
   */
  onConsumed: ((text: string, consumed: number) => void) | null = null;
  /**
   * Absolute UTF-16 end of the last finding emitted. Windows over a long line or a huge JSON string
   * overlap: a finding that starts before a window's `consumed` and runs past it was reported whole,
   * and the next window must not report its tail again ("b@example.com" of "a.b@example.com").
   */
  private reach = 0;

  constructor(file: string, encoding: Encoding, opts: EmitOptions, onFinding: (f: Finding) => void, base?: { utf16: number; byte: number; line: number }) {
    if (base) { this.utf16 = base.utf16; this.byte = base.byte; this.line = base.line; }
    this.file = file;
    this.encoding = encoding;
    this.opts = opts;
    this.onFinding = onFinding;
  }

  /**
   * Scans `text`, which starts at the current position. Only the first `consumed` characters advance
   * the position; findings starting at or after `consumed` are left for the next (overlapping) segment.
   */
  segment(text: string, cells?: readonly Cell[], consumed = text.length): void {
    if (cells) {
      for (const c of cells) {
        if (c.end <= c.start || c.start >= consumed || c.part === true) continue;
        const n = this.cellsPerColumn.get(c.column);
        if (n !== undefined) this.cellsPerColumn.set(c.column, n + 1);
        else if (this.cellsPerColumn.size < 10_000) this.cellsPerColumn.set(c.column, 1);
      }
    }
    const ds = analyzeSegment(text, cells, this.opts);
    let cur = 0, byte = this.byte, line = this.line;
    const big5 = this.encoding === "big5";
    const decoded = cells !== undefined && cells.some((c) => c.escaped);
    const { file, utf16 } = this;
    const showValues = this.opts.showValues === true;
    let nextNl = text.indexOf("\n");
    // Moves the running line to `to` by stepping over the newlines (each found once per segment), and
    // advance the running byte offset too, from `cur`: by a short loop or natively.
    const lines = (to: number): void => {
      while (nextNl >= 0 && nextNl < to) { line++; nextNl = text.indexOf("\n", nextNl + 1); }
    };
    const advance = (to: number): void => {
      if (to <= cur) return;
      if (big5) byte += big5Bytes(text, cur, to);
      else byte += to - cur < 64 ? utf8Bytes(text, cur, to) : Buffer.byteLength(text.slice(cur, to), "utf8");
      lines(to);
      cur = to;
    };
    for (const d of ds) {
      if (d.start >= consumed) break;
      if (utf16 + d.start < this.reach) continue;
      this.reach = utf16 + d.end;
      advance(d.start);
      const raw = text.slice(d.start, d.end);
      const value = decoded ? (DECODED.get(d) ?? raw) : raw;
      const size = big5 ? big5Bytes(text, d.start, d.end) : utf8Bytes(text, d.start, d.end);
      const f: Finding = {
        file,
        type: d.type,
        start: utf16 + d.start,
        end: utf16 + d.end,
        byteStart: byte,
        byteEnd: byte + size,
        line,
        column: d.column,
        score: d.score,
        masked: maskFor(d.type, value),
      };
      if (d.detail !== undefined) f.detail = d.detail;
      if (showValues) f.value = value;
      this.findings++;
      this.onFinding(f);
      // The value's bytes are counted: the next gap starts after it (unless it runs past `consumed`),
      // and so do the lines, past any line break inside it (a multi-line address cell).
      if (d.end <= consumed) {
        byte += size;
        cur = d.end;
        lines(cur);
      }
    }
    advance(consumed);
    this.onConsumed?.(text, consumed);
    this.utf16 += consumed;
    this.byte = byte;
    this.line = line;
  }
}
