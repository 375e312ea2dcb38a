// Splitting one large plain UTF-8 file (text, logs, NDJSON) into line-aligned byte ranges that
// workers scan in parallel. One streamed pass counts UTF-16 units and lines up to each boundary, so
// every range starts with exact absolute offsets and findings need no fix-up afterwards.
import { createReadStream } from "node:fs";
import { open, stat } from "node:fs/promises";
import { formatOf, type RangeTask } from "./scan.ts";
import { detectEncoding, looksBinary } from "./source.ts";

export const SPLIT_MIN_BYTES = 48 * 1024 * 1024;
export const RANGE_BYTES = 32 * 1024 * 1024;

/** Line-aligned ranges for a large UTF-8 text/NDJSON file, or null when it should be scanned whole. */
export async function planRanges(path: string, minBytes = SPLIT_MIN_BYTES, rangeBytes = RANGE_BYTES): Promise<RangeTask[] | null> {
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
  const ranges: RangeTask[] = [];
  let start = 0, startU16 = 0, startLine = 1;
  let pos = 0, u16 = 0, line = 1;
  let target = Math.floor(size / parts);
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    const b = chunk as Buffer;
    for (let i = 0; i < b.length; i++) {
      const x = b[i] ?? 0;
      if ((x & 0xc0) !== 0x80) u16++;
      if (x >= 0xf0) u16++;
      if (x === 10) {
        line++;
        if (pos + i + 1 >= target && ranges.length < parts - 1) {
          const end = pos + i + 1;
          ranges.push({ start, end, utf16: startU16, line: startLine, format });
          start = end; startU16 = u16; startLine = line;
          target = Math.floor((size * (ranges.length + 1)) / parts);
        }
      }
    }
    pos += b.length;
  }
  ranges.push({ start, end: pos, utf16: startU16, line: startLine, format });
  return ranges.length > 1 ? ranges : null;
}
