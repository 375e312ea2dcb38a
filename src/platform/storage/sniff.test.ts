// The evidence sniffer on ZIP files (XLSX, DOCX): ZIP64 workbooks in the layouts writers use are
// read, streamed files too (the sniffer keeps only the first 1 MiB and the last 256 KiB); macros,
// damaged or inconsistent ZIP64 structures, appended data and directories it cannot see are refused
// with a reason.
import assert from "node:assert/strict";
import { test } from "node:test";
import ExcelJS from "exceljs";
import { AppError } from "../errors.ts";
import { ContentInspector, type EvidenceType } from "./sniff.ts";
import { patched, toZip64, zipOf, type ZipPart } from "../zip.testing.ts";

const XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
const MiB = 1024 * 1024;

/** The bytes pushed in chunks of `chunk` bytes, as an upload streams them. */
function inspect(bytes: Buffer, chunk = 64 * 1024): EvidenceType {
  const inspector = new ContentInspector();
  for (let i = 0; i < bytes.length; i += chunk) inspector.push(bytes.subarray(i, i + chunk));
  return inspector.finish();
}
function refused(bytes: Buffer, reason: RegExp, what = String(reason)): void {
  assert.throws(() => inspect(bytes), (e: unknown) => {
    assert.ok(e instanceof AppError, String(e));
    assert.equal(e.code, "unsupported_media_type", what);
    assert.match(e.message, reason, what);
    return true;
  });
}

const contentTypes = (main: string): string =>
  `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override PartName="/x" ContentType="${main}"/></Types>`;
const xlsxParts = (...more: ZipPart[]): ZipPart[] => [
  { name: "[Content_Types].xml", data: contentTypes("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml") },
  { name: "xl/workbook.xml", data: "<workbook/>" },
  ...more,
];
const docxParts = [
  { name: "[Content_Types].xml", data: contentTypes("application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml") },
  { name: "word/document.xml", data: "<w:document/>" },
];

async function workbook(): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.addWorksheet("個資清冊").addRow(["項目", "C001 辨識個人者"]);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

test("a ZIP64 workbook or document is read in every layout writers use", async () => {
  const plain = await workbook();
  assert.equal(inspect(plain), XLSX);
  for (const layout of ["ones", "values", "localOnly"] as const) {
    assert.equal(inspect(toZip64(plain, layout).bytes), XLSX, layout);
    assert.equal(inspect(toZip64(plain, layout).bytes, 7), XLSX, `${layout}, in 7-byte chunks`);
    assert.equal(inspect(toZip64(zipOf(docxParts), layout).bytes), DOCX, layout);
  }
});

test("a streamed ZIP64 workbook larger than the bytes kept is read from its tail, and a directory beyond the tail is refused as too large", () => {
  // a 3 MiB stored picture between the parts and the directory: only the end of the file is kept
  const big = toZip64(zipOf(xlsxParts({ name: "xl/media/image1.png", data: Buffer.alloc(3 * MiB, 0x5a), stored: true })));
  assert.equal(inspect(big.bytes), XLSX);
  // a locator pointing before the kept tail: the record cannot be checked
  refused(patched(big, (b) => { b.writeBigUInt64LE(0n, big.locator + 8); }), /too large to check: the ZIP64 end-of-directory record starts more than 262144 bytes before the end/);
  // a directory of 2,000 entries (over 256 KiB), plain or ZIP64: refused, saying why
  const many = Array.from({ length: 2000 }, (_, i): ZipPart => ({ name: `xl/media/${"long-name-".repeat(10)}${String(i)}.bin`, data: "" }));
  const wide = zipOf(xlsxParts(...many));
  refused(wide, /too large to check: the central directory starts more than 262144 bytes before the end/, "plain");
  refused(toZip64(wide).bytes, /too large to check: the central directory starts more than 262144 bytes before the end/, "ZIP64");
});

test("macros are refused in ZIP64 form as in plain form", () => {
  const docm = [
    { name: "[Content_Types].xml", data: contentTypes("application/vnd.ms-word.document.macroEnabled.main+xml") },
    { name: "word/document.xml", data: "<w:document/>" },
    { name: "word/vbaProject.bin", data: "macro" },
  ];
  const hidden = [...docxParts, { name: "word/vbaProject.bin", data: "macro" }]; // a macro part the content types do not name
  for (const parts of [docm, hidden]) {
    refused(zipOf(parts), /macros/);
    for (const layout of ["ones", "values", "localOnly"] as const) refused(toZip64(zipOf(parts), layout).bytes, /macros/, layout);
  }
  refused(toZip64(zipOf(xlsxParts({ name: "xl/vbaProject.bin", data: "macro" }))).bytes, /macros/);
});

test("a damaged or inconsistent ZIP64 structure is refused with its reason", async () => {
  const one = toZip64(await workbook());
  const valued = toZip64(zipOf(docxParts), "values");
  const cf = one.centralField[0] ?? 0;
  const cases: [string, Buffer, RegExp][] = [
    ["locator pointing outside the file", patched(one, (b) => { b.writeBigUInt64LE(1n << 62n, one.locator + 8); }), /damaged.*locator does not point/],
    ["locator pointing inside the directory", patched(one, (b) => { b.writeBigUInt64LE(BigInt(one.record - 46), one.locator + 8); }), /damaged.*locator does not point/],
    ["record not ending at the locator", patched(one, (b) => { b.writeBigUInt64LE(40n, one.record + 4); }), /damaged.*does not end where the locator begins/],
    ["end record all ones, no locator", patched(one, (b) => { b.writeUInt32LE(0, one.locator); }), /damaged.*ZIP64 record that is not there/],
    ["end record and ZIP64 record disagree", patched(valued, (b) => { b.writeUInt16LE(1, valued.end + 8); b.writeUInt16LE(1, valued.end + 10); }), /damaged.*disagree/],
    ["directory offset in the record wrong", patched(one, (b) => { b.writeBigUInt64LE(BigInt(one.record - 1), one.record + 48); }), /damaged.*central directory is not where/],
    ["central sizes all ones without a ZIP64 field", patched(one, (b) => { b.writeUInt16LE(0x5455, cf - 4); }), /damaged.*ZIP64 extra field that is not there/],
    ["two ZIP64 fields in a central header", patched(one, (b) => { b.writeUInt16LE(16, cf - 2); b.writeUInt16LE(0x0001, cf + 16); b.writeUInt16LE(4, cf + 18); }), /damaged.*two ZIP64 extra fields/],
    ["split archive", patched(one, (b) => { b.writeUInt32LE(2, one.locator + 16); }), /feature that is not accepted: multi-part/],
    ["2^40 entries stated in the record", patched(one, (b) => { b.writeBigUInt64LE(1n << 40n, one.record + 24); b.writeBigUInt64LE(1n << 40n, one.record + 32); }), /too large to check: more than 10000 entries/],
    // the content-types part's ZIP64 offset moved off its local header
    ["entry offset off its header", patched(one, (b) => { b.writeBigUInt64LE(1n, cf + 16); }), /damaged/],
  ];
  for (const [what, bytes, reason] of cases) refused(bytes, reason, what);
});

test("an XLSX with data after its end record is refused, plain or ZIP64", async () => {
  const html = Buffer.from("<html><script>alert(document.cookie)</script></html>");
  const plain = await workbook();
  refused(Buffer.concat([plain, html]), /damaged.*no end-of-directory record/);
  refused(Buffer.concat([toZip64(plain).bytes, html]), /damaged.*no end-of-directory record/);
});
