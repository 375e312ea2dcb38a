// One zod schema per scanner endpoint. Writes are strict objects.
import { z } from "zod";
import { MAX_PAYMENT_PAGES } from "./scanner.platform.ts";

export const SCANNER_LIMITS = { url: 2048, pageMax: 100 } as const;

const uuid = z.uuid("Must be a UUID");
export const shopParams = z.strictObject({ shopId: uuid });
export const originParams = z.strictObject({ originId: uuid });
export const scanParams = z.strictObject({ scanId: uuid });
export const listQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(SCANNER_LIMITS.pageMax).default(20),
  before: z.iso.datetime({ offset: true }).optional(),
});
export const GRADES = ["A+", "A", "A-", "B+", "B", "B-", "C+", "C", "C-", "D+", "D", "D-", "F", "unscanned"] as const;
export const allOriginsQuery = z.strictObject({
  grade: z.enum(GRADES).optional(),
  after: uuid.optional(),
  limit: z.coerce.number().int().min(1).max(SCANNER_LIMITS.pageMax).default(50),
});
export const paymentPagesBody = z.strictObject({ pages: z.array(z.string().trim().min(1).max(SCANNER_LIMITS.url)).max(MAX_PAYMENT_PAGES) });
export const cadenceBody = z.strictObject({ cadenceDays: z.number().int().min(1).max(90).nullable() });

const date = z.date();
export const origin = z.object({
  id: z.string(), shopId: z.string(), origin: z.string(), active: z.boolean(), paymentPages: z.array(z.string()), cadenceDays: z.number().nullable(),
  nextScanAt: date, lastScanId: z.string().nullable(), lastGrade: z.string().nullable(), lastScore: z.number().nullable(), lastScannedAt: date.nullable(),
});
const alert = z.object({ kind: z.string(), page: z.string().optional(), src: z.string().optional(), from: z.string().nullable().optional(), to: z.string().nullable().optional() });
export const scan = z.object({
  id: z.string(), originId: z.string(), shopId: z.string(), origin: z.string(), trigger: z.enum(["schedule", "shop", "authority"]), status: z.enum(["queued", "running", "done", "failed"]),
  grade: z.string().nullable(), score: z.number().nullable(), error: z.string().nullable(), attempts: z.number(), queuedAt: date, startedAt: date.nullable(), finishedAt: date.nullable(),
  diff: z.object({ previousGrade: z.string(), currentGrade: z.string(), gradeDropped: z.boolean(), scoreDelta: z.number(), newFindings: z.array(z.string()), resolvedFindings: z.array(z.string()), alerts: z.array(alert) }).nullable(),
});
/** The stored ScanResult (ectrust.scan/1): grade, tests, findings with zh-TW/English advice and snippets. */
export const scanWithResult = scan.extend({ result: z.record(z.string(), z.unknown()).nullable() });
export const requestScanResponse = z.object({ scan, created: z.boolean() });
export const scanList = z.object({ items: z.array(scan), nextBefore: date.nullable() });
export const latestResponse = z.object({ origin, scan: scanWithResult.nullable() });
export const scriptList = z.object({ items: z.array(z.object({ page: z.string(), src: z.string(), origin: z.string(), sha256: z.string().nullable(), integrity: z.string().nullable(), firstSeenAt: date, lastSeenAt: date, removedAt: date.nullable() })) });
export const originPage = z.object({ items: z.array(origin), nextAfter: z.string().nullable() });
export const distribution = z.object({ origins: z.record(z.string(), z.number()), shops: z.record(z.string(), z.number()), totalOrigins: z.number(), totalShops: z.number() });
