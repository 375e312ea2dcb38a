// How fast could any JavaScript scanner be on a corpus? Lower bounds on the cost, measured beside
// ectrust and the named peer in one process, on the same bytes.
//   node bench/pii/floor.ts DIR [--rounds 5]        (DIR: e.g. `node bench/pii/gen.ts --size-mb 8 --out DIR`)
// Each stage does strictly less than a scanner must, so its speed is an upper bound for a scanner
// built on it on this runtime:
//   decode utf8 / latin1      Buffer.toString only: every string-based scanner pays one of them.
//   byte loop                 one pass over the bytes that finds runs of 8+ digits and "@" (a byte-level
//                             prefilter with no regex, no validation and no output).
//   ascii regex               latin1 string, the five ASCII entities of pii.md §4.3 (national ID, mobile,
//                             email, card, IPv4) in one alternation with lookarounds; matches counted.
//   8-way regex               utf8 string, those five plus a Han address rule, a cue-gated name and a
//                             cue-gated UBN (pii.md §4.3's "8-way alternation"); matches counted.
//   emit jsonl                writes one JSONL finding line per finding that ectrust reported on the
//                             corpus (the fields `ectrust pii scan` prints) into a reused buffer, from
//                             precomputed values: output alone, with no detection at all.
//   ectrust                   scanFile, the library, every file (reading, decoding, readers, detection,
//                             finding objects; no JSONL).
//   @redactpii/node           redact() per line (the speed reference of pii.md §3), after a utf8 decode.
// MB per CPU-second (process.cpuUsage of this thread) is the median of the rounds after a first
// warm-up round; rounds alternate their order of stages. Numbers are comparable within one run only.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { scanFile } from "../../src/modules/pii/scan.ts";
import type { Finding } from "../../src/modules/pii/pii.types.ts";
import { wholeNumber } from "../../src/platform/cli-options.ts";

const { values, positionals } = parseArgs({ allowPositionals: true, options: { rounds: { type: "string", default: "5" } } });
const dir = positionals[0];
let rounds: number;
try {
  rounds = wholeNumber(1, 1000)(values.rounds);
} catch (e) {
  console.error(`--rounds ${(e as Error).message}`);
  process.exit(2);
}
if (dir === undefined || positionals.length !== 1 || !statSync(dir, { throwIfNoEntry: false })?.isDirectory()) {
  console.error("usage: node bench/pii/floor.ts DIR [--rounds N]   (DIR: a corpus directory from bench/pii/gen.ts)");
  process.exit(2);
}

const names = readdirSync(dir).filter((f) => f !== "manifest.json" && statSync(join(dir, f)).isFile()).sort();
const files = names.map((f) => ({ name: f, path: join(dir, f), buf: readFileSync(join(dir, f)) })).filter((f) => f.buf.length > 0);
const bytes = files.reduce((a, f) => a + f.buf.length, 0);
if (bytes === 0) {
  console.error(`${dir}: no corpus files`);
  process.exit(2);
}

const RE_ASCII = /(?<![A-Za-z0-9])[A-Z][12]\d{8}(?![0-9])|(?<![0-9])09\d{2}-?\d{3}-?\d{3}(?![0-9])|(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,24}|(?<![0-9])(?:\d{4}[- ]?){3}\d{4}(?![0-9])|(?<![0-9.])(?:\d{1,3}\.){3}\d{1,3}(?![0-9])/g;
const RE_EIGHT = new RegExp(
  RE_ASCII.source +
    "|[\\u4e00-\\u9fff]{2,6}[市縣][\\u4e00-\\u9fff]{1,4}[區鄉鎮市][\\u4e00-\\u9fff0-9]{1,12}[路街道][\\u4e00-\\u9fff0-9段巷弄之]{0,16}號" +
    "|(?:姓名|收件人|訂購人|寄件人)[:：]? ?[\\u4e00-\\u9fff]{2,3}" +
    "|(?<=(?:統編|統一編號)[:：]? ?)\\d{8}(?![0-9])",
  "g",
);

function count(re: RegExp, s: string): number {
  let n = 0;
  re.lastIndex = 0;
  while (re.exec(s) !== null) n++;
  return n;
}

function byteLoop(b: Uint8Array): number {
  let n = 0, run = 0;
  for (let i = 0; i < b.length; i++) {
    const c = b[i] ?? 0;
    if (c >= 48 && c <= 57) { run++; continue; }
    if (run >= 8) n++;
    run = 0;
    if (c === 64) n++;
  }
  return n;
}

// ---- the JSONL floor: precomputed parts, numbers written digit by digit ----
interface Pre { file: Uint8Array; type: Uint8Array; column: Uint8Array; masked: Uint8Array; nums: number[]; score: Uint8Array }
const enc = new TextEncoder();
const lit = (s: string): Uint8Array => enc.encode(s);
const P_FILE = lit('{"file":'), P_TYPE = lit(',"type":'), P_START = lit(',"start":'), P_END = lit(',"end":');
const P_BS = lit(',"byteStart":'), P_BE = lit(',"byteEnd":'), P_LINE = lit(',"line":'), P_COL = lit(',"column":');
const P_SCORE = lit(',"score":'), P_MASKED = lit(',"masked":'), P_CLOSE = lit("}\n");
const NUM_PARTS = [P_START, P_END, P_BS, P_BE, P_LINE];
const out = new Uint8Array(1 << 20);

