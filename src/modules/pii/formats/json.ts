// JSON and NDJSON: a resumable, non-recursive tokenizer that tracks the key path of every value
// (arrays as "[]"), so keys act as column headers. Nesting deeper than MAX_DEPTH is still scanned,
// with the path truncated. Malformed JSON never stops the scan. Strings with backslash escapes
// (\uXXXX, \n …) are scanned decoded, with offsets mapped back to the escaped text (emitter.ts).
import { decodeJsonString, escapeLength, type Cell, type Emitter } from "../emitter.ts";
import { classifyHeader, type ColumnClass } from "../lexicon.ts";
import { protectText, type Operator } from "../operators.ts";
import type { SkipNote } from "../pii.types.ts";
import { TARGET, windowCut } from "./text.ts";

export const MAX_DEPTH = 256;
const MAX_STRING = 1024 * 1024;
/** Key paths remembered per file (JSON with ever-new keys, such as a map keyed by ids, stops adding). */
const MAX_KEY_PATHS = 10_000;
/**
 * A key path (a column name) longer than this keeps its last characters after "…". Deep nesting made
 * paths of up to MAX_DEPTH keys of 128 characters, and every distinct one was kept by the counts per
 * column and the renderer's caches: 10,000 such records ran a worker out of memory.
 */
export const MAX_PATH = 256;

/** `path`, or "…" and its last MAX_PATH - 1 characters (not starting inside a surrogate pair). */
function bounded(path: string): string {
  if (path.length <= MAX_PATH) return path;
  let from = path.length - MAX_PATH + 1;
  if ((path.charCodeAt(from) & 0xfc00) === 0xdc00) from++;
  return `…${path.slice(from)}`;
}

/**
 * A key as it goes into a column name, with the personal data in it masked as findings print it: a
 * map keyed by e-mail addresses or IDs ({"chen@example.com": {…}}) printed each key raw in every
 * finding's `column` and in the inventory, without --show-values. (The key itself is scanned as
 * text and reported, masked.) Runs once per new key path: known ones come from the cache.
 */
function keySegment(key: string): string {
  return protectText(key, MASK).text;
}
const MASK: Operator = { kind: "mask" };

interface Frame { obj: boolean; key: string; expectKey: boolean; path: string; cls: ColumnClass; keyPath: string; keyCls: ColumnClass }

/**
 * The tokenizer's state between chunks. The character loop lives in a plain method, not in the async
 * function that awaits chunks: V8 compiled that loop on-stack and threw the code away at each await.
 */
class JsonState {
  buf = "";
  i = 0;
  readonly stack: Frame[] = [];
  overflow = 0;
  inStr = false;
  esc = false;
  strStart = 0;
  strEscaped = false;
  scalarStart = -1;
  cells: Cell[] = [];
  safe = 0; // last offset outside any string: segments end here
  warnedDepth = false;
  warnedSyntax = false;
  readonly em: Emitter;
  readonly notes: SkipNote[];
  constructor(em: Emitter, notes: SkipNote[]) { this.em = em; this.notes = notes; }

  top(): Frame | undefined { return this.stack[this.stack.length - 1]; }

  /**
   * Key paths seen, by parent path and key, with their class: every record repeats its keys, and a
   * path made once is one string, which the emitter's count per column hashes once (a path concatenated
   * anew for each value was hashed anew, and its key classified anew).
   */
  private readonly paths = new Map<string, Map<string, { path: string; cls: ColumnClass }>>();
  private keyCount = 0;

  private readonly arrays = new Map<string, string>();

  /** The path of an array's items, `${p}[]`, made once per path. */
  arrayPath(p: string): string {
    let a = this.arrays.get(p);
    if (a === undefined) { a = bounded(`${p}[]`); if (this.arrays.size < MAX_KEY_PATHS) this.arrays.set(p, a); }
    return a;
  }

  keyPaths(parent: string): Map<string, { path: string; cls: ColumnClass }> {
    let m = this.paths.get(parent);
    if (!m) { m = new Map(); if (this.keyCount < MAX_KEY_PATHS) this.paths.set(parent, m); }
    return m;
  }

  valuePath(): { path: string; cls: ColumnClass } {
    const f = this.top();
    if (!f) return { path: "$", cls: "UNKNOWN" };
    if (this.overflow > 0) return { path: bounded(`${f.path}…`), cls: "UNKNOWN" };
    if (f.obj) return { path: f.keyPath, cls: f.keyCls };
    return { path: f.keyPath, cls: f.cls };
  }

  open(obj: boolean): void {
    if (this.stack.length >= MAX_DEPTH) {
      this.overflow++;
      if (!this.warnedDepth) {
        this.warnedDepth = true;
        this.notes.push({ file: this.em.file, reason: "deep-json", byteOffset: this.em.byte, detail: `nesting deeper than ${MAX_DEPTH}; values below are scanned with truncated key paths` });
      }
      return;
    }
    const { path, cls } = this.valuePath();
    const p = this.stack.length === 0 ? "" : path;
    this.stack.push({ obj, key: "", expectKey: obj, path: p, cls, keyPath: obj ? p : this.arrayPath(p), keyCls: "UNKNOWN" });
  }

  close(): void {
    if (this.overflow > 0) { this.overflow--; return; }
    this.stack.pop();
  }

