// The scanner engine: retrieve (I/O through the injected fetcher) → analyze (pure) → grade.
import type { Clock } from "../../platform/clock.ts";
import { createFetcher, type Fetcher, type FetcherOptions } from "../../platform/net/fetcher.ts";
import { GENERIC_SCAN_ERROR, RESULT_ADVICE, TEST_ADVICE } from "./advice.ts";
import { buildContext, type Ctx } from "./context.ts";
import { EXTRA_MODIFIERS, gradeTests, modifierFor, OBSERVATORY_MODIFIERS } from "./grade.ts";
import { retrieve, type RetrieveOptions } from "./retrieve.ts";
import type { CheckOutcome, ExtraTestId, Finding, ObservatoryTestId, Retrieval, ScanResult, TestId, TestResult } from "./scanner.types.ts";
import { parseTarget, type ScanTarget } from "./target.ts";
import * as csp from "./checks/content-security-policy.ts";
import * as cookies from "./checks/cookies.ts";
import * as cors from "./checks/cross-origin-resource-sharing.ts";
import * as redirection from "./checks/redirection.ts";
import * as referrer from "./checks/referrer-policy.ts";
import * as hsts from "./checks/strict-transport-security.ts";
import * as sri from "./checks/subresource-integrity.ts";
import * as xcto from "./checks/x-content-type-options.ts";
import * as xfo from "./checks/x-frame-options.ts";
import * as corp from "./checks/cross-origin-resource-policy.ts";
import * as tls from "./checks/tls.ts";
import * as cookiesStrict from "./checks/cookies-strict.ts";
import * as exposure from "./checks/exposure.ts";
import * as mixed from "./checks/mixed-content.ts";
import * as securityTxt from "./checks/security-txt.ts";
import * as privacy from "./checks/privacy-notice.ts";
import * as payment from "./checks/payment-scripts.ts";

/** The peer's ten tests, in its order. */
export const OBSERVATORY_TESTS: readonly { id: ObservatoryTestId; expectation: string; check: (ctx: Ctx) => CheckOutcome }[] = [
  { id: "content-security-policy", expectation: csp.expectation, check: csp.check },
  { id: "cookies", expectation: cookies.expectation, check: cookies.check },
  { id: "cross-origin-resource-sharing", expectation: cors.expectation, check: cors.check },
  { id: "redirection", expectation: redirection.expectation, check: redirection.check },
  { id: "referrer-policy", expectation: referrer.expectation, check: referrer.check },
  { id: "strict-transport-security", expectation: hsts.expectation, check: hsts.check },
  { id: "subresource-integrity", expectation: sri.expectation, check: sri.check },
  { id: "x-content-type-options", expectation: xcto.expectation, check: xcto.check },
  { id: "x-frame-options", expectation: xfo.expectation, check: xfo.check },
  { id: "cross-origin-resource-policy", expectation: corp.expectation, check: corp.check },
];

export interface AnalyzeOptions {
  now: Date;
  previous?: ScanResult;
  url?: string;
}

function withScore(id: TestId, expectation: string, o: CheckOutcome): TestResult {
  return { id, expectation, ...o, scoreModifier: modifierFor(o.result) };
}

function findingFor(t: TestResult): Finding {
  const base = TEST_ADVICE[t.id];
  const specific = RESULT_ADVICE[t.result] ?? {};
  return {
    id: t.result,
    test: t.id,
    severity: specific.severity ?? base.severity,
    title: specific.title ?? base.title,
    risk: specific.risk ?? base.risk,
    fix: specific.fix ?? base.fix,
    snippets: specific.snippets ?? base.snippets ?? {},
    evidence: { ...(t.issues && t.issues.length > 0 ? { issues: t.issues } : {}), ...(t.data ?? {}) },
  };
}

