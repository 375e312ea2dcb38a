// CSV / TSV: a resumable RFC 4180 parser (quoted fields with delimiters, quotes and newlines; BOM),
// header-driven column classification in zh-TW and English, record-aligned segments.
import type { Cell, Emitter } from "../emitter.ts";
import { classifyHeader, type ColumnClass } from "../lexicon.ts";
import type { SkipNote } from "../pii.types.ts";
import { TARGET, windowCut } from "./text.ts";

const MAX_RECORD = 1024 * 1024;

/** Guesses the delimiter from the first line: tab, semicolon or comma. */
export function sniffDelimiter(firstLine: string, hint?: string): string {
  if (hint === ".tsv" || hint === ".tab") return "\t";
  const count = (ch: string): number => firstLine.split(ch).length - 1;
  const tabs = count("\t"), commas = count(","), semis = count(";");
  if (tabs > commas && tabs >= semis) return "\t";
  if (semis > commas) return ";";
  return ",";
}

function looksLikeHeader(values: readonly string[]): boolean {
  if (values.some((v) => classifyHeader(v) !== "UNKNOWN")) return true;
  return values.length > 1 && values.every((v) => /^[A-Za-z_\u4e00-\u9fff][\w\u4e00-\u9fff ()./-]{0,40}$/.test(v.trim())) && !values.some((v) => /\d{6}/.test(v));
}

/**
 * The parser's state between chunks. The character loop lives in a plain method (not in the async
 * function that awaits chunks): V8 compiled that loop on-stack and threw the code away at each
 * await, recompiling it dozens of times per file.
 */
class CsvState {
  buf = "";
  delim = 0;
  i = 0;
  fieldStart = 0;
  inQ = false;
  quoted = false;
  /** The fields of the record being parsed: starts and ends in buf, reused from record to record. */
  rowStarts: number[] = [];
  rowEnds: number[] = [];
  /** Column names of a file without a header row (#1, #2 …), made once per column. */
  private readonly numbered: string[] = [];
  segCells: Cell[] = [];
  lastRecordEnd = 0;
  headers: string[] | null = null;
  classes: ColumnClass[] = [];
  first = true;
  /**
   * In a record longer than MAX_RECORD: the parser only looks for the record's end (quotes and
   * newlines), and what it passes is scanned as plain text in overlapping windows; the record after
   * it is parsed into cells again.
   */
  long = false;
  readonly em: Emitter;
  constructor(em: Emitter) { this.em = em; }

  private clearRow(): void {
    this.rowStarts.length = 0;
    this.rowEnds.length = 0;
  }

  /** "#k+1", the name of column k of a file without a header row (kept for the first 1,024 columns). */
  private numberedColumn(k: number): string {
    if (k >= 1024) return `#${String(k + 1)}`;
    return (this.numbered[k] ??= `#${String(k + 1)}`);
  }

  endField(end: number): void {
    if (this.long) { this.quoted = false; return; }
    const buf = this.buf;
    let s = this.fieldStart, e = end;
    if (e > s && buf.charCodeAt(e - 1) === 13) e--; // CR of CRLF
    if (this.quoted && buf.charCodeAt(s) === 34) { s++; if (e > s && buf.charCodeAt(e - 1) === 34) e--; }
    if (s === 0 && buf.charCodeAt(0) === 0xfeff) s = 1;
    this.rowStarts.push(s);
    this.rowEnds.push(e);
    this.quoted = false;
  }

  endRecord(next: number): void {
    if (this.long) {
      // The long record ends here: flush() scans it (from the start of the buffer) as text without cells.
      this.long = false;
      this.clearRow();
      this.lastRecordEnd = next;
      return;
    }
    if (this.first) {
      this.first = false;
      const values = this.rowStarts.map((start, k) => this.buf.slice(start, this.rowEnds[k]));
      if (looksLikeHeader(values)) {
        this.headers = values.map((v) => v.trim());
        this.classes = this.headers.map(classifyHeader);
        this.clearRow();
        this.lastRecordEnd = next;
        return;
      }
    }
    const { headers, classes, segCells, rowStarts, rowEnds } = this;
    for (let k = 0; k < rowStarts.length; k++) {
      segCells.push({ start: rowStarts[k] ?? 0, end: rowEnds[k] ?? 0, column: headers?.[k] ?? this.numberedColumn(k), cls: classes[k] ?? "UNKNOWN", escaped: false });
    }
    this.clearRow();
    this.lastRecordEnd = next;
  }

