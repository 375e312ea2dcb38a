// Seals benchmarks (issue 5, "Measure"):
//   1. widget-algorithm verifications/s in Node (the same verifySeal the widget runs),
//   2. log appends/s through the batching Sequencer, on the fsync'd folder store and in memory,
//   3. inclusion and consistency proof generation time at 1 M entries, from stored tiles.
//
//   node bench/seals.ts [--entries 1000000] [--seconds 3]
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir, cpus, loadavg } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { utf8 } from "../src/modules/seals/tlog/bytes.ts";
import { generateSigner } from "../src/modules/seals/tlog/ed25519.ts";
import { FsLogStore } from "../src/modules/seals/tlog/fs-store.ts";
import { Sequencer } from "../src/modules/seals/tlog/sequencer.ts";
import { MemoryLogStore, TileHashReader, type LogStore } from "../src/modules/seals/tlog/store.ts";
import { consistencyProof, inclusionProof } from "../src/modules/seals/tlog/tree.ts";
import { verifySeal, verifySealFromRoots, type SealInput } from "../src/modules/seals/verify/seal.ts";
import { LOG_ORIGIN, NOW, world } from "../src/modules/seals/verify/testkit.ts";
import { MAX_LIST_BYTES } from "../src/modules/seals/verify/status.ts";
import { nodeEd25519Verify, nodeGunzip } from "../src/modules/seals/tlog/node-crypto.ts";

const arg = (name: string, d: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : d;
};
const ENTRIES = arg("entries", 1_000_000);
const SECONDS = arg("seconds", 3);
const entry = (i: number): Uint8Array =>
  utf8(`ectrust.example/entry/v1\ntype issue\ncred urn:uuid:${String(i).padStart(12, "0")}\nmark PrivacyMark\norigin https://shop${i}.example\nkid 3Jk2n0X0w0lYkVzTQm6gL0q1pWcC7bq4v1oQJ2pZkq8\nvalid 2026-11-26T00:00:00Z 2027-11-26T00:00:00Z\njwt-sha256 47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n`);

/** Sequential calls for `seconds`: wall-clock rate, and CPU time per call (robust on a shared machine). */
async function rate(f: () => Promise<unknown>, seconds: number): Promise<{ perSecond: number; cpuMsPerOp: number; perCpuSecond: number }> {
  for (let i = 0; i < 50; i++) await f();
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  let n = 0;
  while (performance.now() - t0 < seconds * 1000) {
    await f();
    n++;
  }
  const c = process.cpuUsage(c0);
  const cpuMs = (c.user + c.system) / 1000 / n;
  return { perSecond: Math.round(n / ((performance.now() - t0) / 1000)), cpuMsPerOp: Math.round(cpuMs * 1000) / 1000, perCpuSecond: Math.round(1000 / cpuMs) };
}

async function appends(store: LogStore, total: number, maxBatch: number): Promise<{ perSecond: number; cpuMsPer1000: number }> {
  const { signer } = await generateSigner();
  const seq = await Sequencer.open({ store, origin: LOG_ORIGIN, signer, maxBatch, maxDelayMs: 2000 });
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  // Many concurrent clients: the sequencer batches them; every promise waits for durability.
  const inflight: Promise<unknown>[] = [];
  for (let i = 0; i < total; i++) {
    inflight.push(seq.append(entry(i)));
    if (inflight.length >= maxBatch * 8) await Promise.all(inflight.splice(0));
  }
  await Promise.all(inflight);
  await seq.close();
  const c = process.cpuUsage(c0);
  return { perSecond: Math.round(total / ((performance.now() - t0) / 1000)), cpuMsPer1000: Math.round(((c.user + c.system) / 1000 / total) * 1000) };
}

const results: Record<string, unknown> = { node: process.version, cpu: cpus()[0]?.model, cpus: cpus().length, loadAverageAtStart: loadavg().map((x) => Math.round(x * 10) / 10) };

// 1. Verifications.
const w = await world();
const input: SealInput = {
  bundle: w.bundle, anchor: w.anchor, logOrigin: LOG_ORIGIN, embedding: { origin: "https://shop.example", source: "ancestor" }, now: NOW,
  fetchStatusList: (url) => Promise.resolve(w.lists.get(url) ?? ""),
};
if ((await verifySeal(input)).state !== "valid") throw new Error("bench fixture does not verify");
// As the widget runs it (WebCrypto Ed25519, DecompressionStream), with the anchor verified
// once, and with the anchor verified every time (a cold page view).
results.verifySealWebCrypto = await rate(() => verifySeal(input), SECONDS);
results.verifyFromRootsWebCrypto = await rate(() => verifySealFromRoots({ ...input, anchor: w.anchorDoc, pinned: w.pinned }), SECONDS);
// The same algorithm with node:crypto Ed25519 and zlib (what the server and CLI use).
const native = { ed25519: nodeEd25519Verify, gunzip: nodeGunzip(MAX_LIST_BYTES) };
results.verifySealNodeCrypto = await rate(() => verifySeal({ ...input, ...native }), SECONDS);
results.verifyFromRootsNodeCrypto = await rate(() => verifySealFromRoots({ ...input, ...native, anchor: w.anchorDoc, pinned: w.pinned }), SECONDS);

// 2. Appends.
results.appendsMemoryBatch256 = await appends(new MemoryLogStore(), 200_000, 256);
const dir = await mkdtemp(join(tmpdir(), "ectrust-bench-"));
try {
  results.appendsFsBatch256 = await appends(new FsLogStore(join(dir, "a")), 50_000, 256);
  results.appendsFsBatch16 = await appends(new FsLogStore(join(dir, "b")), 5_000, 16);

  // 3. Proofs at ENTRIES, from the tiles on disk.
  const big = new FsLogStore(join(dir, "big"));
  const t0 = performance.now();
  results.buildEntries = ENTRIES;
  results.appendsFsBatch4096 = await appends(big, ENTRIES, 4096);
  results.buildSeconds = Math.round((performance.now() - t0) / 100) / 10;
  const times = (xs: number[]): { p50: number; p99: number; max: number } => {
    const s = [...xs].sort((a, b) => a - b);
    const q = (p: number): number => Math.round((s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? 0) * 1000) / 1000;
    return { p50: q(0.5), p99: q(0.99), max: q(1) };
  };
  const cold: number[] = [];
  const warm: number[] = [];
  const cons: number[] = [];
  const reader = new TileHashReader(big, ENTRIES);
  for (let i = 0; i < 200; i++) {
    const idx = Math.floor(Math.random() * ENTRIES);
    let t = performance.now();
    await inclusionProof(idx, ENTRIES, new TileHashReader(big, ENTRIES));
    cold.push(performance.now() - t);
    t = performance.now();
    await inclusionProof(idx, ENTRIES, reader);
    warm.push(performance.now() - t);
    const m = 1 + Math.floor(Math.random() * (ENTRIES - 1));
    t = performance.now();
    await consistencyProof(m, ENTRIES, new TileHashReader(big, ENTRIES));
    cons.push(performance.now() - t);
  }
  results.inclusionProofMsColdCache = times(cold);
  results.inclusionProofMsWarmCache = times(warm);
  results.consistencyProofMsColdCache = times(cons);
} finally {
  await rm(dir, { recursive: true, force: true });
}
console.log(JSON.stringify(results, null, 2));
