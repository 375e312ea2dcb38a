// Scanner jobs: another door into the scanner platform service. Each is idempotent.
//   scanner.sweep (hourly)   syncs watched origins with the registry, queues every due origin
//                            (singletonKey origin:due-time, so a repeated sweep queues nothing);
//   scanner.scan  (per scan) runs one scan; a finished scan is not run again; after the last
//                            retry the scan is `failed` with its error (API and audit trail).
import type { JobQueue } from "../../platform/jobs/queue.ts";
import { SCAN_JOB, type ScannerPlatform } from "./scanner.platform.ts";

export const SCANNER_JOBS = { sweep: "scanner.sweep", scan: SCAN_JOB } as const;

function parseScan(data: unknown): { scanId: string } {
  if (typeof data === "object" && data !== null && "scanId" in data && typeof data.scanId === "string" && /^[0-9a-f-]{36}$/.test(data.scanId)) return { scanId: data.scanId };
  throw new Error("scanner.scan: payload needs a scanId");
}

export function registerScannerJobs(jobs: JobQueue, scanner: ScannerPlatform): void {
  jobs.register(SCANNER_JOBS.sweep, async () => {
    await scanner.sweep();
  }, { retryLimit: 2 });
  jobs.register(SCANNER_JOBS.scan, async (data, ctx) => {
    await scanner.runScan(data.scanId, { lastAttempt: ctx.lastAttempt });
  }, { parse: parseScan, retryLimit: 2, retryDelaySeconds: 120, concurrency: 4, timeoutSeconds: 180 });
}

/** After jobs.start(): the sweep's cron (UTC). The cadence itself is per origin (settings, cadenceDays). */
export async function scheduleScannerJobs(jobs: JobQueue): Promise<void> {
  await jobs.schedule(SCANNER_JOBS.sweep, "41 * * * *");
}
