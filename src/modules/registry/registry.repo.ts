// Registry SQL, and nothing else: rules live in registry.service.ts.
import { and, asc, desc, eq, gt, inArray, isNull, like, lte, ne, or, sql, type SQL } from "drizzle-orm";
import type { Db } from "../../platform/db/database.ts";
import type { IdentityStatus } from "./identity-status.ts";
import {
  registryBusinessRegister,
  registryDocuments,
  registryIdentityEvents,
  registryOrigins,
  registryProfileChanges,
  registryShops,
  registryTlsBindings,
  type OriginStatus,
} from "./registry.tables.ts";
import { lockForTransaction } from "../../platform/db/locks.ts";

export type ShopRow = typeof registryShops.$inferSelect;
export type OriginRow = typeof registryOrigins.$inferSelect;
export type TlsRow = typeof registryTlsBindings.$inferSelect;
export type ChangeRow = typeof registryProfileChanges.$inferSelect;
export type EventRow = typeof registryIdentityEvents.$inferSelect;
export type DocumentRow = typeof registryDocuments.$inferSelect;
export type RegisterRow = typeof registryBusinessRegister.$inferSelect;

/** Origins that count as the shop's: proven, or failing but still in their grace period. */
export const LIVE_ORIGIN: OriginStatus[] = ["proven", "failing"];

