import { test } from "node:test";
import assert from "node:assert/strict";
import { InventoryBuilder, inventoryCsv, inventoryCsvParts, inventoryJsonParts, MAX_COLUMNS_PER_SOURCE, OTHER_COLUMNS, toInventoryDraft } from "./inventory.ts";
import type { Finding } from "./pii.types.ts";

const f = (type: Finding["type"], column: string | null, masked: string): Finding =>
  ({ file: "orders.csv", type, start: 0, end: 1, byteStart: 0, byteEnd: 1, line: 2, column, score: 0.9, masked });

test("inventory rows per column with PDPA categories, prevalence and masked samples", () => {
  const b = new InventoryBuilder();
  b.add(f("PERSON_NAME_ZH", "收件人", "陳○明"));
  b.add(f("PERSON_NAME_ZH", "收件人", "林○玲"));
  b.add(f("TW_NATIONAL_ID", "身分證", "A12****789"));
  b.add(f("CREDIT_CARD", "卡號", "4111 11** **** 1111"));
  b.setRecords("orders.csv", 5, { 收件人: 4, 身分證: 4, 卡號: 2 });
  const rows = b.build();
  const byCol = new Map(rows.map((r) => [r.column, r]));
  assert.equal(byCol.get("收件人")?.pdpaCategory, "C001");
  assert.equal(byCol.get("收件人")?.prevalence, 0.5);
  assert.deepEqual(byCol.get("收件人")?.samples, ["陳○明", "林○玲"]);
  assert.equal(byCol.get("身分證")?.pdpaCategory, "C003");
  assert.equal(byCol.get("卡號")?.pdpaCategory, "C002");
  const draft = toInventoryDraft(rows);
  assert.equal(draft.length, 3);
  assert.ok(draft.every((d) => d.personalDataCategories.length === 1 && d.dataSource === "orders.csv"));
  const csv = inventoryCsv(rows);
  assert.ok(csv.startsWith("\uFEFF來源 source,"));
  assert.ok(!csv.includes("陳志明"));
});

test("CSV export neutralises spreadsheet formulas", () => {
  const b = new InventoryBuilder();
  b.add({ ...f("EMAIL", "=HYPERLINK(\"x\")", "a***@b.tw") });
  assert.ok(inventoryCsv(b.build()).includes("'=HYPERLINK"));
});

test("a source with a column per record (JSON keyed by record id) lists its first 1,000 columns and merges the rest", () => {
  const b = new InventoryBuilder();
  for (let i = 0; i < 5000; i++) b.add({ ...f("TW_MOBILE", `orders.A${String(i)}.phone`, "0912***678"), file: "orders.json" });
  b.add({ ...f("TW_MOBILE", "orders.A7.phone", "0987***321"), file: "orders.json" }); // a column already listed
  b.add({ ...f("EMAIL", "buyer.email", "a**@b.tw"), file: "other.json" }); // another source has its own columns
  const rows = b.build();
  assert.equal(rows.length, MAX_COLUMNS_PER_SOURCE + 2);
  const other = rows.find((r) => r.column === OTHER_COLUMNS);
  assert.equal(other?.findings, 4000);
  assert.equal(other.records, 4000);
  assert.match(other.note ?? "", /past the first 1000/);
  assert.equal(rows.find((r) => r.column === "orders.A7.phone")?.findings, 2);
  assert.equal(rows.find((r) => r.source === "other.json")?.column, "buyer.email");
});

test("the inventory is written in pieces that make exactly the JSON and CSV of the whole", () => {
  const b = new InventoryBuilder();
  for (let i = 0; i < 1_200; i++) b.add({ ...f(i % 3 === 0 ? "TW_NHI_CARD" : "EMAIL", `col "${i % 700}"\n`, `a${i}***@b.tw`), file: `dir/檔案 ${i % 2}.csv` });
  b.add({ ...f("PERSON_NAME_ZH", null, "陳○明"), file: "notes.txt" });
  b.setRecords("notes.txt", 10);
  const rows = b.build();
  assert.ok(rows.length > 1000 && rows.some((r) => r.note !== undefined));
  const summary = { files: 3, findings: 1201, byType: { EMAIL: 800 }, skipped: [{ file: "x", reason: "binary" }], seconds: 1.5 };
  for (const doc of [{ rows, draft: toInventoryDraft(rows), summary }, { rows: [], draft: [], summary }]) {
    const parts = [...inventoryJsonParts(doc)];
    assert.equal(parts.join(""), JSON.stringify(doc, null, 2) + "\n");
    if (doc.rows.length > 0) assert.ok(parts.length > 5 && parts.every((p) => p.length < 400_000), "pieces, not one string");
  }
  const csv = [...inventoryCsvParts(rows)];
  assert.equal(csv.length, 1 + Math.ceil(rows.length / 1000));
  assert.equal(csv.join("").split("\r\n").length, rows.length + 2); // header, rows, and the empty string after the last line break
  assert.equal(csv.join(""), inventoryCsv(rows));
});
