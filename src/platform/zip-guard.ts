// A check of an uploaded ZIP (an XLSX workbook) before a reader unpacks it: every byte before the
// central directory belongs to an entry the directory lists, and the entries inflate to no more
// than a budget, counted on the bytes zlib actually produces (the sizes a ZIP declares can lie).
// So a zip bomb, or an entry hidden from the directory that a streaming reader (exceljs reads local
// headers in order) would still unpack, is refused before any of it is parsed.
//
// ZIP64 (APPNOTE.TXT 6.3.10 §4.3.14 record, §4.3.15 locator, §4.5.3 extra field) is read as well:
// some spreadsheet writers emit it for every file, however small. Every value a ZIP64 structure
// stands in for must agree with what a reader that ignores it would see, so that no two readers
// find two different archives in one file.
//
// The directory parser (centralDirectory) is shared with the evidence type sniffer
// (storage/sniff.ts), which keeps only the last bytes of a streamed upload: it reads the end
// record, the ZIP64 locator and record and the central directory from the file's last bytes.
import { crc32, createInflateRaw } from "node:zlib";

export interface ZipLimits {
  /** Most entries (default 1,000). */
  maxEntries?: number;
  /** Most bytes all entries together inflate to. */
  maxTotalBytes: number;
}

/**
 * Why a file was refused, for the message shown: `not_zip` (another kind of file), `damaged` (a
 * broken or inconsistent ZIP), `unsupported` (a valid ZIP feature we do not accept: save the file
 * again), `too_large` (more entries or unpacked bytes than the limits).
 */
export type ZipRefusalKind = "not_zip" | "damaged" | "unsupported" | "too_large";

export class ZipRefused extends Error {
  override name = "ZipRefused";
  readonly kind: ZipRefusalKind;
  constructor(kind: ZipRefusalKind, message: string) {
    super(message);
    this.kind = kind;
  }
}

const damaged = (m: string): ZipRefused => new ZipRefused("damaged", m);
const unsupported = (m: string): ZipRefused => new ZipRefused("unsupported", m);
const tooLarge = (m: string): ZipRefused => new ZipRefused("too_large", m);

// Signatures: local header §4.3.7, data descriptor §4.3.9.3, central header §4.3.12, ZIP64
// end-of-directory record §4.3.14, its locator §4.3.15, end-of-directory record §4.3.16.
const LOCAL = 0x04034b50, DESCRIPTOR = 0x08074b50, CENTRAL = 0x02014b50, ZIP64_END = 0x06064b50, ZIP64_LOCATOR = 0x07064b50, END = 0x06054b50;
/** Header ID of the ZIP64 extended information extra field (§4.5.3). */
const ZIP64_EXTRA = 0x0001;
/** A field set to all ones stands for a value held in a ZIP64 structure (§4.4.1.4). */
const MAX16 = 0xffff, MAX32 = 0xffffffff;
const END_SIZE = 22, LOCATOR_SIZE = 20, ZIP64_END_MIN = 56;

/** A central directory entry, with its ZIP64 values in place: sizes, and the file offset of its local header. */
export interface ZipEntry { name: string; flags: number; method: number; crc: number; csize: number; usize: number; offset: number }

/**
 * A 64-bit field as a number. Past 2^53 the number is inexact but still beyond any offset or size
 * in a Buffer, so every bounds or equality check that follows refuses it.
 */
const u64 = (b: Buffer, at: number): number => Number(b.readBigUInt64LE(at));
const quoted = (name: string): string => JSON.stringify(name.slice(0, 100));

/** The end-of-central-directory record: the last one, with its comment running to the end of the file. */
function findEnd(b: Buffer): number {
  for (let i = b.length - END_SIZE; i >= Math.max(0, b.length - END_SIZE - 0xffff); i--) {
    if (b.readUInt32LE(i) === END && i + END_SIZE + b.readUInt16LE(i + 20) === b.length) return i;
  }
  throw new ZipRefused("not_zip", "not a ZIP file (no end-of-directory record)");
}

/** The end record's or ZIP64 record's counts and file offsets. */
interface Directory { disk: number; cdDisk: number; onDisk: number; count: number; cdSize: number; cdOffset: number; /** where the directory must end */ cdEnd: number }

/** A structure that lies before the bytes a check was given (only when it was given the file's last bytes). */
const outOfReach = (what: string, kept: number): ZipRefused => tooLarge(`${what} starts more than ${String(kept)} bytes before the end of the file, further back than this check reads`);

