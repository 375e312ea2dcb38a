// The scanner in the platform: which origins are watched (the registry's confirmed origins,
// through the ScanTargets port), scans queued by schedule, by the shop or by the authority and
// run by jobs through the engine's service (per-host and overall limits), history and diff in
// the database, the payment-page script inventory, alert mail, and the grade other modules read.
// Object rule: a merchant sees and scans its own shop's origins; the authority every shop's;
// anyone else is told the object does not exist.
import type { Actor } from "../../platform/actor.ts";
import { appendAudit } from "../../platform/audit/audit.ts";
import type { Clock } from "../../platform/clock.ts";
import type { Db } from "../../platform/db/database.ts";
import { AppError, forbidden, invalid, notFound } from "../../platform/errors.ts";
import type { Fetcher } from "../../platform/net/fetcher.ts";
import { mailTemplates } from "../../platform/mail/mail.templates.ts";
import type { Alert } from "./diff.ts";
import { gradeRank } from "./grade.ts";
import { addScannerTemplates, alertDetail } from "./scanner.mail.ts";
import { scannerRepo as repo, type ScanRow, type WatchedOriginRow } from "./scanner.repo.ts";
import { createScannerService, type ScanAlerts, type ScanHistory } from "./scanner.service.ts";
import type { ScanTrigger } from "./scanner.tables.ts";
import type { ScanResult } from "./scanner.types.ts";

/** What the scanner needs from the registry (implemented on the registry service in scanner.targets.ts). */
export interface ScanTargets {
  shop(shopId: string): Promise<{ id: string; orgId: string; nameZh: string; contactEmail: string } | undefined>;
  /** the shop's confirmed origins (empty unless the shop is confirmed) */
  confirmedOrigins(shopId: string): Promise<string[]>;
  /** ids of every confirmed shop */
  confirmedShops(): Promise<string[]>;
}

export interface ScannerJobsPort {
  send(name: string, data: object, options?: { tx?: Db; singletonKey?: string }): Promise<string | null>;
}

export interface ScannerMailPort {
  enqueue(tx: Db, message: { to: string; template: string; locale: "zh-TW" | "en"; vars: Record<string, string>; orgId?: string | null }): Promise<unknown>;
}

export interface ScannerSettings {
  /** days between scheduled scans of an origin (default 7) */
  cadenceDays: number;
  /** never longer than this for an origin with declared payment pages (default 7; PCI DSS 11.6.1 asks weekly) */
  paymentCadenceDays: number;
  /** origins queued per sweep (default 500) */
  sweepLimit: number;
}
export const defaultScannerSettings: ScannerSettings = { cadenceDays: 7, paymentCadenceDays: 7, sweepLimit: 500 };

export interface ScannerPlatformDeps {
  db: Db;
  clock: Clock;
  fetcher: Fetcher;
  targets: ScanTargets;
  jobs: ScannerJobsPort;
  mail: ScannerMailPort;
  publicUrl: string;
  settings?: Partial<ScannerSettings>;
  limits?: { perHost?: number; overall?: number };
  budgetMs?: number;
}

/** What other modules read as a trust signal (the registry's public page, the seals module). */
export interface LatestGrade {
  /** "A+" … "F" */
  grade: string;
  score: number;
  scannedAt: Date;
  /** the origin the grade belongs to (for a shop: its worst-graded watched origin) */
  origin: string;
}

export const SCAN_JOB = "scanner.scan";
export const MAX_PAYMENT_PAGES = 10;
const DAY = 86_400_000;
const MAX_EVIDENCE_CHARS = 8_000;

type Member = Extract<Actor, { kind: "user" | "token" }>;
const isMember = (a: Actor): a is Member => a.kind === "user" || a.kind === "token";
const isAuthority = (a: Actor): boolean => isMember(a) && a.orgKind === "authority";

