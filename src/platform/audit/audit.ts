// Append-only, hash-chained audit trail. Each row's hash covers its content and the previous
// row's hash, so editing or deleting any row breaks every hash after it. Rows are written in
// the same transaction as the change they describe (pass the transaction handle).
//
// The chain is keyed (audit.key.ts): a row's hash is an HMAC under a key derived from the master
// key, so someone who can only write to the database cannot re-chain rows after editing one.
// Rows written before keying ("legacy", plain SHA-256) verify as a prefix only. Deleting the
// newest rows leaves a valid but shorter chain: checkpoints kept outside the database catch that
// (audit.anchor.ts).
import { and, asc, desc, eq, gte, lt, lte, type SQL } from "drizzle-orm";
import type { Actor } from "../actor.ts";
import type { Clock } from "../clock.ts";
import { constantTimeEqual } from "../crypto.ts";
import type { Db } from "../db/database.ts";
import { AuditError } from "./audit.errors.ts";
import { armedAuditKeys, chainHash, isKeyedHash } from "./audit.key.ts";
import { auditLog } from "./audit.tables.ts";
import { lockForTransaction } from "../db/locks.ts";

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

/** The row's hash: HMAC-SHA256 under the chain key when given (keyed), else SHA-256 (legacy). */
export function rowHash(row: Omit<AuditRow, "hash">, chainKey?: Buffer): string {
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
  return chainHash(row.prevHash, body, chainKey);
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
  await lockForTransaction(tx, AUDIT_LOCK);
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
  const keys = armedAuditKeys();
  // An unkeyed row after a keyed one would break the chain for good (verification refuses it).
  if (!keys && isKeyedHash(base.prevHash)) throw new AuditError("key_missing", "the audit trail is keyed, and this process never loaded the master key: refusing to write an unkeyed row");
  const row: AuditRow = { ...base, hash: rowHash(base, keys?.chain) };
  await tx.insert(auditLog).values(row);
  return row;
}

export type AuditProblemKind =
  | "gap" // a row is missing in the middle
  | "broken_link" // a row does not point to the previous row's hash
  | "hash_mismatch" // a row's content does not match its hash (edited, or another master key)
  | "unkeyed_row" // an unkeyed row where only keyed rows may be (re-chained without the key)
  | "key_missing" // keyed rows, and no key to check them with
  | "checkpoint_mismatch" // the row a checkpoint names has another hash (re-chained before it)
  | "truncated" // the trail ends before the newest checkpoint: the newest rows were removed
  | "checkpoint_invalid" // the checkpoint file is malformed or its MAC does not verify
  | "outside_chain"; // a row numbered below 1, where the walk never looks (inserted)

export interface AuditProblem {
  seq: number;
  kind: AuditProblemKind;
  detail: string;
}

/** A position in the chain: a row's seq and hash (seq 0 is the genesis). */
export interface ChainHead {
  seq: number;
  hash: string;
}

export interface VerifyResult {
  ok: boolean;
  /** rows checked */
  rows: number;
  /** of those, rows from before the chain was keyed, checked by their unkeyed hash (and the checkpoint) only */
  legacyRows: number;
  /** the checkpoint the trail was checked against; null: none, so removed newest rows go unnoticed */
  checkpoint: { seq: number; at: string } | null;
  /** first problem found, if any */
  problem?: AuditProblem;
}

interface WalkOptions {
  /** a trusted position to walk on from (genesis, or a checkpoint already found in the trail) */
  from: ChainHead;
  chainKey: Buffer | undefined;
  /** rows above this seq must be keyed (after a keyed row they must be anyway) */
  keyedAfter: number;
  /** the newest checkpoint: the row it names must hold its hash, and the trail must reach it */
  checkpoint: ChainHead | undefined;
  batch: number;
}

interface WalkResult {
  head: ChainHead;
  rows: number;
  legacyRows: number;
  problem?: AuditProblem;
}

