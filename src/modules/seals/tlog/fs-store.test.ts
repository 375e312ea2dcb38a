// A failed file-system step while a batch is written (a disk that fails one fsync, rename or write),
// on a real folder: whichever step fails, the next batch of the same writer and the next run
// continue one log, and no two different checkpoints of the same size are ever visible, neither
// at `checkpoint` nor under checkpoints/ (both are served under /log/). Each step of a batch is
// failed in turn, with and without the platform's per-batch lock.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { auditLog } from "./audit.ts";
import { parseCheckpoint } from "./checkpoint.ts";
import { generateSigner } from "./ed25519.ts";
import { DEFAULT_ENTRY_HEADER, formatEntry } from "./entry.ts";
import { FsLogStore, type FsStep } from "./fs-store.ts";
import { formatVkey, parseNote } from "./note.ts";
import { Sequencer } from "./sequencer.ts";
import { bundlesForSize, decodeBundle } from "./tiles.ts";

const ORIGIN = "log.ectrust.example/fs-failures";
const { signer } = await generateSigner();
const vkey = await formatVkey(ORIGIN, signer.publicKey);
const sizeOf = (note: string): number => parseCheckpoint(parseNote(note).text).size;
/** A well-formed entry (the audit parses them) named by its path line. */
const entry = (name: string): Uint8Array => formatEntry({ header: DEFAULT_ENTRY_HEADER, type: "widget", fields: [["path", `/${name}`], ["sha256", "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="]] });

/** A real FsLogStore whose `failAt`-th file-system step from now throws (once). */
function failingStore(dir: string) {
  const steps: { step: FsStep; path: string }[] = [];
  const o = { failAt: -1, count: 0 };
  const store = new FsLogStore(dir, {
    beforeStep: (step, path) => {
      steps.push({ step, path: path.slice(dir.length) });
      if (o.count++ === o.failAt) throw new Error(`injected failure at ${step} ${path}`);
    },
  });
  return { store, steps, fail: (at: number) => Object.assign(o, { failAt: at, count: 0 }) };
}

/** Records every checkpoint visible in the folder, and fails on a second, different one of a size already seen. */
async function observe(dir: string, seen: Map<number, string>, what: string): Promise<void> {
  const visible = [await readFile(join(dir, "checkpoint"), "utf8")];
  for (const n of await readdir(join(dir, "checkpoints")).catch(() => [])) visible.push(await readFile(join(dir, "checkpoints", n), "utf8"));
  for (const note of visible) {
    const size = sizeOf(note);
    assert.equal(seen.get(size) ?? note, note, `${what}: two different checkpoints of size ${String(size)}, the log forked`);
    seen.set(size, note);
  }
}

async function entries(store: FsLogStore): Promise<string[]> {
  const size = sizeOf((await store.readCheckpoint()) ?? "");
  const out: string[] = [];
  for (const b of bundlesForSize(size)) for (const e of decodeBundle((await store.read(b)) ?? new Uint8Array(0))) out.push(/^path \/(\w+)$/m.exec(new TextDecoder().decode(e))?.[1] ?? "?");
  return out;
}

/** Appends a; fails step `at` of the batch appending x; appends y, then z in a new run; checks the one log. */
async function failOneStep(dir: string, at: number, locked: boolean, what: string): Promise<void> {
  const f = failingStore(dir);
  const seen = new Map<number, string>();
  const lock = locked ? <T>(fn: () => Promise<T>): Promise<T> => fn() : undefined;
  const seq = await Sequencer.open({ store: f.store, origin: ORIGIN, signer, maxDelayMs: 1, ...(lock ? { lock } : {}) });
  await seq.append(entry("a"));
  await observe(dir, seen, what);
  f.fail(at);
  await assert.rejects(seq.append(entry("x")), /injected failure/, what);
  await observe(dir, seen, what);
  const y = await seq.append(entry("y")); // the same writer goes on
  await observe(dir, seen, what);
  await seq.close();
  const kept = (await entries(f.store)).includes("x"); // x is in the log iff its checkpoint was renamed into place
  assert.equal(y.index, kept ? 2 : 1, what);
  const next = await Sequencer.open({ store: f.store, origin: ORIGIN, signer, maxDelayMs: 1 }); // the next run
  await next.append(entry("z"));
  await next.close();
  await observe(dir, seen, what);
  assert.deepEqual(await entries(f.store), kept ? ["a", "x", "y", "z"] : ["a", "y", "z"], what);
  const report = await auditLog(f.store, { vkey });
  assert.ok(report.ok, `${what}: ${report.problems.join("; ")}`);
  assert.equal(report.checkpoints, kept ? 4 : 3, what); // every committed checkpoint is archived
  assert.deepEqual((await readdir(dir, { recursive: true })).filter((n) => /(^|\/)\.tmp-/.test(n)), [], `${what}: temporary file left behind`);
}

test("a failure at any file-system step of a batch never forks the log; the writer and the next run continue it", async () => {
  const root = await mkdtemp(join(tmpdir(), "ectrust-tlog-fail-"));
  try {
    // the steps of one batch after the first (tiles and bundle, checkpoint, archive)
    const probe = failingStore(join(root, "probe"));
    const p = await Sequencer.open({ store: probe.store, origin: ORIGIN, signer, maxDelayMs: 1 });
    await p.append(entry("a"));
    probe.steps.length = 0;
    await p.append(entry("x"));
    await p.close();
    const steps = [...probe.steps.entries()];
    const commit = steps.findIndex(([, s]) => s.step === "rename" && s.path === "/checkpoint");
    assert.ok(commit > 0 && steps[commit + 1]?.[1].step === "fsync-dir" && steps[commit + 1]?.[1].path === "", "the checkpoint's rename is followed by an fsync of the log folder");
    // every step of the checkpoint's write and archive; of the tiles' (all alike, and covered by
    // the crash tests), the first and the last
    const checkpointSteps = steps.findIndex(([, s]) => s.step === "mkdir" && !s.path.startsWith("/tile"));
    const picked = [steps[0], steps[checkpointSteps - 1], ...steps.slice(checkpointSteps)].filter((x) => x !== undefined);
    assert.ok(picked.length >= 12, JSON.stringify(probe.steps));
    for (const locked of [false, true]) {
      for (const [at, s] of picked) await failOneStep(join(root, `${String(locked)}-${String(at)}`), at, locked, `${locked ? "with" : "without"} the batch lock, failing ${s.step} ${s.path} (step ${String(at)})`);
    }
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
