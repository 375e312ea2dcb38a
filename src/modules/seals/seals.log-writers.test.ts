// The log's writers for real: a writer process killed with SIGKILL mid-stream, restarted, killed
// again — every acknowledged entry is at its acknowledged index after each restart, in order; and
// several writers sharing one log folder under the platform's advisory lock (two Sequencers in
// this process on PGlite and PostgreSQL; two processes on PostgreSQL) never lose, duplicate or
// reorder an acknowledged entry, and every checkpoint stays consistent.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { testDatabase, testEngine } from "../../platform/testing/db.ts";
import { advisoryLogLock } from "./seals.service.ts";
import { utf8 } from "./tlog/bytes.ts";
import { parseCheckpoint } from "./tlog/checkpoint.ts";
import { signerFromSeed } from "./tlog/ed25519.ts";
import { auditLog } from "./tlog/audit.ts";
import { FsLogStore } from "./tlog/fs-store.ts";
import { formatVkey, parseNote } from "./tlog/note.ts";
import { Sequencer } from "./tlog/sequencer.ts";
import { bundlesForSize, decodeBundle } from "./tlog/tiles.ts";

const ORIGIN = "log.ectrust.example/writers";
const WRITER = new URL("./tlog/writer.testing.ts", import.meta.url).pathname;

/** Every entry of the stored log (up to its checkpoint), as text without the newline. */
async function entries(store: FsLogStore): Promise<string[]> {
  const note = await store.readCheckpoint();
  if (note === undefined) return [];
  const size = parseCheckpoint(parseNote(note).text).size;
  const out: string[] = [];
  for (const b of bundlesForSize(size)) {
    const data = await store.read(b);
    assert.ok(data, `bundle ${String(b.index)}`);
    for (const e of decodeBundle(data)) out.push(new TextDecoder().decode(e).trimEnd());
  }
  return out.slice(0, size);
}

interface Writer {
  child: ChildProcessWithoutNullStreams;
  acks: [number, string][];
  /** resolves once the writer has acknowledged at least n appends */
  until(n: number): Promise<void>;
  kill(): Promise<void>;
}

function startWriter(dir: string, seed: Buffer, name: string, dbUrl?: string): Writer {
  const child = spawn(process.execPath, [WRITER, dir, seed.toString("hex"), ORIGIN, name, ...(dbUrl ? [dbUrl] : [])], { stdio: ["pipe", "pipe", "pipe"] });
  const acks: [number, string][] = [];
  const waiting: { n: number; resolve: () => void }[] = [];
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  createInterface({ input: child.stdout }).on("line", (line) => {
    const m = /^(\d+) (.+)$/.exec(line);
    if (m) acks.push([Number(m[1]), m[2] ?? ""]);
    for (const w of waiting.filter((x) => acks.length >= x.n)) w.resolve();
  });
  const exited = new Promise<number | null>((r) => child.on("exit", (code) => { r(code); }));
  return {
    child,
    acks,
    until: (n) =>
      new Promise<void>((resolve, reject) => {
        if (acks.length >= n) resolve();
        else waiting.push({ n, resolve });
        void exited.then((code) => { reject(new Error(`writer ${name} exited (${String(code)}) after ${String(acks.length)} acks: ${stderr}`)); });
      }),
    kill: async () => {
      child.kill("SIGKILL");
      await exited;
    },
  };
}

/** The audit's findings about the tree and checkpoints (these test entries are not ectrust entry texts). */
const treeProblems = (r: { problems: string[] }): string[] => r.problems.filter((p) => !/^entry \d+: malformed_entry/.test(p));

/** Every acknowledged entry sits at its acknowledged index; no index was acknowledged twice. */
function checkAcks(log: string[], acks: readonly [number, string][]): void {
  const seen = new Set<number>();
  for (const [i, text] of acks) {
    assert.ok(!seen.has(i), `index ${String(i)} acknowledged twice`);
    seen.add(i);
    assert.equal(log[i], text, `acknowledged entry ${String(i)}`);
  }
}

