// The Storage contract, run against the local folder and the in-memory double alike.
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { after, test } from "node:test";
import { AppError } from "../errors.ts";
import { contentDisposition, extensionOf, sanitizeFilename } from "./filename.ts";
import { createLocalStorage, createMemoryStorage, isStorageKey, type Storage } from "./storage.ts";

const root = mkdtempSync(join(tmpdir(), "ectrust-storage-"));
after(() => {
  rmSync(root, { recursive: true, force: true });
});

async function read(r: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of r) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

async function* from(parts: string[], failAfter?: number): AsyncGenerator<Uint8Array> {
  let i = 0;
  for (const p of parts) {
    if (failAfter !== undefined && i++ === failAfter) throw new Error("the client went away");
    await Promise.resolve();
    yield Buffer.from(p);
  }
}

const isNotFound = (e: unknown): boolean => e instanceof AppError && e.code === "not_found";

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? files(join(dir, f)).map((x) => `${f}/${x}`) : [f]));
}

for (const [name, make] of [
  ["local folder", () => createLocalStorage(root)],
  ["in-memory double", () => createMemoryStorage()],
] as [string, () => Storage][]) {
  test(`${name}: put, get and delete by a random key`, async () => {
    const s = make();
    const a = await s.put(from(["hello ", "world"]));
    const b = await s.put(from(["other"]));
    assert.ok(isStorageKey(a.key) && isStorageKey(b.key));
    assert.notEqual(a.key, b.key);
    assert.equal(a.size, 11);
    assert.equal((await read(await s.get(a.key))).toString(), "hello world");
    await s.delete(a.key);
    await assert.rejects(s.get(a.key), isNotFound);
    await s.delete(a.key); // twice is fine
    assert.equal((await read(await s.get(b.key))).toString(), "other");
  });

  test(`${name}: keys that are not ours, including traversal attempts, name nothing`, async () => {
    const s = make();
    for (const key of ["../../etc/passwd", "..", "/etc/passwd", "ab/../../x", "A".repeat(32), "", "0".repeat(31) + "\0"]) {
      await assert.rejects(s.get(key), isNotFound, key);
    }
  });
}

test("local folder: a source that fails leaves no file and no temporary file", async () => {
  const s = createLocalStorage(root);
  const before = files(root).filter((f) => !f.startsWith(".tmp/")).length;
  await assert.rejects(s.put(from(["a", "b", "c"], 2)), /went away/);
  assert.equal(files(root).filter((f) => !f.startsWith(".tmp/")).length, before);
  assert.deepEqual(readdirSync(join(root, ".tmp")), []);
});

test("file names: last path segment, no control or reserved characters, bounded length, extension kept", () => {
  assert.equal(sanitizeFilename("../../a/b/c.pdf"), "c.pdf");
  assert.equal(sanitizeFilename("   "), "file");
  assert.equal(sanitizeFilename("a\tb\nc.txt"), "abc.txt");
  const long = sanitizeFilename(`${"報".repeat(400)}.xlsx`);
  assert.ok(long.length <= 180 && long.endsWith(".xlsx"));
  assert.equal(extensionOf("Report.PDF"), "pdf");
  assert.equal(extensionOf(".bashrc"), "");
  assert.equal(contentDisposition(`a"b;c%.txt`), `attachment; filename="a_b_c_.txt"; filename*=UTF-8''a_b_c%25.txt`);
});
