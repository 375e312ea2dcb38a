// The personal-data inventory on a real database: CRUD by the applicant, reads by the body,
// refusals for everyone else; CSV and XLSX round trips; the pii CLI's JSON, CSV and XLSX output
// as a draft; hostile files refused with row-level errors and nothing written.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { after, before, test } from "node:test";
import ExcelJS from "exceljs";
import JSZip from "jszip";
import type { Actor } from "../../platform/actor.ts";
import { AppError } from "../../platform/errors.ts";
import { inventoryCsv, inventoryXlsx, InventoryBuilder, toInventoryDraft } from "../pii/inventory.ts";
import { inventoryToCsv, type InventoryItemInput } from "./inventory.io.ts";
import { workbookRecords, xlsxRecords } from "./inventory.service.ts";
import { accreditedBody, buildActor, buildCertWorld, type Body, type CertWorld } from "./testing.ts";

let w: CertWorld;
let body: Body;
const merchant = buildActor("merchant", "merchant_admin");
const staff = buildActor("merchant", "merchant_staff", merchant.orgId);
const otherMerchant = buildActor("merchant", "merchant_admin");
let appId = "";

const row = (over: Partial<InventoryItemInput> = {}): InventoryItemInput => ({
  name: "訂單客戶資料 Order customers",
  purpose: "網路購物及其他電子商務服務",
  purposeCodes: ["148"],
  dataCategories: ["C001", "C002"],
  source: "當事人提供 the customer",
  legalBasis: "contract",
  systems: ["Shopify", "ERP"],
  recipients: ["黑貓宅急便 logistics"],
  retention: "交易完成後五年 5 years after the order",
  retentionMonths: 60,
  recordCount: 12_345,
  crossBorder: true,
  crossBorderCountries: ["JP"],
  notes: "",
  ...over,
});

before(async () => {
  w = await buildCertWorld();
  body = await accreditedBody(w);
  appId = (await w.certification.apply(merchant, { scheme: "tw-pims", cbOrgId: body.admin.orgId, scope: "online shop" })).id;
});
after(async () => w.close());

/** audit entries of inventory writes (uploads are audited by the evidence store as well) */
async function audits(): Promise<number> {
  return (await w.database.query<{ n: number }>("select count(*)::int as n from audit_log where action like 'certification.inventory%'")).rows[0]?.n ?? -1;
}
async function upload(actor: Extract<Actor, { kind: "user" }>, filename: string, bytes: Buffer | string, type: string): Promise<string> {
  const f = await w.evidence.upload(actor, actor.orgId, { filename, stream: Readable.from([Buffer.from(bytes)]), declaredType: type });
  return f.id;
}
async function refusedWith(p: Promise<unknown>, code: AppError["code"]): Promise<AppError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof AppError, String(e));
    assert.equal(e.code, code, e.message);
    return e;
  }
  assert.fail(`expected ${code}`);
}
const XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

test("the applicant adds, changes and deletes rows, each audited; the body reads; others are refused", async () => {
  const inv = w.records.inventory;
  const before = await audits();
  const a = await inv.create(merchant, appId, row());
  const b = await inv.create(staff, appId, row({ name: "會員資料 Members", crossBorder: false, crossBorderCountries: [] }));
  assert.equal((await audits()) - before, 2);
  const changed = await inv.update(merchant, appId, a.id, row({ recordCount: 99 }));
  assert.equal(changed.recordCount, 99);
  const page = await inv.list(body.admin, appId, { limit: 1, offset: 0 });
  assert.equal(page.total, 2);
  assert.equal(page.items.length, 1);
  // another merchant and an auditor not on the team do not see the application at all
  await refusedWith(inv.list(otherMerchant, appId, { limit: 10, offset: 0 }), "not_found");
  await refusedWith(inv.create(otherMerchant, appId, row()), "not_found");
  await refusedWith(inv.list(body.auditor, appId, { limit: 10, offset: 0 }), "not_found");
  // the body may read but not write the applicant's register
  await refusedWith(inv.create(body.admin, appId, row()), "forbidden");
  await refusedWith(inv.update(body.admin, appId, a.id, row()), "forbidden");
  await refusedWith(inv.remove(otherMerchant, appId, b.id), "not_found");
  await refusedWith(inv.remove(merchant, appId, randomUUID()), "not_found");
  const mid = await audits();
  await inv.remove(merchant, appId, b.id);
  assert.equal((await audits()) - mid, 1);
  assert.equal((await inv.list(merchant, appId, { limit: 10, offset: 0 })).total, 1);
});

