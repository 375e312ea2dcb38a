// CSV / TSV: a resumable RFC 4180 parser (quoted fields with delimiters, quotes and newlines; BOM),
// header-driven column classification in zh-TW and English, record-aligned segments.
import type { Cell, Emitter } from "../emitter.ts";
import { classifyHeader, type ColumnClass } from "../lexicon.ts";
import type { SkipNote } from "../pii.types.ts";
import { scanText, TARGET } from "./text.ts";

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

export async function scanCsv(chunks: AsyncIterable<string>, em: Emitter, notes: SkipNote[], ext: string): Promise<void> {
  const it = chunks[Symbol.asyncIterator]();
  let buf = "";
  let delim = "";
  let i = 0, fieldStart = 0, inQ = false, quoted = false;
  let row: Array<{ start: number; end: number }> = [];
  let segCells: Cell[] = [];
  let lastRecordEnd = 0;
  let headers: string[] | null = null;
  let classes: ColumnClass[] = [];
  let first = true;

  const endField = (end: number): void => {
    let s = fieldStart, e = end;
    if (e > s && buf.charCodeAt(e - 1) === 13) e--; // CR of CRLF
    if (quoted && buf.charCodeAt(s) === 34) { s++; if (e > s && buf.charCodeAt(e - 1) === 34) e--; }
    if (s === 0 && buf.charCodeAt(0) === 0xfeff) s = 1;
    row.push({ start: s, end: e });
    quoted = false;
  };
  const endRecord = (next: number): void => {
    if (first) {
      first = false;
      const values = row.map((c) => buf.slice(c.start, c.end));
      if (looksLikeHeader(values)) {
        headers = values.map((v) => v.trim());
        classes = headers.map(classifyHeader);
        row = [];
        lastRecordEnd = next;
        return;
      }
    }
    row.forEach((c, k) => {
      segCells.push({ start: c.start, end: c.end, column: headers?.[k] ?? `#${k + 1}`, cls: classes[k] ?? "UNKNOWN" });
    });
    row = [];
    lastRecordEnd = next;
  };
  const flush = (): void => {
    if (lastRecordEnd === 0) return;
    em.segment(buf.slice(0, lastRecordEnd), segCells);
    buf = buf.slice(lastRecordEnd);
    i -= lastRecordEnd;
    fieldStart -= lastRecordEnd;
    row = row.map((c) => ({ start: c.start - lastRecordEnd, end: c.end - lastRecordEnd }));
    segCells = [];
    lastRecordEnd = 0;
  };

  for (;;) {
    const n = await it.next();
    const done = n.done === true;
    if (!done) buf += n.value;
    if (delim === "") {
      const nl = buf.indexOf("\n");
      if (nl < 0 && !done) continue;
      delim = sniffDelimiter(buf.slice(0, nl < 0 ? buf.length : nl), ext);
    }
    const d = delim.charCodeAt(0);
    const len = buf.length;
    while (i < len) {
      const c = buf.charCodeAt(i);
      if (inQ) {
        if (c === 34) {
          if (i + 1 >= len && !done) break; // need the next char to tell "" from a closing quote
          if (buf.charCodeAt(i + 1) === 34) { i += 2; continue; }
          inQ = false;
        }
        i++;
        continue;
      }
      if (c === 34 && (i === fieldStart || (i === 1 && fieldStart === 0 && buf.charCodeAt(0) === 0xfeff))) { inQ = true; quoted = true; }
      else if (c === d) { endField(i); fieldStart = i + 1; }
      else if (c === 10) { endField(i); fieldStart = i + 1; endRecord(i + 1); }
      i++;
    }
    if (done) {
      if (inQ) notes.push({ file: em.file, reason: "unbalanced-quote", byteOffset: em.byte, detail: "a quoted field is never closed; the rest of the file was read as one field" });
      if (fieldStart < buf.length || row.length > 0) { endField(buf.length); endRecord(buf.length); }
      flush();
      if (buf.length > 0) em.segment(buf);
      return;
    }
    if (len - lastRecordEnd > MAX_RECORD) {
      notes.push(inQ
        ? { file: em.file, reason: "unbalanced-quote", byteOffset: em.byte, detail: `a quoted field runs past ${MAX_RECORD} characters; the rest of the file is scanned as plain text without columns` }
        : { file: em.file, reason: "long-line", byteOffset: em.byte, detail: `a record runs past ${MAX_RECORD} characters; the rest of the file is scanned as plain text without columns` });
      flush();
      await scanText({ [Symbol.asyncIterator]: () => it }, em, notes, buf);
      return;
    }
    if (lastRecordEnd >= TARGET) flush();
  }
}