/**
 * Where the central directory is and how many entries it holds, from the end record or, when a
 * ZIP64 locator sits right before it (§4.3.6: … directory, ZIP64 record, locator, end record), from
 * the ZIP64 record. A reader that knows ZIP64 only when a field is all ones (JSZip, Go) and one that
 * always looks for the locator (Python, Info-ZIP) must find the same directory, so each field of the
 * end record is either all ones or the ZIP64 record's value.
 */
function directory(b: Buffer, base: number): Directory {
  const end = findEnd(b);
  const classic: Directory = { disk: b.readUInt16LE(end + 4), cdDisk: b.readUInt16LE(end + 6), onDisk: b.readUInt16LE(end + 8), count: b.readUInt16LE(end + 10), cdSize: b.readUInt32LE(end + 12), cdOffset: b.readUInt32LE(end + 16), cdEnd: base + end };
  const locator = end - LOCATOR_SIZE;
  if (locator < 0 && base > 0) throw outOfReach("the end-of-directory record", b.length);
  if (locator < 0 || b.readUInt32LE(locator) !== ZIP64_LOCATOR) {
    if (classic.disk === MAX16 || classic.cdDisk === MAX16 || classic.onDisk === MAX16 || classic.count === MAX16 || classic.cdSize === MAX32 || classic.cdOffset === MAX32) {
      throw damaged("the end-of-directory record refers to a ZIP64 record that is not there");
    }
    return classic;
  }
  // §4.3.15: disk holding the ZIP64 record (4), its offset (8), total number of disks (4)
  if (b.readUInt32LE(locator + 4) !== 0 || b.readUInt32LE(locator + 16) > 1) throw unsupported("multi-part (split) ZIP files are not accepted");
  // `at` is a file offset, `r` the same place in `b`
  const at = u64(b, locator + 8), r = at - base;
  const notRecord = (): ZipRefused => damaged("the ZIP64 end-of-directory locator does not point to a ZIP64 end-of-directory record");
  if (at > base + locator - ZIP64_END_MIN) throw notRecord();
  if (r < 0) throw outOfReach("the ZIP64 end-of-directory record", b.length);
  if (b.readUInt32LE(r) !== ZIP64_END) throw notRecord();
  // §4.3.14.1: the size counts the record after its first 12 bytes; the record must end at the locator
  if (r + 12 + u64(b, r + 4) !== locator) throw damaged("the ZIP64 end-of-directory record does not end where the locator begins");
  const z: Directory = { disk: b.readUInt32LE(r + 16), cdDisk: b.readUInt32LE(r + 20), onDisk: u64(b, r + 24), count: u64(b, r + 32), cdSize: u64(b, r + 40), cdOffset: u64(b, r + 48), cdEnd: at };
  const agree = (key: Exclude<keyof Directory, "cdEnd">, max: number): boolean => classic[key] === max || classic[key] === z[key];
  if (!(agree("disk", MAX16) && agree("cdDisk", MAX16) && agree("onDisk", MAX16) && agree("count", MAX16) && agree("cdSize", MAX32) && agree("cdOffset", MAX32))) {
    throw damaged("the end-of-directory record and its ZIP64 record disagree");
  }
  return z;
}

/**
 * The data of the one ZIP64 extended information field (§4.5.3) in an extra block, or undefined.
 * The block must be a well-formed run of (ID, size, data) fields; two ZIP64 fields are refused, as
 * readers differ on which one counts.
 */
function zip64Field(b: Buffer, start: number, length: number, name: string): Buffer | undefined {
  let found: Buffer | undefined;
  let p = start;
  const end = start + length;
  while (p < end) {
    if (p + 4 > end || p + 4 + b.readUInt16LE(p + 2) > end) throw damaged(`entry ${quoted(name)}: its extra fields are damaged`);
    const size = b.readUInt16LE(p + 2);
    if (b.readUInt16LE(p) === ZIP64_EXTRA) {
      if (found) throw damaged(`entry ${quoted(name)}: two ZIP64 extra fields`);
      found = b.subarray(p + 4, p + 4 + size);
    }
    p += 4 + size;
  }
  return found;
}

/**
 * The central directory's entries and its file offset, read from `tail`, the last bytes of a file of
 * `size` bytes (the whole file, or what a streaming check keeps of its end): the end record, a ZIP64
 * locator and record, and the directory must all lie in `tail`; one that begins before it is refused
 * as too large to check. Refuses (ZipRefused) what assertZipWithin refuses of a directory: damage,
 * inconsistent ZIP64 structures, split archives, encryption, methods other than stored and deflate,
 * more than `maxEntries` entries.
 */
