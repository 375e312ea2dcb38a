// A check of an uploaded ZIP (an XLSX workbook) before a reader unpacks it: every byte before the
// central directory belongs to an entry the directory lists, and the entries inflate to no more
// than a budget, counted on the bytes zlib actually produces (the sizes a ZIP declares can lie).
// So a zip bomb, or an entry hidden from the directory that a streaming reader (exceljs reads local
// headers in order) would still unpack, is refused before any of it is parsed.
import { crc32, createInflateRaw } from "node:zlib";

export interface ZipLimits {
  /** Most entries (default 1,000). */
  maxEntries?: number;
  /** Most bytes all entries together inflate to. */
  maxTotalBytes: number;
}

export class ZipRefused extends Error {}

const EOCD = 0x06054b50, CENTRAL = 0x02014b50, LOCAL = 0x04034b50, DESCRIPTOR = 0x08074b50;

interface Entry { name: string; flags: number; method: number; crc: number; csize: number; usize: number; offset: number }

/** The end-of-central-directory record: the last one, with its comment running to the end of the file. */
function findEnd(b: Buffer): number {
  for (let i = b.length - 22; i >= Math.max(0, b.length - 22 - 0xffff); i--) {
    if (b.readUInt32LE(i) === EOCD && i + 22 + b.readUInt16LE(i + 20) === b.length) return i;
  }
  throw new ZipRefused("not a ZIP file (no end-of-directory record)");
}

function centralEntries(b: Buffer, maxEntries: number): { entries: Entry[]; cdOffset: number } {
  const end = findEnd(b);
  const count = b.readUInt16LE(end + 10), cdSize = b.readUInt32LE(end + 12), cdOffset = b.readUInt32LE(end + 16);
  if (b.readUInt16LE(end + 4) !== 0 || b.readUInt16LE(end + 8) !== count) throw new ZipRefused("multi-part ZIP files are not accepted");
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) throw new ZipRefused("ZIP64 files are not accepted");
  if (count > maxEntries) throw new ZipRefused(`more than ${maxEntries} entries`);
  if (cdOffset + cdSize !== end) throw new ZipRefused("the central directory is not where the file says");
  const entries: Entry[] = [];
  let p = cdOffset;
  for (let k = 0; k < count; k++) {
    if (p + 46 > end || b.readUInt32LE(p) !== CENTRAL) throw new ZipRefused("a damaged central directory");
    const nameLen = b.readUInt16LE(p + 28), extraLen = b.readUInt16LE(p + 30), commentLen = b.readUInt16LE(p + 32);
    const e: Entry = {
      flags: b.readUInt16LE(p + 8), method: b.readUInt16LE(p + 10), crc: b.readUInt32LE(p + 16), csize: b.readUInt32LE(p + 20), usize: b.readUInt32LE(p + 24),
      offset: b.readUInt32LE(p + 42), name: b.toString("latin1", p + 46, p + 46 + nameLen),
    };
    if (e.flags & 1) throw new ZipRefused("encrypted entries are not accepted");
    if (e.method !== 0 && e.method !== 8) throw new ZipRefused(`entry ${JSON.stringify(e.name.slice(0, 100))}: compression method ${String(e.method)} is not accepted`);
    entries.push(e);
    p += 46 + nameLen + extraLen + commentLen;
  }
  if (p !== end) throw new ZipRefused("a damaged central directory");
  return { entries, cdOffset };
}

/** Inflates `data`, counting the output (and its CRC-32) without keeping it; rejects past `budget` bytes. */
function inflated(data: Buffer, budget: number): Promise<{ size: number; crc: number }> {
  return new Promise((resolve, reject) => {
    const z = createInflateRaw();
    let size = 0, crc = 0;
    z.on("data", (c: Buffer) => {
      size += c.length;
      if (size > budget) { z.destroy(); reject(new ZipRefused("unpacks to more than the limit")); return; }
      crc = crc32(c, crc);
    });
    // the deflate stream must end where the entry's data ends: bytes after it would be read by a
    // streaming reader as the next header (bytesWritten counts the input the engine consumed)
    z.on("end", () => { if (z.bytesWritten === data.length) resolve({ size, crc }); else reject(new ZipRefused("an entry holds data after its compressed stream")); });
    z.on("error", () => { reject(new ZipRefused("an entry's compressed data is damaged")); });
    z.end(data);
  });
}

/** Refuses (ZipRefused, with a reason to show) a ZIP that is damaged, hides entries or unpacks past the limits. */
export async function assertZipWithin(b: Buffer, limits: ZipLimits): Promise<void> {
  if (b.length < 22) throw new ZipRefused("not a ZIP file");
  const { entries, cdOffset } = centralEntries(b, limits.maxEntries ?? 1000);
  // The entries, in file order, must tile everything before the directory: nothing unlisted between them.
  const byOffset = [...entries].sort((x, y) => x.offset - y.offset);
  let at = 0, total = 0;
  for (const e of byOffset) {
    if (e.offset !== at || at + 30 > cdOffset || b.readUInt32LE(at) !== LOCAL) throw new ZipRefused("the file holds data the directory does not list");
    const nameLen = b.readUInt16LE(at + 26), extraLen = b.readUInt16LE(at + 28);
    const flags = b.readUInt16LE(at + 6), lcrc = b.readUInt32LE(at + 14), lcsize = b.readUInt32LE(at + 18), lusize = b.readUInt32LE(at + 22);
    if (b.toString("latin1", at + 30, at + 30 + nameLen) !== e.name || b.readUInt16LE(at + 8) !== e.method || (flags & 9) !== (e.flags & 9)) throw new ZipRefused("an entry's local header does not match the directory");
    // A streaming reader (exceljs reads through unzipper) goes by the local header: its sizes must be
    // the directory's, or an entry could hide inside another's data. With a data descriptor (flag 8)
    // the local sizes are zero and the reader finds the end of the data itself: by the deflate
    // stream's end (checked below to be the data's end), or, for stored data, by scanning for the
    // descriptor's signature, which we do not accept.
    const descriptor = (e.flags & 8) !== 0;
    if (descriptor ? e.method === 0 || (lcsize !== 0 && lcsize !== e.csize) || (lusize !== 0 && lusize !== e.usize) : lcsize !== e.csize || lusize !== e.usize || lcrc !== e.crc) {
      throw new ZipRefused("an entry's local header does not match the directory");
    }
    const start = at + 30 + nameLen + extraLen, stop = start + e.csize;
    if (stop > cdOffset) throw new ZipRefused("an entry runs into the directory");
    const left = limits.maxTotalBytes - total;
    const data = b.subarray(start, stop);
    const { size, crc } = e.method === 0 ? { size: data.length, crc: crc32(data) } : await inflated(data, left);
    if (size > left) throw new ZipRefused("unpacks to more than the limit");
    if (size !== e.usize) throw new ZipRefused("an entry's size is not what the directory says");
    if (crc !== e.crc) throw new ZipRefused("an entry's data is damaged (CRC-32)");
    total += size;
    at = stop;
    if (descriptor) {
      const signed = stop + 4 <= cdOffset && b.readUInt32LE(stop) === DESCRIPTOR ? 4 : 0;
      const d = stop + signed;
      if (d + 12 > cdOffset || b.readUInt32LE(d) !== e.crc || b.readUInt32LE(d + 4) !== e.csize || b.readUInt32LE(d + 8) !== e.usize) throw new ZipRefused("an entry's data descriptor does not match the directory");
      at = d + 12;
    }
  }
  if (at !== cdOffset) throw new ZipRefused("the file holds data the directory does not list");
}
