// The ZIP check that runs before an uploaded workbook is unpacked: real workbooks pass, ZIP64 ones
// too; bombs, lying sizes, entries hidden from the directory and damaged files are refused with a
// reason and a kind (not a ZIP, damaged, unsupported, too large).
import assert from "node:assert/strict";
import { Readable } from "node:stream";
import { test } from "node:test";
import { crc32, deflateRawSync } from "node:zlib";
import ExcelJS from "exceljs";
import { assertZipWithin, ZipRefused, type ZipRefusalKind } from "./zip-guard.ts";
import { patched, toZip64, zipOf } from "./zip.testing.ts";

const MiB = 1024 * 1024;
async function refused(b: Buffer, reason: RegExp, kind?: ZipRefusalKind, maxTotalBytes = 8 * MiB): Promise<void> {
  await assert.rejects(assertZipWithin(b, { maxTotalBytes }), (e: unknown) => {
    assert.ok(e instanceof ZipRefused, String(e));
    assert.match(e.message, reason);
    if (kind) assert.equal(e.kind, kind, e.message);
    return true;
  });
}

test("real workbooks and plain ZIPs pass", async () => {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet("個資清冊");
  for (let r = 0; r < 2000; r++) ws.addRow([`項目 ${String(r)}`, "C001 辨識個人者", "會員管理", "契約關係", "5 年"]);
  const xlsx = Buffer.from(await wb.xlsx.writeBuffer());
  await assertZipWithin(xlsx, { maxTotalBytes: 8 * MiB });
  await assertZipWithin(zipOf([{ name: "a.txt", data: Buffer.from("hello") }, { name: "b.bin", data: Buffer.alloc(1000, 7), stored: true }, { name: "c.xml", data: Buffer.from("<x/>".repeat(100)), descriptor: true }]), { maxTotalBytes: MiB });
});

test("a zip bomb is refused on the bytes it inflates to, whatever it declares", async () => {
  const zeros = Buffer.alloc(20 * MiB);
  await refused(zipOf([{ name: "xl/sharedStrings.xml", data: zeros }]), /more than the limit/, "too_large");
  await refused(zipOf([{ name: "xl/sharedStrings.xml", data: zeros, declared: 100 }]), /more than the limit/);
  // many entries, each under the limit, together over it
  await refused(zipOf(Array.from({ length: 5 }, (_, i) => ({ name: `xl/worksheets/sheet${String(i)}.xml`, data: Buffer.alloc(2 * MiB) }))), /more than the limit/);
  await refused(zipOf(Array.from({ length: 1001 }, (_, i) => ({ name: `f${String(i)}`, data: Buffer.from("x") }))), /more than 1000 entries/, "too_large");
});

test("lying sizes, hidden entries and damaged files are refused", async () => {
  await refused(zipOf([{ name: "a.xml", data: Buffer.alloc(5000, 65), declared: 10 }]), /size is not what the directory says/, "damaged");
  // an entry a streaming reader would unpack, left out of the directory
  await refused(zipOf([{ name: "hidden.xml", data: Buffer.alloc(100) }, { name: "a.xml", data: Buffer.from("<a/>") }], (p) => p.name !== "hidden.xml"), /does not list/);
  const good = zipOf([{ name: "a.xml", data: Buffer.from("<a>hello</a>".repeat(50)) }]);
  await refused(good.subarray(0, good.length - 5), /no end-of-directory/);
  await refused(Buffer.from("PK\u0003\u0004 this is not a zip file at all, just words"), /not a ZIP|no end-of-directory/);
  await refused(Buffer.alloc(10), /not a ZIP/, "not_zip");
  const damaged = Buffer.from(good);
  damaged[40] = (damaged[40] ?? 0) ^ 0xff; // inside the deflate stream
  await assert.rejects(assertZipWithin(damaged, { maxTotalBytes: MiB }), ZipRefused);
  const encrypted = Buffer.from(good);
  encrypted.writeUInt16LE(1, good.length - 22 - 46 - 5 + 8); // the central entry's flags: encrypted
  await refused(encrypted, /encrypted/, "unsupported");
});

