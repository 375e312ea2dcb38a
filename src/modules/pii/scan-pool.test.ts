import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Finding } from "./pii.types.ts";
import { scanFile } from "./scan.ts";
import { scanFiles, workerModule } from "./scan-pool.ts";
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
