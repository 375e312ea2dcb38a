// Seals benchmarks (issue 5, "Measure"):
//   1. widget-algorithm verifications/s in Node (the same verifySeal the widget runs),
//   2. log appends/s through the batching Sequencer, on the fsync'd folder store and in memory,
//   3. inclusion and consistency proof generation time at 1 M entries, from stored tiles,
//   4. GET /seal/s/<shopId> requests/s and p99 (the real seals routes on the platform app,
//      PGlite) vs a bare node:http server answering the same page bytes; each in its own
//      process, autocannon from this one, as ratios.
//
//   node bench/seals.ts [--entries 1000000] [--seconds 3]
//   node bench/seals.ts --endpoint-only [--seconds 10] [--connections 50]
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
if (process.argv.includes("--serve-seal")) {
  await serveSeal();
  await new Promise(() => undefined); // serve until killed
}
if (process.argv.includes("--endpoint-only")) {
  console.log(JSON.stringify({ node: process.version, cpus: cpus().length, loadAverageAtStart: loadavg().map((x) => Math.round(x * 10) / 10), sealEndpoint: await sealEndpointBench() }, null, 2));
  process.exit(0);
}
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
results.sealEndpoint = await sealEndpointBench();
console.log(JSON.stringify(results, null, 2));

/** Child mode: the seals routes on the platform app with one issued shop; prints the shop id. */
async function serveSeal(): Promise<void> {
  const { mkdtempSync } = await import("node:fs");
  const { pino } = await import("pino");
  const { openDatabase, migrate } = await import("../src/platform/db/database.ts");
  const { loadConfig } = await import("../src/platform/config.ts");
  const { createHttpApp } = await import("../src/platform/http/app.ts");
  const { systemClock } = await import("../src/platform/clock.ts");
  const { createSealsService } = await import("../src/modules/seals/seals.service.ts");
  const { sealsRoutes } = await import("../src/modules/seals/seals.routes.ts");
  const { fakeRegistry, fakeShop } = await import("../src/modules/seals/seals.testing.ts");
  const dataDir = mkdtempSync(join(tmpdir(), "ectrust-bench-seal-"));
  const port = Number(process.env.PORT);
  const publicUrl = `http://127.0.0.1:${String(port)}`;
  const database = await openDatabase({ pgliteDir: join(dataDir, "pglite") });
  await migrate(database);
  const shop = fakeShop();
  const seals = createSealsService({ db: database.db, clock: systemClock, masterKey: Buffer.alloc(32, 3), registry: fakeRegistry(new Map([[shop.id, shop]])), dataDir, publicUrl, logDelayMs: 5 });
  await seals.init();
  await seals.syncShop(shop.id);
  const config = loadConfig({ PUBLIC_URL: publicUrl, LOG_LEVEL: "silent", DATA_DIR: dataDir });
  const app = await createHttpApp({ config, logger: pino({ level: "silent" }), engine: database.engine, version: "bench", authenticator: { session: () => Promise.resolve(undefined), apiToken: () => Promise.resolve(undefined) }, globalRateLimit: config.rateLimitPerMinute });
  await app.register(sealsRoutes, { seals, publicUrl, widgetDir: join(import.meta.dirname, "..", "dist", "widget") });
  await app.listen({ port, host: "127.0.0.1" });
  console.log(shop.id);
}

async function sealEndpointBench(): Promise<Record<string, unknown>> {
  const { spawn } = await import("node:child_process");
  const { createServer } = await import("node:net");
  const { writeFileSync } = await import("node:fs");
  const autocannon = (await import("autocannon")).default;
  const seconds = arg("seconds", 10);
  const connections = arg("connections", 50);
  const freePort = (): Promise<number> =>
    new Promise((resolve) => {
      const s = createServer().listen(0, "127.0.0.1", () => {
        const a = s.address();
        s.close(() => {
          resolve(typeof a === "object" && a ? a.port : 0);
        });
      });
    });
  const load = async (url: string) => {
    await autocannon({ url, connections, duration: 2 });
    const r = await autocannon({ url, connections, duration: seconds });
    return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.non2xx };
  };
  const sealPort = await freePort();
  const seal = spawn(process.execPath, [join(import.meta.dirname, "seals.ts"), "--serve-seal"], { env: { ...process.env, PORT: String(sealPort) }, stdio: ["ignore", "pipe", "inherit"] });
  let bare: ReturnType<typeof spawn> | undefined;
  try {
    const shopId = await new Promise<string>((resolve, reject) => {
      seal.stdout.on("data", (d: Buffer) => {
        const m = /[0-9a-f-]{36}/.exec(d.toString());
        if (m) resolve(m[0]);
      });
      seal.once("exit", () => {
        reject(new Error("seal server exited"));
      });
    });
    const sealUrl = `http://127.0.0.1:${String(sealPort)}/seal/s/${shopId}`;
    const page = await fetch(sealUrl);
    const body = await page.text();
    const headers = Object.fromEntries([...page.headers].filter(([k]) => ["content-type", "content-security-policy", "cache-control", "referrer-policy", "x-content-type-options", "cross-origin-resource-policy"].includes(k)));
    const pageFile = join(tmpdir(), `ectrust-bench-page-${String(process.pid)}.html`);
    writeFileSync(pageFile, JSON.stringify({ body, headers }));
    const barePort = await freePort();
    const bareSource = `import { createServer } from "node:http"; import { readFileSync } from "node:fs";
const { body, headers } = JSON.parse(readFileSync(${JSON.stringify(pageFile)}, "utf8"));
createServer((req, res) => { res.writeHead(200, { ...headers, "content-length": Buffer.byteLength(body) }); res.end(body); }).listen(${String(barePort)}, "127.0.0.1");`;
    bare = spawn(process.execPath, ["--input-type=module", "-e", bareSource], { stdio: ["ignore", "ignore", "inherit"] });
    for (let i = 0; i < 100; i++) {
      if (await fetch(`http://127.0.0.1:${String(barePort)}/`).then((r) => r.ok, () => false)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const bareResult = await load(`http://127.0.0.1:${String(barePort)}/`);
    const sealResult = await load(sealUrl);
    return {
      seconds, connections, pageBytes: Buffer.byteLength(body), loadAverage: loadavg().map((x) => Math.round(x * 10) / 10),
      bare: bareResult, seal: sealResult,
      rpsRatio: Math.round((sealResult.rps / bareResult.rps) * 1000) / 1000,
      p99Ratio: Math.round((sealResult.p99 / Math.max(1, bareResult.p99)) * 100) / 100,
    };
  } finally {
    seal.kill();
    bare?.kill();
  }
}