test("an entry hidden inside another's data is refused: local sizes must be the directory's, a deflate stream must end with its data", async () => {
  // a stored entry whose local header says 5 bytes, while the directory counts the hidden entry in
  // its data too: a streaming reader (unzipper) reads 5 bytes, then unpacks the hidden one
  const hidden = zipOf([{ name: "xl/sharedStrings.xml", data: Buffer.alloc(1000, 0x20) }]);
  const hiddenLocal = hidden.subarray(0, hidden.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02])));
  const outer = zipOf([{ name: "a.xml", data: Buffer.concat([Buffer.from("hello"), hiddenLocal]), stored: true }]);
  const lying = Buffer.from(outer);
  lying.writeUInt32LE(crc32(Buffer.from("hello")), 14);
  lying.writeUInt32LE(5, 18);
  lying.writeUInt32LE(5, 22);
  await refused(lying, /local header does not match/, "damaged");
  // a deflate stream followed by more bytes inside the entry's compressed data
  const data = Buffer.from("<a>hello</a>");
  await refused(zipOf([{ name: "a.xml", data, body: Buffer.concat([deflateRawSync(data), hiddenLocal]) }]), /data after its compressed stream/);
  await refused(zipOf([{ name: "a.xml", data, body: Buffer.concat([deflateRawSync(data), hiddenLocal]), descriptor: true }]), /data after its compressed stream/);
  // stored data with a data descriptor: its end is found by scanning for a signature, which hidden data can fake
  await refused(zipOf([{ name: "a.xml", data, stored: true, descriptor: true }]), /stored data followed by a data descriptor is not accepted/, "unsupported");
});

// --- ZIP64 (APPNOTE.TXT 6.3.10 §4.3.14 record, §4.3.15 locator, §4.5.3 extra field) ---

const ONES16 = 0xffff;

async function sheetRows(xlsx: Buffer): Promise<unknown[][]> {
  const rows: unknown[][] = [];
  // the streaming reader, through unzipper, as the inventory import reads workbooks
  for await (const sheet of new ExcelJS.stream.xlsx.WorkbookReader(Readable.from([xlsx]), { worksheets: "emit", sharedStrings: "cache", hyperlinks: "ignore", styles: "ignore", entries: "ignore" })) {
    for await (const row of sheet) rows.push(Array.isArray(row.values) ? (row.values as unknown[]).slice(1) : []);
  }
  return rows;
}

test("a ZIP64 workbook (every size and offset in ZIP64 fields) passes, and exceljs reads it", async () => {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet("個資清冊");
  for (let r = 0; r < 20; r++) ws.addRow([`項目 ${String(r)}`, "C001 辨識個人者", r]);
  const plain = Buffer.from(await wb.xlsx.writeBuffer());
  const expected = await sheetRows(plain);
  assert.equal(expected.length, 20);
  for (const [what, opts] of [["end record all ones", {}], ["end record with the values", { endValues: true }], ["ZIP64 in local headers only", { localOnly: true }]] as const) {
    const z = toZip64(plain, opts).bytes;
    await assertZipWithin(z, { maxTotalBytes: 8 * MiB });
    assert.deepEqual(await sheetRows(z), expected, `exceljs reads the ZIP64 workbook (${what})`);
  }
  // a ZIP64 record with an extensible data sector (§4.3.14.1: its size counts it) passes too
  const z = toZip64(zipOf([{ name: "a.txt", data: Buffer.from("hello") }]));
  const sector = Buffer.alloc(8, 0x5a);
  const withSector = Buffer.concat([z.bytes.subarray(0, z.locator), sector, z.bytes.subarray(z.locator)]);
  withSector.writeBigUInt64LE(44n + 8n, z.record + 4);
  withSector.writeBigUInt64LE(BigInt(z.record), z.locator + 8 + 8);
  await assertZipWithin(withSector, { maxTotalBytes: MiB });
});

