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

/** Counts UTF-16 units and lines over the file's bytes and cuts a range at the first newline past each target. */
class Cutter {
  private made = 0;
  private start = 0;
  private startU16 = 0;
  private startLine = 1;
  private pos = 0;
  private u16 = 0;
  private line = 1;
  private target: number;
  private readonly size: number;
  private readonly parts: number;
  private readonly format: RangeTask["format"];

  constructor(size: number, parts: number, format: RangeTask["format"]) {
    this.size = size; this.parts = parts; this.format = format;
    this.target = Math.floor(size / parts);
  }

  /** The next chunk of the file; returns the ranges completed in it. (A plain loop, not in a generator, so that V8 optimizes it.) */
  feed(b: Buffer): RangeTask[] {
    const out: RangeTask[] = [];
    let u16 = this.u16, line = this.line;
    for (let i = 0; i < b.length; i++) {
      const x = b[i] ?? 0;
      if ((x & 0xc0) !== 0x80) u16++;
      if (x >= 0xf0) u16++;
      if (x === 10) {
        line++;
        if (this.pos + i + 1 >= this.target && this.made < this.parts - 1) {
          const end = this.pos + i + 1;
          out.push({ start: this.start, end, utf16: this.startU16, line: this.startLine, format: this.format });
          this.made++;
          this.start = end; this.startU16 = u16; this.startLine = line;
          this.target = Math.floor((this.size * (this.made + 1)) / this.parts);
        }
      }
    }
    this.u16 = u16; this.line = line;
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
