// Scores findings against the ground truth: P/R/F1/F2 per type (exact span and overlap), micro and
// macro averages, false positives by cause (near-miss reason or type confusion), invalid checksums
// accepted, column accuracy and prevalence error. Library + CLI:
//   node bench/pii/score.ts --corpus bench/out/pii/unit --findings bench/out/pii/ectrust.jsonl
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import type { ColumnLabel, NegSpan, TruthSpan } from "./corpus.ts";

export interface Found { file: string; type: string; start: number; end: number; column?: string | null }
export interface Counts { tp: number; fp: number; fn: number; p: number; r: number; f1: number; f2: number }
export interface TypeScore { type: string; truth: number; exact: Counts; overlap: Counts }
export interface Report {
  perType: TypeScore[];
  micro: { exact: Counts; overlap: Counts };
  macro: { exactF1: number; overlapF1: number; exactF2: number; overlapF2: number };
  fpByCause: Record<string, number>;
  invalidChecksumAccepted: number;
  columns?: { correct: number; total: number; accuracy: number; meanPrevalenceError: number; wrong: string[] };
}

const CHECKSUM_REASONS = new Set(["id_bad_check", "ubn_bad_check", "card_bad_luhn"]);

function counts(tp: number, fp: number, fn: number): Counts {
  const p = tp + fp > 0 ? tp / (tp + fp) : 0, r = tp + fn > 0 ? tp / (tp + fn) : 0;
  const fb = (b: number): number => (p + r > 0 ? ((1 + b * b) * p * r) / (b * b * p + r) : 0);
  const k = (x: number): number => Math.round(x * 10000) / 10000;
  return { tp, fp, fn, p: k(p), r: k(r), f1: k(fb(1)), f2: k(fb(2)) };
}

const overlaps = (a: { start: number; end: number }, b: { start: number; end: number }): boolean => a.start < b.end && b.start < a.end;

export function readJsonl<T>(path: string): T[] {
  return readFileSync(path, "utf8").split("\n").filter((l) => l.trim() !== "").map((l) => JSON.parse(l) as T);
}

/** `recallOnly`: the engine gives no spans we can trust for precision (value-level recall only). */
export function score(truth: readonly TruthSpan[], negs: readonly NegSpan[], found: readonly Found[], cols?: readonly ColumnLabel[], recallOnly = false): Report {
  const byFile = new Map<string, TruthSpan[]>();
  for (const t of truth) { const a = byFile.get(t.file) ?? []; a.push(t); byFile.set(t.file, a); }
  for (const a of byFile.values()) a.sort((x, y) => x.start - y.start);
  const negByFile = new Map<string, NegSpan[]>();
  for (const n of negs) { const a = negByFile.get(n.file) ?? []; a.push(n); negByFile.set(n.file, a); }
  for (const a of negByFile.values()) a.sort((x, y) => x.start - y.start);
  const near = <S extends { start: number; end: number }>(arr: readonly S[] | undefined, f: Found): S[] => {
    if (!arr) return [];
    let lo = 0, hi = arr.length;
    while (lo < hi) { const m = (lo + hi) >> 1; if ((arr[m]?.start ?? 0) < f.start - 300) lo = m + 1; else hi = m; }
    const out: S[] = [];
    for (let i = lo; i < arr.length && (arr[i]?.start ?? 0) < f.end; i++) { const s = arr[i]; if (s && overlaps(s, f)) out.push(s); }
    return out;
  };
  const types = new Set<string>([...truth.map((t) => t.type), ...found.map((f) => f.type)]);
  const exactHit = new Set<TruthSpan>(), overlapHit = new Set<TruthSpan>();
  const fpE = new Map<string, number>(), fpO = new Map<string, number>();
  const fpByCause: Record<string, number> = {};
  let invalid = 0;
  for (const f of found) {
    const cands = near(byFile.get(f.file), f).filter((t) => t.type === f.type);
    const ex = cands.find((t) => t.start === f.start && t.end === f.end && !exactHit.has(t));
    if (ex) exactHit.add(ex); else fpE.set(f.type, (fpE.get(f.type) ?? 0) + 1);
    const ov = cands.find((t) => !overlapHit.has(t));
    if (ov) { overlapHit.add(ov); continue; }
    if (cands.length > 0) continue; // a second finding inside an already matched span: not a new false positive
    fpO.set(f.type, (fpO.get(f.type) ?? 0) + 1);
    const n = near(negByFile.get(f.file), f)[0];
    const other = near(byFile.get(f.file), f)[0];
    const cause = n ? `near-miss:${n.reason}` : other ? `confused-with:${other.type}` : "unlabelled-text";
    const key = `${f.type} ← ${cause}`;
    fpByCause[key] = (fpByCause[key] ?? 0) + 1;
    if (n && CHECKSUM_REASONS.has(n.reason)) invalid++;
  }
  const perType: TypeScore[] = [];
  let tE = 0, fE = 0, nE = 0, tO = 0, fO = 0, nO = 0;
  for (const type of [...types].sort()) {
    const all = truth.filter((t) => t.type === type);
    const te = all.filter((t) => exactHit.has(t)).length, to = all.filter((t) => overlapHit.has(t)).length;
    const fe = recallOnly ? 0 : (fpE.get(type) ?? 0), fo = recallOnly ? 0 : (fpO.get(type) ?? 0);
    perType.push({ type, truth: all.length, exact: counts(te, fe, all.length - te), overlap: counts(to, fo, all.length - to) });
    tE += te; fE += fe; nE += all.length - te; tO += to; fO += fo; nO += all.length - to;
  }
  const labelled = perType.filter((t) => t.truth > 0);
  const avg = (xs: number[]): number => Math.round((xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length)) * 10000) / 10000;
  const rep: Report = {
    perType, micro: { exact: counts(tE, fE, nE), overlap: counts(tO, fO, nO) },
    macro: { exactF1: avg(labelled.map((t) => t.exact.f1)), overlapF1: avg(labelled.map((t) => t.overlap.f1)), exactF2: avg(labelled.map((t) => t.exact.f2)), overlapF2: avg(labelled.map((t) => t.overlap.f2)) },
    fpByCause: recallOnly ? {} : fpByCause, invalidChecksumAccepted: recallOnly ? 0 : invalid,
  };
  if (cols && cols.length > 0 && found.some((f) => f.column)) {
    let correct = 0, errSum = 0;
    const wrong: string[] = [];
    for (const c of cols) {
      const inCol = found.filter((f) => f.file === c.file && f.column === c.column);
      const tally = new Map<string, number>();
      for (const f of inCol) tally.set(f.type, (tally.get(f.type) ?? 0) + 1);
      const best = [...tally].sort((a, b) => b[1] - a[1])[0];
      const truthN = truth.filter((t) => t.file === c.file && t.templateId.endsWith(`:${c.column.replace(/^\[\]\./, "")}`) ).length;
      const rows = c.prevalence > 0 && truthN > 0 ? truthN / c.prevalence : 0;
      if (best?.[0] === c.entity) correct++; else wrong.push(`${c.file}:${c.column} → ${best?.[0] ?? "none"} (want ${c.entity})`);
      if (rows > 0) errSum += Math.abs((tally.get(c.entity) ?? 0) / rows - c.prevalence);
    }
    rep.columns = { correct, total: cols.length, accuracy: Math.round((correct / cols.length) * 10000) / 10000, meanPrevalenceError: Math.round((errSum / cols.length) * 10000) / 10000, wrong };
  }
  return rep;
}

