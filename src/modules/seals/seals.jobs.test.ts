// The seals jobs' doors: the identity and origin-removal listeners queue a sync inside the
// registry's transaction, payloads are checked, and the handlers call the service.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Db } from "../../platform/db/database.ts";
import type { JobHandler, JobQueue, RegisterOptions } from "../../platform/jobs/queue.ts";
import { registerSealsJobs, sealsIdentityListener, SEALS_JOBS } from "./seals.jobs.ts";
import type { SealsService } from "./seals.service.ts";

test("identity listener queues seals.sync-shop in the transaction; handlers call the service", async () => {
  const sent: { name: string; data: object; tx: unknown }[] = [];
  const tx = Object.create(null) as Db;
  await sealsIdentityListener({ send: (name, data, o) => { sent.push({ name, data, tx: o?.tx }); return Promise.resolve("1"); } })({ shopId: "0b5c1a6e-0000-4000-8000-000000000001", tx });
  assert.deepEqual(sent, [{ name: SEALS_JOBS.syncShop, data: { shopId: "0b5c1a6e-0000-4000-8000-000000000001" }, tx }]);

  const handlers = new Map<string, { h: JobHandler<unknown>; o: RegisterOptions<unknown> | undefined }>();
  const jobs = { register: (name: string, h: JobHandler<unknown>, o?: RegisterOptions<unknown>) => handlers.set(name, { h, o }) } as unknown as JobQueue;
  const calls: string[] = [];
  const originListeners: ((c: { shopId: string; tx: Db }) => Promise<void>)[] = [];
  const seals = {
    onOriginRemoved: (l: (c: { shopId: string; tx: Db }) => Promise<void>) => { originListeners.push(l); },
    init: () => { calls.push("init"); return Promise.resolve(); },
    syncShop: (id: string) => { calls.push(`sync ${id}`); return Promise.resolve({}); },
    resignStatusLists: () => { calls.push("resign"); return Promise.resolve(); },
    shopsWithCredentials: () => Promise.resolve(["a", "b"]),
    publishAll: () => { calls.push("publish"); return Promise.resolve(); },
    hourly: () => { calls.push("hourly"); return Promise.resolve({ anchor: undefined, shops: 0 }); },
  } as unknown as SealsService;
  registerSealsJobs(jobs, seals);
  const sync = handlers.get(SEALS_JOBS.syncShop);
  assert.ok(sync?.o?.parse);
  assert.throws(() => sync.o?.parse?.({ shopId: "../x" }));
  const ctx = {} as Parameters<JobHandler<unknown>>[1];
  await sync.h(sync.o.parse({ shopId: "0b5c1a6e-0000-4000-8000-000000000001" }), ctx);
  await handlers.get(SEALS_JOBS.hourly)?.h({}, ctx);
  assert.deepEqual(calls, ["init", "sync 0b5c1a6e-0000-4000-8000-000000000001", "hourly"]);
  // and the registry's origin removals queue the same sync, in the removal's transaction
  assert.equal(originListeners.length, 1);
  const removals: { name: string; data: object; tx: unknown }[] = [];
  const queued = { register: () => undefined, send: (name: string, data: object, o?: { tx?: Db }) => { removals.push({ name, data, tx: o?.tx }); return Promise.resolve("2"); } } as unknown as JobQueue;
  originListeners.length = 0;
  registerSealsJobs(queued, seals);
  await originListeners[0]?.({ shopId: "0b5c1a6e-0000-4000-8000-000000000002", tx });
  assert.deepEqual(removals, [{ name: SEALS_JOBS.syncShop, data: { shopId: "0b5c1a6e-0000-4000-8000-000000000002" }, tx }]);
});
