// Scores as data. The Observatory-compatible table (algorithm v4 of MDN HTTP Observatory
// 1.4.8) and ectrust's extra results; the grade chart; the extra-credit rule.
import type { TestId, TestResult } from "./scanner.types.ts";

export const MINIMUM_SCORE_FOR_EXTRA_CREDIT = 90;

export const OBSERVATORY_MODIFIERS: Readonly<Record<string, number>> = {
  "csp-implemented-with-no-unsafe-default-src-none": 10,
  "csp-implemented-with-no-unsafe": 5,
  "csp-implemented-with-unsafe-inline-in-style-src-only": 0,
  "csp-implemented-but-duplicate-directives": 0,
  "csp-implemented-with-insecure-scheme-in-passive-content-only": -10,
  "csp-implemented-with-unsafe-eval": -10,
  "csp-implemented-with-unsafe-inline": -20,
  "csp-implemented-with-insecure-scheme": -20,
  "csp-header-invalid": -25,
  "csp-not-implemented": -25,
  "csp-not-implemented-but-reporting-enabled": -25,
  "cookies-secure-with-httponly-sessions-and-samesite": 5,
  "cookies-secure-with-httponly-sessions": 0,
  "cookies-not-found": 0,
  "cookies-without-secure-flag-but-protected-by-hsts": -5,
  "cookies-session-without-secure-flag-but-protected-by-hsts": -10,
  "cookies-without-secure-flag": -20,
  "cookies-samesite-flag-invalid": -20,
  "cookies-anticsrf-without-samesite-flag": -20,
  "cookies-session-without-httponly-flag": -30,
  "cookies-session-without-secure-flag": -40,
  "cross-origin-resource-sharing-not-implemented": 0,
  "cross-origin-resource-sharing-implemented-with-public-access": 0,
  "cross-origin-resource-sharing-implemented-with-restricted-access": 0,
  "cross-origin-resource-sharing-implemented-with-universal-access": -50,
  "redirection-all-redirects-preloaded": 0,
  "redirection-to-https": 0,
  "redirection-not-needed-no-http": 0,
  "redirection-off-host-from-http": -5,
  "redirection-not-to-https-on-initial-redirection": -10,
  "redirection-not-to-https": -20,
  "redirection-missing": -20,
  "redirection-invalid-cert": -20,
  "referrer-policy-private": 5,
  "referrer-policy-not-implemented": 0,
  "referrer-policy-unsafe": -5,
  "referrer-policy-header-invalid": -5,
  "hsts-preloaded": 5,
  "hsts-implemented-max-age-at-least-six-months": 0,
  "hsts-implemented-max-age-less-than-six-months": -10,
  "hsts-not-implemented": -20,
  "hsts-header-invalid": -20,
  "hsts-not-implemented-no-https": -20,
  "hsts-invalid-cert": -20,
  "sri-implemented-and-all-scripts-loaded-securely": 5,
  "sri-implemented-and-external-scripts-loaded-securely": 5,
  "sri-not-implemented-response-not-html": 0,
  "sri-not-implemented-but-no-scripts-loaded": 0,
  "sri-not-implemented-but-all-scripts-loaded-from-secure-origin": 0,
  "sri-not-implemented-but-external-scripts-loaded-securely": -5,
  "sri-implemented-but-external-scripts-not-loaded-securely": -20,
  "sri-not-implemented-and-external-scripts-not-loaded-securely": -50,
  "html-not-parseable": -20,
  "x-content-type-options-nosniff": 0,
  "x-content-type-options-not-implemented": -5,
  "x-content-type-options-header-invalid": -5,
  "x-frame-options-implemented-via-csp": 5,
  "x-frame-options-sameorigin-or-deny": 0,
  "x-frame-options-allow-from-origin": 0,
  "x-frame-options-not-implemented": -20,
  "x-frame-options-header-invalid": -20,
  "corp-implemented-with-same-origin": 10,
  "corp-implemented-with-same-site": 10,
  "corp-implemented-with-cross-origin": 0,
  "corp-not-implemented": 0,
  "corp-header-invalid": -5,
};

/**
 * ectrust's own results. Only their headline result is scored; the grade cap (if any) applies
 * after the score, like SSL Labs' caps (docs/scanner.md explains each).
 */
