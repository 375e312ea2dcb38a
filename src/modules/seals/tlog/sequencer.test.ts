import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { utf8 } from "./bytes.ts";
import { parseCheckpoint, parseTlogProof, verifyCheckpoint } from "./checkpoint.ts";
import { generateSigner } from "./ed25519.ts";
import { TlogError } from "./errors.ts";
import { FsLogStore } from "./fs-store.ts";
import { leafHash, verifyConsistency, verifyInclusion } from "./merkle.ts";
import { formatVkey, parseNote, parseVkey } from "./note.ts";
import { Sequencer } from "./sequencer.ts";
import { MemoryLogStore, type LogStore } from "./store.ts";
import { decodeBundle, tilePath, tilesForSize } from "./tiles.ts";
import { MemoryHashReader, leafHashSync, treeRoot } from "./tree.ts";

const ORIGIN = "log.ectrust.example/test";
const { signer } = await generateSigner();
const vkey = await parseVkey(await formatVkey(ORIGIN, signer.publicKey));
const entry = (i: number): Uint8Array => utf8(`entry ${i}\n`);

async function code(f: () => Promise<unknown>): Promise<string> {
  try {
    await f();
    return "ok";
  } catch (e) {
    return e instanceof TlogError ? e.code : `untyped ${String(e)}`;
  }
}

test("batches append in order, tiles match the reference tree, proofs verify, restart resumes", async () => {
  const store = new MemoryLogStore();
  const seq = await Sequencer.open({ store, origin: ORIGIN, signer, maxBatch: 97, maxDelayMs: 10 });
  const n = 256 * 256 + 300; // crosses a level-1 tile and makes a level-2 partial
  const results = await Promise.all(Array.from({ length: n }, (_, i) => seq.append(entry(i))));
  assert.deepEqual(results.map((r) => r.index), Array.from({ length: n }, (_, i) => i));
  const ref = new MemoryHashReader();
  for (let i = 0; i < n; i++) ref.append(leafHashSync(entry(i)));
  const cp = await verifyCheckpoint(seq.checkpoint ?? "", vkey, ORIGIN);
  assert.equal(cp.size, n);
  assert.deepEqual(cp.root, new Uint8Array(await treeRoot(n, ref)));
  for (const t of tilesForSize(n)) assert.ok(store.files.has(tilePath(t)), tilePath(t));
  assert.ok(store.files.has("tile/2/000.p/1"));
  assert.deepEqual(decodeBundle(store.files.get("tile/entries/257.p/44") ?? new Uint8Array(0))[43], entry(n - 1));
  // Every checkpoint along the way is consistent with the last one, and proofs verify.
  const cps = (await store.listCheckpoints()).map((c) => parseCheckpoint(parseNote(c).text));
  assert.ok(cps.length > 600);
  for (const c of [cps[0], cps[1], cps[300]]) {
    if (!c) continue;
    await verifyConsistency(c.size, n, await seq.consistencyProof(c.size), c.root, cp.root);
  }
  for (const i of [0, 255, 256, 65_535, 65_536, n - 1]) {
    await verifyInclusion(i, n, await leafHash(entry(i)), await seq.inclusionProof(i), cp.root);
  }
  const last = results[n - 1];
  assert.ok(last);
  const proof = parseTlogProof(await seq.tlogProof(n - 1, last.checkpoint));
  await verifyInclusion(proof.index, n, await leafHash(entry(n - 1)), proof.hashes, cp.root);
  await seq.close();
  assert.equal(await code(() => seq.append(entry(0))), "sequencer_closed");
  // Restart: same size and root; appends continue at n.
  const again = await Sequencer.open({ store, origin: ORIGIN, signer, maxBatch: 10, maxDelayMs: 5 });
  assert.equal(again.size, n);
  const next = await again.append(entry(n));
  assert.equal(next.index, n);
  ref.append(leafHashSync(entry(n)));
  assert.deepEqual((await verifyCheckpoint(next.checkpoint, vkey, ORIGIN)).root, new Uint8Array(await treeRoot(n + 1, ref)));
  await again.close();
});

