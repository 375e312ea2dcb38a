import { test } from "node:test";
import assert from "node:assert/strict";
import { InventoryBuilder, inventoryCsv, toInventoryDraft } from "./inventory.ts";
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
