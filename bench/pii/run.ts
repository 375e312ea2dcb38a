// Runs one engine over a corpus directory and writes its findings (JSONL) plus timing.
//   node bench/pii/run.ts --engine ectrust|openredaction|redactpii --corpus bench/out/pii/unit --out bench/out/pii/ectrust.jsonl
// ectrust: scanFile in-process, one thread. openredaction: detect() per line (its API is async and
// per text), positions mapped back. redactpii: redact() per line; it returns no spans, so a truth value
// counts as found when it no longer appears in the redacted line (value-level recall only).
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { scanFile } from "../../src/modules/pii/scan.ts";
import type { Found } from "./score.ts";
import { readJsonl } from "./score.ts";
import type { TruthSpan } from "./corpus.ts";

export interface Timing { engine: string; bytes: number; wallSeconds: number; cpuSeconds: number; mbPerCpuSecond: number; findings: number; maxRssMb: number }

function finish(engine: string, bytes: number, t0: number, c0: NodeJS.CpuUsage, findings: number): Timing {
  const wall = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(c0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  return { engine, bytes, wallSeconds: Math.round(wall * 1000) / 1000, cpuSeconds: Math.round(cpuSeconds * 1000) / 1000, mbPerCpuSecond: Math.round((bytes / 1e6 / cpuSeconds) * 100) / 100, findings, maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024) };
}

export async function runEctrust(dir: string, files: readonly string[]): Promise<{ found: Found[]; timing: Timing }> {
  const found: Found[] = [];
  let bytes = 0;
  const t0 = performance.now(), c0 = process.cpuUsage();
  for (const f of files) {
    const r = await scanFile(join(dir, f), {}, (x) => found.push({ file: f, type: x.type, start: x.start, end: x.end, column: x.column }));
    bytes += r.bytes;
  }
  return { found, timing: finish("ectrust", bytes, t0, c0, found.length) };
}

/** Maps a peer's type name (and value) to ours; unmapped types stay as they are and count as false positives. */
export function mapPeerType(t: string, value: string): string {
  const u = t.toUpperCase();
  if (u.includes("EMAIL")) return "EMAIL";
  if (u.includes("PHONE") || u.includes("MOBILE") || u.includes("TELEPHONE")) return /^(?:\+?886[- ]?|0)9/.test(value.trim()) ? "TW_MOBILE" : "TW_LANDLINE";
  if (u.includes("CREDIT") || u.includes("CARD_NUMBER") || u === "CARD") return "CREDIT_CARD";
  if (u.startsWith("IPV4") || u.startsWith("IPV6") || u === "IP_ADDRESS" || u === "IP") return "IP_ADDRESS";
  if (u.includes("DATE_OF_BIRTH") || u === "DOB" || u.includes("BIRTH")) return "DATE_OF_BIRTH";
  if (u.includes("PASSPORT")) return "TW_PASSPORT";
  if (u.includes("IBAN") || u.includes("BANK_ACCOUNT") || u.includes("ACCOUNT_NUMBER")) return "TW_BANK_ACCOUNT";
  if (u === "NAME" || u.includes("PERSON") || u.includes("FULL_NAME")) return "PERSON_NAME_ZH";
  if (u.includes("ADDRESS")) return "TW_ADDRESS";
  if (u.includes("TAIWAN") && u.includes("ID")) return "TW_NATIONAL_ID";
  if (u.includes("LICENSE_PLATE") || u.includes("VEHICLE_REG")) return "TW_LICENSE_PLATE";
  return `OTHER:${u}`;
}

export async function runOpenRedaction(dir: string, files: readonly string[]): Promise<{ found: Found[]; timing: Timing }> {
  const { OpenRedaction } = await import("@openredaction/core");
  const or = new OpenRedaction();
  const found: Found[] = [];
  let bytes = 0;
  const t0 = performance.now(), c0 = process.cpuUsage();
  for (const f of files) {
    const text = readFileSync(join(dir, f), "utf8");
    bytes += Buffer.byteLength(text);
    let off = 0;
    for (const line of text.split("\n")) {
      if (line.length > 0) {
        const r = await or.detect(line);
        for (const d of r.detections) {
          const [s, e] = d.position;
          found.push({ file: f, type: mapPeerType(d.type, line.slice(s, e)), start: off + s, end: off + e });
        }
      }
      off += line.length + 1;
    }
  }
  return { found, timing: finish("openredaction", bytes, t0, c0, found.length) };
}

export async function runRedactPii(dir: string, files: readonly string[], truth: readonly TruthSpan[]): Promise<{ found: Found[]; timing: Timing; bufferTiming: Timing }> {
  const { Redactor } = await import("@redactpii/node");
  const rp = new Redactor();
  const found: Found[] = [];
  let bytes = 0;
  const byFile = new Map<string, TruthSpan[]>();
  for (const t of truth) { const a = byFile.get(t.file) ?? []; a.push(t); byFile.set(t.file, a); }
  const t0 = performance.now(), c0 = process.cpuUsage();
  const outputs = new Map<string, string[]>();
  for (const f of files) {
    const text = readFileSync(join(dir, f), "utf8");
    bytes += Buffer.byteLength(text);
    outputs.set(f, text.split("\n").map((l) => (l.length > 0 ? rp.redact(l) : l)));
  }
  const timing = finish("redactpii (per line)", bytes, t0, c0, 0);
  // Value-level recall: a truth value is found when its line changed and no longer contains it.
  for (const f of files) {
    const lines = outputs.get(f) ?? [];
    const text = readFileSync(join(dir, f), "utf8");
    const starts = [0];
    for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
    for (const t of byFile.get(f) ?? []) {
      let lo = 0, hi = starts.length - 1;
      while (lo < hi) { const m = (lo + hi + 1) >> 1; if ((starts[m] ?? 0) <= t.start) lo = m; else hi = m - 1; }
      const out = lines[lo] ?? "";
      if (!out.includes(t.value)) found.push({ file: f, type: t.type, start: t.start, end: t.end });
    }
  }
  const b0 = performance.now(), bc = process.cpuUsage();
  for (const f of files) rp.redact(readFileSync(join(dir, f), "utf8"));
  const bufferTiming = finish("redactpii (whole buffer)", bytes, b0, bc, 0);
  return { found, timing, bufferTiming };
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { engine: { type: "string", default: "ectrust" }, corpus: { type: "string", default: "bench/out/pii/unit" }, out: { type: "string" } } });
  const dir = values.corpus;
  const manifest = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as { files: string[] };
  const res = values.engine === "openredaction" ? await runOpenRedaction(dir, manifest.files)
    : values.engine === "redactpii" ? await runRedactPii(dir, manifest.files, readJsonl<TruthSpan>(join(dir, "truth.jsonl")))
      : await runEctrust(dir, manifest.files);
  if (values.out) writeFileSync(values.out, res.found.map((f) => JSON.stringify(f)).join("\n") + "\n");
  console.log(JSON.stringify(res.timing));
}