test("the timer flushes a lone entry; oversized entries are refused", async () => {
  const seq = await Sequencer.open({ store: new MemoryLogStore(), origin: ORIGIN, signer, maxDelayMs: 20 });
  const t0 = Date.now();
  const r = await seq.append(entry(0));
  assert.equal(r.index, 0);
  assert.ok(Date.now() - t0 >= 15);
  assert.equal(await code(() => seq.append(new Uint8Array(65_536))), "entry_too_large");
  await seq.close();
});

test("a failed batch is not acknowledged and leaves the state as it was", async () => {
  const store = new MemoryLogStore();
  const seq = await Sequencer.open({ store, origin: ORIGIN, signer, maxBatch: 3, maxDelayMs: 5 });
  await Promise.all([0, 1, 2].map((i) => seq.append(entry(i))));
  store.failNextWrite = true;
  const failed = await Promise.allSettled([3, 4, 5].map((i) => seq.append(entry(100 + i))));
  assert.ok(failed.every((f) => f.status === "rejected"));
  assert.equal(seq.size, 3);
  const ok = await Promise.all([3, 4, 5].map((i) => seq.append(entry(i))));
  assert.deepEqual(ok.map((o) => o.index), [3, 4, 5]);
  const reopened = await Sequencer.open({ store, origin: ORIGIN, signer });
  assert.equal(reopened.size, 6);
});

test("file-system store: durable layout, crash before the checkpoint, restart, tamper detection", async () => {
  const dir = await mkdtemp(join(tmpdir(), "ectrust-tlog-"));
  try {
    const store = new FsLogStore(dir);
    assert.equal(await store.readCheckpoint(), undefined);
    assert.deepEqual(await store.listCheckpoints(), []);
    const seq = await Sequencer.open({ store, origin: ORIGIN, signer, maxBatch: 50, maxDelayMs: 5 });
    await Promise.all(Array.from({ length: 300 }, (_, i) => seq.append(entry(i))));
    await seq.close();
    assert.equal((await readFile(join(dir, "checkpoint"), "utf8")).split("\n")[1], "300");
    assert.ok((await readFile(join(dir, "tile/0/000"))).length === 8192);
    assert.ok((await readFile(join(dir, "tile/0/001.p/44"))).length === 44 * 32);
    assert.equal((await store.listCheckpoints()).length, 6);
    // An archived copy above the committed size (left by a crash of an older version, which archived
    // before committing) was never committed: it is not listed, so an audit still ends at the
    // committed checkpoint. fs-store.test.ts fails every step of a checkpoint write.
    await writeFile(join(dir, "checkpoints", "305"), "not committed\n");
    assert.equal((await store.listCheckpoints()).length, 6);
    assert.equal((await store.listCheckpoints()).at(-1), await store.readCheckpoint());
    // A crash after the tiles but before the checkpoint: the batch was never acknowledged.
    const crashing: LogStore = Object.assign(Object.create(store) as FsLogStore, {
      writeCheckpoint: () => Promise.reject(new Error("power cut")),
    });
    const lost = await Sequencer.open({ store: crashing, origin: ORIGIN, signer, maxBatch: 5 });
    const r = await Promise.allSettled([0, 1, 2, 3, 4].map((i) => lost.append(entry(1000 + i))));
    assert.ok(r.every((x) => x.status === "rejected"));
    // The crashed writer left its lock: a second writer is refused while the pid is alive,
    // and takes over a stale lock (a pid that no longer exists).
    await assert.rejects(Sequencer.open({ store, origin: ORIGIN, signer }), /locked by live process/);
    await writeFile(join(dir, "lock"), "4194305");
    const back = await Sequencer.open({ store, origin: ORIGIN, signer, maxBatch: 5 });
    assert.equal(back.size, 300);
    const got = await Promise.all([0, 1, 2, 3, 4].map((i) => back.append(entry(300 + i))));
    assert.equal(got[4]?.index, 304);
    await back.close();
    const ref = new MemoryHashReader();
    for (let i = 0; i < 305; i++) ref.append(leafHashSync(entry(i)));
    assert.deepEqual((await verifyCheckpoint(got[4].checkpoint, vkey, ORIGIN)).root, new Uint8Array(await treeRoot(305, ref)));
    // Tampering with a stored tile is detected on open.
    await writeFile(join(dir, "tile/1/000.p/1"), new Uint8Array(32));
    assert.equal(await code(() => Sequencer.open({ store, origin: ORIGIN, signer })), "store_corrupt");
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
