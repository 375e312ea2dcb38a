// Child process for the memory / throughput runs: scans paths with N workers and prints JSON with
// bytes, wall seconds, CPU seconds and peak RSS of this process (workers are threads, so included).
import { parseArgs } from "node:util";
import { scanFiles } from "../../src/modules/pii/scan-pool.ts";
import { expandPaths } from "../../src/modules/pii/scan.ts";

const { values, positionals } = parseArgs({ allowPositionals: true, options: { workers: { type: "string", default: "1" } } });
const files = await expandPaths(positionals, []);
let bytes = 0, findings = 0;
const t0 = performance.now(), c0 = process.cpuUsage();
await scanFiles(files, { workers: Number(values.workers) }, () => { findings++; }, (r) => { bytes += r.bytes; });
const wall = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(c0);
console.log(JSON.stringify({ files: files.length, bytes, findings, workers: Number(values.workers), wallSeconds: wall, cpuSeconds: (cpu.user + cpu.system) / 1e6, maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024) }));