  scalar(s: number, e: number, isString: boolean): void {
    const f = this.top();
    if (f?.obj && f.expectKey && isString && this.overflow === 0) {
      const rawKey = this.buf.slice(s + 1, Math.min(e - 1, s + 129));
      f.key = this.strEscaped ? decodeJsonString(rawKey).text : rawKey;
      f.expectKey = false;
      const keys = this.keyPaths(f.path);
      const known = keys.get(f.key);
      if (known) { f.keyPath = known.path; f.keyCls = known.cls; return; }
      const seg = keySegment(f.key);
      f.keyPath = f.path ? bounded(`${f.path}.${seg}`) : seg;
      f.keyCls = classifyHeader(f.key);
      if (this.keyCount < MAX_KEY_PATHS) { this.keyCount++; keys.set(f.key, { path: f.keyPath, cls: f.keyCls }); }
      return;
    }
    const { path, cls } = this.valuePath();
    const cell: Cell = { start: isString ? s + 1 : s, end: isString ? e - 1 : e, column: path, cls, escaped: isString && this.strEscaped };
    this.cells.push(cell);
  }

  flush(final: boolean): void {
    const cut = final ? this.buf.length : this.safe;
    if (cut === 0) return;
    const segCells = this.cells.filter((c) => c.start < cut);
    this.em.segment(this.buf.slice(0, cut), segCells);
    this.cells = this.cells.filter((c) => c.start >= cut).map((c) => ({ ...c, start: c.start - cut, end: c.end - cut }));
    this.buf = this.buf.slice(cut);
    this.i -= cut; this.strStart -= cut; this.safe = 0;
    if (this.scalarStart >= 0) this.scalarStart -= cut;
  }

  consume(): void {
    const buf = this.buf, len = buf.length;
    let i = this.i;
    // Inside a string the loop jumps to its next quote or backslash (indexOf runs natively); the next
    // backslash is looked for once and kept until the loop passes it, not again for every string.
    let backslash = -1;
    while (i < len) {
      if (this.inStr) {
        if (this.esc) { this.esc = false; i++; continue; }
        let quote = buf.indexOf("\"", i);
        if (quote < 0) quote = len;
        if (backslash < i) { backslash = buf.indexOf("\\", i); if (backslash < 0) backslash = len; }
        if (backslash < quote) { this.esc = true; this.strEscaped = true; i = backslash + 1; continue; }
        if (quote === len) { i = len; break; }
        this.inStr = false; this.scalar(this.strStart, quote + 1, true); this.safe = quote + 1;
        i = quote + 1;
        continue;
      }
      const c = buf.charCodeAt(i);
      if (this.scalarStart >= 0 && !((c >= 48 && c <= 57) || c === 45 || c === 43 || c === 46 || c === 101 || c === 69 || (c >= 97 && c <= 122))) {
        this.scalar(this.scalarStart, i, false);
        this.scalarStart = -1;
      }
      if (c === 34) { this.inStr = true; this.strStart = i; this.strEscaped = false; }
      else if (c === 123) this.open(true);
      else if (c === 91) this.open(false);
      else if (c === 125 || c === 93) this.close();
      else if (c === 44) { const f = this.top(); if (f?.obj && this.overflow === 0) f.expectKey = true; }
      else if (this.scalarStart < 0 && ((c >= 48 && c <= 57) || c === 45 || c === 116 || c === 102 || c === 110)) this.scalarStart = i;
      else if (c !== 58 && c !== 32 && c !== 10 && c !== 13 && c !== 9 && this.scalarStart < 0 && !this.warnedSyntax) {
        this.warnedSyntax = true;
        this.notes.push({ file: this.em.file, reason: "json-syntax", byteOffset: this.em.byte, detail: `unexpected character ${JSON.stringify(String.fromCharCode(c))}; scanning continues` });
      }
      if (!this.inStr) this.safe = i + 1;
      i++;
    }
    this.i = i;
  }
}

/** `cut`, or the start of the escape sequence (from `from` on) that it would fall inside. */
export function escapeSafe(text: string, from: number, cut: number): number {
  for (let i = text.indexOf("\\", from); i >= 0 && i < cut; i = text.indexOf("\\", i)) {
    const len = escapeLength(text, i);
    if (i + len > cut) return i;
    i += len;
  }
  return cut;
}

export async function scanJson(chunks: AsyncIterable<string>, em: Emitter, notes: SkipNote[]): Promise<void> {
  const st = new JsonState(em, notes);
  for await (const chunk of chunks) {
    st.buf += chunk;
    st.consume();
    if (st.inStr && st.i - st.strStart > MAX_STRING) {
      // A huge string (a document, a base64 blob): what comes before it is scanned first (it starts
      // where the string's quote is), then what we have of the string, and the scan goes on inside it
      // with 256 characters of overlap. The buffer stays under MAX_STRING + a chunk.
      // The string is a cell of its key's column in each window (not a key itself: a key this long
      // has no column to give), scanned decoded when the window has escapes; a window never ends
      // inside an escape sequence, so each is decoded whole in one window.
      if (st.safe > 0) st.flush(false);
      const i = st.i, head = st.buf.slice(0, i), from = st.strStart + 1, cut = escapeSafe(head, from, windowCut(head));
      const cells = st.cells.filter((c) => c.start < cut);
      const f = st.top();
      if (!(f?.obj === true && f.expectKey) || st.overflow > 0) {
        const { path, cls } = st.valuePath();
        cells.push({ start: from, end: i, column: path, cls, escaped: head.includes("\\", from), part: true });
      }
      em.segment(head, cells, cut);
      st.cells = [];
      // The rest of the string starts the buffer: strStart -1 makes its cell start at 0 (a cell starts after the quote).
      st.buf = st.buf.slice(cut); st.i -= cut; st.strStart = -1;
    }
    if (st.safe >= TARGET) st.flush(false);
  }
  if (st.scalarStart >= 0) st.scalar(st.scalarStart, st.buf.length, false);
  if (st.inStr) st.cells.push({ start: st.strStart + 1, end: st.buf.length, column: st.valuePath().path, cls: "UNKNOWN", escaped: false });
  st.flush(true);
}
