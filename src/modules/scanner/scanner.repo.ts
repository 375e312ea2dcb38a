// Scanner SQL, and nothing else: rules live in scanner.platform.ts.
import { and, asc, desc, eq, inArray, isNull, lt, lte, notInArray, sql } from "drizzle-orm";
import type { Db } from "../../platform/db/database.ts";
import { scannerOrigins, scannerScans, scannerScripts, type ScanStatus } from "./scanner.tables.ts";

export type WatchedOriginRow = typeof scannerOrigins.$inferSelect;
export type ScanRow = typeof scannerScans.$inferSelect;
export type ScriptRow = typeof scannerScripts.$inferSelect;

export const scannerRepo = {
  async originById(tx: Db, id: string, lock = false): Promise<WatchedOriginRow | undefined> {
    const q = tx.select().from(scannerOrigins).where(eq(scannerOrigins.id, id));
    const [row] = lock ? await q.for("update") : await q;
    return row;
  },
  async originsOfShop(tx: Db, shopId: string): Promise<WatchedOriginRow[]> {
    return tx.select().from(scannerOrigins).where(eq(scannerOrigins.shopId, shopId)).orderBy(asc(scannerOrigins.origin));
  },
  async activeOriginsByName(tx: Db, origin: string): Promise<WatchedOriginRow[]> {
    return tx.select().from(scannerOrigins).where(and(eq(scannerOrigins.origin, origin), eq(scannerOrigins.active, true)));
  },
  async insertOrigin(tx: Db, values: typeof scannerOrigins.$inferInsert): Promise<WatchedOriginRow> {
    const [row] = await tx.insert(scannerOrigins).values(values).returning();
    if (!row) throw new Error("insert returned nothing");
    return row;
  },
  async updateOrigin(tx: Db, id: string, values: Partial<WatchedOriginRow>): Promise<WatchedOriginRow> {
    const [row] = await tx.update(scannerOrigins).set(values).where(eq(scannerOrigins.id, id)).returning();
    if (!row) throw new Error("update returned nothing");
    return row;
  },
  /** Origins of `shopId` not in `keep` (or of any shop not in `shops` when shopId is null) stop being watched. */
  async deactivateShopOriginsExcept(tx: Db, shopId: string, keep: string[]): Promise<void> {
    await tx.update(scannerOrigins).set({ active: false }).where(and(eq(scannerOrigins.shopId, shopId), keep.length ? notInArray(scannerOrigins.origin, keep) : undefined));
  },
  async deactivateShopsExcept(tx: Db, shops: string[]): Promise<void> {
    await tx.update(scannerOrigins).set({ active: false }).where(and(eq(scannerOrigins.active, true), shops.length ? notInArray(scannerOrigins.shopId, shops) : undefined));
  },
  async dueOrigins(tx: Db, now: Date, limit: number): Promise<WatchedOriginRow[]> {
    return tx.select().from(scannerOrigins).where(and(eq(scannerOrigins.active, true), lte(scannerOrigins.nextScanAt, now))).orderBy(asc(scannerOrigins.nextScanAt)).limit(limit);
  },
  async activeOrigins(tx: Db): Promise<WatchedOriginRow[]> {
    return tx.select().from(scannerOrigins).where(eq(scannerOrigins.active, true));
  },
  /** Watched origins in (origin, id) order after the origin `after`; `grade` null = not scanned yet. */
  async activeOriginsPage(tx: Db, q: { grade?: string | null | undefined; after?: string | undefined; limit: number }): Promise<WatchedOriginRow[]> {
    const byGrade = q.grade === undefined ? undefined : q.grade === null ? isNull(scannerOrigins.lastGrade) : eq(scannerOrigins.lastGrade, q.grade);
    const after = q.after ? sql`(${scannerOrigins.origin}, ${scannerOrigins.id}) > (select o.origin, o.id from scanner_origins o where o.id = ${q.after})` : undefined;
    return tx.select().from(scannerOrigins).where(and(eq(scannerOrigins.active, true), byGrade, after)).orderBy(asc(scannerOrigins.origin), asc(scannerOrigins.id)).limit(q.limit);
  },

  async insertScan(tx: Db, values: typeof scannerScans.$inferInsert): Promise<ScanRow> {
    const [row] = await tx.insert(scannerScans).values(values).returning();
    if (!row) throw new Error("insert returned nothing");
    return row;
  },
  async scanById(tx: Db, id: string, lock = false): Promise<ScanRow | undefined> {
    const q = tx.select().from(scannerScans).where(eq(scannerScans.id, id));
    const [row] = lock ? await q.for("update") : await q;
    return row;
  },
  async updateScan(tx: Db, id: string, values: Partial<ScanRow>): Promise<ScanRow> {
    const [row] = await tx.update(scannerScans).set(values).where(eq(scannerScans.id, id)).returning();
    if (!row) throw new Error("update returned nothing");
    return row;
  },
  async openScanOf(tx: Db, originId: string): Promise<ScanRow | undefined> {
    const open: ScanStatus[] = ["queued", "running"];
    const [row] = await tx.select().from(scannerScans).where(and(eq(scannerScans.originId, originId), inArray(scannerScans.status, open))).orderBy(desc(scannerScans.queuedAt)).limit(1);
    return row;
  },
  async latestDoneByOrigin(tx: Db, origin: string, shopId: string): Promise<ScanRow | undefined> {
    const [row] = await tx.select().from(scannerScans).where(and(eq(scannerScans.origin, origin), eq(scannerScans.shopId, shopId), eq(scannerScans.status, "done"))).orderBy(desc(scannerScans.finishedAt)).limit(1);
    return row;
  },
  async scansOf(tx: Db, originId: string, limit: number, before: Date | undefined): Promise<ScanRow[]> {
    return tx
      .select()
      .from(scannerScans)
      .where(and(eq(scannerScans.originId, originId), before ? lt(scannerScans.queuedAt, before) : undefined))
      .orderBy(desc(scannerScans.queuedAt), desc(scannerScans.id))
      .limit(limit);
  },

  async scriptsOf(tx: Db, originId: string): Promise<ScriptRow[]> {
    return tx.select().from(scannerScripts).where(eq(scannerScripts.originId, originId)).orderBy(asc(scannerScripts.page), asc(scannerScripts.firstSeenAt), asc(scannerScripts.src));
  },
  async upsertScript(tx: Db, v: typeof scannerScripts.$inferInsert): Promise<void> {
    await tx
      .insert(scannerScripts)
      .values(v)
      .onConflictDoUpdate({
        target: [scannerScripts.originId, scannerScripts.page, scannerScripts.src],
        set: { sha256: v.sha256, integrity: v.integrity, lastSeenAt: v.lastSeenAt, removedAt: null, lastScanId: v.lastScanId, scriptOrigin: v.scriptOrigin },
      });
  },
  async markScriptsRemoved(tx: Db, originId: string, scanId: string, now: Date): Promise<void> {
    await tx
      .update(scannerScripts)
      .set({ removedAt: now })
      .where(and(eq(scannerScripts.originId, originId), sql`${scannerScripts.lastScanId} <> ${scanId}`, sql`${scannerScripts.removedAt} is null`));
  },
};
