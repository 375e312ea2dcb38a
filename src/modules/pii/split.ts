// Splitting one large plain UTF-8 file (text, logs, NDJSON) into line-aligned byte ranges that
// workers scan in parallel. One streamed pass counts UTF-16 units and lines up to each boundary, so
// every range starts with exact absolute offsets and findings need no fix-up afterwards. The ranges
// are handed out as the pass finds them: a worker starts on the first range while the pass goes on.
import { open, stat } from "node:fs/promises";
import { formatOf } from "./files.ts";
import type { RangeTask } from "./scan.ts";
import { detectEncoding, looksBinary } from "./source.ts";

export const SPLIT_MIN_BYTES = 48 * 1024 * 1024;
export const RANGE_BYTES = 32 * 1024 * 1024;

/** A file to scan in about `parts` ranges, produced one by one (the last may cover the rest of the file). */
export interface SplitPlan { parts: number; ranges: AsyncGenerator<RangeTask> }

/** How a large UTF-8 text/NDJSON file is split, or null when it should be scanned whole. */
export async function splitPlan(path: string, minBytes = SPLIT_MIN_BYTES, rangeBytes = RANGE_BYTES): Promise<SplitPlan | null> {
  let size: number;
  try {
    const st = await stat(path);
    if (!st.isFile()) return null;
    size = st.size;
  } catch {
    return null;
  }
  if (size < minBytes) return null;
  const { format, ext } = formatOf(path);
  if (path.toLowerCase().endsWith(".gz")) return null;
  if (!(format === "text" || (format === "json" && (ext === ".ndjson" || ext === ".jsonl")))) return null;
  const fh = await open(path, "r");
  const head = Buffer.alloc(64 * 1024);
  const { bytesRead } = await fh.read(head, 0, head.length, 0);
  await fh.close();
  const sample = head.subarray(0, bytesRead);
  if ((sample[0] === 0x1f && sample[1] === 0x8b) || looksBinary(sample)) return null;
  const enc = detectEncoding(sample);
  if (enc.encoding !== "utf-8" || !enc.valid) return null;
  const text = sample.toString("utf8").replace(/^\uFEFF/, "").trimStart();
  if (format === "text" && (text.startsWith("--\n-- PostgreSQL database dump") || text.startsWith("{\"") || text.startsWith("[{"))) return null;

  const parts = Math.ceil(size / rangeBytes);
  return { parts, ranges: rangesOf(path, size, parts, format) };
}

/** What `countUtf8` adds up over a run of bytes. */
export interface Counts { u16: number; lines: number }

/** How many (0–4) of the four bytes of `m` have their top bit set (`m` has no other bits set). */
const bytesSet = (m: number): number => Math.imul((m >>> 7) & 0x01010101, 0x01010101) >>> 24;

/**
 * Adds the UTF-16 units and newlines of b[from, to) to `c`: one unit per byte that does not continue a
 * UTF-8 sequence (not 10xxxxxx), one more per 4-byte lead (11110xxx and above, as the decoder's
 * surrogate pair or replacement), one line per "\n". Four bytes at a time on aligned words, each test
 * done on all four bytes at once with masks; the same counts as a loop over the bytes (split.test.ts),
 * about four times faster.
 */
export function countUtf8(b: Uint8Array, from: number, to: number, c: Counts): void {
  let u16 = c.u16, lines = c.lines, i = from;
  const lead = (x: number): void => {
    if ((x & 0xc0) !== 0x80) u16++;
    if (x >= 0xf0) u16++;
    if (x === 10) lines++;
  };
  while (i < to && ((b.byteOffset + i) & 3) !== 0) lead(b[i++] ?? 0);
  const words = (to - i) >> 2;
  if (words > 0) {
    const w32 = new Uint32Array(b.buffer, b.byteOffset + i, words);
    for (let k = 0; k < words; k++) {
      const w = w32[k] ?? 0;
      // continuation bytes: top bits 10
      const cont = w & ~(w << 1) & 0x80808080;
      // bytes 0xF0 and above: top four bits set
      const four = w & (w << 1) & (w << 2) & (w << 3) & 0x80808080;
      // newlines: bytes equal to 0x0A are the zero bytes of w ^ 0x0A0A0A0A (exact, no borrow between bytes)
      const v = w ^ 0x0a0a0a0a;
      const nl = ~(((v & 0x7f7f7f7f) + 0x7f7f7f7f) | v | 0x7f7f7f7f);
      u16 += 4 - bytesSet(cont) + bytesSet(four);
      lines += bytesSet(nl);
    }
    i += words << 2;
  }
  while (i < to) lead(b[i++] ?? 0);
  c.u16 = u16; c.lines = lines;
}

/** Counts UTF-16 units and lines over the file's bytes and cuts a range at the first newline past each target. */
export class Cutter {
  private made = 0;
  private start = 0;
  private startU16 = 0;
  private startLine = 1;
  private pos = 0;
  private readonly at: Counts = { u16: 0, lines: 1 };
  private target: number;
  private readonly size: number;
  private readonly parts: number;
  private readonly format: RangeTask["format"];

  constructor(size: number, parts: number, format: RangeTask["format"]) {
    this.size = size; this.parts = parts; this.format = format;
    this.target = Math.floor(size / parts);
  }

  /** The next chunk of the file; returns the ranges completed in it. */
  feed(b: Uint8Array): RangeTask[] {
    const out: RangeTask[] = [];
    const at = this.at;
    let i = 0;
    while (i < b.length) {
      // no cut before the byte at target - 1 (a range ends after the first newline at or past it): count in bulk
      const bulkEnd = this.made < this.parts - 1 ? Math.min(b.length, Math.max(i, this.target - 1 - this.pos)) : b.length;
      if (bulkEnd > i) { countUtf8(b, i, bulkEnd, at); i = bulkEnd; continue; }
      // then to the next newline, where the range ends
      let nl = b.indexOf(10, i);
      if (nl < 0) nl = b.length;
      countUtf8(b, i, Math.min(b.length, nl + 1), at);
      i = nl + 1;
      if (nl < b.length) {
        const end = this.pos + i;
        out.push({ start: this.start, end, utf16: this.startU16, line: this.startLine, format: this.format });
        this.made++;
        this.start = end; this.startU16 = at.u16; this.startLine = at.lines;
        this.target = Math.floor((this.size * (this.made + 1)) / this.parts);
      }
    }
    this.pos += b.length;
    return out;
  }

  /** The last range: from the last cut to the end of the file. */
  rest(): RangeTask {
    return { start: this.start, end: this.pos, utf16: this.startU16, line: this.startLine, format: this.format };
  }
}

async function* rangesOf(path: string, size: number, parts: number, format: RangeTask["format"]): AsyncGenerator<RangeTask> {
  const cut = new Cutter(size, parts, format);
  // One buffer, read into again and again: a stream's fresh 1 MB chunk per read is garbage that this
  // (mostly idle) thread collects rarely, about 60 MB of it at a time on a large file.
  const fh = await open(path, "r");
  try {
    const buf = Buffer.allocUnsafe(1 << 20);
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      yield* cut.feed(buf.subarray(0, bytesRead));
    }
  } finally {
    await fh.close();
  }
  yield cut.rest();
}
