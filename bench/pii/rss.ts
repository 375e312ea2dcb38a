// Child process for the memory / throughput runs: scans paths with N workers and prints JSON with
// bytes, wall seconds, CPU seconds (whole process, and per worker thread), and peak RSS of this
// process (workers are threads, so included). On a shared machine the wall time says little; the
// per-thread CPU times give a load-independent estimate of the wall time on idle cores: the
// busiest thread (a worker, or the main thread decoding findings) bounds it from below.
import { parseArgs } from "node:util";
import { scanFiles } from "../../src/modules/pii/scan-pool.ts";
import { expandPaths } from "../../src/modules/pii/files.ts";

const { values, positionals } = parseArgs({ allowPositionals: true, options: { workers: { type: "string", default: "1" } } });
const files = await expandPaths(positionals, []);
let bytes = 0, findings = 0;
const t0 = performance.now(), c0 = process.cpuUsage(), m0 = process.threadCpuUsage();
const stats = await scanFiles(files, { workers: Number(values.workers) }, () => { findings++; }, (r) => { bytes += r.bytes; });
const wall = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(c0);
const main = process.threadCpuUsage(m0);
const round = (x: number): number => Math.round(x * 1000) / 1000;
const mainCpuSeconds = (main.user + main.system) / 1e6;
console.log(JSON.stringify({
  files: files.length, bytes, findings, workers: Number(values.workers), wallSeconds: round(wall), cpuSeconds: round((cpu.user + cpu.system) / 1e6),
  mainCpuSeconds: round(mainCpuSeconds), workerCpuSeconds: stats.workerCpuSeconds.map(round),
  idleWallEstimate: round(Math.max(mainCpuSeconds, ...stats.workerCpuSeconds)),
  maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
}));
