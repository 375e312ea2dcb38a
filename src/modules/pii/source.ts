// Opening a file for scanning: gzip detection, binary sniffing, UTF-8 / Big5 detection, and a
// streamed decode into text chunks (constant memory). Problems become SkipNotes, never exceptions.
import { open, type FileHandle } from "node:fs/promises";
import { isUtf8 } from "node:buffer";
import { createGunzip } from "node:zlib";
import type { Readable } from "node:stream";
import type { SkipNote } from "./pii.types.ts";

export type Encoding = "utf-8" | "big5";

export interface DecodedChunk { text: string }

export interface OpenedSource {
  encoding: Encoding;
  gzip: boolean;
  /** Decoded text, in order. Ends early (with a note) on a truncated gzip stream or read error. */
  chunks: AsyncGenerator<string>;
}

const SNIFF = 64 * 1024;

/** True when a sample looks binary: NUL bytes, or many C0 control characters. */
export function looksBinary(sample: Buffer): boolean {
  const n = Math.min(sample.length, 8192);
  let ctrl = 0;
  for (let i = 0; i < n; i++) {
    const b = sample[i] ?? 0;
    if (b === 0) return true;
    if (b < 9 || (b > 13 && b < 32 && b !== 27)) ctrl++;
  }
  return n > 0 && ctrl / n > 0.1;
}

/** Trims a sample to its last complete UTF-8 sequence, so a cut multi-byte character is not "invalid". */
function trimPartialUtf8(b: Buffer): Buffer {
  let i = b.length - 1;
  let k = 0;
  while (i >= 0 && k < 4 && ((b[i] ?? 0) & 0xc0) === 0x80) { i--; k++; }
  if (i < 0) return b;
  const lead = b[i] ?? 0;
  const need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  return need > k + 1 ? b.subarray(0, i) : b;
}

/** UTF-8 when the sample is valid UTF-8; Big5 when it decodes as Big5 with CJK text; otherwise UTF-8 with replacement. */
export function detectEncoding(sample: Buffer): { encoding: Encoding; valid: boolean } {
  if (isUtf8(trimPartialUtf8(sample))) return { encoding: "utf-8", valid: true };
  try {
    const s = new TextDecoder("big5", { fatal: true }).decode(sample.subarray(0, Math.max(0, sample.length - 1)));
    if (/[\u4e00-\u9fff]/.test(s)) return { encoding: "big5", valid: true };
  } catch {
    // not Big5 either
  }
  return { encoding: "utf-8", valid: false };
}

/** A gunzip stream's output; a stream that fails ends it with a "truncated-gzip" note. */
async function* readAll(stream: Readable, file: string, notes: SkipNote[]): AsyncGenerator<Buffer> {
  try {
    for await (const chunk of stream) yield chunk as Buffer;
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    notes.push({ file, reason: "truncated-gzip", detail: `gzip stream ended early (${msg}); scanned what was decompressed` });
  }
}

/**
 * Opens a file for scanning. Returns null (with a note) when the file is binary or unreadable.
 * `chunks` yields decoded text; a BOM is kept as U+FEFF so that UTF-16 and byte offsets stay aligned.
 */
/** A byte range of a plain UTF-8 file (line-aligned), scanned by one worker. */
export interface ByteRange { start: number; end: number }

/**
 * The file's bytes (or a range of them) read into one buffer, again and again: each chunk must be used
 * or copied before the next is asked for. New chunks per read stayed resident in the workers' malloc
 * arenas (bench/RESULTS.md, pii run 7). A read error ends it with an "unreadable" note.
 */
