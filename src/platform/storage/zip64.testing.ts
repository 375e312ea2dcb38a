// Test builders for the evidence sniffer's ZIP tests: a plain ZIP written field by field, and the
// same ZIP rewritten in the ZIP64 layouts real writers produce (APPNOTE.TXT 6.3.10: §4.3.14 record,
// §4.3.15 locator, §4.5.3 extra field). The layouts are those src/platform/zip-guard.test.ts builds
// (its builder is private to that test file, which also writes ZIP64 data descriptors).
import { crc32, deflateRawSync } from "node:zlib";

export interface ZipPart {
  name: string;
  data: Buffer | string;
  /** stored instead of deflated */
  stored?: boolean;
}

/** A plain ZIP: local headers and data, central directory, end record (no ZIP64, no descriptors). */
export function zipOf(parts: ZipPart[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const p of parts) {
    const raw = Buffer.from(p.data);
    const body = p.stored === true ? raw : deflateRawSync(raw);
    const name = Buffer.from(p.name);
    const method = p.stored === true ? 0 : 8;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0); local.writeUInt16LE(20, 4); local.writeUInt16LE(method, 8);
    local.writeUInt32LE(crc32(raw), 14); local.writeUInt32LE(body.length, 18); local.writeUInt32LE(raw.length, 22); local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0); central.writeUInt16LE(20, 4); central.writeUInt16LE(20, 6); central.writeUInt16LE(method, 10);
    central.writeUInt32LE(crc32(raw), 16); central.writeUInt32LE(body.length, 20); central.writeUInt32LE(raw.length, 24); central.writeUInt16LE(name.length, 28); central.writeUInt32LE(offset, 42);
    locals.push(local, name, body);
    centrals.push(central, name);
    offset += 30 + name.length + body.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0); end.writeUInt16LE(parts.length, 8); end.writeUInt16LE(parts.length, 10); end.writeUInt32LE(cd.length, 12); end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

/**
 * `ones`: what "always ZIP64" writers (Info-ZIP `zip -fz`) emit: both local sizes, and every central
 * size and offset, all ones with the values in ZIP64 extra fields; a ZIP64 end record and locator;
 * the end record all ones. `values`: the same with the real values in the end record. `localOnly`:
 * ZIP64 fields in the local headers only (Python's zipfile with force_zip64).
 */
export type Zip64Layout = "ones" | "values" | "localOnly";

export interface Zip64File {
  bytes: Buffer;
  /** file offsets of the ZIP64 end record, its locator and the end record */
  record: number;
  locator: number;
  end: number;
  /** where each entry's central ZIP64 field data starts (after its ID and size) */
  centralField: number[];
}

const ONES16 = 0xffff, ONES32 = 0xffffffff;

/** `plain` (a ZIP without data descriptors, e.g. exceljs's output) rewritten in a ZIP64 layout. */
export function toZip64(plain: Buffer, layout: Zip64Layout = "ones"): Zip64File {
  const eocd = plain.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const count = plain.readUInt16LE(eocd + 10);
  const localOnly = layout === "localOnly";
  const parts: Buffer[] = [], centrals: Buffer[] = [], centralField: number[] = [];
  let offset = 0, cdLength = 0;
  for (let k = 0, p = plain.readUInt32LE(eocd + 16); k < count; k++) {
    const flags = plain.readUInt16LE(p + 8), method = plain.readUInt16LE(p + 10), crc = plain.readUInt32LE(p + 16), csize = plain.readUInt32LE(p + 20), usize = plain.readUInt32LE(p + 24);
    const nameLen = plain.readUInt16LE(p + 28), lo = plain.readUInt32LE(p + 42);
    if (flags & 8) throw new Error("toZip64 takes ZIPs without data descriptors");
    const name = plain.subarray(p + 46, p + 46 + nameLen);
    const dataAt = lo + 30 + plain.readUInt16LE(lo + 26) + plain.readUInt16LE(lo + 28);
    const local = Buffer.alloc(30 + nameLen + 20);
    local.writeUInt32LE(0x04034b50, 0); local.writeUInt16LE(45, 4); local.writeUInt16LE(method, 8);
    local.writeUInt32LE(crc, 14); local.writeUInt32LE(ONES32, 18); local.writeUInt32LE(ONES32, 22); local.writeUInt16LE(nameLen, 26); local.writeUInt16LE(20, 28);
    name.copy(local, 30);
    local.writeUInt16LE(0x0001, 30 + nameLen); local.writeUInt16LE(16, 32 + nameLen);
    local.writeBigUInt64LE(BigInt(usize), 34 + nameLen); local.writeBigUInt64LE(BigInt(csize), 42 + nameLen);
    const central = Buffer.alloc(46 + nameLen + (localOnly ? 0 : 28));
    central.writeUInt32LE(0x02014b50, 0); central.writeUInt16LE(45, 4); central.writeUInt16LE(45, 6); central.writeUInt16LE(method, 10);
    central.writeUInt32LE(crc, 16); central.writeUInt32LE(localOnly ? csize : ONES32, 20); central.writeUInt32LE(localOnly ? usize : ONES32, 24);
    central.writeUInt16LE(nameLen, 28); central.writeUInt16LE(localOnly ? 0 : 28, 30); central.writeUInt32LE(localOnly ? offset : ONES32, 42);
    name.copy(central, 46);
    if (!localOnly) {
      central.writeUInt16LE(0x0001, 46 + nameLen); central.writeUInt16LE(24, 48 + nameLen);
      central.writeBigUInt64LE(BigInt(usize), 50 + nameLen); central.writeBigUInt64LE(BigInt(csize), 58 + nameLen); central.writeBigUInt64LE(BigInt(offset), 66 + nameLen);
    }
    centralField.push(cdLength + 50 + nameLen);
    parts.push(local, plain.subarray(dataAt, dataAt + csize));
    centrals.push(central);
    offset += local.length + csize;
    cdLength += central.length;
    p += 46 + nameLen + plain.readUInt16LE(p + 30) + plain.readUInt16LE(p + 32);
  }
  const record = Buffer.alloc(56);
  record.writeUInt32LE(0x06064b50, 0); record.writeBigUInt64LE(44n, 4); record.writeUInt16LE(45, 12); record.writeUInt16LE(45, 14);
  record.writeBigUInt64LE(BigInt(count), 24); record.writeBigUInt64LE(BigInt(count), 32); record.writeBigUInt64LE(BigInt(cdLength), 40); record.writeBigUInt64LE(BigInt(offset), 48);
  const locator = Buffer.alloc(20);
  locator.writeUInt32LE(0x07064b50, 0); locator.writeBigUInt64LE(BigInt(offset + cdLength), 8); locator.writeUInt32LE(1, 16);
  const end = Buffer.alloc(22);
  const v = layout !== "ones";
  end.writeUInt32LE(0x06054b50, 0); end.writeUInt16LE(v ? count : ONES16, 8); end.writeUInt16LE(v ? count : ONES16, 10); end.writeUInt32LE(v ? cdLength : ONES32, 12); end.writeUInt32LE(v ? offset : ONES32, 16);
  const bytes = Buffer.concat(localOnly ? [...parts, ...centrals, end] : [...parts, ...centrals, record, locator, end]);
  const tail = localOnly ? 0 : 76;
  return { bytes, record: offset + cdLength, locator: offset + cdLength + 56, end: offset + cdLength + tail, centralField: centralField.map((x) => x + offset) };
}

/** A copy of `z`'s bytes with `edit` applied. */
export function patched(z: Zip64File, edit: (b: Buffer) => void): Buffer {
  const b = Buffer.from(z.bytes);
  edit(b);
  return b;
}
