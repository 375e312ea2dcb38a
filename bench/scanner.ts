// Scanner benchmark: scans/s and CPU per scan on the fixture corpus (50 loopback sites),
// ectrust vs MDN HTTP Observatory 1.4.8 in-process, in one run, as a ratio; and memory per
// concurrent scan. Traffic goes only to the fixture servers this script starts on 127.0.0.1.
//
//   node bench/scanner.ts [--rounds 3] [--concurrency 20]
import { FixedClock } from "../src/platform/clock.ts";
import { makeTestPki } from "../src/platform/net/testing.ts";
import { peerScan, trustCaProcessWide } from "../src/modules/scanner/fixtures/peer.ts";
import { startFixtureServers } from "../src/modules/scanner/fixtures/server.ts";
import { SITES } from "../src/modules/scanner/fixtures/sites.ts";
import { createScannerFetcher, scan } from "../src/modules/scanner/scan.ts";

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(name);
  const v = i >= 0 ? Number(process.argv[i + 1]) : dflt;
  return Number.isFinite(v) && v > 0 ? v : dflt;
};
const ROUNDS = arg("--rounds", 3);
const CONCURRENCY = arg("--concurrency", 20);

const pki = makeTestPki();
trustCaProcessWide(pki.caCert);
const servers = await startFixtureServers(SITES, pki);
const hosts = SITES.map((s) => `127.0.0.1:${servers.port(s.id)}`);
const fetcher = createScannerFetcher({ allowHosts: [...hosts, ...SITES.map((s) => `localhost:${servers.port(s.id)}`)], ca: [pki.caCert] });
const clock = new FixedClock(new Date());

type Engine = { name: string; run: (host: string) => Promise<unknown> };
const engines: Engine[] = [
  { name: "ectrust (10 peer tests + TLS/cookie checks, no probes)", run: (h) => scan(h, { fetcher, clock, deep: false, tlsProbes: false }) },
  { name: "ectrust full (all checks, exposure probes, TLS 1.0/1.1 probes)", run: (h) => scan(h, { fetcher, clock }) },
  { name: "Observatory 1.4.8 scan()", run: (h) => peerScan(h) },
];

async function sequential(e: Engine): Promise<{ scansPerSec: number; cpuMsPerScan: number; wallMsPerScan: number }> {
  for (const h of hosts) await e.run(h); // warm-up
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let n = 0;
  for (let r = 0; r < ROUNDS; r++) for (const h of hosts) { await e.run(h); n++; }
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { scansPerSec: n / (wall / 1000), cpuMsPerScan: (cpu.user + cpu.system) / 1000 / n, wallMsPerScan: wall / n };
}

async function memory(e: Engine): Promise<{ heapKiBPerScan: number; rssKiBPerScan: number; wallMs: number }> {
  globalThis.gc?.();
  const base = process.memoryUsage();
  let peakHeap = base.heapUsed;
  let peakRss = base.rss;
  const timer = setInterval(() => {
    const m = process.memoryUsage();
    peakHeap = Math.max(peakHeap, m.heapUsed);
    peakRss = Math.max(peakRss, m.rss);
  }, 2);
  const t0 = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, (_, i) => e.run(hosts[i % hosts.length] ?? "")));
  const wallMs = performance.now() - t0;
  clearInterval(timer);
  return { heapKiBPerScan: (peakHeap - base.heapUsed) / 1024 / CONCURRENCY, rssKiBPerScan: (peakRss - base.rss) / 1024 / CONCURRENCY, wallMs };
}

const rows: string[] = [];
const results: Record<string, Awaited<ReturnType<typeof sequential>>> = {};
for (const e of engines) {
  const s = await sequential(e);
  const m = await memory(e);
  results[e.name] = s;
  rows.push(`| ${e.name} | ${s.scansPerSec.toFixed(1)} | ${s.wallMsPerScan.toFixed(1)} | ${s.cpuMsPerScan.toFixed(1)} | ${m.heapKiBPerScan.toFixed(0)} | ${m.rssKiBPerScan.toFixed(0)} | ${m.wallMs.toFixed(0)} |`);
}
await servers.close();
const ours = results[engines[0]?.name ?? ""];
const peer = results[engines[2]?.name ?? ""];
console.log(`scanner bench: ${SITES.length} fixture sites × ${ROUNDS} rounds sequential; ${CONCURRENCY} concurrent for memory; node ${process.version}`);
console.log("| engine | scans/s | wall ms/scan | CPU ms/scan | heap KiB/concurrent scan | RSS KiB/concurrent scan | wall ms for the concurrent batch |");
console.log("|---|---|---|---|---|---|---|");
for (const r of rows) console.log(r);
if (ours && peer) {
  console.log(`\nratio ectrust (same scope) / Observatory: scans/s ×${(ours.scansPerSec / peer.scansPerSec).toFixed(2)}, CPU per scan ×${(ours.cpuMsPerScan / peer.cpuMsPerScan).toFixed(2)}`);
}
