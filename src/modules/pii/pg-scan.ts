// Live PostgreSQL tables, read-only: every user table's columns are read through a cursor inside a
// READ ONLY transaction (a sample of the first N rows per table, or all rows), cells are classified by
// column name and scanned like CSV cells. Offsets in findings are within the cell value; `line` is the row.
import pg from "pg";
import { analyzeSegment, type Cell, type EmitOptions } from "./emitter.ts";
import { classifyHeader, type ColumnClass } from "./lexicon.ts";
import { MAX_LINE, OVERLAP, pairSafe } from "./formats/text.ts";
import { maskFor } from "./mask.ts";
import type { Finding, SkipNote } from "./pii.types.ts";

export interface PgScanOptions extends EmitOptions {
  /** Rows per table; 0 scans every row. Default 1000. */
  sample?: number;
  /** Only these schemas (default: all but pg_catalog, information_schema, pg_toast). */
  schemas?: readonly string[];
  batch?: number;
}

export interface PgTableResult { table: string; rows: number; findings: number; columns: string[] }

/** A display name for the database without credentials: postgres://host:port/db. */
export function safeDbName(url: string): string {
  try {
    const u = new URL(url);
    return `postgres://${u.hostname}${u.port ? `:${u.port}` : ""}${u.pathname}`;
  } catch {
    return "postgres://?";
  }
}

/** Characters scanned at once; a longer value is scanned in windows of MAX_LINE that overlap by OVERLAP (as in files). */
const SEGMENT = 4 << 20;

/** A window of a value: `offset` and `bytes` where it starts in the value, `span` the characters it reports (the rest is overlap). */
interface PgCell extends Cell { row: number; col: number; offset: number; bytes: number; span: number; last: boolean }

/**
 * Cells of fetched rows, scanned together (one segment, cells separated by newlines) once they hold
 * SEGMENT characters. Findings are placed in their cell: offsets within the value, `line` the row.
 */
class CellScanner {
  private text = "";
  private cells: PgCell[] = [];
  /** The value (row and column) of the last finding, and where in it that finding ended. */
  private lastRow = -1;
  private lastCol = -1;
  private reach = 0;
  private readonly file: string;
  private readonly columns: string[];
  private readonly classes: ColumnClass[];
  private readonly opts: EmitOptions;
  private readonly emit: (f: Finding) => void;

  constructor(file: string, columns: string[], opts: EmitOptions, emit: (f: Finding) => void) {
    this.file = file;
    this.columns = columns;
    this.classes = columns.map(classifyHeader);
    this.opts = opts;
    this.emit = emit;
  }

  value(v: string, row: number, col: number): void {
    const column = this.columns[col] ?? `#${col + 1}`, cls = this.classes[col] ?? "UNKNOWN";
    let bytes = 0;
    for (let o = 0; o < v.length;) {
      const next = pairSafe(v, o + MAX_LINE);
      const last = next >= v.length;
      const w = last ? v.slice(o) : v.slice(o, next + OVERLAP);
      const start = this.text.length;
      this.text += w + "\n";
      this.cells.push({ start, end: start + w.length, column, cls, escaped: false, row, col, offset: o, bytes, span: next - o, last });
      if (!last) bytes += Buffer.byteLength(v.slice(o, next));
      if (this.text.length >= SEGMENT) this.flush();
      o = next;
    }
  }

  flush(): void {
    const { text, cells } = this;
    if (cells.length === 0) return;
    this.text = "";
    this.cells = [];
    const ds = analyzeSegment(text, cells, this.opts);
    let ci = 0;
    // Byte offsets are counted forward from the cell's start (findings come in order): counting from the
    // start for each finding was quadratic in a window of 1 M characters.
    let cur: PgCell | undefined, pos = 0, bytes = 0;
    for (const d of ds) {
      while (ci < cells.length && (cells[ci]?.end ?? 0) < d.start) ci++;
      const c = cells[ci];
      if (!c || d.start < c.start || d.end > c.end) continue;
      // In a window's overlap: the next window reports it (whole); a tail of a value already reported is dropped.
      if (!c.last && d.start - c.start >= c.span) continue;
      const start = c.offset + d.start - c.start;
      if (c.row === this.lastRow && c.col === this.lastCol && start < this.reach) continue;
      const value = text.slice(d.start, d.end);
      if (c !== cur) { cur = c; pos = c.start; bytes = c.bytes; }
      bytes += Buffer.byteLength(text.slice(pos, d.start));
      pos = d.start;
      const byteStart = bytes;
      const f: Finding = {
        file: this.file, type: d.type, start, end: start + d.end - d.start,
        byteStart, byteEnd: byteStart + Buffer.byteLength(value),
        line: c.row, column: c.column, score: d.score, masked: maskFor(d.type, value),
      };
      if (d.detail !== undefined) f.detail = d.detail;
      if (this.opts.showValues) f.value = value;
      this.lastRow = c.row; this.lastCol = c.col; this.reach = f.end;
      this.emit(f);
    }
  }
}