/** Stored results carry no page bodies (a ScanResult has none) and bounded evidence. */
export function trimResult(r: ScanResult): ScanResult {
  return {
    ...r,
    findings: r.findings.map((f) => {
      if (!f.evidence || JSON.stringify(f.evidence).length <= MAX_EVIDENCE_CHARS) return f;
      return { ...f, evidence: { trimmed: true, keys: Object.keys(f.evidence).slice(0, 50) } };
    }),
  };
}

export function originView(o: WatchedOriginRow) {
  return {
    id: o.id, shopId: o.shopId, origin: o.origin, active: o.active, paymentPages: o.paymentPages, cadenceDays: o.cadenceDays,
    nextScanAt: o.nextScanAt, lastScanId: o.lastScanId, lastGrade: o.lastGrade, lastScore: o.lastScore, lastScannedAt: o.lastScannedAt,
  };
}

export function scanView(s: ScanRow) {
  return {
    id: s.id, originId: s.originId, shopId: s.shopId, origin: s.origin, trigger: s.trigger, status: s.status, grade: s.grade, score: s.score,
    error: s.error, attempts: s.attempts, queuedAt: s.queuedAt, startedAt: s.startedAt, finishedAt: s.finishedAt,
    diff: s.diff ? { previousGrade: s.diff.previousGrade, currentGrade: s.diff.currentGrade, gradeDropped: s.diff.gradeDropped, scoreDelta: s.diff.scoreDelta, newFindings: s.diff.newFindings, resolvedFindings: s.diff.resolvedFindings, alerts: s.diff.alerts } : null,
  };
}

/** With the stored ScanResult (plain JSON). */
export function scanWithResult(s: ScanRow) {
  return { ...scanView(s), result: (s.result ?? null) as Record<string, unknown> | null };
}

