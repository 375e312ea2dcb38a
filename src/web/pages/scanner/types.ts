// Shapes of the scanner API as the web app reads them (dates arrive as ISO strings). The stored
// ScanResult is read only for its findings and grade; see src/modules/scanner/scanner.types.ts.
export type Severity = "critical" | "high" | "medium" | "low" | "info";
export type ScanStatus = "queued" | "running" | "done" | "failed";
export type AlertKind = "grade-dropped" | "payment-script-added" | "payment-script-removed" | "payment-script-changed" | "certificate-changed" | "new-finding";

export interface WatchedOrigin {
  id: string;
  shopId: string;
  origin: string;
  active: boolean;
  paymentPages: string[];
  cadenceDays: number | null;
  nextScanAt: string;
  lastScanId: string | null;
  lastGrade: string | null;
  lastScore: number | null;
  lastScannedAt: string | null;
}

export interface ScanAlert {
  kind: AlertKind;
  page?: string;
  src?: string;
  from?: string | null;
  to?: string | null;
}

export interface ScanSummary {
  id: string;
  originId: string;
  origin: string;
  trigger: "schedule" | "shop" | "authority";
  status: ScanStatus;
  grade: string | null;
  score: number | null;
  error: string | null;
  queuedAt: string;
  finishedAt: string | null;
  diff: { previousGrade: string; currentGrade: string; gradeDropped: boolean; scoreDelta: number; newFindings: string[]; resolvedFindings: string[]; alerts: ScanAlert[] } | null;
}

export interface Finding {
  id: string;
  test: string;
  severity: Severity;
  title: { "zh-TW": string; en: string };
  risk: { "zh-TW": string; en: string };
  fix: { "zh-TW": string; en: string };
  snippets: Record<string, string>;
}

export interface ScanWithResult extends ScanSummary {
  result: { findings?: Finding[]; grade?: string; score?: number } | null;
}

export interface ScriptItem {
  page: string;
  src: string;
  origin: string;
  sha256: string | null;
  integrity: string | null;
  firstSeenAt: string;
  lastSeenAt: string;
  removedAt: string | null;
}

export interface Distribution {
  origins: Record<string, number>;
  shops: Record<string, number>;
  totalOrigins: number;
  totalShops: number;
}

export interface PublicGrade {
  grade: string;
  score: number;
  scannedAt: string;
  origin: string;
}

export const GRADE_ORDER = ["A+", "A", "A-", "B+", "B", "B-", "C+", "C", "C-", "D+", "D", "D-", "F"] as const;
