// The mark that tells `npm test` a file depends on the database engine (and so runs on PostgreSQL
// as well as PGlite): left by testEngine(), the one way tests ask for the engine.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";

const dbModule = new URL("./db.ts", import.meta.url).href;

function runWithMark(code: string): { marked: boolean; stdout: string } {
  const dir = mkdtempSync(join(tmpdir(), "ectrust-mark-"));
  const mark = join(dir, "mark");
  try {
    const r = spawnSync(process.execPath, ["--input-type=module", "-e", code], { env: { ...process.env, ECTRUST_TEST_ENGINE_MARK: mark, ECTRUST_TEST_DB: "postgres" }, encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    return { marked: existsSync(mark), stdout: r.stdout.trim() };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("asking for the engine leaves the mark; importing the helpers alone does not", () => {
  const asked = runWithMark(`const { testEngine } = await import(${JSON.stringify(dbModule)}); console.log(testEngine()); console.log(testEngine());`);
  assert.equal(asked.marked, true);
  assert.equal(asked.stdout, "postgres\npostgres");
  const imported = runWithMark(`await import(${JSON.stringify(dbModule)});`);
  assert.equal(imported.marked, false);
});
