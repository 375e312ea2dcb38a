// PostgreSQL plain dumps (pg_dump -Fp): COPY … FROM stdin blocks (tab-separated, backslash escapes,
// ended by "\."), INSERT statements with or without a column list (column names then come from
// the CREATE TABLE seen earlier). Cells are named "table.column". Everything else is scanned as text.
import type { Cell, Emitter } from "../emitter.ts";
import { classifyHeader, type ColumnClass } from "../lexicon.ts";
import type { SkipNote } from "../pii.types.ts";
import { MAX_LINE, TARGET } from "./text.ts";

const RE_COPY = /^COPY\s+([\w."]+)\s*(?:\(([^)]{0,8000})\))?\s+FROM\s+stdin/i;
const RE_CREATE = /^CREATE\s+(?:UNLOGGED\s+)?TABLE\s+(?:IF NOT EXISTS\s+)?([\w."]+)\s*\(/i;
const RE_INSERT = /^INSERT\s+INTO\s+([\w."]+)\s*(?:\(([^)]{0,8000})\))?\s*VALUES\s*/i;

const unquote = (s: string): string => s.trim().replace(/^"|"$/g, "");
const shortTable = (t: string): string => unquote(t.split(".").pop() ?? t);

interface Cols { names: string[]; classes: ColumnClass[] }
interface InsertState extends Cols { col: number; inStr: boolean; depth: number; tokStart: number }

function cols(table: string, list: string | undefined, known: Map<string, string[]>): Cols {
  const names = list !== undefined ? list.split(",").map(unquote) : (known.get(shortTable(table)) ?? []);
  return { names: names.map((n) => `${shortTable(table)}.${n}`), classes: names.map(classifyHeader) };
}

export async function scanSqlDump(chunks: AsyncIterable<string>, em: Emitter, notes: SkipNote[]): Promise<void> {
  const known = new Map<string, string[]>();
  let creating: { table: string; cols: string[] } | null = null;
  let copy: Cols | null = null;
  let insert = null as InsertState | null;
  let buf = "";
  let cells: Cell[] = [];
  let lineStart = 0;
  let warned = false;

  const cell = (s: number, e: number, c: Cols, k: number): void => {
    cells.push({ start: s, end: e, column: c.names[k] ?? `${c.names[0]?.split(".")[0] ?? "?"}.#${k + 1}`, cls: c.classes[k] ?? "UNKNOWN", escaped: false });
  };

  /** Scans INSERT value tuples from `p` to `end`; state carries across lines. */
  const insertValues = (p: number, end: number): void => {
    const st = insert;
    if (!st) return;
    for (let i = p; i < end; i++) {
      const c = buf.charCodeAt(i);
      if (st.inStr) {
        if (c === 39) {
          if (buf.charCodeAt(i + 1) === 39) { i++; continue; }
          st.inStr = false;
          cell(st.tokStart, i, st, st.col);
          st.tokStart = -1;
        }
        continue;
      }
      if (c === 39) { st.inStr = true; st.tokStart = i + 1; }
      else if (c === 40) { st.depth++; if (st.depth === 1) { st.col = 0; st.tokStart = -2; } }
      else if (c === 41 || c === 44) {
        if (st.depth === 1 && st.tokStart >= 0) cell(st.tokStart, i, st, st.col);
        if (c === 44 && st.depth === 1) { st.col++; st.tokStart = -2; }
        if (c === 41) st.depth--;
      } else if (c === 59 && st.depth === 0) { insert = null; return; }
      else if (st.depth === 1 && st.tokStart === -2 && c !== 32) st.tokStart = i;
    }
  };

  const line = (s: number, e: number): void => {
    // e is the index of "\n" (or the end of the buffer)
    if (insert) { insertValues(s, e + 1); return; }
    if (copy) {
      if (buf.startsWith("\\.", s) && e - s <= 3) { copy = null; return; }
      let k = 0, f = s;
      for (let i = s; i <= e; i++) {
        if (i === e || buf.charCodeAt(i) === 9) { cell(f, i > f && buf.charCodeAt(i - 1) === 13 ? i - 1 : i, copy, k++); f = i + 1; }
      }
      return;
    }
    const text = buf.slice(s, Math.min(e, s + 9000));
    if (creating) {
      const t = text.trim();
      if (t.startsWith(")")) { known.set(shortTable(creating.table), creating.cols); creating = null; return; }
      const m = /^"?([\w]+)"?\s+\w/.exec(t);
      if (m?.[1] && !/^(CONSTRAINT|PRIMARY|UNIQUE|CHECK|FOREIGN)$/i.test(m[1])) creating.cols.push(m[1]);
      return;
    }
    let m = RE_CREATE.exec(text);
    if (m?.[1]) { creating = { table: m[1], cols: [] }; return; }
    m = RE_COPY.exec(text);
    if (m?.[1]) { copy = cols(m[1], m[2], known); return; }
    m = RE_INSERT.exec(text);
    if (m?.[1]) {
      insert = { ...cols(m[1], m[2], known), col: 0, inStr: false, depth: 0, tokStart: -2 };
      insertValues(s + m[0].length, e + 1);
    }
  };

  const flush = (upTo: number): void => {
    if (upTo === 0) return;
    em.segment(buf.slice(0, upTo), cells.filter((c) => c.start < upTo));
    cells = cells.filter((c) => c.start >= upTo).map((c) => ({ ...c, start: c.start - upTo, end: c.end - upTo }));
    buf = buf.slice(upTo);
    lineStart -= upTo;
    if (insert && insert.tokStart >= 0) insert.tokStart -= upTo;
  };

  for await (const chunk of chunks) {
    buf += chunk;
    for (let nl = buf.indexOf("\n", lineStart); nl >= 0; nl = buf.indexOf("\n", lineStart)) {
      line(lineStart, nl);
      lineStart = nl + 1;
    }
    if (buf.length - lineStart > MAX_LINE) {
      if (!warned) {
        warned = true;
        notes.push({ file: em.file, reason: "long-line", byteOffset: em.byte, detail: `a dump line longer than ${MAX_LINE} characters was scanned as text without columns` });
      }
      insert = null;
      lineStart = buf.length;
    }
    if (lineStart >= TARGET && !(insert?.inStr)) flush(lineStart);
  }
  if (lineStart < buf.length) line(lineStart, buf.length);
  flush(buf.length);
}