async function walk(db: Db, o: WalkOptions): Promise<WalkResult> {
  let prevHash = o.from.hash;
  let expectSeq = o.from.seq + 1;
  let keyed = isKeyedHash(prevHash);
  let rows = 0;
  let legacyRows = 0;
  const end = (problem?: AuditProblem): WalkResult => ({ head: { seq: expectSeq - 1, hash: prevHash }, rows, legacyRows, ...(problem ? { problem } : {}) });
  for (;;) {
    const batch = (await db.select().from(auditLog).where(gte(auditLog.seq, expectSeq)).orderBy(asc(auditLog.seq)).limit(o.batch)) as AuditRow[];
    if (batch.length === 0) break;
    for (const row of batch) {
      const seq = row.seq;
      if (seq !== expectSeq) return end({ seq: expectSeq, kind: "gap", detail: `row ${expectSeq} is missing (next row is ${seq})` });
      if (row.prevHash !== prevHash) return end({ seq, kind: "broken_link", detail: `row ${seq} does not point to the hash of row ${seq - 1}` });
      const { hash, ...rest } = row;
      const rowKeyed = isKeyedHash(hash);
      if (rowKeyed && !o.chainKey) return end({ seq, kind: "key_missing", detail: `row ${seq} is keyed, and the master key is not available to check it` });
      if (!rowKeyed && (keyed || seq > o.keyedAfter)) {
        return end({ seq, kind: "unkeyed_row", detail: `row ${seq} is unkeyed where only keyed rows may be: it was written or re-chained without the key` });
      }
      if (!constantTimeEqual(rowHash(rest, rowKeyed ? o.chainKey : undefined), hash)) {
        return end({ seq, kind: "hash_mismatch", detail: `row ${seq} was changed after it was written${rowKeyed ? " (or it was keyed under another master key)" : ""}` });
      }
      if (o.checkpoint?.seq === seq && o.checkpoint.hash !== hash) {
        return end({ seq, kind: "checkpoint_mismatch", detail: `row ${seq} is not the row the checkpoint recorded: rows up to it were rewritten` });
      }
      keyed ||= rowKeyed;
      if (!rowKeyed) legacyRows++;
      prevHash = hash;
      expectSeq++;
      rows++;
    }
  }
  if (o.checkpoint && expectSeq - 1 < o.checkpoint.seq) {
    return end({ seq: expectSeq, kind: "truncated", detail: `the trail ends at row ${expectSeq - 1}, but a checkpoint recorded row ${o.checkpoint.seq}: the newest rows were removed` });
  }
  return end();
}

export interface VerifyOptions {
  /** the chain key (audit.key.ts); without it keyed rows cannot be checked */
  chainKey?: Buffer | undefined;
  /** the newest checkpoint (audit.anchor.ts), already MAC-checked */
  checkpoint?: (ChainHead & { at: Date }) | null | undefined;
  batch?: number;
}

/**
 * Walks the whole chain in order; detects edited, deleted, inserted or reordered rows, unkeyed
 * rows after the keyed chain began or after the checkpoint, and a trail shorter than its checkpoint.
 */
export async function verifyAuditChain(db: Db, options: VerifyOptions = {}): Promise<VerifyResult> {
  const cp = options.checkpoint ?? undefined;
  const checkpoint = cp ? { seq: cp.seq, at: cp.at.toISOString() } : null;
  // The chain starts at 1; a row numbered below it would be listed by the audit view and never walked.
  const [stray] = await db.select({ seq: auditLog.seq }).from(auditLog).where(lt(auditLog.seq, 1)).orderBy(asc(auditLog.seq)).limit(1);
  if (stray) return { ok: false, rows: 0, legacyRows: 0, checkpoint, problem: { seq: stray.seq, kind: "outside_chain", detail: `row ${stray.seq} is numbered below 1, outside the chain: it was inserted` } };
  const r = await walk(db, { from: { seq: 0, hash: GENESIS_HASH }, chainKey: options.chainKey, keyedAfter: cp?.seq ?? Infinity, checkpoint: cp, batch: options.batch ?? 1000 });
  return { ok: !r.problem, rows: r.rows, legacyRows: r.legacyRows, checkpoint, ...(r.problem ? { problem: r.problem } : {}) };
}

/**
 * For the checkpoint writer: checks that the trail still holds `from` (the newest checkpoint; none
 * yet: the genesis) and that every row after it is keyed and chained, and returns the head.
 */
export async function extendChain(db: Db, from: ChainHead | undefined, chainKey: Buffer, batch = 1000): Promise<WalkResult> {
  if (from && from.seq > 0) {
    const [row] = await db.select({ hash: auditLog.hash }).from(auditLog).where(eq(auditLog.seq, from.seq));
    if (!row) return { head: from, rows: 0, legacyRows: 0, problem: { seq: from.seq, kind: "truncated", detail: `row ${from.seq}, recorded by the newest checkpoint, is gone: the newest rows were removed` } };
    if (row.hash !== from.hash) return { head: from, rows: 0, legacyRows: 0, problem: { seq: from.seq, kind: "checkpoint_mismatch", detail: `row ${from.seq} is not the row the newest checkpoint recorded` } };
  }
  return walk(db, { from: from ?? { seq: 0, hash: GENESIS_HASH }, chainKey, keyedAfter: from ? from.seq : Infinity, checkpoint: undefined, batch });
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