export function markdown(name: string, r: Report): string {
  const rows = r.perType.filter((t) => t.truth > 0 || t.exact.fp > 0).map((t) =>
    `| ${t.type} | ${t.truth} | ${t.exact.p.toFixed(3)} | ${t.exact.r.toFixed(3)} | ${t.exact.f1.toFixed(3)} | ${t.exact.f2.toFixed(3)} | ${t.overlap.p.toFixed(3)} | ${t.overlap.r.toFixed(3)} | ${t.overlap.f1.toFixed(3)} | ${t.overlap.f2.toFixed(3)} |`);
  return [
    `#### ${name}`, "",
    "| type | truth | P exact | R exact | F1 exact | F2 exact | P overlap | R overlap | F1 overlap | F2 overlap |",
    "|---|---|---|---|---|---|---|---|---|---|", ...rows,
    `| **micro** | | ${r.micro.exact.p.toFixed(3)} | ${r.micro.exact.r.toFixed(3)} | ${r.micro.exact.f1.toFixed(3)} | ${r.micro.exact.f2.toFixed(3)} | ${r.micro.overlap.p.toFixed(3)} | ${r.micro.overlap.r.toFixed(3)} | ${r.micro.overlap.f1.toFixed(3)} | ${r.micro.overlap.f2.toFixed(3)} |`,
    "", `Macro F1 exact ${r.macro.exactF1}, overlap ${r.macro.overlapF1}. Invalid checksums accepted: ${r.invalidChecksumAccepted}.`,
    r.columns ? `Column accuracy ${r.columns.correct}/${r.columns.total} (${r.columns.accuracy}); mean prevalence error ${r.columns.meanPrevalenceError}.` : "",
    "", "False positives by cause (overlap matching):", "",
    ...Object.entries(r.fpByCause).sort((a, b) => b[1] - a[1]).slice(0, 15).map(([k, v]) => `- ${k}: ${v}`), "",
  ].join("\n");
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { corpus: { type: "string", default: "bench/out/pii/unit" }, findings: { type: "string" }, name: { type: "string", default: "engine" } } });
  if (!values.findings) throw new Error("--findings <file.jsonl> is required");
  const c = values.corpus;
  const rep = score(readJsonl<TruthSpan>(join(c, "truth.jsonl")), readJsonl<NegSpan>(join(c, "negatives.jsonl")), readJsonl<Found>(values.findings), readJsonl<ColumnLabel>(join(c, "columns.jsonl")));
  console.log(markdown(values.name, rep));
}