export function createScannerPlatform(deps: ScannerPlatformDeps) {
  const { db, clock, targets, jobs, mail } = deps;
  const settings: ScannerSettings = { ...defaultScannerSettings, ...deps.settings };
  addScannerTemplates(mailTemplates);
  const system: Actor = { kind: "system", name: "scanner" };

  const cadenceOf = (o: Pick<WatchedOriginRow, "cadenceDays" | "paymentPages">): number => {
    const days = o.cadenceDays ?? settings.cadenceDays;
    return o.paymentPages.length > 0 ? Math.min(days, settings.paymentCadenceDays) : days;
  };

  /** The scan's row is the handle the engine hands back to these ports. */
  const history: ScanHistory = {
    async latest(origin, ref) {
      // Within the shop that asks only: an origin that changed hands (removed from one shop, proven
      // by another) must not show the new holder the old one's scripts and findings as a diff.
      const shopId = ref ? (await repo.scanById(db, ref))?.shopId : undefined;
      if (!shopId) return undefined;
      return (await repo.latestDoneByOrigin(db, origin, shopId))?.result ?? undefined;
    },
    async append(_origin, result, diff, ref) {
      if (!ref) throw new Error("scanner history: a scan id is required");
      await db.transaction(async (tx) => {
        const scan = await repo.scanById(tx, ref, true);
        if (!scan) throw new Error(`scan ${ref} vanished`);
        const now = clock.now();
        const stored = trimResult(result);
        await repo.updateScan(tx, scan.id, { status: "done", grade: result.grade, score: result.score, result: stored, diff, error: result.error?.message ?? null, finishedAt: now });
        await repo.updateOrigin(tx, scan.originId, { lastScanId: scan.id, lastGrade: result.grade, lastScore: result.score, lastScannedAt: now });
        for (const p of result.paymentScripts) {
          for (const s of p.scripts) {
            await repo.upsertScript(tx, { originId: scan.originId, page: p.page, src: s.src, scriptOrigin: s.origin, sha256: s.sha256, integrity: s.integrity, firstSeenAt: new Date(s.firstSeen), lastSeenAt: now, lastScanId: scan.id });
          }
        }
        await repo.markScriptsRemoved(tx, scan.originId, scan.id, now);
        await appendAudit(tx, clock, system, { action: "scanner.scan.completed", objectType: "scanner_scan", objectId: scan.id, orgId: scan.orgId, summary: { origin: scan.origin, grade: result.grade, score: result.score, previousGrade: diff?.previousGrade ?? null, alerts: diff?.alerts.length ?? 0 } });
      });
    },
  };

  async function sendAlerts(scanId: string, alerts: Alert[], grade: string): Promise<void> {
    // The registry is read before the transaction: on PGlite (one connection) a read outside an
    // open transaction waits for it to end, which would be waiting for the read.
    const unlocked = await repo.scanById(db, scanId);
    if (!unlocked || unlocked.alertsSent) return;
    const shop = await targets.shop(unlocked.shopId);
    await db.transaction(async (tx) => {
      const scan = await repo.scanById(tx, scanId, true);
      if (!scan || scan.alertsSent) return; // at most one alert mail per scan
      if (shop) {
        const vars = { shop: shop.nameZh, origin: scan.origin, grade, detail: `${alertDetail(alerts, "zh-TW")}\n\n${alertDetail(alerts, "en")}`, link: new URL(`/scanner/origins/${scan.originId}`, deps.publicUrl).toString() };
        await mail.enqueue(tx, { to: shop.contactEmail, template: "scanner.alert", locale: "zh-TW", vars, orgId: scan.orgId });
      }
      await repo.updateScan(tx, scan.id, { alertsSent: true });
      await appendAudit(tx, clock, system, { action: "scanner.alert.sent", objectType: "scanner_scan", objectId: scan.id, orgId: scan.orgId, summary: { origin: scan.origin, kinds: [...new Set(alerts.map((a) => a.kind))], mailed: shop !== undefined } });
    });
  }

  const alertsPort: ScanAlerts = {
    async notify(_origin, alerts, result, ref) {
      if (ref) await sendAlerts(ref, alerts, result.grade);
    },
  };

  const engine = createScannerService({ fetcher: deps.fetcher, clock, history, alerts: alertsPort, ...(deps.limits ? { limits: deps.limits } : {}), ...(deps.budgetMs ? { budgetMs: deps.budgetMs } : {}) });

  /** Brings one shop's watched origins in line with the registry's confirmed origins. */
  async function syncShop(shopId: string): Promise<WatchedOriginRow[]> {
    const shop = await targets.shop(shopId);
    const confirmed = shop ? await targets.confirmedOrigins(shopId) : [];
    return db.transaction(async (tx) => {
      const existing = new Map((await repo.originsOfShop(tx, shopId)).map((o) => [o.origin, o]));
      for (const origin of confirmed) {
        const o = existing.get(origin);
        if (!o && shop) await repo.insertOrigin(tx, { shopId, orgId: shop.orgId, origin, nextScanAt: clock.now(), createdAt: clock.now() });
        else if (o && shop && (!o.active || o.orgId !== shop.orgId)) await repo.updateOrigin(tx, o.id, { active: true, orgId: shop.orgId });
      }
      await repo.deactivateShopOriginsExcept(tx, shopId, confirmed);
      return repo.originsOfShop(tx, shopId);
    });
  }

  /** Queues one scan. The sweep's key is origin + due time; an on-demand scan's is its own row (the open-scan check under the origin's lock keeps those one at a time). */
  async function queueScan(tx: Db, actor: Actor, o: WatchedOriginRow, trigger: ScanTrigger, singletonKey?: string): Promise<ScanRow> {
    const scan = await repo.insertScan(tx, { originId: o.id, shopId: o.shopId, orgId: o.orgId, origin: o.origin, trigger, requestedBy: actor.userId ?? null, status: "queued", queuedAt: clock.now() });
    const jobId = await jobs.send(SCAN_JOB, { scanId: scan.id }, { tx, singletonKey: singletonKey ?? `${o.id}:scan:${scan.id}` });
    if (jobId === null) throw new AppError("conflict", "A scan of this origin is already queued.");
    await appendAudit(tx, clock, actor, { action: "scanner.scan.queued", objectType: "scanner_scan", objectId: scan.id, orgId: o.orgId, summary: { origin: o.origin, trigger } });
    return scan;
  }

  /** Loads a watched origin the actor may see; others get not_found. */
  async function visibleOrigin(actor: Actor, originId: string): Promise<WatchedOriginRow> {
    const o = await repo.originById(db, originId);
    if (!o || !(isAuthority(actor) || (isMember(actor) && actor.orgId === o.orgId))) throw notFound("The origin");
    return o;
  }

  async function visibleShop(actor: Actor, shopId: string): Promise<{ id: string; orgId: string }> {
    const shop = await targets.shop(shopId);
    if (!shop || !(isAuthority(actor) || (isMember(actor) && actor.orgId === shop.orgId))) throw notFound("The shop");
    return shop;
  }

  return {
    settings,

    // ---------------------------------------------------------------- for other modules
    /**
     * The latest grade of an origin, or a shop's worst current grade across its watched origins
     * (the registry page and the seals module read it as a trust signal). Null before any scan.
     */
    async getLatestGrade(q: { origin: string } | { shopId: string }): Promise<LatestGrade | null> {
      const rows = "origin" in q ? await repo.activeOriginsByName(db, q.origin) : (await repo.originsOfShop(db, q.shopId)).filter((o) => o.active);
      const graded = rows.filter((o): o is WatchedOriginRow & { lastGrade: string; lastScore: number; lastScannedAt: Date } => o.lastGrade !== null && o.lastScore !== null && o.lastScannedAt !== null);
      const worst = graded.sort((a, b) => gradeRank(b.lastGrade) - gradeRank(a.lastGrade) || a.lastScore - b.lastScore)[0];
      return worst ? { grade: worst.lastGrade, score: worst.lastScore, scannedAt: worst.lastScannedAt, origin: worst.origin } : null;
    },

    // ---------------------------------------------------------------- jobs
    /** Hourly: sync watched origins with the registry, queue a scan of every origin that is due. */
    async sweep(): Promise<{ shops: number; queued: number }> {
      const shops = await targets.confirmedShops();
      for (const id of shops) await syncShop(id);
      await db.transaction((tx) => repo.deactivateShopsExcept(tx, shops));
      let queued = 0;
      for (const due of await repo.dueOrigins(db, clock.now(), settings.sweepLimit)) {
        await db.transaction(async (tx) => {
          const o = await repo.originById(tx, due.id, true);
          if (!o?.active || o.nextScanAt > clock.now()) return; // another sweep took it
          if (await repo.openScanOf(tx, o.id)) {
            await repo.updateOrigin(tx, o.id, { nextScanAt: new Date(clock.now().getTime() + cadenceOf(o) * DAY) });
            return;
          }
          await queueScan(tx, system, o, "schedule", `${o.id}:${o.nextScanAt.toISOString()}`);
          await repo.updateOrigin(tx, o.id, { nextScanAt: new Date(clock.now().getTime() + cadenceOf(o) * DAY) });
          queued++;
        });
      }
      return { shops: shops.length, queued };
    },

    /** The scan job: idempotent (a finished scan is not run again; its alerts are sent if a crash lost them). */
    async runScan(scanId: string, attempt: { lastAttempt: boolean } = { lastAttempt: true }): Promise<ScanRow | undefined> {
      const scan = await repo.scanById(db, scanId);
      if (!scan) return undefined;
      if (scan.status === "done") {
        const alerts: Alert[] = scan.diff?.alerts ?? [];
        if (!scan.alertsSent && alerts.length > 0) await sendAlerts(scan.id, alerts, scan.grade ?? "F");
        return repo.scanById(db, scanId);
      }
      if (scan.status === "failed") return scan;
      const origin = await repo.originById(db, scan.originId);
      await repo.updateScan(db, scan.id, { status: "running", startedAt: clock.now(), attempts: scan.attempts + 1 });
      try {
        await engine.scanOrigin(scan.origin, { paymentPages: origin?.paymentPages ?? [], ref: scan.id });
      } catch (e) {
        const message = e instanceof Error ? e.message : String(e);
        await repo.updateScan(db, scan.id, attempt.lastAttempt ? { status: "failed", error: message.slice(0, 1000), finishedAt: clock.now() } : { status: "queued", error: message.slice(0, 1000) });
        if (attempt.lastAttempt) {
          await db.transaction((tx) => appendAudit(tx, clock, system, { action: "scanner.scan.failed", objectType: "scanner_scan", objectId: scan.id, orgId: scan.orgId, summary: { origin: scan.origin, error: message.slice(0, 300) } }));
        }
        throw e;
      }
      return repo.scanById(db, scanId);
    },

    // ---------------------------------------------------------------- routes
    async listOrigins(actor: Actor, shopId: string) {
      await visibleShop(actor, shopId);
      return (await syncShop(shopId)).filter((o) => o.active).map(originView);
    },

    async requestScan(actor: Actor, originId: string) {
      const o = await visibleOrigin(actor, originId);
      if (!isAuthority(actor) && !(isMember(actor) && (actor.role === "merchant_admin"))) throw forbidden();
      // Re-check with the registry: only confirmed origins are scanned.
      const current = (await syncShop(o.shopId)).find((x) => x.id === o.id);
      if (!current?.active) throw new AppError("invalid_transition", "This origin is no longer confirmed in the registry; it is not scanned.");
      return db.transaction(async (tx) => {
        const locked = await repo.originById(tx, o.id, true);
        if (!locked) throw notFound("The origin");
        const open = await repo.openScanOf(tx, o.id);
        if (open) return { scan: scanView(open), created: false };
        const trigger: ScanTrigger = isAuthority(actor) ? "authority" : "shop";
        const scan = await queueScan(tx, actor, locked, trigger);
        return { scan: scanView(scan), created: true };
      });
    },

    async setPaymentPages(actor: Actor, originId: string, pages: string[]) {
      const o = await visibleOrigin(actor, originId);
      if (!isAuthority(actor) && !(isMember(actor) && actor.role === "merchant_admin")) throw forbidden();
      if (pages.length > MAX_PAYMENT_PAGES) throw invalid("pages", `at most ${String(MAX_PAYMENT_PAGES)} payment pages per origin`);
      const normalised: string[] = [];
      for (const [i, p] of pages.entries()) {
        let u: URL;
        try {
          u = new URL(p);
        } catch {
          throw invalid(`pages.${String(i)}`, "must be a full URL");
        }
        if (u.origin !== new URL(o.origin).origin || u.username !== "" || u.password !== "") throw invalid(`pages.${String(i)}`, `must be a page of ${o.origin}`);
        u.hash = "";
        if (!normalised.includes(u.href)) normalised.push(u.href);
      }
      return db.transaction(async (tx) => {
        const updated = await repo.updateOrigin(tx, o.id, { paymentPages: normalised, nextScanAt: normalised.length > 0 && o.nextScanAt.getTime() - clock.now().getTime() > settings.paymentCadenceDays * DAY ? clock.now() : o.nextScanAt });
        await appendAudit(tx, clock, actor, { action: "scanner.payment_pages.set", objectType: "scanner_origin", objectId: o.id, orgId: o.orgId, summary: { origin: o.origin, before: o.paymentPages, after: normalised } });
        return originView(updated);
      });
    },

    /**
     * Days between scheduled scans (null: the platform default). The authority sets any value;
     * the shop's administrator may only ask for scans more often than the default, or go back to it.
     */
    async setCadence(actor: Actor, originId: string, days: number | null) {
      const o = await visibleOrigin(actor, originId);
      if (!isAuthority(actor)) {
        if (!(isMember(actor) && actor.role === "merchant_admin")) throw forbidden();
        if (days !== null && days > settings.cadenceDays) throw invalid("cadenceDays", `at most ${String(settings.cadenceDays)} days (the platform's default); only the authority may set longer`);
      }
      return db.transaction(async (tx) => {
        const updated = await repo.updateOrigin(tx, o.id, { cadenceDays: days });
        await appendAudit(tx, clock, actor, { action: "scanner.cadence.set", objectType: "scanner_origin", objectId: o.id, orgId: o.orgId, summary: { origin: o.origin, before: o.cadenceDays, after: days } });
        return originView(updated);
      });
    },

    async listScans(actor: Actor, originId: string, page: { limit: number; before?: Date | undefined }) {
      const o = await visibleOrigin(actor, originId);
      const rows = await repo.scansOf(db, o.id, page.limit + 1, page.before);
      const items = rows.slice(0, page.limit);
      return { items: items.map((s) => scanView(s)), nextBefore: rows.length > page.limit ? (items.at(-1)?.queuedAt ?? null) : null };
    },

    async getScan(actor: Actor, scanId: string) {
      const s = await repo.scanById(db, scanId);
      if (!s || !(isAuthority(actor) || (isMember(actor) && actor.orgId === s.orgId))) throw notFound("The scan");
      return scanWithResult(s);
    },

    async latest(actor: Actor, originId: string) {
      const o = await visibleOrigin(actor, originId);
      const s = o.lastScanId ? await repo.scanById(db, o.lastScanId) : undefined;
      return { origin: originView(o), scan: s ? scanWithResult(s) : null };
    },

    async scripts(actor: Actor, originId: string) {
      const o = await visibleOrigin(actor, originId);
      return (await repo.scriptsOf(db, o.id)).map((s) => ({ page: s.page, src: s.src, origin: s.scriptOrigin, sha256: s.sha256, integrity: s.integrity, firstSeenAt: s.firstSeenAt, lastSeenAt: s.lastSeenAt, removedAt: s.removedAt }));
    },

    /** Authority: every watched origin, by origin, optionally of one grade ("unscanned": none yet). */
    async listAllOrigins(actor: Actor, q: { grade?: string | undefined; after?: string | undefined; limit: number }) {
      if (!isAuthority(actor)) throw forbidden();
      const rows = await repo.activeOriginsPage(db, { grade: q.grade === undefined ? undefined : q.grade === "unscanned" ? null : q.grade, after: q.after, limit: q.limit + 1 });
      const items = rows.slice(0, q.limit);
      return { items: items.map(originView), nextAfter: rows.length > q.limit ? (items.at(-1)?.id ?? null) : null };
    },

    /** Authority: how current grades are spread over every watched origin and every shop (its worst origin). */
    async gradeDistribution(actor: Actor) {
      if (!isAuthority(actor)) throw forbidden();
      const rows = await repo.activeOrigins(db);
      const origins: Record<string, number> = {};
      const worstByShop = new Map<string, string>();
      for (const o of rows) {
        const g = o.lastGrade ?? "unscanned";
        origins[g] = (origins[g] ?? 0) + 1;
        const prev = worstByShop.get(o.shopId);
        if (prev === undefined || (g !== "unscanned" && (prev === "unscanned" || gradeRank(g) > gradeRank(prev)))) worstByShop.set(o.shopId, g);
      }
      const shops: Record<string, number> = {};
      for (const g of worstByShop.values()) shops[g] = (shops[g] ?? 0) + 1;
      return { origins, shops, totalOrigins: rows.length, totalShops: worstByShop.size };
    },
  };
}

export type ScannerPlatform = ReturnType<typeof createScannerPlatform>;
