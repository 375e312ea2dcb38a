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

/**
 * One csv line of a finding: csvField of each of CSV_KEYS (`value` only when shown) joined by commas,
 * written out without the record object. The type is a bare identifier and the numbers are never
 * negative in findings (a negative one would still go through csvField's guard).
 */
export function csvLine(f: Finding, showValues: boolean): string {
  const num = (n: number): string => (n >= 0 ? String(n) : csvField(n));
  let line = `${csvField(f.file)},${f.type},${num(f.start)},${num(f.end)},${num(f.byteStart)},${num(f.byteEnd)},${num(f.line)},${csvField(f.column)},${num(f.score)},${csvField(f.masked)}`;
  if (showValues) line += `,${csvField(f.value)}`;
  return `${line},${csvField(f.detail)}\n`;
}

/** One line of the table format. */
export function tableLine(f: Finding, showValues: boolean): string {
  const v = showValues ? (f.value ?? "") : f.masked;
  return `${`${f.file}:${f.line}`.padEnd(28)} ${f.type.padEnd(20)} ${(f.column ?? "").slice(0, 24).padEnd(24)} ${f.score.toFixed(2)}  ${v}\n`;
}

/**
 * A finding as the text a renderer outputs for it, outside the format's header and footer. For
 * json that is ",\n" and the record: FindingWriter.rendered drops the comma before the first record.
 */
export function renderedText(format: OutputFormat, f: Finding, showValues: boolean, cache: JsonCache): string {
  switch (format) {
    case "jsonl": return jsonlLine(f, showValues, cache);
    case "json": return ",\n" + jsonlLine(f, showValues, cache).slice(0, -1);
    case "csv": return csvLine(f, showValues);
    case "table": return tableLine(f, showValues);
  }
}

const HEX = "0123456789abcdef";
const SHORT_ESCAPES: Record<number, number> = { 8: 98, 9: 116, 10: 110, 12: 102, 13: 114, 34: 34, 92: 92 }; // \b \t \n \f \r \" \\
const utf8 = new TextEncoder();
const K_END = utf8.encode(',"end":'), K_BYTE_START = utf8.encode(',"byteStart":'), K_BYTE_END = utf8.encode(',"byteEnd":'), K_LINE = utf8.encode(',"line":');
const K_VALUE = utf8.encode(',"value":');

/**
 * Renders findings in an output format straight into UTF-8 bytes: exactly the UTF-8 of
 * renderedText(format, f). For jsonl and json the record is written without a string per line and
 * without encoding the batch afterwards (together about 1 µs a finding, on corpora with a finding
 * every 35 bytes). What repeats is encoded once and copied in two pieces: `{"file":…,"type":…,"start":`
 * per file and type, `,"column":…,"score":…,"masked":` per column and score. Numbers are written digit
 * by digit; the masked value (and the raw value when shown) is JSON-escaped and encoded character by
 * character. csv and table lines are built as strings (csvLine, tableLine) and encoded here.
 */
export class RenderEncoder {
  bytes: Uint8Array;
  length = 0;
  lines = 0;
  readonly format: OutputFormat;
  private readonly showValues: boolean;
  private file: string | null = null;
  private heads = new Map<string, Uint8Array>();
  private readonly headsByFile = new Map<string, Map<string, Uint8Array>>();
  private readonly mids = new Map<string | null, Map<number, Uint8Array>>();
  private readonly details = new Map<string, Uint8Array>();

  constructor(format: OutputFormat, showValues: boolean, bytes: Uint8Array = new Uint8Array(1 << 16)) {
    this.format = format;
    this.showValues = showValues;
    this.bytes = bytes;
  }

  /** Starts a new batch in `bytes` (a buffer handed back for reuse, or a new one). */
  reset(bytes: Uint8Array): void {
    this.bytes = bytes;
    this.length = 0;
    this.lines = 0;
  }

  /** Appends the rendering of `f`. */
  line(f: Finding): void {
    switch (this.format) {
      case "jsonl": this.record(f); this.bytes[this.length++] = 10; break;
      case "json": this.room(2); this.bytes[this.length++] = 44; this.bytes[this.length++] = 10; this.record(f); break;
      case "csv": this.text(csvLine(f, this.showValues)); break;
      case "table": this.text(tableLine(f, this.showValues)); break;
    }
    this.lines++;
  }

  /** The JSON record of `f` (then room for one more byte). */
  private record(f: Finding): void {
    const value = this.showValues && f.value !== undefined ? f.value : undefined;
    // A UTF-16 unit takes at most 6 bytes escaped (\u001f) and never more than 3 as UTF-8.
    this.room(256 + 6 * (f.file.length + (f.column?.length ?? 0) + f.masked.length + (value?.length ?? 0) + (f.detail?.length ?? 0)));
    this.put(this.head(f.file, f.type));
    this.int(f.start);
    this.key(K_END); this.int(f.end);
    this.key(K_BYTE_START); this.int(f.byteStart);
    this.key(K_BYTE_END); this.int(f.byteEnd);
    this.key(K_LINE); this.int(f.line);
    this.put(this.mid(f.column, f.score));
    this.quoted(f.masked);
    if (value !== undefined) { this.key(K_VALUE); this.quoted(value); }
    if (f.detail !== undefined) {
      let d = this.details.get(f.detail);
      if (d === undefined) { d = utf8.encode(`,"detail":${JSON.stringify(f.detail)}`); if (this.details.size < 10_000) this.details.set(f.detail, d); }
      this.put(d);
    }
    this.bytes[this.length++] = 125; // }
  }

  /** Plain UTF-8 of `s` (a lone surrogate as U+FFFD, as Node's UTF-8 encoder writes it). */
  private text(s: string): void {
    this.room(3 * s.length);
    this.utf8(s, false);
  }

