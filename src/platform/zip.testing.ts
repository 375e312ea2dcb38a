// Test builders for ZIP readers (src/platform/zip-guard.ts and the evidence sniffer that uses its
// parser): a ZIP written field by field, so that a test can make it lie, and a plain ZIP rewritten
// in the ZIP64 layouts real writers produce (APPNOTE.TXT 6.3.10: §4.3.14 record, §4.3.15 locator,
// §4.5.3 extra field, §4.3.9.2 ZIP64 data descriptor).
import { crc32, deflateRawSync } from "node:zlib";

export interface ZipPart {
  name: string;
  data: Buffer | string;
  /** stored instead of deflated */
  stored?: boolean;
  /** the uncompressed size the headers state (default: the data's) */
  declared?: number;
  /** sizes in a data descriptor after the data (flag 8) instead of the local header */
  descriptor?: boolean;
  /** the compressed bytes as given (default: the data deflated) */
  body?: Buffer;
}

/** A ZIP written field by field, so that tests can make it lie. `listed` (default all) are in the directory. */
export function zipOf(parts: ZipPart[], listed: (p: ZipPart) => boolean = () => true): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const p of parts) {
    const data = Buffer.from(p.data);
    const body = p.body ?? (p.stored === true ? data : deflateRawSync(data));
    const name = Buffer.from(p.name, "latin1");
    const usize = p.declared ?? data.length;
    const flags = p.descriptor === true ? 8 : 0;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0); local.writeUInt16LE(20, 4); local.writeUInt16LE(flags, 6); local.writeUInt16LE(p.stored === true ? 0 : 8, 8);
    local.writeUInt32LE(crc32(data), 14); local.writeUInt32LE(p.descriptor === true ? 0 : body.length, 18); local.writeUInt32LE(p.descriptor === true ? 0 : usize, 22); local.writeUInt16LE(name.length, 26);
    const descriptor = Buffer.alloc(p.descriptor === true ? 16 : 0);
    if (p.descriptor === true) { descriptor.writeUInt32LE(0x08074b50, 0); descriptor.writeUInt32LE(crc32(data), 4); descriptor.writeUInt32LE(body.length, 8); descriptor.writeUInt32LE(usize, 12); }
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0); central.writeUInt16LE(20, 4); central.writeUInt16LE(20, 6); central.writeUInt16LE(flags, 8); central.writeUInt16LE(p.stored === true ? 0 : 8, 10);
    central.writeUInt32LE(crc32(data), 16); central.writeUInt32LE(body.length, 20); central.writeUInt32LE(usize, 24); central.writeUInt16LE(name.length, 28); central.writeUInt32LE(offset, 42);
    locals.push(local, name, body, descriptor);
    if (listed(p)) centrals.push(central, name);
    offset += 30 + name.length + body.length + descriptor.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  const n = centrals.length / 2;
  end.writeUInt32LE(0x06054b50, 0); end.writeUInt16LE(n, 8); end.writeUInt16LE(n, 10); end.writeUInt32LE(cd.length, 12); end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

export interface Zip64Options { endValues?: boolean; descriptor?: boolean; localOnly?: boolean }

/**
 * `ones`: what "always ZIP64" writers (Info-ZIP `zip -fz`) emit, the end record all ones; `values`:
 * the same with the real values in the end record; `localOnly`: ZIP64 fields in the local headers
 * only (Python's zipfile with force_zip64).
 */
export const LAYOUTS = { ones: {}, values: { endValues: true }, localOnly: { localOnly: true } } as const satisfies Record<string, Zip64Options>;
export type Zip64Layout = keyof typeof LAYOUTS;

const ONES16 = 0xffff, ONES32 = 0xffffffff;

export interface Zip64File {
  bytes: Buffer;
  /** where each entry's ZIP64 field data starts (after ID and size), in its local and its central header */
  localField: number[];
  centralField: number[];
  record: number;
  locator: number;
  end: number;
}

/**
 * Rewrites a plain ZIP (no data descriptors) the way "always ZIP64" writers do: both local sizes,
 * and every central size and offset, all ones with the values in a ZIP64 extra field; a ZIP64 end
 * record and locator; the end record all ones, or with `endValues` the real values. `descriptor`
 * writes each entry with flag 8, zeros in its local ZIP64 field and a ZIP64 data descriptor
 * (8-byte sizes, §4.3.9.2) after the data, as a streaming writer would. `localOnly` puts ZIP64
 * fields in the local headers only, as Python's zipfile does with force_zip64 (central headers and
 * end record plain, no ZIP64 record).
 */
