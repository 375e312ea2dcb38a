// Append-only, hash-chained audit trail. Each row's hash covers its content and the previous
// row's hash, so editing or deleting any row breaks every hash after it. Rows are written in
// the same transaction as the change they describe (pass the transaction handle).
import { createHash } from "node:crypto";
import { and, asc, desc, eq, gte, lt, lte, sql, type SQL } from "drizzle-orm";
import type { Actor } from "../actor.ts";
import type { Clock } from "../clock.ts";
import type { Db } from "../db/database.ts";
import { auditLog } from "./audit.tables.ts";

export const GENESIS_HASH = "0".repeat(64);
/** Serialises appends to the chain across connections and processes. */
const AUDIT_LOCK = 0x61756474; // "audt"

export interface AuditEntry {
  action: string;
  objectType: string;
  objectId: string;
  /** the organisation the object belongs to (for per-organisation browsing) */
  orgId?: string | null;
  /** before/after summary; never secrets */
  summary?: Record<string, unknown>;
}

export interface AuditRow {
  seq: number;
  at: Date;
  actorUserId: string | null;
  actorOrgId: string | null;
  actorKind: string;
  action: string;
  objectType: string;
  objectId: string;
  orgId: string | null;
  summary: Record<string, unknown>;
  requestId: string | null;
  prevHash: string;
  hash: string;
}

/** JSON with object keys sorted at every depth: one canonical form for hashing. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") {
    // JSON.stringify answers undefined for undefined, functions and symbols
    const s = JSON.stringify(value) as string | undefined;
    return s ?? "null";
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
}

export function rowHash(row: Omit<AuditRow, "hash">): string {
  const body = canonicalJson({
    seq: row.seq,
    at: row.at.toISOString(),
    actorUserId: row.actorUserId,
    actorOrgId: row.actorOrgId,
    actorKind: row.actorKind,
    action: row.action,
    objectType: row.objectType,
    objectId: row.objectId,
    orgId: row.orgId,
    summary: row.summary,
    requestId: row.requestId,
  });
  return createHash("sha256").update(row.prevHash).update("\n").update(body).digest("hex");
}

/**
 * PostgreSQL holds neither NUL nor a lone UTF-16 surrogate: a text column silently stores U+FFFD
 * for a lone surrogate (the row would then no longer match its hash, and the chain would look
 * tampered with), and jsonb refuses both (the whole command fails). Strings from requests can
 * carry either (JSON "\ud800", "\u0000"), so what is hashed is what can be stored: both become U+FFFD.
 */
function storable(s: string): string {
  return s.toWellFormed().replaceAll("\u0000", "\uFFFD");
}

function storableJson(value: unknown): unknown {
  if (typeof value === "string") return storable(value);
  if (Array.isArray(value)) return value.map(storableJson);
  if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [storable(k), storableJson(v)]));
  return value;
}

export async function appendAudit(tx: Db, clock: Clock, actor: Actor, entry: AuditEntry): Promise<AuditRow> {
  await tx.execute(sql`select pg_advisory_xact_lock(${AUDIT_LOCK})`);
  const [last] = await tx.select({ seq: auditLog.seq, hash: auditLog.hash }).from(auditLog).orderBy(desc(auditLog.seq)).limit(1);
  const base: Omit<AuditRow, "hash"> = {
    seq: (last?.seq ?? 0) + 1,
    // Millisecond precision: what PostgreSQL stores is what we hash.
    at: new Date(Math.floor(clock.now().getTime())),
    actorUserId: actor.userId ?? null,
    actorOrgId: actor.orgId ?? null,
    actorKind: storable(actor.kind === "system" ? `system:${actor.name}` : actor.kind),
    action: storable(entry.action),
    objectType: storable(entry.objectType),
    objectId: storable(entry.objectId),
    orgId: entry.orgId ?? null,
    summary: storableJson(JSON.parse(JSON.stringify(entry.summary ?? {}))) as Record<string, unknown>,
    requestId: actor.requestId === undefined ? null : storable(actor.requestId),
    prevHash: last?.hash ?? GENESIS_HASH,
  };
  const row: AuditRow = { ...base, hash: rowHash(base) };
  await tx.insert(auditLog).values(row);
  return row;
}

export interface VerifyResult {
  ok: boolean;
  rows: number;
  /** first problem found, if any */
  problem?: { seq: number; kind: "hash_mismatch" | "broken_link" | "gap"; detail: string };
}

/** Walks the whole chain in order; detects edited, deleted, inserted or reordered rows. */
export async function verifyAuditChain(db: Db, batch = 1000): Promise<VerifyResult> {
  let prevHash = GENESIS_HASH;
  let expectSeq = 1;
  let count = 0;
  for (;;) {
    const rows = (await db.select().from(auditLog).where(gte(auditLog.seq, expectSeq)).orderBy(asc(auditLog.seq)).limit(batch)) as AuditRow[];
    if (rows.length === 0) return { ok: true, rows: count };
    for (const row of rows) {
      if (row.seq !== expectSeq) {
        return { ok: false, rows: count, problem: { seq: expectSeq, kind: "gap", detail: `row ${expectSeq} is missing (next row is ${row.seq})` } };
      }
      if (row.prevHash !== prevHash) {
        return { ok: false, rows: count, problem: { seq: row.seq, kind: "broken_link", detail: `row ${row.seq} does not point to the hash of row ${row.seq - 1}` } };
      }
      const { hash, ...rest } = row;
      if (rowHash(rest) !== hash) {
        return { ok: false, rows: count, problem: { seq: row.seq, kind: "hash_mismatch", detail: `row ${row.seq} was changed after it was written` } };
      }
      prevHash = hash;
      expectSeq++;
      count++;
    }
  }
}

export interface AuditQuery {
  orgId?: string | undefined;
  action?: string | undefined;
  objectType?: string | undefined;
  objectId?: string | undefined;
  actorUserId?: string | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
  /** rows with seq below this (keyset pagination, newest first) */
  before?: number | undefined;
  limit: number;
}

export async function listAudit(db: Db, q: AuditQuery): Promise<{ items: AuditRow[]; nextBefore: number | null }> {
  const conds: SQL[] = [];
  if (q.orgId) conds.push(eq(auditLog.orgId, q.orgId));
  if (q.action) conds.push(eq(auditLog.action, q.action));
  if (q.objectType) conds.push(eq(auditLog.objectType, q.objectType));
  if (q.objectId) conds.push(eq(auditLog.objectId, q.objectId));
  if (q.actorUserId) conds.push(eq(auditLog.actorUserId, q.actorUserId));
  if (q.from) conds.push(gte(auditLog.at, q.from));
  if (q.to) conds.push(lte(auditLog.at, q.to));
  if (q.before) conds.push(lt(auditLog.seq, q.before));
  const rows = (await db
    .select()
    .from(auditLog)
    .where(conds.length ? and(...conds) : undefined)
    .orderBy(desc(auditLog.seq))
    .limit(q.limit + 1)) as AuditRow[];
  const items = rows.slice(0, q.limit);
  return { items, nextBefore: rows.length > q.limit ? (items[items.length - 1]?.seq ?? null) : null };
}
