// The scanner's data shapes. A Retrieval is everything the I/O step saw (serialisable, so it
// can be stored, replayed in tests and analysed by pure functions); a ScanResult is what the
// analysis and grading make of it. Both are plain JSON.
import type { HeaderList } from "../../platform/net/fetcher.ts";
import type { TlsPeerInfo } from "../../platform/net/tls-info.ts";

export interface ResponseRecord {
  url: string;
  status: number;
  headers: HeaderList;
  /** Decoded text (bounded); empty for non-text bodies. */
  body: string;
  bodyTruncated: boolean;
  /** The charset used to decode, and whether the bytes were valid in it. */
  charset: string;
  decodeErrors: boolean;
  tls: TlsPeerInfo | undefined;
}

export interface SessionRecord {
  /** Every URL in the chain, the final one last (the peer's "route"). */
  route: { url: string; status: number }[];
  /** Every response of the chain, final one last. */
  responses: ResponseRecord[];
  final: ResponseRecord | null;
  /** True when every certificate in the chain verified and matched. */
  verified: boolean;
  /** Set when the fetch failed (NetError code and message). */
  error: { code: string; message: string } | null;
}

export interface ProbeRecord {
  /** Which exposure probe (see checks/exposure.ts). */
  probe: string;
  url: string;
  status: number | null;
  contentType: string;
  /** First bytes of the body as text, enough to confirm by content. */
  head: string;
  error: string | null;
}

export interface Retrieval {
  hostname: string;
  httpUrl: string;
  httpsUrl: string;
  startedAt: string;
  http: SessionRecord;
  https: SessionRecord;
  /** "https" if the HTTPS session worked, else "http" (as the peer chooses), or null if both failed. */
  autoScheme: "http" | "https" | null;
  /** Extra responses of the auto session that can set cookies (robots.txt, the CORS preflight). */
  extra: ResponseRecord[];
  cors: { requestOrigin: string; response: ResponseRecord | null } | null;
  tlsVersions: Record<string, boolean> | null;
  /** False when exposure probes, security.txt and the privacy page were skipped on purpose. */
  deep: boolean;
  probes: ProbeRecord[];
  securityTxt: ResponseRecord | null;
  privacyPage: ResponseRecord | null;
  /** Declared payment pages; `scriptHashes` maps each external script URL fetched to the SHA-256 of its bytes (null if it could not be fetched). */
  paymentPages: { url: string; response: ResponseRecord | null; error: string | null; scriptHashes?: Record<string, string | null> }[];
  /** Bounded: how many HTTP requests this scan made, and how long it took. */
  requestCount: number;
  elapsedMs: number;
}

export type ObservatoryTestId =
  | "content-security-policy"
  | "cookies"
  | "cross-origin-resource-sharing"
  | "redirection"
  | "referrer-policy"
  | "strict-transport-security"
  | "subresource-integrity"
  | "x-content-type-options"
  | "x-frame-options"
  | "cross-origin-resource-policy";

export type ExtraTestId =
  | "tls"
  | "cookies-strict"
  | "exposure"
  | "mixed-content"
  | "security-txt"
  | "privacy-notice"
  | "payment-scripts";

export type TestId = ObservatoryTestId | ExtraTestId;

/** What a check function returns; the grader adds the modifier. */
export interface CheckOutcome {
  result: string;
  pass: boolean;
  /** Evidence, bounded and JSON-safe. */
  data?: Record<string, unknown>;
  /** Extra result ids for findings beyond the headline result (extra checks report several). */
  issues?: string[];
}

export interface TestResult extends CheckOutcome {
  id: TestId;
  expectation: string;
  scoreModifier: number;
}

export type Severity = "critical" | "high" | "medium" | "low" | "info";

export interface Bilingual {
  "zh-TW": string;
  en: string;
}

export interface Finding {
  id: string; // the result id
  test: TestId;
  severity: Severity;
  title: Bilingual;
  risk: Bilingual;
  fix: Bilingual;
  snippets: Record<string, string>;
  evidence?: Record<string, unknown>;
}

export interface ScriptRecord {
  /** Absolute URL, or `inline:<sha256>` for inline scripts. */
  src: string;
  origin: string;
  sha256: string | null; // of the inline text, or of the external file's bytes; null if it could not be fetched
  integrity: string | null;
  firstSeen: string;
}

export interface ScanResult {
  schema: "ectrust.scan/1";
  url: string;
  hostname: string;
  scannedAt: string;
  grade: string;
  score: number;
  /** The peer-compatible part alone (algorithm v4 of MDN HTTP Observatory). */
  observatory: { grade: string; score: number; testsPassed: number; testsQuantity: number; algorithmVersion: 4 };
  statusCode: number | null;
  tests: Partial<Record<TestId, TestResult>>;
  findings: Finding[];
  paymentScripts: { page: string; scripts: ScriptRecord[] }[];
  tls: { protocol: string | null; authorized: boolean; authorizationError: string | null; daysToExpiry: number | null; keyType: string | null; keyBits: number | null; fingerprint256: string | null; versions: Record<string, boolean> | null } | null;
  error: { code: string; message: string } | null;
  requestCount: number;
  elapsedMs: number;
}