export function toZip64(plain: Buffer, how: Zip64Layout | Zip64Options = "ones"): Zip64File {
  const opts: Zip64Options = typeof how === "string" ? LAYOUTS[how] : how;
  const eocd = plain.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const count = plain.readUInt16LE(eocd + 10);
  const parts: Buffer[] = [], centrals: Buffer[] = [], localField: number[] = [], centralField: number[] = [];
  let offset = 0, cdLength = 0;
  for (let k = 0, p = plain.readUInt32LE(eocd + 16); k < count; k++) {
    const flags = plain.readUInt16LE(p + 8), method = plain.readUInt16LE(p + 10), crc = plain.readUInt32LE(p + 16), csize = plain.readUInt32LE(p + 20), usize = plain.readUInt32LE(p + 24);
    const nameLen = plain.readUInt16LE(p + 28), lo = plain.readUInt32LE(p + 42);
    if ((flags & 8) !== 0) throw new Error("toZip64 takes ZIPs without data descriptors");
    const name = plain.subarray(p + 46, p + 46 + nameLen);
    const dataAt = lo + 30 + plain.readUInt16LE(lo + 26) + plain.readUInt16LE(lo + 28);
    const data = plain.subarray(dataAt, dataAt + csize);
    const dd = opts.descriptor === true;
    const local = Buffer.alloc(30 + nameLen + 20);
    local.writeUInt32LE(0x04034b50, 0); local.writeUInt16LE(45, 4); local.writeUInt16LE(dd ? 8 : 0, 6); local.writeUInt16LE(method, 8);
    local.writeUInt32LE(dd ? 0 : crc, 14); local.writeUInt32LE(ONES32, 18); local.writeUInt32LE(ONES32, 22); local.writeUInt16LE(nameLen, 26); local.writeUInt16LE(20, 28);
    name.copy(local, 30);
    local.writeUInt16LE(0x0001, 30 + nameLen); local.writeUInt16LE(16, 32 + nameLen);
    local.writeBigUInt64LE(BigInt(dd ? 0 : usize), 34 + nameLen); local.writeBigUInt64LE(BigInt(dd ? 0 : csize), 42 + nameLen);
    const descriptor = Buffer.alloc(dd ? 24 : 0);
    if (dd) { descriptor.writeUInt32LE(0x08074b50, 0); descriptor.writeUInt32LE(crc, 4); descriptor.writeBigUInt64LE(BigInt(csize), 8); descriptor.writeBigUInt64LE(BigInt(usize), 16); }
    const lo64 = opts.localOnly === true;
    const central = Buffer.alloc(46 + nameLen + (lo64 ? 0 : 28));
    central.writeUInt32LE(0x02014b50, 0); central.writeUInt16LE(45, 4); central.writeUInt16LE(45, 6); central.writeUInt16LE(dd ? 8 : 0, 8); central.writeUInt16LE(method, 10);
    central.writeUInt32LE(crc, 16); central.writeUInt32LE(lo64 ? csize : ONES32, 20); central.writeUInt32LE(lo64 ? usize : ONES32, 24); central.writeUInt16LE(nameLen, 28); central.writeUInt16LE(lo64 ? 0 : 28, 30); central.writeUInt32LE(lo64 ? offset : ONES32, 42);
    name.copy(central, 46);
    if (!lo64) {
      central.writeUInt16LE(0x0001, 46 + nameLen); central.writeUInt16LE(24, 48 + nameLen);
      central.writeBigUInt64LE(BigInt(usize), 50 + nameLen); central.writeBigUInt64LE(BigInt(csize), 58 + nameLen); central.writeBigUInt64LE(BigInt(offset), 66 + nameLen);
    }
    localField.push(offset + 34 + nameLen);
    centralField.push(cdLength + 50 + nameLen); // made absolute below
    parts.push(local, data, descriptor);
    centrals.push(central);
    offset += local.length + data.length + descriptor.length;
    cdLength += central.length;
    p += 46 + nameLen + plain.readUInt16LE(p + 30) + plain.readUInt16LE(p + 32);
  }
  const record = Buffer.alloc(56);
  record.writeUInt32LE(0x06064b50, 0); record.writeBigUInt64LE(44n, 4); record.writeUInt16LE(45, 12); record.writeUInt16LE(45, 14);
  record.writeBigUInt64LE(BigInt(count), 24); record.writeBigUInt64LE(BigInt(count), 32); record.writeBigUInt64LE(BigInt(cdLength), 40); record.writeBigUInt64LE(BigInt(offset), 48);
  const locator = Buffer.alloc(20);
  locator.writeUInt32LE(0x07064b50, 0); locator.writeBigUInt64LE(BigInt(offset + cdLength), 8); locator.writeUInt32LE(1, 16);
  const end = Buffer.alloc(22);
  const v = opts.endValues === true || opts.localOnly === true;
  end.writeUInt32LE(0x06054b50, 0); end.writeUInt16LE(v ? count : ONES16, 8); end.writeUInt16LE(v ? count : ONES16, 10); end.writeUInt32LE(v ? cdLength : ONES32, 12); end.writeUInt32LE(v ? offset : ONES32, 16);
  return {
    bytes: Buffer.concat(opts.localOnly === true ? [...parts, ...centrals, end] : [...parts, ...centrals, record, locator, end]),
    localField,
    centralField: centralField.map((x) => x + offset),
    record: offset + cdLength,
    locator: offset + cdLength + 56,
    end: offset + cdLength + (opts.localOnly === true ? 0 : 76),
  };
}

/** A copy of `z` with `edit` applied to its bytes. */
export function patched(z: Zip64File, edit: (b: Buffer) => void): Buffer {
  const b = Buffer.from(z.bytes);
  edit(b);
  return b;
}
