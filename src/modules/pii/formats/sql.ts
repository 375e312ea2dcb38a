// PostgreSQL plain dumps (pg_dump -Fp): COPY … FROM stdin blocks (tab-separated, backslash escapes,
// ended by "\."), INSERT statements with or without a column list (column names then come from
// the CREATE TABLE seen earlier). Cells are named "table.column". Everything else is scanned as text.
import type { Cell, Emitter } from "../emitter.ts";
import { classifyHeader, type ColumnClass } from "../lexicon.ts";
import type { SkipNote } from "../pii.types.ts";
import { MAX_LINE, pairSafe, scanWindow, TARGET } from "./text.ts";

const RE_COPY = /^COPY\s+([\w."]+)\s*(?:\(([^)]{0,8000})\))?\s+FROM\s+stdin/i;
const RE_CREATE = /^CREATE\s+(?:UNLOGGED\s+)?TABLE\s+(?:IF NOT EXISTS\s+)?([\w."]+)\s*\(/i;
const RE_INSERT = /^INSERT\s+INTO\s+([\w."]+)\s*(?:\(([^)]{0,8000})\))?\s*VALUES\s*/i;

/**
 * PostgreSQL cuts identifiers to 63 bytes, allows 1,600 columns per table, and a dump names each
 * column once: what is remembered of a dump's tables and headers is bounded by these, and by a
 * total, so that a hostile dump (600,000 CREATE TABLEs, or one with 3 million columns) cannot run a
 * worker out of memory; columns beyond them are named by position (table.#k).
 */
const MAX_NAME = 63;
const MAX_COLUMNS = 1600;
const MAX_TABLES = 10_000;
const MAX_REMEMBERED = 100_000;

/** The first MAX_NAME characters of a name (not ending inside a surrogate pair). */
const cut = (name: string): string => (name.length <= MAX_NAME ? name : name.slice(0, pairSafe(name, MAX_NAME)));
const unquote = (s: string): string => cut(s.trim().replace(/^"|"$/g, ""));
const shortTable = (t: string): string => unquote(t.split(".").pop() ?? t);

interface Cols { table: string; names: string[]; classes: ColumnClass[] }
interface InsertState extends Cols { col: number; inStr: boolean; depth: number; tokStart: number }

function cols(table: string, list: string | undefined, known: Map<string, string[]>): Cols {
  const names = list !== undefined ? list.split(",", MAX_COLUMNS).map(unquote) : (known.get(shortTable(table)) ?? []);
  const short = shortTable(table);
  return { table: short, names: names.map((n) => `${short}.${n}`), classes: names.map(classifyHeader) };
}

/**
 * The reader's state between chunks. Its loops are methods, created once: as closures inside
 * scanSqlDump they were new functions for every file, and V8 optimised them again for each one
 * (about 2 s of compiler time per GB of mixed input, run on the second core).
 */
class SqlState {
  readonly em: Emitter;
  readonly known = new Map<string, string[]>();
  /**
   * Columns per INSERT or COPY header (table and column list), made once: a dump written with
   * --inserts repeats the same header on every row. Cleared when a CREATE TABLE changes what a
   * header without a column list means.
   */
  private readonly headerCols = new Map<string, Cols>();
  /** Column names held by `known` and by `headerCols` (each at most MAX_REMEMBERED). */
  private knownNames = 0;
  private headerNames = 0;
  creating: { table: string; cols: string[] } | null = null;
  copy: Cols | null = null;
  insert: InsertState | null = null;
  buf = "";
  cells: Cell[] = [];
  lineStart = 0;
  constructor(em: Emitter) { this.em = em; }

  cell(s: number, e: number, c: Cols, k: number, part = false): void {
    this.cells.push({ start: s, end: e, column: c.names[k] ?? `${c.table}.#${String(k + 1)}`, cls: c.classes[k] ?? "UNKNOWN", escaped: false, part });
  }

  /** Scans INSERT value tuples from `p` to `end`; state carries across lines. */
  insertValues(p: number, end: number): void {
    const st = this.insert, buf = this.buf;
    if (!st) return;
    for (let i = p; i < end; i++) {
      const c = buf.charCodeAt(i);
      if (st.inStr) {
        if (c === 39) {
          if (buf.charCodeAt(i + 1) === 39) { i++; continue; }
          st.inStr = false;
          this.cell(st.tokStart, i, st, st.col);
          st.tokStart = -1;
        }
        continue;
      }
      if (c === 39) { st.inStr = true; st.tokStart = i + 1; }
      else if (c === 40) { st.depth++; if (st.depth === 1) { st.col = 0; st.tokStart = -2; } }
      else if (c === 41 || c === 44) {
        if (st.depth === 1 && st.tokStart >= 0) this.cell(st.tokStart, i, st, st.col);
        if (c === 44 && st.depth === 1) { st.col++; st.tokStart = -2; }
        if (c === 41) st.depth--;
      } else if (c === 59 && st.depth === 0) { this.insert = null; return; }
      else if (st.depth === 1 && st.tokStart === -2 && c !== 32) st.tokStart = i;
    }
  }

  /**
   * Keeps a CREATE TABLE's columns (a table defined again replaces them), within MAX_TABLES and
   * MAX_REMEMBERED; a table past them is forgotten, its earlier definition too (its columns are then
   * named by position, not by a definition the dump has replaced).
   */
  private remember(table: string, columns: string[]): void {
    const old = this.known.get(table)?.length ?? 0;
    if (this.known.delete(table)) this.knownNames -= old;
    this.headerCols.clear();
    this.headerNames = 0;
    if (this.known.size >= MAX_TABLES || this.knownNames + columns.length > MAX_REMEMBERED) return;
    this.known.set(table, columns);
    this.knownNames += columns.length;
  }

  private columnsOf(table: string, list: string | undefined): Cols {
    const key = list === undefined ? table : `${table}\u0000${list}`;
    let c = this.headerCols.get(key);
    if (c === undefined) {
      c = cols(table, list, this.known);
      if (this.headerCols.size < 1000 && this.headerNames + c.names.length <= MAX_REMEMBERED) { this.headerCols.set(key, c); this.headerNames += c.names.length; }
    }
    return c;
  }

  /** Every complete line buffered from lineStart. */
  lines(): void {
    const buf = this.buf;
    for (let nl = buf.indexOf("\n", this.lineStart); nl >= 0; nl = buf.indexOf("\n", this.lineStart)) {
      this.line(this.lineStart, nl);
      this.lineStart = nl + 1;
    }
  }

  line(s: number, e: number): void {
    // e is the index of "\n" (or the end of the buffer)
    const buf = this.buf;
    if (this.insert) { this.insertValues(s, e + 1); return; }
    const copy = this.copy;
    if (copy) {
      if (buf.startsWith("\\.", s) && e - s <= 3) { this.copy = null; return; }
      let k = 0, f = s;
      for (let i = s; i <= e; i++) {
        if (i === e || buf.charCodeAt(i) === 9) { this.cell(f, i > f && buf.charCodeAt(i - 1) === 13 ? i - 1 : i, copy, k++); f = i + 1; }
      }
      return;
    }
    const text = buf.slice(s, Math.min(e, s + 9000));
    const creating = this.creating;
    if (creating) {
      const t = text.trim();
      if (t.startsWith(")")) { this.remember(shortTable(creating.table), creating.cols); this.creating = null; return; }
      if (creating.cols.length >= MAX_COLUMNS) return;
      const m = /^"?([\w]+)"?\s+\w/.exec(t);
      if (m?.[1] && !/^(CONSTRAINT|PRIMARY|UNIQUE|CHECK|FOREIGN)$/i.test(m[1])) creating.cols.push(cut(m[1]));
      return;
    }
    let m = RE_CREATE.exec(text);
    if (m?.[1]) { this.creating = { table: m[1], cols: [] }; return; }
    m = RE_COPY.exec(text);
    if (m?.[1]) { this.copy = this.columnsOf(m[1], m[2]); return; }
    m = RE_INSERT.exec(text);
    if (m?.[1]) {
      this.insert = { ...this.columnsOf(m[1], m[2]), col: 0, inStr: false, depth: 0, tokStart: -2 };
      this.insertValues(s + m[0].length, e + 1);
    }
  }

  /** Scans the buffer up to `upTo` (a line start) and keeps the rest, with the cells in it. */
  flush(upTo: number): void {
    if (upTo === 0) return;
    const seg: Cell[] = [], rest: Cell[] = [];
    for (const c of this.cells) {
      if (c.start < upTo) seg.push(c);
      else rest.push({ start: c.start - upTo, end: c.end - upTo, column: c.column, cls: c.cls, escaped: c.escaped, part: c.part });
    }
    this.em.segment(this.buf.slice(0, upTo), seg);
    this.cells = rest;
    this.buf = this.buf.slice(upTo);
    this.lineStart -= upTo;
    if (this.insert && this.insert.tokStart >= 0) this.insert.tokStart -= upTo;
  }
}

export async function scanSqlDump(chunks: AsyncIterable<string>, em: Emitter, notes: SkipNote[]): Promise<void> {
  const st = new SqlState(em);
  let warned = false;
  // Inside a line too long for cells: the rest of it is scanned as text, in overlapping windows, up
  // to its end. (Its tail used to be read as a COPY row: a cell of the first
  // column, "id", whose class then suppressed the phone numbers in it.)
  let long = false;
  for await (const chunk of chunks) {
    st.buf += chunk;
    if (long) {
      const nl = st.buf.indexOf("\n");
      if (nl < 0) { if (st.buf.length > MAX_LINE) st.buf = scanWindow(em, st.buf); continue; }
      em.segment(st.buf.slice(0, nl + 1));
      st.buf = st.buf.slice(nl + 1);
      long = false;
    }
    st.lines();
    if (st.buf.length - st.lineStart > MAX_LINE) {
      if (!warned) {
        warned = true;
        notes.push({ file: em.file, reason: "long-line", byteOffset: em.byte, detail: `a dump line longer than ${MAX_LINE} characters was scanned as text without columns` });
      }
      st.insert = null;
      st.flush(st.lineStart); // the complete lines before it, with their cells
      st.buf = scanWindow(em, st.buf);
      long = true;
      continue;
    }
    const ins = st.insert;
    if (ins?.inStr && ins.tokStart >= 0 && st.lineStart - ins.tokStart > MAX_LINE) {
      // A string literal over many lines (a text column holding a whole document): its cell is cut
      // at a line start, so that the buffer stays bounded; the rest goes on as a cell of the same column.
      st.cell(ins.tokStart, st.lineStart, ins, ins.col, true);
      ins.tokStart = st.lineStart;
      st.flush(st.lineStart);
    }
    if (st.lineStart >= TARGET && !(st.insert?.inStr)) st.flush(st.lineStart);
  }
  if (long) { em.segment(st.buf); return; }
  if (st.lineStart < st.buf.length) st.line(st.lineStart, st.buf.length);
  st.flush(st.buf.length);
}