export const EXTRA_MODIFIERS: Readonly<Record<string, { modifier: number; cap?: string }>> = {
  "tls-ok": { modifier: 0 },
  "tls-not-available": { modifier: 0 },
  "tls-certificate-invalid": { modifier: -40, cap: "F" },
  "tls-certificate-expired": { modifier: -40, cap: "F" },
  "tls-certificate-expiring-soon": { modifier: -5 },
  "tls-hostname-mismatch": { modifier: -40, cap: "F" },
  "tls-legacy-protocol-offered": { modifier: -10, cap: "B" },
  "tls-weak-key": { modifier: -20, cap: "B" },
  "cookies-strict-ok": { modifier: 0 },
  "cookies-strict-issues": { modifier: -5 },
  "cookies-tracking-before-consent": { modifier: -10 },
  "exposure-none-found": { modifier: 0 },
  "exposure-not-checked": { modifier: 0 },
  "security-txt-not-checked": { modifier: 0 },
  "privacy-notice-not-checked": { modifier: 0 },
  "exposure-sensitive-file": { modifier: -50, cap: "F" },
  "exposure-information-leak": { modifier: -10 },
  "mixed-content-none": { modifier: 0 },
  "mixed-content-passive": { modifier: -10 },
  "mixed-content-active": { modifier: -30, cap: "C" },
  "mixed-content-not-https": { modifier: 0 },
  "security-txt-valid": { modifier: 0 },
  "security-txt-missing": { modifier: 0 },
  "security-txt-invalid": { modifier: 0 },
  "privacy-notice-complete": { modifier: 0 },
  "privacy-notice-incomplete": { modifier: -5 },
  "privacy-notice-missing": { modifier: -10 },
  "privacy-notice-not-html": { modifier: 0 },
  "payment-scripts-none-declared": { modifier: 0 },
  "payment-scripts-ok": { modifier: 0 },
  "payment-scripts-without-integrity": { modifier: -10 },
  "payment-scripts-insecure": { modifier: -30, cap: "C" },
  "payment-page-unreachable": { modifier: 0 },
};

const GRADE_CHART: readonly [number, string][] = [
  [100, "A+"], [95, "A"], [90, "A"], [85, "A-"], [80, "B+"], [75, "B"], [70, "B"], [65, "B-"], [60, "C+"],
  [55, "C"], [50, "C"], [45, "C-"], [40, "D+"], [35, "D"], [30, "D"], [25, "D-"], [20, "F"], [15, "F"], [10, "F"], [5, "F"], [0, "F"],
];
const GRADE_ORDER = ["A+", "A", "A-", "B+", "B", "B-", "C+", "C", "C-", "D+", "D", "D-", "F"];

export function modifierFor(result: string): number {
  return OBSERVATORY_MODIFIERS[result] ?? EXTRA_MODIFIERS[result]?.modifier ?? 0;
}

export function gradeForScore(score: number): string {
  const s = Math.max(score, 0);
  const key = Math.min(s - (s % 5), 100);
  return GRADE_CHART.find(([k]) => k === key)?.[1] ?? "F";
}

/** The lower of two grades. */
export function minGrade(a: string, b: string): string {
  return GRADE_ORDER.indexOf(a) >= GRADE_ORDER.indexOf(b) ? a : b;
}

export function gradeRank(g: string): number {
  return GRADE_ORDER.indexOf(g);
}

/** Peer's rule: bonuses count only if the score with penalties alone reaches 90. */
export function scoreOf(tests: TestResult[]): number {
  let withCredit = 100;
  let penaltiesOnly = 100;
  for (const t of tests) {
    withCredit += t.scoreModifier;
    if (t.scoreModifier < 0) penaltiesOnly += t.scoreModifier;
  }
  return Math.max(0, penaltiesOnly >= MINIMUM_SCORE_FOR_EXTRA_CREDIT ? withCredit : penaltiesOnly);
}

/**
 * ectrust's score: the peer-compatible score (its extra-credit rule included), then each extra
 * test's modifier added, floored at 0; then the extra results' grade caps (SSL Labs style).
 */
export function gradeTests(observatory: TestResult[], extra: TestResult[]): { observatory: { score: number; grade: string }; score: number; grade: string } {
  const oScore = scoreOf(observatory);
  const score = Math.max(0, extra.reduce((s, t) => s + t.scoreModifier, oScore));
  let grade = gradeForScore(score);
  for (const t of extra) {
    const cap = EXTRA_MODIFIERS[t.result]?.cap;
    if (cap) grade = minGrade(grade, cap);
  }
  return { observatory: { score: oScore, grade: gradeForScore(oScore) }, score, grade };
}

export type { TestId };