export function centralDirectory(tail: Buffer, size: number, maxEntries: number): { entries: ZipEntry[]; cdOffset: number } {
  const b = tail, base = size - tail.length;
  if (base < 0) throw new RangeError("the tail is longer than the file");
  const d = directory(b, base);
  if (d.disk !== 0 || d.cdDisk !== 0 || d.onDisk !== d.count) throw unsupported("multi-part (split) ZIP files are not accepted");
  if (d.count > maxEntries) throw tooLarge(`more than ${String(maxEntries)} entries`);
  if (d.cdOffset + d.cdSize !== d.cdEnd) throw damaged("the central directory is not where the end-of-directory record says");
  if (d.cdOffset < base) throw outOfReach("the central directory", b.length);
  // from here on, positions in `b`
  const cdEnd = d.cdEnd - base;
  const entries: ZipEntry[] = [];
  let p = d.cdOffset - base;
  for (let k = 0; k < d.count; k++) {
    if (p + 46 > cdEnd || b.readUInt32LE(p) !== CENTRAL) throw damaged("a damaged central directory");
    const nameLen = b.readUInt16LE(p + 28), extraLen = b.readUInt16LE(p + 30), commentLen = b.readUInt16LE(p + 32);
    const next = p + 46 + nameLen + extraLen + commentLen;
    if (next > cdEnd) throw damaged("a damaged central directory");
    const e: ZipEntry = {
      flags: b.readUInt16LE(p + 8), method: b.readUInt16LE(p + 10), crc: b.readUInt32LE(p + 16), csize: b.readUInt32LE(p + 20), usize: b.readUInt32LE(p + 24),
      offset: b.readUInt32LE(p + 42), name: b.toString("latin1", p + 46, p + 46 + nameLen),
    };
    let disk = b.readUInt16LE(p + 34);
    // §4.5.3: the ZIP64 field holds, in this order, only the values whose field here is all ones
    if (e.usize === MAX32 || e.csize === MAX32 || e.offset === MAX32 || disk === MAX16) {
      const z = zip64Field(b, p + 46 + nameLen, extraLen, e.name);
      if (!z) throw damaged(`entry ${quoted(e.name)}: its sizes or offset are in a ZIP64 extra field that is not there`);
      let q = 0;
      const take = (width: 8 | 4): number => {
        if (q + width > z.length) throw damaged(`entry ${quoted(e.name)}: its ZIP64 extra field is shorter than the values it stands for`);
        const v = width === 8 ? u64(z, q) : z.readUInt32LE(q);
        q += width;
        return v;
      };
      if (e.usize === MAX32) e.usize = take(8);
      if (e.csize === MAX32) e.csize = take(8);
      if (e.offset === MAX32) e.offset = take(8);
      if (disk === MAX16) disk = take(4);
    }
    if (disk !== 0) throw unsupported("multi-part (split) ZIP files are not accepted");
    if (e.flags & 1) throw unsupported(`entry ${quoted(e.name)} is encrypted; encrypted entries are not accepted`);
    if (e.method !== 0 && e.method !== 8) throw unsupported(`entry ${quoted(e.name)}: compression method ${String(e.method)} is not accepted (only stored and deflate)`);
    entries.push(e);
    p = next;
  }
  if (p !== cdEnd) throw damaged("the central directory holds more than its entries");
  return { entries, cdOffset: d.cdOffset };
}

/** Inflates `data`, counting the output (and its CRC-32) without keeping it; rejects past `budget` bytes. */
function inflated(data: Buffer, budget: number, name: string): Promise<{ size: number; crc: number }> {
  return new Promise((resolve, reject) => {
    const z = createInflateRaw();
    let size = 0, crc = 0;
    z.on("data", (c: Buffer) => {
      size += c.length;
      if (size > budget) { z.destroy(); reject(tooLarge("unpacks to more than the limit")); return; }
      crc = crc32(c, crc);
    });
    // the deflate stream must end where the entry's data ends: bytes after it would be read by a
    // streaming reader as the next header (bytesWritten counts the input the engine consumed)
    z.on("end", () => { if (z.bytesWritten === data.length) resolve({ size, crc }); else reject(damaged(`entry ${quoted(name)} holds data after its compressed stream`)); });
    z.on("error", () => { reject(damaged(`entry ${quoted(name)}: its compressed data is damaged`)); });
    z.end(data);
  });
}

/**
 * The sizes a streaming reader takes from a local header (§4.3.7): the 32-bit fields, or, where one
 * is all ones, the ZIP64 field, which in a local header MUST hold both sizes (§4.5.3). `zip64` says
 * whether the header carries a ZIP64 field (then a data descriptor has 8-byte sizes, §4.3.9.2).
 */
