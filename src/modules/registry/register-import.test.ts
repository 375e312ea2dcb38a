// The business-register importer on a real database (both engines): the sample file, a
// generated larger file in small chunks, and bad files.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { eq } from "drizzle-orm";
import { FixedClock } from "../../platform/clock.ts";
import { createFetcher } from "../../platform/net/fetcher.ts";
import { staticResolver } from "../../platform/net/resolver.ts";
import { testDatabase, type TestDatabase } from "../../platform/testing/db.ts";
import { importBusinessRegister, mapStatus, type ImportProgress } from "./register-import.ts";
import { createRegistryService } from "./registry.service.ts";
import { registryImports } from "./registry.tables.ts";

const sample = new URL("./fixtures/business-register-sample.csv", import.meta.url).pathname;
let database: TestDatabase;
let dir: string;
const clock = new FixedClock("2026-03-01T00:00:00Z");

before(async () => {
  database = await testDatabase();
  dir = mkdtempSync(join(tmpdir(), "ectrust-register-"));
});
after(async () => {
  await database.close();
  rmSync(dir, { recursive: true, force: true });
});

test("status words map to active / suspended / dissolved; unknown words to nothing", () => {
  assert.equal(mapStatus("核准設立"), "active");
  assert.equal(mapStatus("停業"), "suspended");
  assert.equal(mapStatus("解散"), "dissolved");
  assert.equal(mapStatus("廢止"), "dissolved");
  assert.equal(mapStatus("撤銷登記"), "dissolved");
  assert.equal(mapStatus("未知狀態"), undefined);
});

test("imports the sample: valid rows kept, bad checksum and unknown status skipped, later rows win", async () => {
  const progress: ImportProgress[] = [];
  const r = await importBusinessRegister({ db: database.db, clock, file: sample, batchSize: 2, progressEveryMs: 0, onProgress: (p) => progress.push(p) });
  assert.equal(r.skipped, 2);
  assert.equal(r.rows, 5);
  assert.ok(progress.length >= 2);
  assert.equal(progress.at(-1)?.bytes, progress.at(-1)?.totalBytes);
  const registry = createRegistryService({ db: database.db, clock, fetcher: createFetcher({ resolver: staticResolver({}) }), mail: { enqueue: () => Promise.resolve() }, evidence: { get: () => Promise.reject(new Error("unused")) }, publicUrl: "http://localhost" });
  const a = await registry.registerCheck("04595252");
  assert.deepEqual([a.found, a.name, a.status, a.currentRuleOnly], [true, "好物網路商店股份有限公司", "active", true]);
  assert.equal((await registry.registerCheck("22099131")).status, "suspended");
  const c = await registry.registerCheck("10458575");
  assert.deepEqual([c.name, c.status], ["丙物流股份有限公司, 台灣分公司", "dissolved"]);
  assert.equal((await registry.registerCheck("04595257")).status, "dissolved");
  assert.equal((await registry.registerCheck("10458574")).found, false);
  await assert.rejects(registry.registerCheck("12345678"), /checksum/);
  const [imp] = await database.db.select().from(registryImports).where(eq(registryImports.id, r.importId));
  assert.equal(imp?.status, "done");
});

test("a generated file with many rows streams through in batches", async () => {
  const file = join(dir, "gen.csv");
  const lines = ["\ufeff統一編號,公司名稱,公司狀況,代表人姓名,公司所在地"];
  // numbers that pass the checksum: search upwards from a base
  let n = 30_000_000;
  let made = 0;
  const { checkUbn } = await import("./ubn.ts");
  while (made < 3000) {
    const s = String(n++).padStart(8, "0");
    if (!checkUbn(s).ok) continue;
    lines.push(`${s},"測試公司 ${made}",${made % 3 === 0 ? "停業" : "核准設立"},代表人${made},臺北市`);
    made++;
  }
  writeFileSync(file, `${lines.join("\r\n")}\r\n`);
  const r = await importBusinessRegister({ db: database.db, clock, file, batchSize: 500 });
  assert.equal(r.rows, 3000);
  assert.equal(r.skipped, 0);
});

test("a file without the needed columns, or broken CSV, fails the import with a reason", async () => {
  const f1 = join(dir, "bad-header.csv");
  writeFileSync(f1, "a,b,c\n1,2,3\n");
  await assert.rejects(importBusinessRegister({ db: database.db, clock, file: f1 }), /no column for ubn, name, status/);
  const f2 = join(dir, "broken.csv");
  writeFileSync(f2, '統一編號,公司名稱,公司狀況\n04595252,"unterminated,核准設立\n');
  await assert.rejects(importBusinessRegister({ db: database.db, clock, file: f2 }), /quoted field/);
  const failed = await database.db.select().from(registryImports).where(eq(registryImports.status, "failed"));
  assert.equal(failed.length, 2);
});
