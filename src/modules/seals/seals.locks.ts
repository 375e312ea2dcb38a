// The seals locks that span several database transactions and log appends (docs/seals.md).
// - Status lists: a re-sign reads the credential states, signs, logs (waiting for a checkpoint),
//   stores the next version and writes the file; `publishAll` reads the newest versions and writes
//   the files. Two at once, the one that read older states or versions could write last, and the
//   older list stayed the published one until the next hourly run.
// - Keys: a key-state change checks that its role keeps a usable key, changes the key, logs, and
//   signs the next anchor version; a rotation and the hourly anchor refresh sign one too. Two at
//   once could both pass the check (leaving no usable key) and both number their anchor n + 1.
import { PGlite } from "@electric-sql/pglite";
import { sql } from "drizzle-orm";
import type { Db } from "../../platform/db/database.ts";

/** Key of the PostgreSQL advisory lock held for a whole status-list re-sign or publication (the log's is 0x5ea15). */
export const STATUS_LISTS_LOCK_KEY = 0x5ea16;
/** Key of the PostgreSQL advisory lock held for a whole key event: state change, rotation, anchor version. */
export const KEYS_LOCK_KEY = 0x5ea17;

/** Runs `fn` alone, and resolves or rejects as it does. */
export type Lock = <T>(fn: () => Promise<T>) => Promise<T>;

interface Queue {
  tail: Promise<void>;
  /** holders running or waiting in this process */
  queued: number;
}

/** The holders queued in this process, per database handle (every service on one handle shares them) and lock key. */
const queues = new WeakMap<Db, Map<number, Queue>>();

/**
 * Runs `fn` alone: one at a time in this process (a queue), and across processes on PostgreSQL
 * under a transaction-scoped advisory lock on `key`, held on its own pooled connection while `fn`
 * works through the others (it logs, and the log's lock is another transaction). On PGlite the
 * queue is the whole lock: one process holds the database (platform/db/database.ts), and its
 * single connection could not hold a transaction open while `fn` uses it. Not reentrant: `fn`
 * must not take the same lock. `onWait` is told when the lock is held by another (a test seam).
 */
function advisoryQueueLock(db: Db, key: number, onWait?: () => void): Lock {
  const embedded = (db as unknown as { $client?: unknown }).$client instanceof PGlite;
  return async <T>(fn: () => Promise<T>): Promise<T> => {
    let byKey = queues.get(db);
    if (!byKey) queues.set(db, (byKey = new Map<number, Queue>()));
    let q = byKey.get(key);
    if (!q) byKey.set(key, (q = { tail: Promise.resolve(), queued: 0 }));
    const before = q.tail;
    let release = (): void => undefined;
    const mine = new Promise<void>((resolve) => (release = resolve));
    q.tail = before.then(() => mine);
    if (q.queued++ > 0) onWait?.();
    await before;
    try {
      if (embedded) return await fn();
      return await db.transaction(async (tx) => {
        const tried: unknown = await tx.execute(sql`select pg_try_advisory_xact_lock(${key}) as got`);
        if ((tried as { rows: { got?: unknown }[] }).rows[0]?.got !== true) {
          onWait?.(); // another process holds it
          await tx.execute(sql`select pg_advisory_xact_lock(${key})`);
        }
        return fn();
      });
    } finally {
      q.queued--;
      release();
    }
  };
}

/** Serialises status-list re-signs and the publication of the newest lists (seals.service.ts). */
export function statusListsLock(db: Db, onWait?: () => void): Lock {
  return advisoryQueueLock(db, STATUS_LISTS_LOCK_KEY, onWait);
}

/** Serialises key-state changes, rotations and anchor versions (seals.keys.ts). */
export function keysLock(db: Db, onWait?: () => void): Lock {
  return advisoryQueueLock(db, KEYS_LOCK_KEY, onWait);
}
