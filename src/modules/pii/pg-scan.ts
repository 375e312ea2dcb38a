// Live PostgreSQL tables, read-only: every user table's columns are read through a cursor inside a
// READ ONLY transaction (a sample of the first N rows per table, or all rows), cells are classified by
// column name and scanned like CSV cells. Offsets in findings are within the cell value; `line` is the row.
import pg from "pg";
import { analyzeSegment, type Cell, type EmitOptions } from "./emitter.ts";
import { classifyHeader, type ColumnClass } from "./lexicon.ts";
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
    const tables = await client.query<{ schema: string; table: string; columns: string[] }>(
      `SELECT c.table_schema AS schema, c.table_name AS table, array_agg(c.column_name::text ORDER BY c.ordinal_position) AS columns
         FROM information_schema.columns c JOIN information_schema.tables t
           ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'
        WHERE c.table_schema NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
          AND ($1::boolean = false OR c.table_schema = ANY($2::text[]))
        GROUP BY 1, 2 ORDER BY 1, 2`,
      [schemaFilter, opts.schemas ?? []],
    );
    const sample = opts.sample ?? 1000;
    const batch = opts.batch ?? 1000;
    for (const t of tables.rows) {
      const qualified = `${client.escapeIdentifier(t.schema)}.${client.escapeIdentifier(t.table)}`;
      const colSql = t.columns.map((c) => `${client.escapeIdentifier(c)}::text`).join(", ");
      const file = `${base}/${t.schema}.${t.table}`;
      const classes: ColumnClass[] = t.columns.map(classifyHeader);
      const res: PgTableResult = { table: `${t.schema}.${t.table}`, rows: 0, findings: 0, columns: t.columns };
      try {
        await client.query("SAVEPOINT t");
        await client.query(`DECLARE pii_cur NO SCROLL CURSOR FOR SELECT ${colSql} FROM ${qualified}${sample > 0 ? ` LIMIT ${String(Math.floor(sample))}` : ""}`);
        for (;;) {
          const r = await client.query<Record<string, string | null>>({ text: `FETCH ${String(batch)} FROM pii_cur`, rowMode: "array" } as pg.QueryConfig);
          const rows = r.rows as unknown as Array<Array<string | null>>;
          if (rows.length === 0) break;
          // One segment per batch: cells separated by newlines; each detection is placed in its cell.
          let text = "";
          const cells: Array<Cell & { row: number; col: number }> = [];
          for (const row of rows) {
            res.rows++;
            row.forEach((v, k) => {
              if (v === null || v === "") return;
              const start = text.length;
              text += v;
              cells.push({ start, end: text.length, column: t.columns[k] ?? `#${k + 1}`, cls: classes[k] ?? "UNKNOWN", escaped: false, row: res.rows, col: k });
              text += "\n";
            });
          }
          const ds = analyzeSegment(text, cells, opts);
          let ci = 0;
          for (const d of ds) {
            while (ci < cells.length && (cells[ci]?.end ?? 0) < d.start) ci++;
            const c = cells[ci];
            if (!c || d.start < c.start || d.end > c.end) continue;
            const value = text.slice(d.start, d.end);
            const before = text.slice(c.start, d.start);
            const f: Finding = {
              file, type: d.type, start: d.start - c.start, end: d.end - c.start,
              byteStart: Buffer.byteLength(before), byteEnd: Buffer.byteLength(before) + Buffer.byteLength(value),
              line: c.row, column: c.column, score: d.score, masked: maskFor(d.type, value),
            };
            if (d.detail !== undefined) f.detail = d.detail;
            if (opts.showValues) f.value = value;
            res.findings++;
            onFinding(f);
          }
        }
        await client.query("CLOSE pii_cur");
        await client.query("RELEASE SAVEPOINT t");
      } catch (e) {
        await client.query("ROLLBACK TO SAVEPOINT t");
        notes.push({ file, reason: "unreadable", detail: `table not scanned: ${e instanceof Error ? e.message : String(e)}` });
      }
      results.push(res);
    }
    await client.query("COMMIT");
  } finally {
    await client.end();
  }
  return results;
}
