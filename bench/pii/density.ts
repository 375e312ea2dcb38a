// Throughput against the density of personal data, ectrust and @redactpii/node side by side in one
// process: plain-text corpora (notes.txt of the generator) with 0, 2, 8 and 32 lines without personal
// data (log lines, product copy) after each labelled line. ectrust's cost has a part per byte and a
// part per finding; the peer's is mostly per byte. This shows where each part stands.
//   node bench/pii/density.ts [--mb 20] [--rounds 3] [--fillers 0,2,8,32] [--seed 20261128]
// Each round scans a corpus with both engines, alternating which goes first (one round before all is
// not counted: it warms the JIT up); the table gives the median MB per CPU-second (process.cpuUsage,
// this thread and its helpers) and the ratio. ectrust's time includes reading and decoding the file
// (scanFile), the peer's splitting the text into lines (its API takes strings).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { scanFile } from "../../src/modules/pii/scan.ts";
import { buildCorpus } from "./corpus.ts";

const { values } = parseArgs({ options: {
  mb: { type: "string", default: "20" }, rounds: { type: "string", default: "3" },
  fillers: { type: "string", default: "0,2,8,32" }, seed: { type: "string", default: "20261128" },
} });
const mb = Number(values.mb), rounds = Number(values.rounds), seed = Number(values.seed);
const fillers = values.fillers.split(",").map((f) => (f.trim() === "" ? NaN : Number(f)));
if (!(mb > 0) || !Number.isInteger(rounds) || rounds < 1 || !Number.isInteger(seed) || fillers.some((f) => !Number.isInteger(f) || f < 0)) {
  console.error("usage: node bench/pii/density.ts [--mb N > 0] [--rounds N > 0] [--fillers 0,2,8,32] [--seed N]");
  process.exit(2);
}

/** About `mb` MB of notes.txt text with `filler` lines without personal data per labelled line. */
function corpus(filler: number): string {
  const parts: string[] = [];
  let bytes = 0;
  for (let shard = 0; bytes < mb * 1e6; shard++) {
    const notes = buildCorpus(seed + shard * 7919, 5_000, "all", "", filler).docs.find((d) => d.shape === "txt");
    if (!notes) throw new Error("the generator wrote no text document");
    parts.push(notes.text);
    bytes += notes.bytes;
  }
  return parts.join("");
}

const cpuSeconds = (c: NodeJS.CpuUsage): number => (c.user + c.system) / 1e6;
const median = (xs: number[]): number => {
  const v = [...xs].sort((a, b) => a - b), m = v.length >> 1;
  return v.length % 2 === 1 ? (v[m] ?? NaN) : ((v[m - 1] ?? NaN) + (v[m] ?? NaN)) / 2;
};

const { Redactor } = await import("@redactpii/node");
const peer = new Redactor();
const dir = mkdtempSync(join(tmpdir(), "pii-density-"));
try {
  const rows: string[] = [];
  let warmed = false;
  for (const filler of fillers) {
    const text = corpus(filler);
    const file = join(dir, `notes-${filler}.txt`);
    writeFileSync(file, text);
    const bytes = Buffer.byteLength(text);
    const ours: number[] = [], theirs: number[] = [];
    let findings = 0;
    const runOurs = async (): Promise<void> => {
      let n = 0;
      const c0 = process.cpuUsage();
      await scanFile(file, {}, () => { n++; });
      ours.push(bytes / 1e6 / cpuSeconds(process.cpuUsage(c0)));
      findings = n;
    };
    const runPeer = (): void => {
      const c0 = process.cpuUsage();
      for (const line of text.split("\n")) if (line.length > 0) peer.redact(line);
      theirs.push(bytes / 1e6 / cpuSeconds(process.cpuUsage(c0)));
    };
    for (let r = 0; r < rounds; r++) {
      if (r % 2 === 0) { await runOurs(); runPeer(); } else { runPeer(); await runOurs(); }
      if (!warmed) { ours.pop(); theirs.pop(); r--; warmed = true; continue; } // the first round of all warms the JIT up
    }
    const a = median(ours), b = median(theirs);
    rows.push(`| ${filler} | ${(bytes / 1e6).toFixed(1)} | ${(findings / (bytes / 1e3)).toFixed(2)} | ${a.toFixed(1)} | ${b.toFixed(1)} | ${(a / b).toFixed(2)}× |`);
    console.error(`filler ${filler}: ectrust ${ours.map((x) => x.toFixed(1)).join(" ")}, redactpii ${theirs.map((x) => x.toFixed(1)).join(" ")}`);
  }
  console.log(`| filler lines per labelled line | MB | ectrust findings per KB | ectrust MB/CPU-s | @redactpii/node MB/CPU-s (per line) | ratio |`);
  console.log(`|---|---|---|---|---|---|`);
  for (const r of rows) console.log(r);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
