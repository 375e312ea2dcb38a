// Scanner tables: the origins we watch (a copy of the registry's confirmed origins, with the
// shop's declared payment pages and the scan cadence), every scan of them (the ScanResult,
// which never holds page bodies, and the diff from the previous scan), and the PCI DSS 6.4.3
// script inventory of each payment page with first/last seen.
import { boolean, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import type { ScanDiff } from "./diff.ts";
import type { ScanResult } from "./scanner.types.ts";

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: "date" });

export type ScanStatus = "queued" | "running" | "done" | "failed";
export type ScanTrigger = "schedule" | "shop" | "authority";

export const scannerOrigins = pgTable(
  "scanner_origins",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    /** the registry shop (by id, through the registry service; never its tables) */
    shopId: uuid("shop_id").notNull(),
    /** the shop's merchant organisation, refreshed from the registry on every sync */
    orgId: uuid("org_id").notNull(),
    origin: text("origin").notNull(),
    /** false when the registry no longer lists it as confirmed (kept for history) */
    active: boolean("active").notNull().default(true),
    /** checkout / payment URLs on this origin the shop declared (PCI DSS 6.4.3) */
    paymentPages: jsonb("payment_pages").$type<string[]>().notNull().default([]),
    /** days between scheduled scans; null = the platform default */
    cadenceDays: integer("cadence_days"),
    nextScanAt: ts("next_scan_at").notNull(),
    lastScanId: uuid("last_scan_id"),
    lastGrade: text("last_grade"),
    lastScore: integer("last_score"),
    lastScannedAt: ts("last_scanned_at"),
    createdAt: ts("created_at").notNull(),
  },
  (t) => [uniqueIndex("scanner_origins_shop_origin_idx").on(t.shopId, t.origin), index("scanner_origins_due_idx").on(t.active, t.nextScanAt), index("scanner_origins_origin_idx").on(t.origin)],
);

export const scannerScans = pgTable(
  "scanner_scans",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    originId: uuid("origin_id").notNull().references(() => scannerOrigins.id),
    shopId: uuid("shop_id").notNull(),
    orgId: uuid("org_id").notNull(),
    origin: text("origin").notNull(),
    trigger: text("trigger").$type<ScanTrigger>().notNull(),
    requestedBy: uuid("requested_by"),
    status: text("status").$type<ScanStatus>().notNull(),
    grade: text("grade"),
    score: integer("score"),
    /** the ScanResult (plain JSON, no page bodies; evidence bounded by trimResult) */
    result: jsonb("result").$type<ScanResult>(),
    diff: jsonb("diff").$type<ScanDiff>(),
    /** alert mail for this scan's diff is in the outbox (set in the same transaction) */
    alertsSent: boolean("alerts_sent").notNull().default(false),
    error: text("error"),
    attempts: integer("attempts").notNull().default(0),
    queuedAt: ts("queued_at").notNull(),
    startedAt: ts("started_at"),
    finishedAt: ts("finished_at"),
  },
  (t) => [index("scanner_scans_origin_idx").on(t.originId, t.queuedAt), index("scanner_scans_shop_idx").on(t.shopId, t.queuedAt)],
);

export const scannerScripts = pgTable(
  "scanner_scripts",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    originId: uuid("origin_id").notNull().references(() => scannerOrigins.id),
    page: text("page").notNull(),
    /** absolute URL, or inline:<sha256> */
    src: text("src").notNull(),
    scriptOrigin: text("script_origin").notNull(),
    sha256: text("sha256"),
    integrity: text("integrity"),
    firstSeenAt: ts("first_seen_at").notNull(),
    lastSeenAt: ts("last_seen_at").notNull(),
    /** set when a scan no longer finds it; cleared if it comes back */
    removedAt: ts("removed_at"),
    lastScanId: uuid("last_scan_id").notNull(),
  },
  (t) => [uniqueIndex("scanner_scripts_page_src_idx").on(t.originId, t.page, t.src)],
);