test("ZIP64 keeps every guarantee: bombs, lying sizes, hidden and overlapping entries are refused", async () => {
  // a bomb whose ZIP64 fields declare 100 bytes
  const bomb = toZip64(zipOf([{ name: "xl/sharedStrings.xml", data: Buffer.alloc(20 * MiB) }]));
  await refused(patched(bomb, (b) => { b.writeBigUInt64LE(100n, bomb.localField[0] ?? 0); b.writeBigUInt64LE(100n, bomb.centralField[0] ?? 0); }), /more than the limit/, "too_large");
  await refused(bomb.bytes, /more than the limit/, "too_large");

  const two = toZip64(zipOf([{ name: "a.xml", data: Buffer.from("<a>hello</a>".repeat(20)) }, { name: "b.bin", data: Buffer.alloc(300, 7), stored: true }]));
  await assertZipWithin(two.bytes, { maxTotalBytes: MiB });
  const [la = 0, lb = 0] = two.localField, [ca = 0, cb = 0] = two.centralField;
  // the uncompressed size lies in both headers
  await refused(patched(two, (b) => { b.writeBigUInt64LE(10n, la); b.writeBigUInt64LE(10n, ca); }), /size is not what the directory says/, "damaged");
  // local and central ZIP64 sizes differ (a streaming reader would read the local ones)
  await refused(patched(two, (b) => { b.writeBigUInt64LE(10n, la); }), /local header does not match/, "damaged");
  await refused(patched(two, (b) => { b.writeBigUInt64LE(100n, lb + 8); }), /local header does not match/, "damaged");
  // a stored entry whose data holds another local header: ZIP64 sizes (and CRC) in both headers
  // that cover only "hello" leave the hidden entry unlisted
  const hidden = zipOf([{ name: "xl/sharedStrings.xml", data: Buffer.alloc(1000, 0x20) }]);
  const hiddenLocal = hidden.subarray(0, hidden.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02])));
  const outer = toZip64(zipOf([{ name: "a.xml", data: Buffer.concat([Buffer.from("hello"), hiddenLocal]), stored: true }]));
  await assertZipWithin(outer.bytes, { maxTotalBytes: MiB });
  const [lo = 0, co = 0] = [outer.localField[0], outer.centralField[0]];
  const five = (b: Buffer): void => {
    for (const at of [lo, lo + 8, co, co + 8]) b.writeBigUInt64LE(5n, at);
    b.writeUInt32LE(crc32(Buffer.from("hello")), lo - 4 - 5 - 30 + 14);
    b.writeUInt32LE(crc32(Buffer.from("hello")), co - 4 - 5 - 46 + 16);
  };
  await refused(patched(outer, five), /does not list/, "damaged");
  // the second entry's ZIP64 offset is the first's: overlapping entries
  await refused(patched(two, (b) => { b.writeBigUInt64LE(0n, cb + 16); }), /does not list/, "damaged");
  // an offset past the end of any file, and sizes of 2^63
  await refused(patched(two, (b) => { b.writeBigUInt64LE(1n << 63n, cb + 16); }), /does not list/, "damaged");
  await refused(patched(two, (b) => { b.writeBigUInt64LE(1n << 63n, lb + 8); b.writeBigUInt64LE(1n << 63n, cb + 8); }), /runs into the directory/, "damaged");
  // a damaged byte in the stored data: CRC
  await refused(patched(two, (b) => { b[lb + 16 + 10] = 8; }), /CRC-32/, "damaged");
  // a deflate stream followed by a hidden header inside the entry's ZIP64-sized data
  const data = Buffer.from("<a>hello</a>");
  const hiding = toZip64(zipOf([{ name: "a.xml", data, body: Buffer.concat([deflateRawSync(data), Buffer.from("PK\u0003\u0004hidden")]) }]));
  await refused(hiding.bytes, /data after its compressed stream/, "damaged");
  // entries counted: the ZIP64 record says one entry, the directory holds two
  await refused(patched(two, (b) => { b.writeBigUInt64LE(1n, two.record + 24); b.writeBigUInt64LE(1n, two.record + 32); }), /more than its entries/, "damaged");
  // more entries than allowed, stated only in the ZIP64 record: refused before the directory is read
  await refused(patched(two, (b) => { b.writeBigUInt64LE(1n << 40n, two.record + 24); b.writeBigUInt64LE(1n << 40n, two.record + 32); }), /more than 1000 entries/, "too_large");
});

