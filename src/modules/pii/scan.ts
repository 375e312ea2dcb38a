// Scanning files: format by extension (or content), streamed through the format's reader into the
// emitter. One file at a time here; scan-pool.ts spreads files over worker threads.
import { Emitter, type EmitOptions } from "./emitter.ts";
import { scanCsv } from "./formats/csv.ts";
import { scanJson } from "./formats/json.ts";
import { scanSqlDump } from "./formats/sql.ts";
import { scanText } from "./formats/text.ts";
import type { InventoryRow } from "./inventory.ts";
import type { Finding, SkipNote } from "./pii.types.ts";
import { openSource, type ByteRange } from "./source.ts";
import { formatOf, type Format } from "./files.ts";

/** Where a range of a split file starts in the whole file. */
export interface RangeTask extends ByteRange { utf16: number; line: number; format: Format }

export interface FileResult {
  file: string;
  bytes: number;
  findings: number;
  notes: SkipNote[];
  encoding?: string;
  format?: Format;
  /** Lines of the file (records for text). */
  lines?: number;
  /** Non-empty cells per column for structured files. */
  columns?: Record<string, number>;
  /** CPU time of the worker thread on this file or range (worker pool only; for benchmarks). */
  cpuSeconds?: number;
  /** The inventory rows of this file or range, when the worker aggregated its findings (PoolOptions.onInventory). */
  inventory?: InventoryRow[];
}

/**
 * Scans one file, calling `onFinding` for each finding in file order. Never throws for bad content.
 * `gate`, when given, is awaited before each chunk of about 1 MB is read (backpressure from a consumer).
 * `onConsumed`, when given, receives the decoded text as it is scanned (Emitter.onConsumed).
 */
export async function scanFile(
  path: string, opts: EmitOptions, onFinding: (f: Finding) => void, range?: RangeTask, gate?: () => Promise<void>,
  onConsumed?: (text: string, consumed: number) => void,
): Promise<FileResult> {
  const notes: SkipNote[] = [];
  const src = await openSource(path, notes, 1 << 16, range);
  if (!src) return { file: path, bytes: 0, findings: 0, notes };
  const { format, ext } = formatOf(path);
  const em = new Emitter(path, src.encoding, opts, onFinding, range ? { utf16: range.utf16, byte: range.start, line: range.line } : undefined);
  if (onConsumed) em.onConsumed = onConsumed;
  // Content sniffing for misnamed files: a pg_dump header or a leading "{" / "[" switch the reader.
  const it = src.chunks[Symbol.asyncIterator]();
  const first = await it.next();
  const head = first.done ? "" : first.value;
  const chunks = (async function* () {
    if (!first.done) yield head;
    for (;;) {
      if (gate) await gate();
      const n = await it.next();
      if (n.done) return;
      yield n.value;
    }
  })();
  let fmt = range?.format ?? format;
  if (fmt === "text" && !range) {
    const h = head.replace(/^\uFEFF/, "").trimStart();
    if (h.startsWith("--\n-- PostgreSQL database dump")) fmt = "sql";
    else if (h.startsWith("{\"") || h.startsWith("[{")) fmt = "json";
  }
  try {
    if (fmt === "csv") await scanCsv(chunks, em, notes, ext);
    else if (fmt === "json") await scanJson(chunks, em, notes);
    else if (fmt === "sql") await scanSqlDump(chunks, em, notes);
    else await scanText(chunks, em, notes);
  } catch (e) {
    notes.push({ file: path, reason: "unreadable", detail: `scan stopped: ${e instanceof Error ? e.message : String(e)}`, byteOffset: em.byte });
  }
  return {
    file: path, bytes: em.byte - (range?.start ?? 0), findings: em.findings, notes, encoding: src.gzip ? `${src.encoding}+gzip` : src.encoding, format: fmt,
    lines: em.line - (range ? range.line - 1 : 0), columns: Object.fromEntries(em.cellsPerColumn),
  };
}