  private head(file: string, type: string): Uint8Array {
    if (file !== this.file) {
      let m = this.headsByFile.get(file);
      if (m === undefined) { m = new Map(); if (this.headsByFile.size < 1000) this.headsByFile.set(file, m); }
      this.file = file;
      this.heads = m;
    }
    let b = this.heads.get(type);
    if (b === undefined) { b = utf8.encode(`{"file":${JSON.stringify(file)},"type":${JSON.stringify(type)},"start":`); this.heads.set(type, b); }
    return b;
  }

  private mid(column: string | null, score: number): Uint8Array {
    let m = this.mids.get(column);
    if (m === undefined) { m = new Map(); if (this.mids.size < 10_000) this.mids.set(column, m); }
    let b = m.get(score);
    if (b === undefined) { b = utf8.encode(`,"column":${column === null ? "null" : JSON.stringify(column)},"score":${String(score)},"masked":`); if (m.size < 1000) m.set(score, b); }
    return b;
  }

  private room(n: number): void {
    if (this.length + n <= this.bytes.length) return;
    const grown = new Uint8Array(Math.max(this.bytes.length * 2, this.length + n));
    grown.set(this.bytes.subarray(0, this.length));
    this.bytes = grown;
  }

  /** Copies a cached piece (one native copy: a byte loop costs more past a dozen bytes). */
  private put(b: Uint8Array): void {
    this.bytes.set(b, this.length);
    this.length += b.length;
  }

  /** Copies a short key byte by byte. */
  private key(b: Uint8Array): void {
    const out = this.bytes, p = this.length;
    for (let i = 0; i < b.length; i++) out[p + i] = b[i] ?? 0;
    this.length = p + b.length;
  }

  private int(n: number): void {
    if (!(n >= 0 && n < 2 ** 31 && n === Math.floor(n))) {
      const s = String(n);
      for (let i = 0; i < s.length; i++) this.bytes[this.length++] = s.charCodeAt(i);
      return;
    }
    const out = this.bytes;
    let v = n | 0, digits = 1;
    for (let t = v; t >= 10; t = (t / 10) | 0) digits++;
    let p = this.length + digits;
    this.length = p;
    do { const q = (v / 10) | 0; out[--p] = 48 + v - q * 10; v = q; } while (v > 0);
  }

  /** JSON.stringify(s) as UTF-8 (lone surrogates escaped as \udxxx, as JSON.stringify does). */
  private quoted(s: string): void {
    this.bytes[this.length++] = 34;
    this.utf8(s, true);
    this.bytes[this.length++] = 34;
  }

  /** `s` as UTF-8; `json`: with JSON string escapes, else lone surrogates as U+FFFD. */
  private utf8(s: string, json: boolean): void {
    const out = this.bytes;
    let p = this.length;
    for (let i = 0, n = s.length; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c < 128) {
        if (!json || (c >= 32 && c !== 34 && c !== 92)) { out[p++] = c; continue; }
        const short = SHORT_ESCAPES[c];
        out[p++] = 92;
        if (short !== undefined) out[p++] = short;
        else { out[p++] = 117; out[p++] = 48; out[p++] = 48; out[p++] = HEX.charCodeAt(c >> 4); out[p++] = HEX.charCodeAt(c & 15); }
      } else if (c < 0x800) {
        out[p++] = 0xc0 | (c >> 6); out[p++] = 0x80 | (c & 63);
      } else if (c >= 0xd800 && c <= 0xdfff) {
        const d = s.charCodeAt(i + 1);
        if (c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) {
          const cp = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
          out[p++] = 0xf0 | (cp >> 18); out[p++] = 0x80 | ((cp >> 12) & 63); out[p++] = 0x80 | ((cp >> 6) & 63); out[p++] = 0x80 | (cp & 63);
          i++;
        } else if (json) {
          out[p++] = 92; out[p++] = 117;
          for (let shift = 12; shift >= 0; shift -= 4) out[p++] = HEX.charCodeAt((c >> shift) & 15);
        } else { out[p++] = 0xef; out[p++] = 0xbf; out[p++] = 0xbd; }
      } else {
        out[p++] = 0xe0 | (c >> 12); out[p++] = 0x80 | ((c >> 6) & 63); out[p++] = 0x80 | (c & 63);
      }
    }
    this.length = p;
  }
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
    const text = renderedText(this.format, f, this.showValues, this.cache);
    this.buf += this.format === "json" && this.n === 0 ? text.slice(1) : text;
    this.n++;
    if (this.buf.length > 1 << 16) this.flushSync();
  }

  private flushSync(): void {
    if (this.buf && !this.out.write(this.buf)) this.waiting ??= once(this.out, "drain").then(() => { this.waiting = null; });
    this.buf = "";
  }

  /**
   * Appends findings rendered elsewhere in this writer's format (renderedText; by the scan workers as
   * UTF-8 bytes, or as a string). `done` is called once the bytes have been written (or the write failed).
   */
  rendered(lines: string | Uint8Array, count: number, done?: () => void): void {
    // json: the comma before the document's first record goes
    const skip = this.format === "json" && this.n === 0 && count > 0 ? 1 : 0;
    this.n += count;
    if (typeof lines === "string") {
      this.buf += skip > 0 ? lines.slice(skip) : lines;
      if (this.buf.length > 1 << 16) this.flushSync();
      done?.();
      return;
    }
    this.flushSync();
    if (!this.out.write(skip > 0 ? lines.subarray(skip) : lines, () => done?.())) this.waiting ??= once(this.out, "drain").then(() => { this.waiting = null; });
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