test("CSV and XLSX exports import back to the same rows (replace)", async () => {
  const inv = w.records.inventory;
  const before = (await inv.list(merchant, appId, { limit: 100, offset: 0 })).items.map(({ id: _i, updatedAt: _u, createdAt: _c, updatedBy: _b, origin: _o, ...r }) => r);
  const csv = await inv.exportFile(merchant, appId, "csv");
  assert.match(String(csv.body), /^\uFEFF個資項目 Data item \[name\]/);
  const r1 = await inv.importFile(merchant, appId, { evidenceId: await upload(merchant, "inv.csv", String(csv.body), "text/csv"), mode: "replace", dryRun: false });
  assert.deepEqual([r1.kind, r1.rows, r1.replaced], ["register", 1, 1]);
  const xlsx = await inv.exportFile(body.admin, appId, "xlsx");
  const r2 = await inv.importFile(merchant, appId, { evidenceId: await upload(merchant, "inv.xlsx", xlsx.body, XLSX), mode: "replace", dryRun: false });
  assert.equal(r2.written, 1);
  const after = (await inv.list(merchant, appId, { limit: 100, offset: 0 })).items;
  assert.deepEqual(after.map(({ id: _i, updatedAt: _u, createdAt: _c, updatedBy: _b, origin: _o, ...r }) => r), before);
  assert.equal(after[0]?.origin, "import");
  // exceljs's streaming reader sometimes ends its pass before xl/workbook.xml, the last entry
  // (exceljs#3064; about 1 read in 100, which once failed this test): the reader, fed the export only
  // up to that entry's local header, gives the same rows as the whole file
  const exported = Buffer.from(xlsx.body);
  const cut = exported.indexOf("xl/workbook.xml", exported.indexOf("docProps/core.xml")) - 30;
  assert.equal(exported.readUInt32LE(cut), 0x04034b50, "a local file header");
  const whole = await xlsxRecords(Readable.from([exported]));
  assert.ok(whole.length >= 2);
  assert.deepEqual(await workbookRecords(exported.subarray(0, cut)), whole);
  // a workbook that ends inside its sheet's entry ends unzipper's stream early (FILE_ENDED): after the
  // second pass (the one a valid file gets when unzipper fails on it) it is refused
  const sheetAt = exported.indexOf("xl/worksheets/sheet1.xml");
  assert.ok(sheetAt > 0);
  await assert.rejects(workbookRecords(exported.subarray(0, sheetAt + 60)), (e: unknown) =>
    e instanceof AppError && e.code === "validation" && e.cause instanceof Error && e.cause.message === "FILE_ENDED");
  // a dry run reads and checks, and writes nothing
  const n = await audits();
  const dry = await inv.importFile(merchant, appId, { evidenceId: await upload(merchant, "again.csv", String(csv.body), "text/csv"), mode: "append", dryRun: true });
  assert.deepEqual([dry.rows, dry.written], [1, 0]);
  assert.equal(await audits(), n);
});

