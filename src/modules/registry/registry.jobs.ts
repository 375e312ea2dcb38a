// Registry jobs: another door into the registry service. Each is idempotent.
//   registry.recheck-sweep  (hourly)  finds origins due for a re-check and queues one job each;
//   registry.origin.recheck (per origin) re-checks the proof, warns, lapses after the grace period;
//   registry.expiry-sweep   (daily)   lapses expired confirmations, warns of expiring certificates.
import type { JobQueue } from "../../platform/jobs/queue.ts";
import type { RegistryService } from "./registry.service.ts";

export const REGISTRY_JOBS = {
  recheckSweep: "registry.recheck-sweep",
  recheck: "registry.origin.recheck",
  expirySweep: "registry.expiry-sweep",
} as const;

function parseRecheck(data: unknown): { originId: string } {
  if (typeof data === "object" && data !== null && "originId" in data && typeof data.originId === "string" && /^[0-9a-f-]{36}$/.test(data.originId)) {
    return { originId: data.originId };
  }
  throw new Error("registry.origin.recheck: payload needs an originId");
}

export function registerRegistryJobs(jobs: JobQueue, registry: RegistryService, now: () => Date): void {
  jobs.register(REGISTRY_JOBS.recheckSweep, async () => {
    const hour = now().toISOString().slice(0, 13);
    for (const originId of await registry.originsDue()) {
      await jobs.send(REGISTRY_JOBS.recheck, { originId }, { singletonKey: `${originId}:${hour}` });
    }
  }, { retryLimit: 2 });
  jobs.register(REGISTRY_JOBS.recheck, async (data) => {
    await registry.recheckOrigin(data.originId);
  }, { parse: parseRecheck, retryLimit: 2, retryDelaySeconds: 300, concurrency: 4, timeoutSeconds: 120 });
  jobs.register(REGISTRY_JOBS.expirySweep, async () => {
    await registry.expirySweep();
  }, { retryLimit: 2 });
}

/** After jobs.start(): the cron schedules (UTC). */
export async function scheduleRegistryJobs(jobs: JobQueue): Promise<void> {
  await jobs.schedule(REGISTRY_JOBS.recheckSweep, "7 * * * *");
  await jobs.schedule(REGISTRY_JOBS.expirySweep, "23 2 * * *");
}