function localSizes(b: Buffer, at: number, nameLen: number, extraLen: number, e: ZipEntry): { csize: number; usize: number; zip64: boolean } {
  let csize = b.readUInt32LE(at + 18), usize = b.readUInt32LE(at + 22);
  const needed = csize === MAX32 || usize === MAX32;
  const z = needed || (e.flags & 8) !== 0 ? zip64Field(b, at + 30 + nameLen, extraLen, e.name) : undefined;
  if (needed) {
    if (!z || z.length < 16) throw damaged(`entry ${quoted(e.name)}: its local header's ZIP64 extra field is missing or lacks the sizes`);
    if (usize === MAX32) usize = u64(z, 0);
    if (csize === MAX32) csize = u64(z, 8);
  }
  return { csize, usize, zip64: z !== undefined };
}

/** Refuses (ZipRefused, with a kind and a reason to show) a ZIP that is damaged, hides entries, uses what we do not accept or unpacks past the limits. */
export async function assertZipWithin(b: Buffer, limits: ZipLimits): Promise<void> {
  if (b.length < END_SIZE) throw new ZipRefused("not_zip", "not a ZIP file");
  const { entries, cdOffset } = centralDirectory(b, b.length, limits.maxEntries ?? 1000);
  // The entries, in file order, must tile everything before the directory: nothing unlisted between them.
  const byOffset = [...entries].sort((x, y) => x.offset - y.offset);
  let at = 0, total = 0;
  for (const e of byOffset) {
    if (e.offset !== at || at + 30 > cdOffset || b.readUInt32LE(at) !== LOCAL) throw damaged("the file holds data the directory does not list");
    const nameLen = b.readUInt16LE(at + 26), extraLen = b.readUInt16LE(at + 28);
    const start = at + 30 + nameLen + extraLen;
    if (start > cdOffset) throw damaged(`entry ${quoted(e.name)}: its local header runs into the directory`);
    const flags = b.readUInt16LE(at + 6), lcrc = b.readUInt32LE(at + 14);
    if (b.toString("latin1", at + 30, at + 30 + nameLen) !== e.name || b.readUInt16LE(at + 8) !== e.method || (flags & 9) !== (e.flags & 9)) throw damaged(`entry ${quoted(e.name)}: its local header does not match the directory`);
    // A streaming reader (exceljs reads through unzipper) goes by the local header: its sizes must be
    // the directory's, or an entry could hide inside another's data. With a data descriptor (flag 8)
    // the local sizes are zero and the reader finds the end of the data itself: by the deflate
    // stream's end (checked below to be the data's end), or, for stored data, by scanning for the
    // descriptor's signature, which we do not accept.
    const descriptor = (e.flags & 8) !== 0;
    const local = localSizes(b, at, nameLen, extraLen, e);
    if (descriptor && e.method === 0) throw unsupported(`entry ${quoted(e.name)}: stored data followed by a data descriptor is not accepted (its end could only be found by scanning for a signature)`);
    // unzipper reads a descriptor as 32-bit sizes; a ZIP64 one (8-byte sizes) would be misread
    if (descriptor && local.zip64) throw unsupported(`entry ${quoted(e.name)}: a ZIP64 data descriptor (8-byte sizes after the data) is not accepted`);
    if (descriptor ? (local.csize !== 0 && local.csize !== e.csize) || (local.usize !== 0 && local.usize !== e.usize) : local.csize !== e.csize || local.usize !== e.usize || lcrc !== e.crc) {
      throw damaged(`entry ${quoted(e.name)}: its local header does not match the directory`);
    }
    const stop = start + e.csize;
    if (stop > cdOffset) throw damaged(`entry ${quoted(e.name)} runs into the directory`);
    const left = limits.maxTotalBytes - total;
    const data = b.subarray(start, stop);
    const { size, crc } = e.method === 0 ? { size: data.length, crc: crc32(data) } : await inflated(data, left, e.name);
    if (size > left) throw tooLarge("unpacks to more than the limit");
    if (size !== e.usize) throw damaged(`entry ${quoted(e.name)}: its size is not what the directory says`);
    if (crc !== e.crc) throw damaged(`entry ${quoted(e.name)}: its data is damaged (CRC-32)`);
    total += size;
    at = stop;
    if (descriptor) {
      const signed = stop + 4 <= cdOffset && b.readUInt32LE(stop) === DESCRIPTOR ? 4 : 0;
      const d = stop + signed;
      if (d + 12 > cdOffset || b.readUInt32LE(d) !== e.crc || b.readUInt32LE(d + 4) !== e.csize || b.readUInt32LE(d + 8) !== e.usize) throw damaged(`entry ${quoted(e.name)}: its data descriptor does not match the directory`);
      at = d + 12;
    }
  }
  if (at !== cdOffset) throw damaged("the file holds data the directory does not list");
}