test("the output of `ectrust pii inventory` (JSON, CSV, XLSX) becomes draft rows to confirm", async () => {
  const inv = w.records.inventory;
  const b = new InventoryBuilder();
  b.add({ file: "orders.csv", column: "phone", type: "TW_MOBILE", score: 0.9, masked: "09******78" } as never);
  b.add({ file: "orders.csv", column: "card", type: "CREDIT_CARD", score: 0.99, masked: "4111********1111" } as never);
  b.add({ file: "orders.csv", column: "phone", type: "TW_MOBILE", score: 0.9, masked: "09******12" } as never);
  b.setRecords("orders.csv", 3, { phone: 2, card: 1 });
  const rows = b.build();
  const fromJson = await inv.importFile(merchant, appId, { piiJson: { rows, draft: toInventoryDraft(rows), summary: {} }, mode: "replace", dryRun: false });
  assert.deepEqual([fromJson.kind, fromJson.rows], ["pii_draft", 2]);
  const items = (await inv.list(merchant, appId, { limit: 10, offset: 0 })).items;
  const phone = items.find((i) => i.name === "orders.csv · phone");
  assert.ok(phone);
  assert.deepEqual([phone.legalBasis, phone.origin, phone.dataCategories, phone.recordCount], ["unconfirmed", "pii_draft", ["C001"], 2]);
  assert.ok(!JSON.stringify(items).includes("09******"), "masked samples are not copied into the register");
  const fromCsv = await inv.importFile(merchant, appId, { evidenceId: await upload(merchant, "pii.csv", inventoryCsv(rows), "text/csv"), mode: "replace", dryRun: false });
  assert.deepEqual([fromCsv.kind, fromCsv.rows], ["pii_draft", 2]);
  const dir = mkdtempSync(join(tmpdir(), "pii-xlsx-"));
  try {
    await inventoryXlsx(rows, join(dir, "inv.xlsx"));
    const fromXlsx = await inv.importFile(merchant, appId, { evidenceId: await upload(merchant, "pii.xlsx", readFileSync(join(dir, "inv.xlsx")), XLSX), mode: "replace", dryRun: false });
    assert.deepEqual([fromXlsx.kind, fromXlsx.rows], ["pii_draft", 2]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("hostile and malformed files are refused with row-level errors and write nothing", async () => {
  const inv = w.records.inventory;
  const good = inventoryToCsv([row()]);
  const [head = "", first = ""] = good.replace(/^\uFEFF/, "").split("\r\n");
  const count = async (): Promise<number> => (await inv.list(merchant, appId, { limit: 1, offset: 0 })).total;
  const n0 = await count();
  const a0 = await audits();
  const imp = async (name: string, bytes: Buffer | string, type = "text/csv") => inv.importFile(merchant, appId, { evidenceId: await upload(merchant, name, bytes, type), mode: "replace", dryRun: false });

  // row 3 has a bad category and says cross-border without countries
  const bad = [head, first, first.replace("C001", "X001").replace(",true,JP,", ",true,,")].join("\r\n");
  const e1 = await refusedWith(imp("bad.csv", bad), "validation");
  const rowErrors = e1.extra.rowErrors as { row: number; field: string }[];
  assert.ok(rowErrors.some((r) => r.row === 3 && r.field.startsWith("dataCategories")), JSON.stringify(rowErrors));
  assert.ok(rowErrors.some((r) => r.row === 3 && r.field === "crossBorderCountries"), JSON.stringify(rowErrors));
  assert.ok(rowErrors.every((r) => r.row === 3));
  // not an inventory at all
  const e2 = await refusedWith(imp("other.csv", "a,b,c\r\n1,2,3\r\n"), "validation");
  assert.match(e2.message, /missing columns/);
  // invalid UTF-8 (evidence sniffing refuses it before we read it), an unterminated quote, too many rows
  await assert.rejects(imp("latin1.csv", Buffer.from([0x61, 0x2c, 0xff, 0xfe, 0x0a])), AppError);
  await refusedWith(imp("quote.csv", `${head}\r\n"unterminated,x\r\n`), "validation");
  const many = [head, ...Array.from({ length: 5_001 }, () => first)].join("\r\n");
  const e3 = await refusedWith(imp("many.csv", many), "validation");
  assert.match(e3.message, /more than 5000 rows/);
  // an XLSX with a formula
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet("x");
  ws.addRow(head.split(",").map((h) => h.replace(/^"|"$/g, "")));
  ws.addRow(["x", { formula: "HYPERLINK(\"http://evil.example\")" }]);
  const e4 = await refusedWith(imp("formula.xlsx", Buffer.from(await wb.xlsx.writeBuffer()), XLSX), "validation");
  assert.match(JSON.stringify(e4.extra.rowErrors), /formulas are not accepted/);
  // an XLSX whose second row sits at row 900,000 (nothing in between): refused, not padded out
  const far = new ExcelJS.Workbook();
  const fs = far.addWorksheet("x");
  fs.addRow(head.split(",").map((h) => h.replace(/^"|"$/g, "")));
  fs.getRow(900_000).values = ["x"];
  const e5 = await refusedWith(imp("far.xlsx", Buffer.from(await far.xlsx.writeBuffer()), XLSX), "validation");
  assert.match(e5.message, /more than 5000 rows/);
  // a workbook whose shared strings inflate to 200 MiB from a few hundred KB: refused before exceljs unpacks it
  const bomb = await JSZip.loadAsync(await wb.xlsx.writeBuffer());
  bomb.file("xl/sharedStrings.xml", Buffer.alloc(200 * 1024 * 1024, 0x20), { compression: "DEFLATE", compressionOptions: { level: 9 } });
  const bombBytes = await bomb.generateAsync({ type: "nodebuffer", compression: "DEFLATE" });
  assert.ok(bombBytes.length < 1024 * 1024, String(bombBytes.length));
  const e6 = await refusedWith(imp("bomb.xlsx", bombBytes, XLSX), "validation");
  assert.match(e6.message, /more than the limit \(64 MiB unpacked\)/);
  // a truncated workbook (the upload's own check already refuses it)
  const whole = Buffer.from(await wb.xlsx.writeBuffer());
  await assert.rejects(imp("cut.xlsx", whole.subarray(0, whole.length - 100), XLSX), AppError);
  // a file of another type, and another organisation's file
  const png = Buffer.concat([Buffer.from("89504e470d0a1a0a0000000d49484452", "hex"), Buffer.alloc(64)]);
  await refusedWith(imp("pic.png", png, "image/png"), "unsupported_media_type");
  const theirs = await upload(otherMerchant, "theirs.csv", good, "text/csv");
  await refusedWith(inv.importFile(merchant, appId, { evidenceId: theirs, mode: "replace", dryRun: false }), "not_found");
  // a pii JSON that is not one
  await refusedWith(inv.importFile(merchant, appId, { piiJson: { draft: [{ dataSource: "" }] }, mode: "replace", dryRun: false }), "validation");
  await refusedWith(inv.importFile(merchant, appId, { piiJson: { nothing: true }, mode: "replace", dryRun: false }), "validation");

  // nothing written: same rows, no inventory audit entries (the uploads themselves are audited by the evidence store)
  assert.equal(await count(), n0);
  assert.equal(await audits(), a0);
});

test("a workbook the ZIP check refuses is refused for what it is: damaged, or using a ZIP feature not accepted", async () => {
  const wb = new ExcelJS.Workbook();
  wb.addWorksheet("x").addRow(["個資項目 Data item [name]"]);
  const xlsx = Buffer.from(await wb.xlsx.writeBuffer());
  const refused = async (bytes: Buffer, detail: RegExp, field: RegExp): Promise<void> => {
    await assert.rejects(xlsxRecords(Readable.from([bytes])), (e: unknown) => e instanceof AppError && e.code === "validation" && detail.test(e.message) && field.test(JSON.stringify(e.fields)), String(detail));
  };
  await refused(xlsx.subarray(0, xlsx.length - 10), /^The XLSX file is damaged or not a workbook: not a ZIP file/, /not a readable XLSX workbook/);
  // the first entry compressed with bzip2 (method 12): a valid ZIP, not one we accept
  const bzip2 = Buffer.from(xlsx);
  const cd = bzip2.readUInt32LE(bzip2.length - 22 + 16);
  bzip2.writeUInt16LE(12, cd + 10);
  bzip2.writeUInt16LE(12, bzip2.readUInt32LE(cd + 42) + 8);
  await refused(bzip2, /uses a ZIP feature that is not accepted: .*compression method 12 .*Save it again/, /ZIP feature that is not accepted/);
});