/** Pure: a Retrieval in, a ScanResult out. */
export function analyze(r: Retrieval, o: AnalyzeOptions): ScanResult {
  const ctx = buildContext(r);
  const url = o.url ?? (r.autoScheme === "https" ? r.httpsUrl : r.httpUrl);
  const base = { schema: "ectrust.scan/1" as const, url, hostname: r.hostname, scannedAt: r.startedAt, requestCount: r.requestCount, elapsedMs: r.elapsedMs };
  if (!ctx.auto) {
    const errs = [r.http.error, r.https.error].filter((e) => e !== null);
    const main = errs.find((e) => e.code !== "tls-failed" && e.code !== "connect-failed") ?? errs[0] ?? { code: "unreachable", message: "the site did not answer" };
    const error = { code: main.code, message: `The site seems to be down or refused: ${errs.map((e) => e.message).join("; ") || main.message}` };
    return {
      ...base, grade: "F", score: 0, observatory: { grade: "F", score: 0, testsPassed: 0, testsQuantity: 10, algorithmVersion: 4 }, statusCode: null,
      tests: {}, findings: [{ id: "scan-error", test: "redirection", ...GENERIC_SCAN_ERROR, snippets: {}, evidence: { http: r.http.error, https: r.https.error } }],
      paymentScripts: [], tls: null, error,
    };
  }
  const obs = OBSERVATORY_TESTS.map((t) => withScore(t.id, t.expectation, t.check(ctx)));
  const pay = payment.check(ctx, o.now, o.previous);
  const extraOutcomes: [ExtraTestId, string, CheckOutcome][] = [
    ["tls", tls.expectation, tls.check(ctx, o.now)],
    ["cookies-strict", cookiesStrict.expectation, cookiesStrict.check(ctx, o.now)],
    ["exposure", exposure.expectation, exposure.check(ctx)],
    ["mixed-content", mixed.expectation, mixed.check(ctx)],
    ["security-txt", securityTxt.expectation, securityTxt.check(ctx, o.now)],
    ["privacy-notice", privacy.expectation, privacy.check(ctx)],
    ["payment-scripts", payment.expectation, pay.outcome],
  ];
  const extra = extraOutcomes.map(([id, exp, out]) => withScore(id, exp, out));
  const graded = gradeTests(obs, extra);
  const tests: Partial<Record<TestId, TestResult>> = {};
  for (const t of [...obs, ...extra]) tests[t.id] = t;
  const findings = [...obs, ...extra].filter((t) => !t.pass).map(findingFor);
  for (const [scheme, s] of [["http", r.http], ["https", r.https]] as const) {
    if (s.error && s.error.code !== "tls-failed" && s.error.code !== "connect-failed") {
      findings.push({ id: `retrieval-${s.error.code}`, test: "redirection", ...GENERIC_SCAN_ERROR, snippets: {}, evidence: { scheme, ...s.error } });
    }
  }
  const status = ctx.auto.status;
  const badStatus = status < 200 || (status >= 400 && status !== 401 && status !== 403);
  const tlsData = tests.tls?.data;
  const https = r.https.final?.tls;
  const leaf = https?.chain[0];
  return {
    ...base,
    grade: graded.grade,
    score: graded.score,
    observatory: { ...graded.observatory, testsPassed: obs.filter((t) => t.pass).length, testsQuantity: obs.length, algorithmVersion: 4 },
    statusCode: status,
    tests,
    findings,
    paymentScripts: pay.pages,
    tls: https
      ? { protocol: https.protocol, authorized: https.authorized, authorizationError: https.authorizationError ?? null, daysToExpiry: typeof tlsData?.daysToExpiry === "number" ? tlsData.daysToExpiry : null, keyType: leaf?.keyType ?? null, keyBits: leaf?.keyBits ?? null, fingerprint256: leaf?.fingerprint256 ?? null, versions: r.tlsVersions }
      : null,
    error: badStatus ? { code: "unexpected-status", message: `Site did respond with an unexpected HTTP status code ${status}.` } : null,
  };
}

/**
 * The fetcher limits the scanner uses: headers up to 256 KiB (a 100 KB CSP is analysed rather
 * than refused), 2 MiB bodies (truncated beyond), 5 s of silence, 10 s per request.
 */
export function createScannerFetcher(o: Pick<FetcherOptions, "allowHosts" | "ca" | "resolver"> & Partial<FetcherOptions> = {}): Fetcher {
  return createFetcher({ maxHeaderBytes: 256 * 1024, maxBodyBytes: 2 * 1024 * 1024, idleTimeoutMs: 5_000, totalTimeoutMs: 10_000, maxRedirects: 10, userAgent: "Mozilla/5.0 (compatible; ectrust-scanner/0.1)", ...o });
}

export interface ScanDeps extends Omit<RetrieveOptions, "clock"> {
  fetcher: Fetcher;
  clock: Clock;
  previous?: ScanResult;
}

/** Scans one target: I/O then analysis. Never throws for site behaviour; bad targets throw TargetError. */
export async function scan(target: string | ScanTarget, deps: ScanDeps): Promise<ScanResult> {
  const t = typeof target === "string" ? parseTarget(target) : target;
  const r = await retrieve(t, deps);
  try {
    return analyze(r, { now: deps.clock.now(), ...(deps.previous ? { previous: deps.previous } : {}), url: t.url });
  } catch (e) {
    // A bug in a check must not take the worker down; the scan is reported as failed instead.
    const message = e instanceof Error ? e.message : String(e);
    return {
      schema: "ectrust.scan/1", url: t.url, hostname: t.hostname, scannedAt: r.startedAt, grade: "F", score: 0,
      observatory: { grade: "F", score: 0, testsPassed: 0, testsQuantity: 10, algorithmVersion: 4 }, statusCode: null, tests: {},
      findings: [{ id: "scan-error", test: "redirection", ...GENERIC_SCAN_ERROR, snippets: {}, evidence: { internal: message.slice(0, 500) } }],
      paymentScripts: [], tls: null, error: { code: "internal", message: `analysis failed: ${message.slice(0, 500)}` }, requestCount: r.requestCount, elapsedMs: r.elapsedMs,
    };
  }
}

export { EXTRA_MODIFIERS, OBSERVATORY_MODIFIERS };