/** LIKE pattern for a literal substring (escapes %, _ and \). */
export const likeContains = (s: string): string => `%${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export const registryRepo = {
  async shopById(tx: Db, id: string, lock = false): Promise<ShopRow | undefined> {
    const q = tx.select().from(registryShops).where(eq(registryShops.id, id));
    const [row] = lock ? await q.for("update") : await q;
    return row;
  },
  async shopByOrg(tx: Db, orgId: string): Promise<ShopRow | undefined> {
    const [row] = await tx.select().from(registryShops).where(eq(registryShops.orgId, orgId));
    return row;
  },
  async insertShop(tx: Db, values: typeof registryShops.$inferInsert): Promise<ShopRow> {
    const [row] = await tx.insert(registryShops).values(values).returning();
    if (!row) throw new Error("insert returned nothing");
    return row;
  },
  async updateShop(tx: Db, id: string, values: Partial<typeof registryShops.$inferInsert>): Promise<ShopRow> {
    const [row] = await tx.update(registryShops).set(values).where(eq(registryShops.id, id)).returning();
    if (!row) throw new Error("update returned nothing");
    return row;
  },
  async origins(tx: Db, shopId: string): Promise<OriginRow[]> {
    return tx.select().from(registryOrigins).where(eq(registryOrigins.shopId, shopId)).orderBy(asc(registryOrigins.createdAt), asc(registryOrigins.origin));
  },
  async originById(tx: Db, id: string): Promise<OriginRow | undefined> {
    const [row] = await tx.select().from(registryOrigins).where(eq(registryOrigins.id, id));
    return row;
  },
  /** Live origins of this host (any port) held by other shops. */
  async liveHostElsewhere(tx: Db, host: string, shopId: string): Promise<OriginRow[]> {
    return tx
      .select()
      .from(registryOrigins)
      .where(and(eq(registryOrigins.host, host), inArray(registryOrigins.status, LIVE_ORIGIN), ne(registryOrigins.shopId, shopId)))
      .orderBy(asc(registryOrigins.origin))
      .limit(20);
  },
  /**
   * Serialises claims on one host (all its ports) or one business number across shops until the
   * transaction ends: a check that follows sees every claim committed before it.
   */
  async lockClaim(tx: Db, kind: "host" | "ubn", value: string): Promise<void> {
    await lockForTransaction(tx, `registry-${kind}:${value}`);
  },
  /** Is this business number confirmed for a shop other than `exceptShopId`? */
  async ubnConfirmedElsewhere(tx: Db, ubn: string, exceptShopId: string | null): Promise<boolean> {
    const other = exceptShopId === null ? undefined : ne(registryShops.id, exceptShopId);
    const [row] = await tx.select({ id: registryShops.id }).from(registryShops).where(and(eq(registryShops.ubn, ubn), eq(registryShops.identityStatus, "confirmed"), other)).limit(1);
    return row !== undefined;
  },
  /** Other shops that state this business number (the first 20), for the authority's review. */
  async shopsWithUbn(tx: Db, ubn: string, exceptShopId: string): Promise<ShopRow[]> {
    return tx
      .select()
      .from(registryShops)
      .where(and(eq(registryShops.ubn, ubn), ne(registryShops.id, exceptShopId)))
      .orderBy(asc(registryShops.createdAt), asc(registryShops.id))
      .limit(20);
  },
  async countLiveOrigins(tx: Db, shopId: string): Promise<number> {
    const [r] = await tx.select({ n: sql<number>`count(*)::int` }).from(registryOrigins).where(and(eq(registryOrigins.shopId, shopId), inArray(registryOrigins.status, LIVE_ORIGIN)));
    return r?.n ?? 0;
  },
  async insertOrigin(tx: Db, values: typeof registryOrigins.$inferInsert): Promise<OriginRow> {
    const [row] = await tx.insert(registryOrigins).values(values).returning();
    if (!row) throw new Error("insert returned nothing");
    return row;
  },
  async updateOrigin(tx: Db, id: string, values: Partial<typeof registryOrigins.$inferInsert>): Promise<OriginRow> {
    const [row] = await tx.update(registryOrigins).set(values).where(eq(registryOrigins.id, id)).returning();
    if (!row) throw new Error("update returned nothing");
    return row;
  },
  async deleteOrigin(tx: Db, id: string): Promise<void> {
    await tx.delete(registryTlsBindings).where(eq(registryTlsBindings.originId, id));
    await tx.delete(registryOrigins).where(eq(registryOrigins.id, id));
  },
  /** Proven origins whose proof is due, and failing ones (rechecked every sweep). */
  async originsDue(tx: Db, now: Date, limit: number): Promise<OriginRow[]> {
    return tx
      .select()
      .from(registryOrigins)
      .where(or(and(eq(registryOrigins.status, "proven"), lte(registryOrigins.proofExpiresAt, now)), eq(registryOrigins.status, "failing")))
      .orderBy(asc(registryOrigins.proofExpiresAt))
      .limit(limit);
  },
  async currentTls(tx: Db, originId: string): Promise<TlsRow | undefined> {
    const [row] = await tx.select().from(registryTlsBindings).where(and(eq(registryTlsBindings.originId, originId), eq(registryTlsBindings.current, true)));
    return row;
  },
  async tlsHistory(tx: Db, originId: string): Promise<TlsRow[]> {
    return tx.select().from(registryTlsBindings).where(eq(registryTlsBindings.originId, originId)).orderBy(desc(registryTlsBindings.firstSeenAt));
  },
  async insertTls(tx: Db, values: typeof registryTlsBindings.$inferInsert): Promise<void> {
    await tx.update(registryTlsBindings).set({ current: false }).where(and(eq(registryTlsBindings.originId, values.originId), eq(registryTlsBindings.current, true)));
    await tx.insert(registryTlsBindings).values(values);
  },
  async touchTls(tx: Db, id: string, values: Partial<typeof registryTlsBindings.$inferInsert>): Promise<void> {
    await tx.update(registryTlsBindings).set(values).where(eq(registryTlsBindings.id, id));
  },
  /** Current certificates of live origins expiring before `before`, not yet warned about. */
  async tlsExpiring(tx: Db, before: Date, limit: number) {
    return tx
      .select({ tls: registryTlsBindings, origin: registryOrigins })
      .from(registryTlsBindings)
      .innerJoin(registryOrigins, eq(registryOrigins.id, registryTlsBindings.originId))
      .where(and(eq(registryTlsBindings.current, true), lte(registryTlsBindings.validTo, before), isNull(registryTlsBindings.expiryWarnedAt), inArray(registryOrigins.status, LIVE_ORIGIN)))
      .limit(limit);
  },
  /** Confirmed shops whose confirmation ends in (now, before] and that were not reminded of that end. */
  async confirmedExpiring(tx: Db, now: Date, before: Date, limit: number): Promise<ShopRow[]> {
    return tx
      .select()
      .from(registryShops)
      .where(and(
        eq(registryShops.identityStatus, "confirmed"),
        gt(registryShops.expiresAt, now),
        lte(registryShops.expiresAt, before),
        or(isNull(registryShops.expiryRemindedFor), ne(registryShops.expiryRemindedFor, registryShops.expiresAt)),
      ))
      .limit(limit);
  },
  async confirmedExpired(tx: Db, now: Date, limit: number): Promise<ShopRow[]> {
    return tx.select().from(registryShops).where(and(eq(registryShops.identityStatus, "confirmed"), lte(registryShops.expiresAt, now))).limit(limit);
  },
  async insertEvent(tx: Db, values: typeof registryIdentityEvents.$inferInsert): Promise<void> {
    await tx.insert(registryIdentityEvents).values(values);
  },
  async events(tx: Db, shopId: string): Promise<EventRow[]> {
    return tx.select().from(registryIdentityEvents).where(eq(registryIdentityEvents.shopId, shopId)).orderBy(asc(registryIdentityEvents.seq));
  },
  async documents(tx: Db, shopId: string): Promise<DocumentRow[]> {
    return tx.select().from(registryDocuments).where(eq(registryDocuments.shopId, shopId)).orderBy(asc(registryDocuments.addedAt));
  },
  async insertDocument(tx: Db, values: typeof registryDocuments.$inferInsert): Promise<DocumentRow> {
    const [row] = await tx.insert(registryDocuments).values(values).onConflictDoNothing().returning();
    if (!row) throw new Error("duplicate");
    return row;
  },
  async changes(tx: Db, shopId: string): Promise<ChangeRow[]> {
    return tx.select().from(registryProfileChanges).where(eq(registryProfileChanges.shopId, shopId)).orderBy(desc(registryProfileChanges.createdAt));
  },
  async changeById(tx: Db, id: string): Promise<ChangeRow | undefined> {
    const [row] = await tx.select().from(registryProfileChanges).where(eq(registryProfileChanges.id, id));
    return row;
  },
  async pendingChange(tx: Db, shopId: string): Promise<ChangeRow | undefined> {
    const [row] = await tx.select().from(registryProfileChanges).where(and(eq(registryProfileChanges.shopId, shopId), eq(registryProfileChanges.status, "pending")));
    return row;
  },
  async insertChange(tx: Db, values: typeof registryProfileChanges.$inferInsert): Promise<ChangeRow> {
    const [row] = await tx.insert(registryProfileChanges).values(values).returning();
    if (!row) throw new Error("insert returned nothing");
    return row;
  },
  async updateChange(tx: Db, id: string, values: Partial<typeof registryProfileChanges.$inferInsert>): Promise<void> {
    await tx.update(registryProfileChanges).set(values).where(eq(registryProfileChanges.id, id));
  },
  /** Shops waiting for the authority (pending), or with a pending legal change; oldest first. */
  async reviewQueue(tx: Db, limit: number, offset: number) {
    const pendingChange = sql`exists (select 1 from ${registryProfileChanges} c where c.shop_id = ${registryShops.id} and c.status = 'pending')`;
    const sameUbn = sql`(select count(*)::int from ${registryShops} o where o.ubn = ${registryShops.ubn} and o.id <> ${registryShops.id} and o.identity_status in ('pending', 'confirmed', 'lapsed'))`;
    return tx
      .select({ shop: registryShops, hasChange: sql<boolean>`${pendingChange}`, sameUbn: sql<number>`${sameUbn}` })
      .from(registryShops)
      .where(or(eq(registryShops.identityStatus, "pending"), pendingChange))
      .orderBy(asc(registryShops.statusChangedAt), asc(registryShops.id))
      .limit(limit)
      .offset(offset);
  },
  /** Public search over confirmed shops. */
  async search(tx: Db, q: { text?: string | undefined; ubn?: string | undefined; host?: string | undefined; status: IdentityStatus[]; limit: number; offset: number }) {
    const conds: SQL[] = [inArray(registryShops.identityStatus, q.status)];
    // search_text is stored lower-cased, so a plain LIKE does (cheaper than ILIKE's per-character folding)
    if (q.text) conds.push(like(registryShops.searchText, likeContains(q.text.toLowerCase())));
    if (q.ubn) conds.push(eq(registryShops.ubn, q.ubn));
    if (q.host) {
      // exact host or its www. form: both use the host index (no suffix scan over every origin)
      const h = q.host.replace(/^www\./, "");
      conds.push(
        inArray(
          registryShops.id,
          tx.select({ id: registryOrigins.shopId }).from(registryOrigins).where(and(inArray(registryOrigins.host, [h, `www.${h}`]), inArray(registryOrigins.status, LIVE_ORIGIN))),
        ),
      );
    }
    const where = and(...conds);
    const rows = await tx.select().from(registryShops).where(where).orderBy(asc(registryShops.legalNameEn), asc(registryShops.id)).limit(q.limit + 1).offset(q.offset);
    return rows;
  },
  async liveOriginsOf(tx: Db, shopIds: string[]): Promise<OriginRow[]> {
    if (shopIds.length === 0) return [];
    return tx.select().from(registryOrigins).where(and(inArray(registryOrigins.shopId, shopIds), inArray(registryOrigins.status, LIVE_ORIGIN))).orderBy(asc(registryOrigins.origin));
  },
  async allShops(tx: Db, status: IdentityStatus[] | undefined): Promise<ShopRow[]> {
    return tx.select().from(registryShops).where(status ? inArray(registryShops.identityStatus, status) : undefined).orderBy(asc(registryShops.legalNameEn), asc(registryShops.id));
  },
  async register(tx: Db, ubn: string): Promise<RegisterRow | undefined> {
    const [row] = await tx.select().from(registryBusinessRegister).where(eq(registryBusinessRegister.ubn, ubn));
    return row;
  },
};