function emitAll(pre: readonly Pre[]): number {
  let o = 0, total = 0;
  // (short parts by a loop: TypedArray.set has a per-call cost)
  const put = (u: Uint8Array): void => {
    const n = u.length;
    if (n > 12) { out.set(u, o); o += n; return; }
    for (let k = 0; k < n; k++) out[o + k] = u[k] as number;
    o += n;
  };
  const num = (v: number): void => {
    let len = 1;
    for (let t = v; t >= 10; t = (t / 10) | 0) len++;
    o += len;
    for (let k = 1, t = v; k <= len; k++, t = (t / 10) | 0) out[o - k] = 48 + (t % 10);
  };
  for (const p of pre) {
    if (o > out.length - 4096) { total += o; o = 0; }
    put(P_FILE); put(p.file); put(P_TYPE); put(p.type);
    for (let k = 0; k < 5; k++) { put(NUM_PARTS[k] as Uint8Array); num(p.nums[k] ?? 0); }
    put(P_COL); put(p.column); put(P_SCORE); put(p.score); put(P_MASKED); put(p.masked); put(P_CLOSE);
  }
  return total + o;
}

// ---- collect ectrust's findings once (untimed): the emit stage writes exactly these ----
const found: Finding[] = [];
for (const f of files) await scanFile(f.path, {}, (x) => found.push(x));
const cache = new Map<string, Uint8Array>();
const cached = (s: string): Uint8Array => { let u = cache.get(s); if (!u) { u = lit(s); cache.set(s, u); } return u; };
const pre: Pre[] = found.map((x) => ({
  file: cached(JSON.stringify(x.file)), type: cached(JSON.stringify(x.type)), column: cached(JSON.stringify(x.column)),
  masked: lit(JSON.stringify(x.masked)), score: cached(String(x.score)), nums: [x.start, x.end, x.byteStart, x.byteEnd, x.line],
}));

const { Redactor } = await import("@redactpii/node");
const peer = new Redactor();

type Stage = { name: string; run: () => Promise<number> | number };
const stages: Stage[] = [
  { name: "decode utf8", run: () => files.reduce((a, f) => a + f.buf.toString("utf8").length, 0) },
  { name: "decode latin1", run: () => files.reduce((a, f) => a + f.buf.toString("latin1").length, 0) },
  { name: "byte loop (digit runs, @)", run: () => files.reduce((a, f) => a + byteLoop(f.buf), 0) },
  { name: "ascii regex, 5 types (latin1)", run: () => files.reduce((a, f) => a + count(RE_ASCII, f.buf.toString("latin1")), 0) },
  { name: "8-way regex with Han rules (utf8)", run: () => files.reduce((a, f) => a + count(RE_EIGHT, f.buf.toString("utf8")), 0) },
  { name: "emit jsonl of ectrust's findings", run: () => emitAll(pre) },
  {
    name: "ectrust scanFile (library)",
    run: async () => {
      let n = 0;
      for (const f of files) await scanFile(f.path, {}, () => { n++; });
      return n;
    },
  },
  {
    name: "@redactpii/node, per line",
    run: () => {
      let n = 0;
      for (const f of files) for (const line of f.buf.toString("utf8").split("\n")) if (line.length > 0) { peer.redact(line); n++; }
      return n;
    },
  },
];

const cpu = (c: NodeJS.CpuUsage): number => (c.user + c.system) / 1e6;
const samples = stages.map(() => [] as number[]);
const results = stages.map(() => 0);
for (let r = 0; r <= rounds; r++) {
  const order = stages.map((_, i) => i);
  if (r % 2 === 1) order.reverse();
  for (const i of order) {
    const stage = stages[i] as Stage;
    const c0 = process.cpuUsage();
    results[i] = await stage.run();
    const s = cpu(process.cpuUsage(c0));
    if (r > 0) (samples[i] as number[]).push(bytes / 1e6 / s);
  }
}
const median = (xs: number[]): number => {
  const v = [...xs].sort((a, b) => a - b), m = v.length >> 1;
  return v.length % 2 === 1 ? (v[m] ?? NaN) : ((v[m - 1] ?? NaN) + (v[m] ?? NaN)) / 2;
};
const ours = median(samples[stages.findIndex((s) => s.name.startsWith("ectrust"))] ?? []);
console.log(`corpus: ${dir}, ${(bytes / 1e6).toFixed(1)} MB in ${files.length} files, ${found.length} ectrust findings (${(found.length / (bytes / 1e3)).toFixed(1)} per KB); node ${process.version}; ${rounds} rounds`);
console.log("");
console.log("| stage | MB per CPU-second (median) | range | against ectrust | against 100 MB/s | count |");
console.log("|---|---|---|---|---|---|");
stages.forEach((s, i) => {
  const xs = samples[i] ?? [];
  const m = median(xs);
  console.log(`| ${s.name} | ${m.toFixed(1)} | ${Math.min(...xs).toFixed(1)}–${Math.max(...xs).toFixed(1)} | ${(m / ours).toFixed(2)}× | ${(m / 100).toFixed(2)}× | ${results[i]} |`);
});
