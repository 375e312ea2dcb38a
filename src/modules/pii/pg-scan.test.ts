import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import pg from "pg";
import { scanPostgres } from "./pg-scan.ts";
import type { Finding, SkipNote } from "./pii.types.ts";

// Runs against the real PostgreSQL server (TEST_DATABASE_URL) in a scratch database it creates and drops.
const adminUrl = process.env.TEST_DATABASE_URL ?? "postgres://root@127.0.0.1:5432/test";

/**
 * Runs `body` against a scratch database created on the real PostgreSQL server and dropped afterwards;
 * skips the test when the server is not reachable.
 */
async function withScratchDb(t: TestContext, prefix: string, body: (url: string) => Promise<void>): Promise<void> {
  const admin = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 3000 });
  try {
    await admin.connect();
  } catch {
    t.skip("PostgreSQL not reachable");
    return;
  }
  const db = `${prefix}_${process.pid}_${Date.now()}`;
  await admin.query(`CREATE DATABASE ${db}`);
  const url = new URL(adminUrl);
  url.pathname = `/${db}`;
  try {
    await body(url.toString());
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
    await admin.end();
  }
}


test("live PostgreSQL tables are scanned read-only, per column, sampled or in full", async (t) => {
  await withScratchDb(t, "pii_scan", async (url) => {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    await c.query("CREATE SCHEMA shop; CREATE TABLE shop.customers (id serial, 姓名 text, mobile text, national_id text, note text, ubn text)");
    for (let i = 0; i < 50; i++) {
      await c.query("INSERT INTO shop.customers (姓名, mobile, national_id, note, ubn) VALUES ($1, $2, $3, $4, $5)", ["陳志明", "0912-345-678", "A123456789", "email a@b.tw", "22099131"]);
    }
    await c.end();
    const notes: SkipNote[] = [];
    const found: Finding[] = [];
    const res = await scanPostgres(url, { sample: 10, batch: 4 }, (f) => found.push(f), notes);
    assert.deepEqual(notes, []);
    const first = res[0];
    assert.ok(first);
    assert.equal(first.table, "shop.customers");
    assert.equal(first.rows, 10);
    assert.equal(found.length, 50);
    assert.deepEqual([...new Set(found.map((f) => `${f.column}:${f.type}`))].sort(), [
      "mobile:TW_MOBILE", "national_id:TW_NATIONAL_ID", "note:EMAIL", "ubn:TW_BUSINESS_NUMBER", "姓名:PERSON_NAME_ZH",
    ]);
    const email = found.find((f) => f.type === "EMAIL");
    assert.deepEqual([email?.start, email?.end, email?.line], [6, 12, 1]);
    assert.ok(!JSON.stringify(found).includes("root@"));
    const all: Finding[] = [];
    await scanPostgres(url, { sample: 0 }, (f) => all.push(f), notes);
    assert.equal(all.length, 250);
    // The same through the CLI: inventory per column from the live database.
    const cli = new URL("../../cli.ts", import.meta.url).pathname;
    const r = spawnSync(process.execPath, [cli, "pii", "inventory", "--postgres", url, "--format", "json"], { encoding: "utf8", timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    const inv = JSON.parse(r.stdout) as { rows: Array<{ source: string; column: string; entityType: string; records: number; prevalence: number }> };
    const name = inv.rows.find((x) => x.entityType === "PERSON_NAME_ZH");
    assert.equal(name?.column, "姓名");
    assert.equal(name.records, 50);
    assert.equal(name.prevalence, 1);
    assert.ok(!r.stdout.includes("root@"));
    const down = spawnSync(process.execPath, [cli, "pii", "scan", "--postgres", "postgres://root@127.0.0.1:1/none"], { encoding: "utf8", timeout: 60_000 });
    assert.equal(down.status, 1);
    assert.match(down.stderr, /database not scanned/);
  });
});

test("PostgreSQL: a value of several MB is scanned in windows, wide rows in small fetches, bytea skipped with a note", async (t) => {
  await withScratchDb(t, "pii_big", async (url) => {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    await c.query("CREATE TABLE docs (id serial, body text, photo bytea)");
    // 2.6 M characters: windows of 1 M characters end inside e-mail addresses, whose tails are addresses too.
    const n = 150_000;
    const body = "中".repeat(12) + " a.bc@example.com".repeat(n);
    await c.query("INSERT INTO docs (body, photo) VALUES ($1, $2)", [body, Buffer.alloc(1 << 20, 7)]);
    await c.query("CREATE TABLE wide (id serial, note text)");
    for (let i = 0; i < 300; i++) await c.query("INSERT INTO wide (note) VALUES ($1)", [`${"x".repeat(20_000)} 手機 09${String(10_000_000 + i)}`]);
    // Row 301: an emoji (a surrogate pair) across the first window's edge, then an address: its byte
    // offsets must count the pair as 4 bytes, not each half as 3.
    const emoji = `${"x".repeat((1 << 20) - 1)}😀 y@example.com`;
    await c.query("INSERT INTO wide (note) VALUES ($1)", [emoji]);
    await c.end();
    const notes: SkipNote[] = [];
    const found: Finding[] = [];
    const res = await scanPostgres(url, { sample: 0, showValues: true }, (f) => found.push(f), notes);
    assert.deepEqual(res.map((r) => [r.table, r.rows, r.columns]), [["public.docs", 1, ["id", "body"]], ["public.wide", 301, ["id", "note"]]]);
    assert.deepEqual(notes.map((x) => [x.reason, x.detail]), [["binary", "bytea column photo not scanned (binary data)"]]);
    const emails = found.filter((f) => f.file.endsWith("public.docs"));
    assert.equal(emails.length, n);
    const wide = Buffer.byteLength(body.slice(0, 12)) - 12; // the 12 中 take 3 bytes each; the rest is ASCII
    for (const f of emails) {
      assert.equal(f.value, "a.bc@example.com");
      assert.equal(body.slice(f.start, f.end), f.value);
      assert.equal(f.byteStart, f.start + wide);
    }
    const phones = found.filter((f) => f.file.endsWith("public.wide") && f.line <= 300);
    assert.deepEqual(phones.map((f) => f.line), Array.from({ length: 300 }, (_, i) => i + 1));
    assert.ok(phones.every((f) => f.type === "TW_MOBILE" && f.column === "note" && f.start === 20_004));
    const [after, ...more] = found.filter((f) => f.file.endsWith("public.wide") && f.line === 301);
    assert.equal(more.length, 0);
    assert.ok(after);
    assert.equal(after.value, "y@example.com");
    assert.equal(emoji.slice(after.start, after.end), after.value);
    assert.equal(after.byteStart, Buffer.byteLength(emoji.slice(0, after.start)));
  });
});
