// The embedded database's folder: owner-only (PGlite writes its files 0666), and open in one
// process at a time (a second process on the same folder silently lost writes: 208 of 3,000 rows
// in a review's test). Found in a review of the seals key commands, which open it beside `serve`.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseInUse, openDatabase } from "./db/database.ts";

test("the PGlite folder under DATA_DIR is not reachable by other local users", async () => {
  const root = await mkdtemp(join(tmpdir(), "ectrust-datadir-"));
  const old = process.umask(0o022);
  try {
    const dir = join(root, "data", "pglite");
    const db = await openDatabase({ pgliteDir: dir });
    await db.query("select 1");
    await db.close();
    assert.equal((await stat(dir)).mode & 0o777, 0o700);
  } finally {
    process.umask(old);
    await rm(root, { recursive: true, force: true });
  }
});

test("a second opening of the same PGlite folder is refused while the first holds it; a lock left by a dead process is taken over", async () => {
  const dir = await mkdtemp(join(tmpdir(), "ectrust-pglite-lock-"));
  try {
    const first = await openDatabase({ pgliteDir: dir });
    await assert.rejects(openDatabase({ pgliteDir: dir }), (e: unknown) => e instanceof DatabaseInUse && e.message.includes(`open in process ${String(process.pid)}`));
    await first.close();
    const second = await openDatabase({ pgliteDir: dir });
    await second.query("select 1");
    await second.close();
    // a lock file left behind by a process that is gone (a crash)
    await writeFile(join(dir, "ectrust.lock"), "999999999");
    const third = await openDatabase({ pgliteDir: dir });
    await third.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
