// Seals jobs: another door into the seals service. Each is idempotent.
//   seals.sync-shop (per shop, queued in the registry's transaction by the identity hook and by
//     the origin-removal hook, and after a mark changed) issues, reissues, suspends or withdraws
//     the shop's credentials;
//   seals.hourly (cron) re-signs the trust anchor when it ends within 30 days, re-signs every
//     status list (24 h validity), re-syncs every shop
//     that has credentials (catches origin changes and expiry, which fire no identity hook),
//     and re-writes the publication folder.
// On PostgreSQL several processes may run them at once (`serve` with its inline worker, any
// number of `ectrust worker`s; PGlite has one process): each log batch takes the log's advisory
// lock, each status-list re-sign or publication of the lists the status-list lock, each anchor
// version the keys lock (seals.locks.ts; docs/seals.md, "Log writers" and "Status lists").
import { systemActor } from "../../platform/actor.ts";
import type { Db } from "../../platform/db/database.ts";
import type { JobQueue } from "../../platform/jobs/queue.ts";
import type { SealsService } from "./seals.service.ts";

export const SEALS_JOBS = { syncShop: "seals.sync-shop", hourly: "seals.hourly" } as const;

function parseSync(data: unknown): { shopId: string } {
  if (typeof data === "object" && data !== null && "shopId" in data && typeof data.shopId === "string" && /^[0-9a-f-]{36}$/.test(data.shopId)) return { shopId: data.shopId };
  throw new Error("seals.sync-shop: payload needs a shopId");
}

export function registerSealsJobs(jobs: JobQueue, seals: SealsService): void {
  const actor = systemActor("seals");
  jobs.register(SEALS_JOBS.syncShop, async (data) => {
    await seals.init(actor);
    await seals.syncShop(data.shopId, actor);
  }, { parse: parseSync, retryLimit: 5, retryDelaySeconds: 10, timeoutSeconds: 120 });
  jobs.register(SEALS_JOBS.hourly, async () => {
    await seals.hourly(actor);
  }, { retryLimit: 2, timeoutSeconds: 900 });
  // An origin removed from a shop that keeps others changes no identity status, so nothing re-synced
  // its credential before the hourly job: the seal stayed valid on the removed origin for up to an
  // hour. The sync is queued in the removal's transaction, like the identity hook's.
  seals.onOriginRemoved(sealsIdentityListener(jobs));
}

/** The registry's identity and origin-removal listener: queues a sync in the registry's transaction (commits or rolls back with it). */
export function sealsIdentityListener(jobs: Pick<JobQueue, "send">) {
  return async (change: { shopId: string; tx: Db }): Promise<void> => {
    await jobs.send(SEALS_JOBS.syncShop, { shopId: change.shopId }, { tx: change.tx });
  };
}

export async function scheduleSealsJobs(jobs: JobQueue): Promise<void> {
  await jobs.schedule(SEALS_JOBS.hourly, "17 * * * *");
}
