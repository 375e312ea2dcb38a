// The scanner's jobs on the real queue (pg-boss on PGlite or PostgreSQL): the sweep job queues
// one scan per due origin, a worker runs it through the engine against a loopback site, and a
// repeated sweep queues nothing.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, test } from "node:test";
import { pino } from "pino";
import { systemClock } from "../../platform/clock.ts";
import { createJobQueue, type JobQueue } from "../../platform/jobs/queue.ts";
import { staticResolver } from "../../platform/net/resolver.ts";
import { testDatabase, type TestDatabase } from "../../platform/testing/db.ts";
import { createScannerFetcher } from "./scan.ts";
import { registerScannerJobs, SCANNER_JOBS } from "./scanner.jobs.ts";
import { createScannerPlatform, type ScannerPlatform } from "./scanner.platform.ts";
import { memoryScanTargets } from "./scanner.targets.ts";

const site = http.createServer((_req, res) => {
  res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end("<html><p>shop</p></html>");
});
let database: TestDatabase;
let queue: JobQueue;
let scanner: ScannerPlatform;
let origin = "";

before(async () => {
  await new Promise<void>((r) => site.listen(0, "127.0.0.1", r));
  const port = (site.address() as AddressInfo).port;
  origin = `http://127.0.0.1:${String(port)}`;
  database = await testDatabase();
  queue = createJobQueue({ database, connectionString: database.url, logger: pino({ level: "silent" }), work: true, cronPollSeconds: 1 });
  scanner = createScannerPlatform({
    db: database.db,
    clock: systemClock,
    fetcher: createScannerFetcher({ allowHosts: [`127.0.0.1:${String(port)}`], resolver: staticResolver({}) }),
    targets: memoryScanTargets([{ id: randomUUID(), orgId: randomUUID(), origins: [origin] }]),
    jobs: queue,
    mail: { enqueue: () => Promise.resolve() },
    publicUrl: "http://localhost:3000",
  });
  registerScannerJobs(queue, scanner);
  await queue.start();
});
after(async () => {
  await (queue as JobQueue | undefined)?.stop(2000);
  await (database as TestDatabase | undefined)?.close();
  site.close();
});

async function until<T>(what: string, f: () => Promise<T | null | undefined>, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== null && v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

test("sweep job → scan job → graded origin; a second sweep queues nothing", async () => {
  await queue.send(SCANNER_JOBS.sweep, {});
  const grade = await until("the scan", () => scanner.getLatestGrade({ origin }));
  assert.match(grade.grade, /^[A-F][+-]?$/);
  assert.deepEqual(await scanner.sweep(), { shops: 1, queued: 0 });
  // The grade is stored inside the job's handler; the queue marks the job completed only after the
  // handler returns, so wait for the queue to settle before counting.
  const scans = await until("the scan job to settle", async () => {
    const s = (await queue.stats()).find((x) => x.name === SCANNER_JOBS.scan);
    return s !== undefined && s.active === 0 && s.queued === 0 ? s : null;
  });
  assert.equal(scans.completed, 1, JSON.stringify(scans));
  assert.equal(scans.failed, 0);
});