export async function scanPostgres(
  url: string,
  opts: PgScanOptions,
  onFinding: (f: Finding) => void,
  notes: SkipNote[],
): Promise<PgTableResult[]> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  const base = safeDbName(url);
  const results: PgTableResult[] = [];
  await client.connect();
  try {
    await client.query("BEGIN TRANSACTION READ ONLY");
    const schemaFilter = (opts.schemas?.length ?? 0) > 0;
    const tables = await client.query<{ schema: string; table: string; columns: string[]; types: string[] }>(
      `SELECT c.table_schema AS schema, c.table_name AS table,
              array_agg(c.column_name::text ORDER BY c.ordinal_position) AS columns,
              array_agg(c.data_type::text ORDER BY c.ordinal_position) AS types
         FROM information_schema.columns c JOIN information_schema.tables t
           ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'
        WHERE c.table_schema NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
          AND ($1::boolean = false OR c.table_schema = ANY($2::text[]))
        GROUP BY 1, 2 ORDER BY 1, 2`,
      [schemaFilter, opts.schemas ?? []],
    );
    const sample = opts.sample ?? 1000;
    const maxBatch = Math.max(1, opts.batch ?? 1000);
    for (const t of tables.rows) {
      const file = `${base}/${t.schema}.${t.table}`;
      // bytea as text is hex: nothing to find in it, and it doubles the size of images and files.
      const binary = t.columns.filter((_, k) => t.types[k] === "bytea");
      if (binary.length > 0) notes.push({ file, reason: "binary", detail: `bytea column${binary.length > 1 ? "s" : ""} ${binary.join(", ")} not scanned (binary data)` });
      const columns = t.columns.filter((_, k) => t.types[k] !== "bytea");
      const res: PgTableResult = { table: `${t.schema}.${t.table}`, rows: 0, findings: 0, columns };
      results.push(res);
      if (columns.length === 0) continue;
      const qualified = `${client.escapeIdentifier(t.schema)}.${client.escapeIdentifier(t.table)}`;
      const colSql = columns.map((c) => `${client.escapeIdentifier(c)}::text`).join(", ");
      const out = new CellScanner(file, columns, opts, (f) => { res.findings++; onFinding(f); });
      try {
        await client.query("SAVEPOINT t");
        await client.query(`DECLARE pii_cur NO SCROLL CURSOR FOR SELECT ${colSql} FROM ${qualified}${sample > 0 ? ` LIMIT ${String(Math.floor(sample))}` : ""}`);
        // Rows per FETCH: a few at first, then as many as make about SEGMENT characters (at most
        // `batch`), so that a table of large documents is not fetched 1,000 rows at a time.
        let rows = Math.min(maxBatch, 16);
        for (;;) {
          const r = await client.query<Record<string, string | null>>({ text: `FETCH ${String(rows)} FROM pii_cur`, rowMode: "array" } as pg.QueryConfig);
          const batch = r.rows as unknown as Array<Array<string | null>>;
          if (batch.length === 0) break;
          let chars = 0;
          for (const row of batch) {
            res.rows++;
            for (let k = 0; k < row.length; k++) { const v = row[k]; if (v) { chars += v.length; out.value(v, res.rows, k); } }
          }
          out.flush();
          rows = Math.max(1, Math.min(maxBatch, Math.floor(SEGMENT / Math.max(1, chars / batch.length))));
        }
        await client.query("CLOSE pii_cur");
        await client.query("RELEASE SAVEPOINT t");
      } catch (e) {
        await client.query("ROLLBACK TO SAVEPOINT t");
        notes.push({ file, reason: "unreadable", detail: `table not scanned: ${e instanceof Error ? e.message : String(e)}` });
      }
    }
    await client.query("COMMIT");
  } finally {
    await client.end();
  }
  return results;
}
