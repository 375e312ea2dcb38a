// diffScans: what changed between two scans of the same site — for history and alerts
// (grade drops; PCI DSS 11.6.1 script additions, removals and changes on payment pages;
// certificate changes). Pure.
import { gradeRank } from "./grade.ts";
import type { ScanResult, ScriptRecord } from "./scanner.types.ts";

export type AlertKind = "grade-dropped" | "payment-script-added" | "payment-script-removed" | "payment-script-changed" | "certificate-changed" | "new-finding";

export interface Alert {
  kind: AlertKind;
  page?: string;
  src?: string;
  from?: string | null;
  to?: string | null;
}

export interface ScanDiff {
  previousGrade: string;
  currentGrade: string;
  gradeChanged: boolean;
  gradeDropped: boolean;
  scoreDelta: number;
  testsChanged: { id: string; from: string | null; to: string | null }[];
  newFindings: string[];
  resolvedFindings: string[];
  paymentScripts: { page: string; added: ScriptRecord[]; removed: ScriptRecord[]; changed: { before: ScriptRecord; after: ScriptRecord }[] }[];
  alerts: Alert[];
}

function keyOf(s: ScriptRecord): string {
  return s.src.startsWith("inline:") ? s.src : s.src;
}

export function diffScans(previous: ScanResult, current: ScanResult): ScanDiff {
  const alerts: Alert[] = [];
  const gradeDropped = gradeRank(current.grade) > gradeRank(previous.grade);
  if (gradeDropped) alerts.push({ kind: "grade-dropped", from: previous.grade, to: current.grade });
  const ids = new Set([...Object.keys(previous.tests), ...Object.keys(current.tests)]);
  const testsChanged: ScanDiff["testsChanged"] = [];
  for (const id of [...ids].sort()) {
    const from = previous.tests[id as keyof typeof previous.tests]?.result ?? null;
    const to = current.tests[id as keyof typeof current.tests]?.result ?? null;
    if (from !== to) testsChanged.push({ id, from, to });
  }
  const prevF = new Set(previous.findings.map((f) => f.id));
  const curF = new Set(current.findings.map((f) => f.id));
  const newFindings = [...curF].filter((f) => !prevF.has(f)).sort();
  const resolvedFindings = [...prevF].filter((f) => !curF.has(f)).sort();
  const pages = new Set([...previous.paymentScripts.map((p) => p.page), ...current.paymentScripts.map((p) => p.page)]);
  const paymentScripts: ScanDiff["paymentScripts"] = [];
  for (const page of [...pages].sort()) {
    const before = new Map((previous.paymentScripts.find((p) => p.page === page)?.scripts ?? []).map((s) => [keyOf(s), s]));
    const after = new Map((current.paymentScripts.find((p) => p.page === page)?.scripts ?? []).map((s) => [keyOf(s), s]));
    const added = [...after.values()].filter((s) => !before.has(keyOf(s)));
    const removed = [...before.values()].filter((s) => !after.has(keyOf(s)));
    const changed: { before: ScriptRecord; after: ScriptRecord }[] = [];
    for (const [k, a] of after) {
      const b = before.get(k);
      if (b && (b.sha256 !== a.sha256 || b.integrity !== a.integrity)) changed.push({ before: b, after: a });
    }
    for (const s of added) alerts.push({ kind: "payment-script-added", page, src: s.src });
    for (const s of removed) alerts.push({ kind: "payment-script-removed", page, src: s.src });
    for (const c of changed) alerts.push({ kind: "payment-script-changed", page, src: c.after.src, from: c.before.sha256 ?? c.before.integrity, to: c.after.sha256 ?? c.after.integrity });
    if (added.length + removed.length + changed.length > 0) paymentScripts.push({ page, added, removed, changed });
  }
  const fpBefore = previous.tls?.fingerprint256 ?? null;
  const fpAfter = current.tls?.fingerprint256 ?? null;
  if (fpBefore !== null && fpAfter !== null && fpBefore !== fpAfter) alerts.push({ kind: "certificate-changed", from: fpBefore, to: fpAfter });
  return {
    previousGrade: previous.grade, currentGrade: current.grade, gradeChanged: previous.grade !== current.grade, gradeDropped,
    scoreDelta: current.score - previous.score, testsChanged, newFindings, resolvedFindings, paymentScripts, alerts,
  };
}
