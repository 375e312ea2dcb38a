// Writing findings: jsonl (one per line, then a summary line), json (one document), table, csv.
import { once } from "node:events";
import type { Writable } from "node:stream";
import type { Finding, ScanSummary } from "./pii.types.ts";

export type OutputFormat = "jsonl" | "json" | "table" | "csv";

/** The fixed key order of a finding in jsonl/json output. */
export function findingRecord(f: Finding, showValues: boolean): Record<string, unknown> {
  const r: Record<string, unknown> = {
    file: f.file, type: f.type, start: f.start, end: f.end, byteStart: f.byteStart, byteEnd: f.byteEnd,
    line: f.line, column: f.column, score: f.score, masked: f.masked,
  };
  if (showValues && f.value !== undefined) r.value = f.value;
  if (f.detail !== undefined) r.detail = f.detail;
  return r;
}

/** JSON of strings that repeat across findings (file names, columns, details), kept per renderer. */
export class JsonCache {
  private readonly m = new Map<string, string>();
  get(s: string): string {
    let j = this.m.get(s);
    if (j === undefined) { j = JSON.stringify(s); if (this.m.size < 10_000) this.m.set(s, j); }
    return j;
  }
}

/**
 * One jsonl line of a finding: exactly JSON.stringify(findingRecord(f, showValues)), written out
 * field by field (repeated strings from the cache), without the record object and the generic
 * serializer: this runs once per finding of `scan --format jsonl`.
 */
export function jsonlLine(f: Finding, showValues: boolean, cache: JsonCache): string {
  let line = `{"file":${cache.get(f.file)},"type":"${f.type}","start":${String(f.start)},"end":${String(f.end)},"byteStart":${String(f.byteStart)},"byteEnd":${String(f.byteEnd)},"line":${String(f.line)},"column":${f.column === null ? "null" : cache.get(f.column)},"score":${String(f.score)},"masked":${JSON.stringify(f.masked)}`;
  if (showValues && f.value !== undefined) line += `,"value":${JSON.stringify(f.value)}`;
  if (f.detail !== undefined) line += `,"detail":${cache.get(f.detail)}`;
  return line + "}\n";
}

function csvField(v: unknown): string {
  const s = typeof v === "string" ? v : typeof v === "number" || typeof v === "boolean" ? String(v) : "";
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

const CSV_KEYS = ["file", "type", "start", "end", "byteStart", "byteEnd", "line", "column", "score", "masked", "value", "detail"] as const;

export class FindingWriter {
  private readonly out: Writable;
  private readonly format: OutputFormat;
  private readonly showValues: boolean;
  private buf = "";
  private n = 0;
  private waiting: Promise<void> | null = null;
  private readonly cache = new JsonCache();

  constructor(out: Writable, format: OutputFormat, showValues: boolean) {
    this.out = out;
    this.format = format;
    this.showValues = showValues;
    if (format === "json") this.buf = '{"findings":[';
    if (format === "csv") this.buf = CSV_KEYS.filter((k) => k !== "value" || showValues).join(",") + "\n";
  }

  finding(f: Finding): void {
    const r = findingRecord(f, this.showValues);
    switch (this.format) {
      case "jsonl": this.buf += jsonlLine(f, this.showValues, this.cache); break;
      case "json": this.buf += (this.n > 0 ? ",\n" : "\n") + JSON.stringify(r); break;
      case "csv": this.buf += CSV_KEYS.filter((k) => k !== "value" || this.showValues).map((k) => csvField(r[k])).join(",") + "\n"; break;
      case "table": {
        const v = this.showValues ? (f.value ?? "") : f.masked;
        this.buf += `${`${f.file}:${f.line}`.padEnd(28)} ${f.type.padEnd(20)} ${(f.column ?? "").slice(0, 24).padEnd(24)} ${f.score.toFixed(2)}  ${v}\n`;
        break;
      }
    }
    this.n++;
    if (this.buf.length > 1 << 16) this.flushSync();
  }

  private flushSync(): void {
    if (this.buf && !this.out.write(this.buf)) this.waiting ??= once(this.out, "drain").then(() => { this.waiting = null; });
    this.buf = "";
  }

  /**
   * Appends jsonl lines rendered elsewhere (by the scan workers, as UTF-8 bytes; or as a string);
   * only for the jsonl format. `done` is called once the bytes have been written (or the write failed).
   */
  jsonlLines(lines: string | Uint8Array, count: number, done?: () => void): void {
    this.n += count;
    if (typeof lines === "string") {
      this.buf += lines;
      if (this.buf.length > 1 << 16) this.flushSync();
      done?.();
      return;
    }
    this.flushSync();
    if (!this.out.write(lines, () => done?.())) this.waiting ??= once(this.out, "drain").then(() => { this.waiting = null; });
  }

  /** Resolves when the output has drained what was written (backpressure for the scan's producers). */
  ready(): Promise<void> {
    return this.waiting ?? Promise.resolve();
  }

  async end(summary: ScanSummary): Promise<void> {
    const mbps = summary.seconds > 0 ? Math.round((summary.bytes / 1e6 / summary.seconds) * 10) / 10 : 0;
    const s = { ...summary, mbPerSecond: mbps };
    switch (this.format) {
      case "jsonl": this.buf += JSON.stringify({ summary: s }) + "\n"; break;
      case "json": this.buf += `\n],"summary":${JSON.stringify(s)}}\n`; break;
      case "table": {
        const types = Object.entries(summary.byType).map(([t, n]) => `${t} ${n}`).join(", ");
        this.buf += `\n${summary.findings} findings in ${summary.files} files (${(summary.bytes / 1e6).toFixed(1)} MB, ${summary.seconds}s)${types ? `: ${types}` : ""}\n`;
        for (const k of summary.skipped) this.buf += `skipped ${k.file}: ${k.reason}: ${k.detail}\n`;
        break;
      }
      case "csv":
        console.error(JSON.stringify({ summary: s }));
        break;
    }
    const ok = this.out.write(this.buf);
    this.buf = "";
    if (!ok) await once(this.out, "drain");
  }
}
