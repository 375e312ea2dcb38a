// The ZIP check that runs before an uploaded workbook is unpacked: real workbooks pass; bombs,
// lying sizes, entries hidden from the directory and damaged files are refused with a reason.
import assert from "node:assert/strict";
import { test } from "node:test";
import { crc32, deflateRawSync } from "node:zlib";
import ExcelJS from "exceljs";
import { assertZipWithin, ZipRefused } from "./zip-guard.ts";

interface Part { name: string; data: Buffer; stored?: boolean; declared?: number; descriptor?: boolean; /** the compressed bytes as given (default: data deflated) */ body?: Buffer }

/** A ZIP written field by field, so that tests can make it lie. `listed` (default all) are in the directory. */
function zip(parts: Part[], listed: (p: Part) => boolean = () => true): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const p of parts) {
    const body = p.body ?? (p.stored === true ? p.data : deflateRawSync(p.data));
    const name = Buffer.from(p.name, "latin1");
    const usize = p.declared ?? p.data.length;
    const flags = p.descriptor === true ? 8 : 0;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0); local.writeUInt16LE(20, 4); local.writeUInt16LE(flags, 6); local.writeUInt16LE(p.stored === true ? 0 : 8, 8);
    local.writeUInt32LE(crc32(p.data), 14); local.writeUInt32LE(p.descriptor === true ? 0 : body.length, 18); local.writeUInt32LE(p.descriptor === true ? 0 : usize, 22); local.writeUInt16LE(name.length, 26);
    const descriptor = Buffer.alloc(p.descriptor === true ? 16 : 0);
    if (p.descriptor === true) { descriptor.writeUInt32LE(0x08074b50, 0); descriptor.writeUInt32LE(crc32(p.data), 4); descriptor.writeUInt32LE(body.length, 8); descriptor.writeUInt32LE(usize, 12); }
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0); central.writeUInt16LE(20, 4); central.writeUInt16LE(20, 6); central.writeUInt16LE(flags, 8); central.writeUInt16LE(p.stored === true ? 0 : 8, 10);
    central.writeUInt32LE(crc32(p.data), 16); central.writeUInt32LE(body.length, 20); central.writeUInt32LE(usize, 24); central.writeUInt16LE(name.length, 28); central.writeUInt32LE(offset, 42);
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

const MiB = 1024 * 1024;
async function refused(b: Buffer, reason: RegExp, maxTotalBytes = 8 * MiB): Promise<void> {
  await assert.rejects(assertZipWithin(b, { maxTotalBytes }), (e: unknown) => e instanceof ZipRefused && reason.test(e.message), String(reason));
}

test("real workbooks and plain ZIPs pass", async () => {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet("個資清冊");
  for (let r = 0; r < 2000; r++) ws.addRow([`項目 ${String(r)}`, "C001 辨識個人者", "會員管理", "契約關係", "5 年"]);
  const xlsx = Buffer.from(await wb.xlsx.writeBuffer());
  await assertZipWithin(xlsx, { maxTotalBytes: 8 * MiB });
  await assertZipWithin(zip([{ name: "a.txt", data: Buffer.from("hello") }, { name: "b.bin", data: Buffer.alloc(1000, 7), stored: true }, { name: "c.xml", data: Buffer.from("<x/>".repeat(100)), descriptor: true }]), { maxTotalBytes: MiB });
});

test("a zip bomb is refused on the bytes it inflates to, whatever it declares", async () => {
  const zeros = Buffer.alloc(20 * MiB);
  await refused(zip([{ name: "xl/sharedStrings.xml", data: zeros }]), /more than the limit/);
  await refused(zip([{ name: "xl/sharedStrings.xml", data: zeros, declared: 100 }]), /more than the limit/);
  // many entries, each under the limit, together over it
  await refused(zip(Array.from({ length: 5 }, (_, i) => ({ name: `xl/worksheets/sheet${String(i)}.xml`, data: Buffer.alloc(2 * MiB) }))), /more than the limit/);
  await refused(zip(Array.from({ length: 1001 }, (_, i) => ({ name: `f${String(i)}`, data: Buffer.from("x") }))), /more than 1000 entries/);
});

test("lying sizes, hidden entries and damaged files are refused", async () => {
  await refused(zip([{ name: "a.xml", data: Buffer.alloc(5000, 65), declared: 10 }]), /size is not what the directory says/);
  // an entry a streaming reader would unpack, left out of the directory
  await refused(zip([{ name: "hidden.xml", data: Buffer.alloc(100) }, { name: "a.xml", data: Buffer.from("<a/>") }], (p) => p.name !== "hidden.xml"), /does not list/);
  const good = zip([{ name: "a.xml", data: Buffer.from("<a>hello</a>".repeat(50)) }]);
  await refused(good.subarray(0, good.length - 5), /no end-of-directory/);
  await refused(Buffer.from("PK\u0003\u0004 this is not a zip file at all, just words"), /not a ZIP|no end-of-directory/);
  await refused(Buffer.alloc(10), /not a ZIP/);
  const damaged = Buffer.from(good);
  damaged[40] = (damaged[40] ?? 0) ^ 0xff; // inside the deflate stream
  await assert.rejects(assertZipWithin(damaged, { maxTotalBytes: MiB }), ZipRefused);
  const encrypted = Buffer.from(good);
  encrypted.writeUInt16LE(1, good.length - 22 - 46 - 5 + 8); // the central entry's flags: encrypted
  await refused(encrypted, /encrypted/);
});

test("an entry hidden inside another's data is refused: local sizes must be the directory's, a deflate stream must end with its data", async () => {
  // a stored entry whose local header says 5 bytes, while the directory counts the hidden entry in
  // its data too: a streaming reader (unzipper) reads 5 bytes, then unpacks the hidden one
  const hidden = zip([{ name: "xl/sharedStrings.xml", data: Buffer.alloc(1000, 0x20) }]);
  const hiddenLocal = hidden.subarray(0, hidden.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02])));
  const outer = zip([{ name: "a.xml", data: Buffer.concat([Buffer.from("hello"), hiddenLocal]), stored: true }]);
  const patched = Buffer.from(outer);
  patched.writeUInt32LE(crc32(Buffer.from("hello")), 14);
  patched.writeUInt32LE(5, 18);
  patched.writeUInt32LE(5, 22);
  await refused(patched, /local header does not match/);
  // a deflate stream followed by more bytes inside the entry's compressed data
  const data = Buffer.from("<a>hello</a>");
  await refused(zip([{ name: "a.xml", data, body: Buffer.concat([deflateRawSync(data), hiddenLocal]) }]), /data after its compressed stream/);
  await refused(zip([{ name: "a.xml", data, body: Buffer.concat([deflateRawSync(data), hiddenLocal]), descriptor: true }]), /data after its compressed stream/);
  // stored data with a data descriptor: its end is found by scanning for a signature, which hidden data can fake
  await refused(zip([{ name: "a.xml", data, stored: true, descriptor: true }]), /local header does not match/);
});