async function* readReused(path: string, notes: SkipNote[], chunkSize: number, range?: ByteRange): AsyncGenerator<Buffer> {
  let fh: FileHandle | undefined;
  try {
    fh = await open(path, "r");
    const buf = Buffer.allocUnsafe(chunkSize);
    const end = range?.end ?? Infinity;
    for (let pos = range?.start ?? 0; pos < end;) {
      const { bytesRead } = await fh.read(buf, 0, Math.min(buf.length, end - pos), pos);
      if (bytesRead === 0) break;
      pos += bytesRead;
      yield buf.subarray(0, bytesRead);
    }
  } catch (e) {
    notes.push({ file: path, reason: "unreadable", detail: e instanceof Error ? e.message : String(e) });
  } finally {
    await fh?.close();
  }
}

export async function openSource(path: string, notes: SkipNote[], chunkSize = 1 << 20, range?: ByteRange): Promise<OpenedSource | null> {
  const file = path;
  // Peek the first bytes to detect gzip.
  const rawIter = readReused(path, notes, chunkSize, range);
  const first = await rawIter.next();
  if (first.done) {
    return { encoding: "utf-8", gzip: false, chunks: (async function* () { /* empty file */ })() };
  }
  const head = first.value;
  const gzip = head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
  let bytes: AsyncGenerator<Buffer>;
  if (gzip) {
    const gunzip = createGunzip();
    // Feed raw chunks into gunzip in the background, with backpressure; copies, as the reader reuses its buffer.
    void (async () => {
      gunzip.write(Buffer.from(head));
      for await (const c of rawIter) {
        if (!gunzip.write(Buffer.from(c))) await new Promise<void>((r) => gunzip.once("drain", () => { r(); }));
      }
      gunzip.end();
    })().catch(() => undefined);
    bytes = readAll(gunzip, file, notes);
  } else {
    bytes = (async function* () { yield head; yield* rawIter; })();
  }
  // Sniff the first (decompressed) bytes.
  let sample = Buffer.alloc(0);
  const pending: Buffer[] = [];
  while (sample.length < SNIFF) {
    const n = await bytes.next();
    if (n.done) break;
    pending.push(Buffer.from(n.value)); // a copy: the reader reuses its buffer
    sample = Buffer.concat([sample, n.value]);
  }
  if (range && range.start > 0) {
    // A later range of a file already sniffed as UTF-8 text: no sniffing, same decoder.
    const decoder = new TextDecoder("utf-8", { ignoreBOM: true });
    const chunks = (async function* (): AsyncGenerator<string> {
      for (const b of pending) yield decoder.decode(b, { stream: true });
      for await (const b of bytes) yield decoder.decode(b, { stream: true });
      const tail = decoder.decode();
      if (tail) yield tail;
    })();
    return { encoding: "utf-8", gzip: false, chunks };
  }
  if (looksBinary(sample)) {
    notes.push({ file, reason: "binary", detail: "binary content (NUL or control bytes); file skipped" });
    await rawIter.return(undefined); // closes the file (queued after the gzip feeder's current read, if any)
    return null;
  }
  const { encoding, valid } = detectEncoding(sample.subarray(0, SNIFF));
  const decoder = new TextDecoder(encoding, { ignoreBOM: true });
  let warned = !valid;
  if (!valid) notes.push({ file, reason: "invalid-utf8", detail: "not valid UTF-8 nor Big5; invalid bytes replaced by U+FFFD (byte offsets after them are approximate)" });
  let byteOffset = 0;
  const chunks = (async function* (): AsyncGenerator<string> {
    const decode = (b: Buffer): string => {
      const s = decoder.decode(b, { stream: true });
      if (!warned && encoding === "utf-8" && s.includes("\uFFFD") && !b.includes("\uFFFD")) {
        warned = true;
        notes.push({ file, reason: "invalid-utf8", byteOffset, detail: "invalid UTF-8 bytes replaced by U+FFFD (byte offsets after them are approximate)" });
      }
      byteOffset += b.length;
      return s;
    };
    for (const b of pending) yield decode(b);
    for await (const b of bytes) yield decode(b);
    const tail = decoder.decode();
    if (tail) yield tail;
  })();
  return { encoding, gzip, chunks };
}