  flush(): void {
    const cut = this.lastRecordEnd;
    if (cut === 0) return;
    this.em.segment(this.buf.slice(0, cut), this.segCells);
    this.buf = this.buf.slice(cut);
    this.i -= cut;
    this.fieldStart -= cut;
    for (let k = 0; k < this.rowStarts.length; k++) {
      this.rowStarts[k] = (this.rowStarts[k] ?? 0) - cut;
      this.rowEnds[k] = (this.rowEnds[k] ?? 0) - cut;
    }
    this.segCells = [];
    this.lastRecordEnd = 0;
  }

  /**
   * Enters or continues a long record (the records before it already flushed): the buffer, the record
   * so far, is scanned up to its last OVERLAP characters (windowCut), which stay buffered to start the next window.
   */
  window(): void {
    if (!this.long) {
      this.long = true;
      this.first = false; // a record this long is no header
      this.clearRow();
    }
    const cut = windowCut(this.buf);
    if (cut <= 0) return;
    this.em.segment(this.buf, undefined, cut);
    this.buf = this.buf.slice(cut);
    this.i -= cut;
    this.fieldStart -= cut; // may go below 0: only compared with i, to tell an opening quote
  }

  /** Parses what is buffered; `done` when no more input follows. */
  consume(done: boolean): void {
    const buf = this.buf, d = this.delim, len = buf.length;
    let i = this.i;
    while (i < len) {
      if (this.inQ) {
        // In a quoted field the loop jumps to the next quote (indexOf runs natively).
        const q = buf.indexOf("\"", i);
        if (q < 0) { i = len; break; }
        i = q;
        if (i + 1 >= len && !done) break; // need the next char to tell "" from a closing quote
        if (buf.charCodeAt(i + 1) === 34) { i += 2; continue; }
        this.inQ = false;
        i++;
        continue;
      }
      const c = buf.charCodeAt(i);
      if (c === 34 && (i === this.fieldStart || (i === 1 && this.fieldStart === 0 && buf.charCodeAt(0) === 0xfeff))) { this.inQ = true; this.quoted = true; }
      else if (c === d) { this.endField(i); this.fieldStart = i + 1; }
      else if (c === 10) { this.endField(i); this.fieldStart = i + 1; this.endRecord(i + 1); }
      i++;
    }
    this.i = i;
  }
}

export async function scanCsv(chunks: AsyncIterable<string>, em: Emitter, notes: SkipNote[], ext: string): Promise<void> {
  const it = chunks[Symbol.asyncIterator]();
  const st = new CsvState(em);
  let longNoted = false;
  for (;;) {
    const n = await it.next();
    const done = n.done === true;
    if (!done) st.buf += n.value;
    if (st.delim === 0) {
      const nl = st.buf.indexOf("\n");
      if (nl < 0 && !done && st.buf.length <= MAX_RECORD) continue; // (a first line this long is sniffed from its start)
      st.delim = sniffDelimiter(st.buf.slice(0, nl < 0 ? st.buf.length : nl), ext).charCodeAt(0);
    }
    st.consume(done);
    if (done) {
      if (st.inQ) notes.push({ file: em.file, reason: "unbalanced-quote", byteOffset: em.byte, detail: "a quoted field is never closed; the rest of the file was read as one field" });
      if (st.fieldStart < st.buf.length || st.rowStarts.length > 0) { st.endField(st.buf.length); st.endRecord(st.buf.length); }
      st.flush();
      if (st.buf.length > 0) em.segment(st.buf);
      return;
    }
    if (st.long) {
      if (st.buf.length > MAX_RECORD) st.window();
    } else if (st.buf.length - st.lastRecordEnd > MAX_RECORD) {
      st.flush(); // the records before it, so that the note's offset is the long record's
      if (!longNoted) {
        longNoted = true;
        notes.push({
          file: em.file, reason: "long-line", byteOffset: em.byte,
          detail: `a record runs past ${MAX_RECORD} characters${st.inQ ? " (in a quoted field)" : ""}; it is scanned as plain text without columns, in overlapping windows, and the records after it with their columns`,
        });
      }
      st.window();
    }
    if (st.lastRecordEnd >= TARGET) st.flush();
  }
}
