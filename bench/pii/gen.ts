// Writes a labelled corpus: node bench/pii/gen.ts --seed 7 --records 5000 --split eval --out bench/out/pii/unit
// Throughput shards (no labels): --size-mb 200 writes ~16 MB shards from different seeds.
import { mkdirSync, writeFileSync, createWriteStream } from "node:fs";
import { join } from "node:path";
import { once } from "node:events";
import { parseArgs } from "node:util";
import { buildCorpus } from "./corpus.ts";

export function writeCorpus(out: string, seed: number, records: number, split: "tune" | "eval" | "all"): void {
  mkdirSync(out, { recursive: true });
  const c = buildCorpus(seed, records, split);
  const truth: string[] = [], neg: string[] = [];
  for (const d of c.docs) {
    writeFileSync(join(out, d.file), d.text);
    for (const t of d.truth) truth.push(JSON.stringify(t));
    for (const n of d.neg) neg.push(JSON.stringify({ ...n, type: "NEGATIVE" }));
  }
  writeFileSync(join(out, "truth.jsonl"), truth.join("\n") + "\n");
  writeFileSync(join(out, "negatives.jsonl"), neg.join("\n") + "\n");
  writeFileSync(join(out, "columns.jsonl"), c.columns.map((x) => JSON.stringify(x)).join("\n") + "\n");
  writeFileSync(join(out, "manifest.json"), JSON.stringify({ seed, records, split, files: c.docs.map((d) => d.file), generator: "bench/pii/gen.ts", prng: "mulberry32" }, null, 2));
}

/** Throughput shards: each shard is a corpus from its own seed, concatenated per shape into big files. */
export async function writeThroughput(out: string, seed: number, sizeMb: number, singleFile?: string, filler = 0): Promise<void> {
  mkdirSync(out, { recursive: true });
  const streams = new Map<string, ReturnType<typeof createWriteStream>>();
  let total = 0, shard = 0;
  while (total < sizeMb * 1e6) {
    const c = buildCorpus(seed + shard * 7919, 20_000, "all", "", filler);
    for (const d of c.docs) {
      const name = singleFile ?? d.file;
      let s = streams.get(name);
      if (!s) { s = createWriteStream(join(out, name)); streams.set(name, s); }
      // Text and NDJSON shards are appended to one file per shape; CSV, JSON and SQL shards are
      // separate files so that each stays well-formed (unless everything goes into one file).
      const text = d.text;
      if (!singleFile && (d.shape === "csv" || d.shape === "json" || d.shape === "sql")) {
        const w = createWriteStream(join(out, `${shard}-${d.file}`));
        w.end(text);
        await once(w, "close");
      } else if (!s.write(text)) await once(s, "drain");
      total += d.bytes;
    }
    shard++;
  }
  for (const s of streams.values()) { s.end(); await once(s, "close"); }
  writeFileSync(join(out, "manifest.json"), JSON.stringify({ seed, sizeMb, shards: shard, bytes: total, singleFile: singleFile ?? null, filler }, null, 2));
}

if (import.meta.main) {
  const { values } = parseArgs({ options: {
    seed: { type: "string", default: "7" }, records: { type: "string", default: "5000" }, split: { type: "string", default: "eval" },
    out: { type: "string", default: "bench/out/pii/unit" }, "size-mb": { type: "string" }, single: { type: "string" }, filler: { type: "string", default: "0" },
  } });
  const split = values.split === "tune" || values.split === "all" ? values.split : "eval";
  if (values["size-mb"]) await writeThroughput(values.out, Number(values.seed), Number(values["size-mb"]), values.single, Number(values.filler));
  else writeCorpus(values.out, Number(values.seed), Number(values.records), split);
  console.log(`wrote ${values.out}`);
}