test("a damaged or inconsistent ZIP64 structure is refused as damaged, a split archive as unsupported", async () => {
  const one = toZip64(zipOf([{ name: "a.xml", data: Buffer.from("<a>hello</a>".repeat(20)) }]));
  const [lf = 0, cf = 0] = [one.localField[0], one.centralField[0]];
  const cases: [string, (b: Buffer) => void, RegExp][] = [
    ["end record all ones, no locator", (b) => { b.writeUInt32LE(0, one.locator); }, /refers to a ZIP64 record that is not there/],
    ["locator pointing past the record", (b) => { b.writeBigUInt64LE(BigInt(one.record + 4), one.locator + 8); }, /locator does not point to a ZIP64 end-of-directory record/],
    ["locator pointing outside the file", (b) => { b.writeBigUInt64LE(1n << 62n, one.locator + 8); }, /locator does not point/],
    ["record size not reaching the locator", (b) => { b.writeBigUInt64LE(40n, one.record + 4); }, /does not end where the locator begins/],
    ["record with a wrong signature", (b) => { b.writeUInt32LE(0x06054b50, one.record); }, /locator does not point/],
    ["directory offset not where the directory is", (b) => { b.writeBigUInt64LE(BigInt(one.record - 1), one.record + 48); }, /central directory is not where/],
    ["directory size past the record", (b) => { b.writeBigUInt64LE(1n << 40n, one.record + 40); }, /central directory is not where/],
    ["entries on this disk not the total", (b) => { b.writeBigUInt64LE(2n, one.record + 24); }, /multi-part/],
    ["central sizes all ones without a ZIP64 field", (b) => { b.writeUInt16LE(0x5455, cf - 4); }, /in a ZIP64 extra field that is not there/],
    ["central ZIP64 field too short for the offset", (b) => { b.writeUInt16LE(16, cf - 2); b.writeUInt16LE(0x5455, cf + 16); b.writeUInt16LE(4, cf + 18); }, /shorter than the values it stands for/],
    ["two ZIP64 fields in the central header", (b) => { b.writeUInt16LE(16, cf - 2); b.writeUInt16LE(0x0001, cf + 16); b.writeUInt16LE(4, cf + 18); }, /two ZIP64 extra fields/],
    ["an extra field running past its block", (b) => { b.writeUInt16LE(200, cf - 2); }, /extra fields are damaged/],
    ["local sizes all ones without a ZIP64 field", (b) => { b.writeUInt16LE(0x5455, lf - 4); }, /local header's ZIP64 extra field is missing or lacks the sizes/],
    ["local ZIP64 field with one size only", (b) => { b.writeUInt16LE(8, lf - 2); b.writeUInt16LE(0x5455, lf + 8); b.writeUInt16LE(4, lf + 10); }, /lacks the sizes/],
  ];
  for (const [what, edit, reason] of cases) {
    await assert.rejects(assertZipWithin(patched(one, edit), { maxTotalBytes: MiB }), (e: unknown) => e instanceof ZipRefused && reason.test(e.message) && e.kind === (reason.source === "multi-part" ? "unsupported" : "damaged"), what);
  }
  // the end record's own values, where not all ones, must be the ZIP64 record's
  const valued = toZip64(zipOf([{ name: "a.txt", data: Buffer.from("a") }, { name: "b.txt", data: Buffer.from("b") }]), { endValues: true });
  await refused(patched(valued, (b) => { b.writeUInt16LE(1, valued.end + 8); b.writeUInt16LE(1, valued.end + 10); }), /end-of-directory record and its ZIP64 record disagree/, "damaged");
  await refused(patched(valued, (b) => { b.writeUInt32LE(0, valued.end + 16); }), /disagree/, "damaged");
  // a split archive: the locator counts two disks, or the record puts the directory on disk 1
  await refused(patched(one, (b) => { b.writeUInt32LE(2, one.locator + 16); }), /multi-part/, "unsupported");
  await refused(patched(one, (b) => { b.writeUInt32LE(1, one.record + 20); b.writeUInt16LE(ONES16, one.end + 6); }), /multi-part/, "unsupported");
  await refused(patched(one, (b) => { b.writeUInt32LE(1, one.record + 20); }), /disagree/, "damaged"); // the end record says disk 0
  // a ZIP64 data descriptor (8-byte sizes) is valid ZIP, but unzipper reads 4-byte ones: not accepted
  await refused(toZip64(zipOf([{ name: "a.xml", data: Buffer.from("<a/>") }]), { descriptor: true }).bytes, /ZIP64 data descriptor .* is not accepted/, "unsupported");
});
