// The lock that serialises status-list re-signing (docs/seals.md, "Status lists"). A re-sign reads
// the credential states, signs, logs (waiting for a checkpoint), stores the next version and writes
// the file: two at once, the one that read the older states could store and publish last, and the
// older list stayed the current one until the next hourly run.
import { PGlite } from "@electric-sql/pglite";
import { sql } from "drizzle-orm";
import type { Db } from "../../platform/db/database.ts";

/** Key of the PostgreSQL advisory lock held for a whole status-list re-sign (the log's is 0x5ea15). */
export const STATUS_LISTS_LOCK_KEY = 0x5ea16;

/** The re-signs queued in this process, per database handle (every service on one handle shares it). */
const queues = new WeakMap<Db, Promise<void>>();

/**
 * Runs `fn` alone: one at a time in this process (a queue), and across processes on PostgreSQL
 * under a transaction-scoped advisory lock, held on its own pooled connection while `fn` works
 * through the others (it logs, and the log's lock is another transaction). On PGlite the queue is
 * the whole lock: one process holds the database (platform/db/database.ts), and its single
 * connection could not hold a transaction open while `fn` uses it.
 */
export function statusListsLock(db: Db): <T>(fn: () => Promise<T>) => Promise<T> {
  const embedded = (db as unknown as { $client?: unknown }).$client instanceof PGlite;
  return async <T>(fn: () => Promise<T>): Promise<T> => {
    const before = queues.get(db) ?? Promise.resolve();
    let release = (): void => undefined;
    const mine = new Promise<void>((resolve) => (release = resolve));
    queues.set(db, before.then(() => mine));
    await before;
    try {
      if (embedded) return await fn();
      return await db.transaction(async (tx) => {
        await tx.execute(sql`select pg_advisory_xact_lock(${STATUS_LISTS_LOCK_KEY})`);
        return fn();
      });
    } finally {
      release();
    }
  };
}
