// Transaction-scoped PostgreSQL advisory locks (PGlite has them too): held until the transaction
// ends, so a check and the write it guards cannot be split by another connection or process.
// A numeric key names one fixed lock; a string key names one lock per value (hashed by
// PostgreSQL's hashtext, so unrelated strings may share a lock: they then only wait, never break).
import { sql } from "drizzle-orm";
import type { Db } from "./database.ts";

/** Waits for, then holds until `tx` ends, the advisory lock named by `key`. */
export async function lockForTransaction(tx: Db, key: number | string): Promise<void> {
  await tx.execute(typeof key === "number" ? sql`select pg_advisory_xact_lock(${key})` : sql`select pg_advisory_xact_lock(hashtext(${key}))`);
}
