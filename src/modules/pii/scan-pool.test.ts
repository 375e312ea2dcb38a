import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Finding } from "./pii.types.ts";
import { scanFile } from "./scan.ts";
import { scanFiles, workerModule } from "./scan-pool.ts";
import { MAX_IN_FLIGHT, RENDERED_BYTES } from "./transfer.ts";
import { InventoryBuilder, type InventoryRow } from "./inventory.ts";
import { pathToFileURL } from "node:url";

test("a large file split into ranges across workers gives exactly the findings of a whole-file scan", async () => {
  const dir = mkdtempSync(join(tmpdir(), "pii-pool-"));
  try {
    const lines: string[] = [];
    for (let i = 0; i < 3000; i++) lines.push(i % 7 === 0 ? `第${i}行 收件人：陳志明 手機 0912-345-678 身分證 A123456789 😀` : `普通的一行 ${i} without personal data ＡＢＣ`);
    const p = join(dir, "app.log");
    writeFileSync(p, "\uFEFF" + lines.join("\n") + "\n");
    const whole: Finding[] = [];
    await scanFile(p, {}, (f) => whole.push(f));
    const split: Finding[] = [];
    const results: number[] = [];
    const p2 = join(dir, "app2.log");
    writeFileSync(p2, "\uFEFF" + lines.join("\n") + "\n");
    await scanFiles([p, p2], { workers: 2, splitMinBytes: 10_000, rangeBytes: 20_000 }, (f) => split.push(f), (r) => results.push(r.bytes));
    const key = (f: Finding): string => `${f.file === p2 ? p : f.file}:${f.start}:${f.end}:${f.byteStart}:${f.byteEnd}:${f.line}:${f.type}`;
    const expect = whole.map(key).sort();
    assert.equal(whole.length, 429 * 3);
    assert.deepEqual(split.map(key).sort(), [...expect, ...expect].sort());
    assert.equal(results.length, 2); // one result per file, ranges merged
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("workers run the built bundle only when it is newer than every source file; otherwise the TypeScript worker", () => {
  const dir = mkdtempSync(join(tmpdir(), "pii-bundle-"));
  try {
    const src = join(dir, "src"), built = join(dir, "scan-worker.mjs");
    mkdirSync(join(src, "formats"), { recursive: true });
    writeFileSync(join(src, "detect.ts"), "");
    writeFileSync(join(src, "formats", "csv.ts"), "");
    const at = (p: string, seconds: number): void => { utimesSync(p, seconds, seconds); };
    const pick = (): string => workerModule(pathToFileURL(built), pathToFileURL(src + "/")).href;
    const source = new URL("./scan-worker.ts", import.meta.url).href;
    assert.equal(pick(), source); // not built
    writeFileSync(built, "");
    at(join(src, "detect.ts"), 1000); at(join(src, "formats", "csv.ts"), 1000); at(built, 2000);
    assert.equal(pick(), pathToFileURL(built).href); // fresh
    at(join(src, "formats", "csv.ts"), 3000); // a source edited after the build, in a subfolder
    assert.equal(pick(), source);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("inventory: rows aggregated in the workers (files and ranges of a split file) equal rows built from every finding", async () => {
  const dir = mkdtempSync(join(tmpdir(), "pii-inv-"));
  try {
    const lines: string[] = [];
    for (let i = 0; i < 3000; i++) lines.push(i % 5 === 0 ? `第${i}行 收件人：陳志明 手機 09${String(10_000_000 + i * 7919).slice(0, 8)} 身分證 A123456789` : `普通的一行 ${i}`);
    writeFileSync(join(dir, "app.log"), lines.join("\n") + "\n");
    writeFileSync(join(dir, "orders.csv"), "姓名,手機,email\n" + Array.from({ length: 400 }, (_, i) => `王小明,0912-345-${String(100 + i)},u${i}@example.com`).join("\n") + "\n");
    writeFileSync(join(dir, "events.ndjson"), Array.from({ length: 500 }, (_, i) => JSON.stringify({ buyer: { name: "林美玲", phone: "0922111222" }, id: i })).join("\n") + "\n");
    const files = ["app.log", "orders.csv", "events.ndjson"].map((f) => join(dir, f));
    const each = new InventoryBuilder();
    const masks = new Set<string>();
    await scanFiles(files, { inProcess: true }, (f) => { each.add(f); masks.add(`${f.file}|${f.column ?? ""}|${f.type}|${f.masked}`); }, (r) => { each.setRecords(r.file, r.lines ?? 0, r.columns); });
    const rows = new InventoryBuilder();
    let findings = 0, batches = 0;
    await scanFiles(files, { workers: 2, splitMinBytes: 10_000, rangeBytes: 20_000, onInventory: (rs) => { batches++; rows.merge(rs); } },
      () => { findings++; }, (r) => { rows.setRecords(r.file, r.lines ?? 0, r.columns); });
    assert.equal(findings, 0, "no finding crosses to this thread");
    assert.ok(batches > 3, `${batches} sets of rows: one per file or range`);
    const want = each.build(), got = rows.build();
    assert.ok(want.length >= 6);
    // samples: the first three distinct masked values, which depend on the order the ranges finish in
    const strip = (rs: InventoryRow[]): unknown[] => rs.map(({ samples, ...r }) => ({ ...r, samples: samples.length }));
    assert.deepEqual(strip(got), strip(want));
    assert.ok(got.every((r) => r.samples.every((m) => masks.has(`${r.source}|${r.column ?? ""}|${r.entityType}|${m}`))), "each sample is a masked value of its row's findings");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("rendered output: findings before a long stretch without any are sent after 4 MiB more input, not with the next batch at the end", async () => {
  const dir = mkdtempSync(join(tmpdir(), "pii-sparse-"));
  try {
    const pii = "收件人：陳志明 手機 0912-345-678 身分證 A123456789\n";
    const filler = "The quick brown fox jumps over the lazy dog, again and again and again.\n".repeat(180_000); // 12.8 MB
    const p = join(dir, "sparse.log");
    writeFileSync(p, pii + filler + pii);
    const counts: number[] = [];
    let findings = 0;
    await scanFiles([p], { workers: 1, onRendered: (_l, n) => { counts.push(n); } }, () => undefined, (r) => { findings += r.findings; });
    assert.equal(findings, 6);
    assert.deepEqual(counts, [3, 3], "the first three went out on their own, long before the file's end");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("rendered jsonl: workers wait while the consumer is not ready, and get each buffer back once the consumer is done with it", async () => {
  const dir = mkdtempSync(join(tmpdir(), "pii-jsonl-"));
  try {
    const lines: string[] = [];
    for (let i = 0; i < 24_000; i++) lines.push(`第${i}行 收件人：陳志明 手機 0912-345-678 身分證 A123456789`);
    const p = join(dir, "app.log");
    writeFileSync(p, lines.join("\n") + "\n");
    const expected: string[] = [];
    await scanFiles([p], { inProcess: true, onRendered: (l) => { expected.push(typeof l === "string" ? l : ""); } }, () => undefined, () => undefined);
    const outputBytes = Buffer.byteLength(expected.join(""));
    assert.ok(outputBytes > (MAX_IN_FLIGHT * 2 + 5) * RENDERED_BYTES, `output of ${outputBytes} bytes: too few batches for this test`);
    const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

    // A consumer that holds its readiness, and finishes with each batch only later.
    const got: string[] = [];
    const views: Uint8Array[] = [];
    const dones: Array<() => void> = [];
    let release: () => void = () => undefined;
    let gate: Promise<void> | null = new Promise<void>((r) => { release = r; });
    const scan = scanFiles([p], {
      workers: 1,
      ready: () => gate ?? Promise.resolve(),
      onRendered: (l, _n, _t, done) => {
        assert.ok(l instanceof Uint8Array && done !== undefined);
        got.push(Buffer.from(l).toString("utf8")); // a copy: the buffer goes back to the worker
        views.push(l);
        dones.push(done);
      },
    }, () => undefined, () => undefined);
    let held: number;
    try {
      for (let i = 0; i < 200 && got.length < MAX_IN_FLIGHT; i++) await sleep(10);
      await sleep(300);
      held = got.length;
      await sleep(300);
      // the worker checks before each read of the file, and one read can make more than one batch
      assert.equal(got.length, held, `no more batches while ${MAX_IN_FLIGHT} are not acknowledged`);
      assert.ok(held >= MAX_IN_FLIGHT && held <= 2 * MAX_IN_FLIGHT, `held ${held}`);
      assert.ok(views.every((v) => v.byteLength > 0), "nothing goes back before done");
    } finally {
      // done with the held batches while the worker still scans (twice: the second call is ignored), then ready
      for (const done of dones) { done(); done(); }
      gate = null;
      release();
      await scan;
    }
    assert.ok(got.length > held + 4, `only ${got.length} batches`);
    assert.equal(got.join(""), expected.join(""));
    assert.ok(views.slice(0, held).every((v) => v.byteLength === 0), "the held batches' buffers went back to the worker");

    // A consumer that never calls done loses nothing but the reuse.
    const plain: string[] = [];
    await scanFiles([p], { workers: 1, onRendered: (l) => { plain.push(Buffer.from(l).toString("utf8")); } }, () => undefined, () => undefined);
    assert.equal(plain.join(""), expected.join(""));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