test("SIGKILL mid-stream, three times: acknowledged entries survive every restart, at their index, in order", async () => {
  const dir = await mkdtemp(join(tmpdir(), "ectrust-log-crash-"));
  const seed = randomBytes(32);
  const vkey = await formatVkey(ORIGIN, (await signerFromSeed(seed)).publicKey);
  const store = new FsLogStore(dir);
  const all: [number, string][] = [];
  try {
    for (let round = 0; round < 3; round++) {
      const w = startWriter(dir, seed, `crash${String(round)}`);
      await w.until(150 + round * 37);
      await w.kill(); // no close(): the pid lock stays behind, stale
      all.push(...w.acks);
      const log = await entries(store);
      checkAcks(log, all);
      // within one writer, later appends got later indices
      const own = w.acks.map(([i, t]) => [i, Number(t.split(" ")[1])] as const).sort((a, b) => a[1] - b[1]);
      for (let k = 1; k < own.length; k++) assert.ok((own[k]?.[0] ?? 0) > (own[k - 1]?.[0] ?? 0), "order kept");
    }
    const report = await auditLog(store, { vkey });
    assert.deepEqual(treeProblems(report), []);
    assert.ok(report.checkpoints >= 3);
    // a writer in this process takes over the stale lock and continues after the last checkpoint
    const seq = await Sequencer.open({ store, origin: ORIGIN, signer: await signerFromSeed(seed), maxDelayMs: 1 });
    const size = seq.size;
    assert.equal((await seq.append(utf8("after\n"))).index, size);
    await seq.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("without the database lock a second writer process is refused by the folder's pid lock", async () => {
  const dir = await mkdtemp(join(tmpdir(), "ectrust-log-pid-"));
  const seed = randomBytes(32);
  const a = startWriter(dir, seed, "a");
  try {
    await a.until(8);
    const b = startWriter(dir, seed, "b");
    await assert.rejects(b.until(1), /locked by live process/);
  } finally {
    await a.kill();
    await rm(dir, { recursive: true, force: true });
  }
});

test("two Sequencers on one folder under the advisory lock: interleaved batches, nothing lost or duplicated", async () => {
  const database = await testDatabase();
  const dir = await mkdtemp(join(tmpdir(), "ectrust-log-lock-"));
  const signer = await signerFromSeed(randomBytes(32));
  const lock = advisoryLogLock(database.db);
  try {
    const [a, b] = await Promise.all([0, 1].map(() => Sequencer.open({ store: new FsLogStore(dir), origin: ORIGIN, signer, maxBatch: 4, maxDelayMs: 1, lock })));
    assert.ok(a && b);
    const acks: [number, string][] = [];
    const write = async (s: Sequencer, name: string, n: number) => {
      for (let i = 0; i < n; i += 4) {
        await Promise.all([0, 1, 2, 3].map(async (j) => {
          const text = `${name} ${String(i + j)}`;
          acks.push([(await s.append(utf8(`${text}\n`))).index, text]);
        }));
      }
    };
    await Promise.all([write(a, "a", 120), write(b, "b", 120)]);
    await Promise.all([a.close(), b.close()]);
    const store = new FsLogStore(dir);
    const log = await entries(store);
    assert.equal(log.length, 240);
    checkAcks(log, acks);
    assert.ok(log.slice(0, 120).some((e) => e.startsWith("b")), "the writers really interleaved");
    const report = await auditLog(store, { vkey: await formatVkey(ORIGIN, signer.publicKey) });
    assert.deepEqual(treeProblems(report), []);
  } finally {
    await database.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test("two writer processes under the PostgreSQL advisory lock, one killed mid-stream", { skip: testEngine() !== "postgres" && "needs PostgreSQL (two processes cannot share PGlite)" }, async () => {
  const database = await testDatabase();
  const dir = await mkdtemp(join(tmpdir(), "ectrust-log-pg-"));
  const seed = randomBytes(32);
  try {
    assert.ok(database.url);
    const a = startWriter(dir, seed, "a", database.url);
    const b = startWriter(dir, seed, "b", database.url);
    await Promise.all([a.until(120), b.until(120)]);
    await a.kill();
    await b.until(b.acks.length + 40);
    await b.kill();
    const store = new FsLogStore(dir);
    checkAcks(await entries(store), [...a.acks, ...b.acks]);
    const report = await auditLog(store, { vkey: await formatVkey(ORIGIN, (await signerFromSeed(seed)).publicKey) });
    assert.deepEqual(treeProblems(report), []);
  } finally {
    await database.close();
    await rm(dir, { recursive: true, force: true });
  }
});
