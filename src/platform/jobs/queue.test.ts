import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { pino } from "pino";
import { testDatabase, type TestDatabase } from "../testing/db.ts";
import { createJobQueue, JOBS_SCHEMA, singletonId, type JobQueue } from "./queue.ts";

const logger = pino({ level: "silent" });
let database: TestDatabase;
let queue: JobQueue;

const seen = { echo: [] as unknown[], tick: 0, failTimes: [] as number[], once: 0, tx: [] as unknown[], daily: 0, keyed: [] as string[], keyedFails: true };

before(async () => {
  database = await testDatabase();
  queue = createJobQueue({ database, connectionString: database.url, logger, work: true, cronPollSeconds: 1 });
  queue.register<{ n: number }>("test.echo", (data) => { seen.echo.push(data); }, { pollSeconds: 0.5 });
  queue.register("test.fail", () => {
    seen.failTimes.push(Date.now());
    throw new Error("smtp said no");
  }, { retryLimit: 2, retryDelaySeconds: 1, retryBackoff: true, retryDelayMaxSeconds: 2, pollSeconds: 0.5 });
  queue.register("test.tick", () => { seen.tick++; }, { pollSeconds: 0.5 });
  queue.register("test.daily", () => { seen.daily++; }, { pollSeconds: 0.5 });
  queue.register("test.once", () => { seen.once++; }, { pollSeconds: 0.5 });
  queue.register("test.tx", (data) => { seen.tx.push(data); }, { pollSeconds: 0.5 });
  queue.register<{ k: string }>("test.keyed", ({ k }) => {
    seen.keyed.push(k);
    if (seen.keyedFails) throw new Error(`no luck for ${k}`);
  }, { retryLimit: 0, pollSeconds: 0.5 });
  queue.register("test.swept", () => undefined, { cron: "17 3 * * *" });
  queue.register("test.parse", () => undefined, {
    retryLimit: 0,
    pollSeconds: 0.5,
    parse: (data) => {
      if (typeof data !== "object" || data === null || !("ok" in data)) throw new Error("bad payload");
      return data;
    },
  });
  await queue.start();
});

after(async () => {
  await queue.stop();
  await database.close();
});

async function until(what: string, check: () => boolean | Promise<boolean>, ms = 8000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`timed out waiting for ${what}`);
}

test("a sent job runs with its data", async () => {
  const id = await queue.send("test.echo", { n: 1 });
  assert.ok(id);
  await until("echo job", () => seen.echo.length === 1);
  assert.deepEqual(seen.echo[0], { n: 1 });
  await until("completed count", async () => (await queue.stats()).find((s) => s.name === "test.echo")?.completed === 1);
});

test("a failing job is retried with growing delays and ends failed, with its error", async () => {
  const id = await queue.send("test.fail", { to: "x" });
  assert.ok(id);
  await until("failed state", async () => (await queue.failed("test.fail")).length === 1, 9000);
  assert.equal(seen.failTimes.length, 3, "first attempt + retryLimit 2");
  const [a, b, c] = seen.failTimes as [number, number, number];
  assert.ok(b - a >= 900, `first retry waited ${b - a} ms, at least retryDelay`);
  assert.ok(c - b >= 1900, `second retry waited ${c - b} ms: backed off to retryDelay × 2`);
  const failed = (await queue.failed("test.fail"))[0];
  assert.ok(failed);
  assert.equal(failed.id, id);
  assert.equal(failed.attempts, 3);
  assert.deepEqual(failed.data, { to: "x" });
  assert.match(JSON.stringify(failed.error), /smtp said no/);
  const stats = (await queue.stats()).find((s) => s.name === "test.fail");
  assert.deepEqual({ failed: stats?.failed, queued: stats?.queued, active: stats?.active }, { failed: 1, queued: 0, active: 0 });

  // an operator gives it one more attempt
  await queue.retry("test.fail", id);
  await until("the operator's retry", async () => seen.failTimes.length === 4 && (await queue.failed("test.fail")).length === 1);
});

test("a payload the parser rejects fails the job instead of reaching the handler", async () => {
  await queue.send("test.parse", { nope: true });
  await until("parse failure", async () => (await queue.failed("test.parse")).length === 1);
  assert.match(JSON.stringify((await queue.failed("test.parse"))[0]?.error), /bad payload/);
});

test("a cron schedule fires", async () => {
  await queue.schedule("test.tick", "* * * * * *", { from: "cron" });
  await until("scheduled job", () => seen.tick >= 1, 9000);
  await queue.unschedule("test.tick");
});

test("an occurrence missed while no process ran (downtime, a deploy) is sent once at the next pass", async () => {
  // daily, at an hour far from now, so that no occurrence is due during the test itself
  const hour = (new Date().getUTCHours() + 12) % 24;
  await queue.schedule("test.daily", `23 ${hour} * * *`);
  // as if every process had stopped 25 hours ago: the schedule existed, and no timekeeper pass ran since
  await database.query(`update ${JOBS_SCHEMA}.schedule set created_on = now() - interval '3 days' where name = 'test.daily'`);
  await database.query(`update ${JOBS_SCHEMA}.version set cron_on = now() - interval '25 hours'`);
  await until("the missed daily run", () => seen.daily === 1, 9000);
  await new Promise((r) => setTimeout(r, 1500)); // a pass a second (cronPollSeconds: 1)
  assert.equal(seen.daily, 1, "one catch-up run, and nothing more from the passes that follow");
  await queue.unschedule("test.daily");
});

test("a queue registered with a cron is scheduled by start(), in UTC", async () => {
  const { rows } = await database.query<{ cron: string; timezone: string }>(`select cron, timezone from ${JOBS_SCHEMA}.schedule where name = 'test.swept'`);
  assert.deepEqual(rows, [{ cron: "17 3 * * *", timezone: "UTC" }]);
});

test("keyed() finds a key's job and resend() gives a finished or missing one a fresh job, in the caller's transaction", async () => {
  const state = async (k: string) => (await queue.keyed("test.keyed", [k])).get(k)?.state;
  assert.equal((await queue.keyed("test.keyed", ["k0"])).size, 0, "never sent: absent");
  await queue.send("test.keyed", { k: "k1" }, { singletonKey: "k1" });
  await until("k1 failed", async () => (await state("k1")) === "failed");
  const failed = (await queue.keyed("test.keyed", ["k1"])).get("k1");
  assert.ok(failed);
  assert.equal(failed.id, singletonId("test.keyed", "k1"));
  assert.equal(failed.attempts, 1);
  assert.match(JSON.stringify(failed.error), /no luck for k1/);

  // a rolled-back transaction leaves the failed job as it was
  await assert.rejects(
    database.db.transaction(async (tx) => {
      assert.deepEqual(await queue.resend("test.keyed", [{ singletonKey: "k1", data: { k: "k1" } }], { tx }), ["k1"]);
      throw new Error("abort");
    }),
    /abort/,
  );
  assert.equal(await state("k1"), "failed");

  // a job still waiting is left alone; the failed one and the never-sent one are sent, under their keys' ids
  await queue.send("test.keyed", { k: "k3" }, { singletonKey: "k3", startAfter: new Date(Date.now() + 3600_000) });
  seen.keyedFails = false;
  const sent = await database.db.transaction((tx) =>
    queue.resend("test.keyed", [{ singletonKey: "k1", data: { k: "k1" } }, { singletonKey: "k2", data: { k: "k2" } }, { singletonKey: "k3", data: { k: "k3 again" } }], { tx }),
  );
  assert.deepEqual(sent, ["k1", "k2"]);
  await until("k1 and k2 completed", async () => (await state("k1")) === "completed" && (await state("k2")) === "completed");
  assert.equal((await queue.keyed("test.keyed", ["k2"])).get("k2")?.id, singletonId("test.keyed", "k2"));
  assert.equal(await state("k3"), "created");
  assert.deepEqual(seen.keyed.sort(), ["k1", "k1", "k2"]);
  assert.equal(await queue.send("test.keyed", { k: "k1" }, { singletonKey: "k1" }), null, "the key still holds");
});

test("a queue without backoff starts, retries at its fixed delay, and a non-Error throw is recorded readably", async () => {
  let runs = 0;
  const q = createJobQueue({ database, connectionString: database.url, logger, work: true });
  q.register("test.fixed", () => {
    runs++;
    // eslint-disable-next-line @typescript-eslint/only-throw-error -- what a careless handler does
    throw undefined;
  }, { retryLimit: 1, retryDelaySeconds: 1, retryBackoff: false, pollSeconds: 0.5 });
  await q.start();
  try {
    const id = await q.send("test.fixed", {});
    await until("fixed-delay job failed", async () => (await q.failed("test.fixed")).length === 1);
    assert.equal(runs, 2, "first attempt + retryLimit 1");
    const failed = (await q.failed("test.fixed"))[0];
    assert.ok(failed);
    assert.equal(failed.id, id);
    assert.match(JSON.stringify(failed.error), /non-Error value: undefined/);
  } finally {
    await q.stop();
  }
});

test("a start that fails leaves nothing running behind it", async () => {
  let calls = 0;
  const counting: TestDatabase = {
    ...database,
    query: (text, params) => { calls++; return database.query(text, params); },
    exec: (text) => { calls++; return database.exec(text); },
  };
  // on PostgreSQL pg-boss has its own pool: this name (the URL's wins) tells its connections apart
  const url = database.url === undefined ? undefined : `${database.url}${database.url.includes("?") ? "&" : "?"}application_name=ectrust-failed-start`;
  const q = createJobQueue({ database: counting, connectionString: url, logger, work: true, cronPollSeconds: 1 });
  q.register("test.bad", () => undefined, { retryDelaySeconds: 0.5, pollSeconds: 0.5 });
  await assert.rejects(q.start(), /retryDelay/);
  const activity = async (): Promise<number> =>
    database.engine === "pglite"
      ? calls
      : Number((await database.query<{ n: string }>("select count(*)::text as n from pg_stat_activity where application_name = 'ectrust-failed-start'")).rows[0]?.n);
  const after = await activity();
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal(await activity(), database.engine === "pglite" ? after : 0, "pg-boss still polls, or holds connections");
  await q.stop();
});

test("singletonKey makes a send idempotent", async () => {
  const first = await queue.send("test.once", { k: 1 }, { singletonKey: "outbox:42" });
  const second = await queue.send("test.once", { k: 2 }, { singletonKey: "outbox:42" });
  assert.equal(first, singletonId("test.once", "outbox:42"));
  assert.equal(second, null);
  await until("singleton job", () => seen.once === 1);
  assert.equal(await queue.send("test.once", { k: 3 }, { singletonKey: "outbox:42" }), null, "still a no-op after it ran");
  await new Promise((r) => setTimeout(r, 1200));
  assert.equal(seen.once, 1);
  // another key in the same queue, and the same key in another queue, are different jobs
  assert.notEqual(singletonId("test.once", "outbox:43"), singletonId("test.once", "outbox:42"));
  assert.notEqual(singletonId("test.echo", "outbox:42"), singletonId("test.once", "outbox:42"));
});

test("a job sent in a transaction exists only if the transaction commits", async () => {
  await assert.rejects(
    database.db.transaction(async (tx) => {
      await queue.send("test.tx", { v: "rolled back" }, { tx });
      throw new Error("abort");
    }),
    /abort/,
  );
  await database.db.transaction(async (tx) => {
    await queue.send("test.tx", { v: "committed" }, { tx });
  });
  await until("committed tx job", () => seen.tx.length === 1);
  await new Promise((r) => setTimeout(r, 1000));
  assert.deepEqual(seen.tx, [{ v: "committed" }]);
});

test("jobs queued before a restart are worked by the next queue on the same database", async () => {
  const sender = createJobQueue({ database, connectionString: database.url, logger, work: false });
  sender.register("test.restart", () => {
    throw new Error("the sender does not work jobs");
  });
  await sender.start();
  for (let i = 0; i < 3; i++) await sender.send("test.restart", { i });
  await sender.stop();

  const got: number[] = [];
  const worker = createJobQueue({ database, connectionString: database.url, logger, work: true });
  worker.register<{ i: number }>("test.restart", ({ i }) => { got.push(i); }, { pollSeconds: 0.5, concurrency: 2 });
  await worker.start();
  try {
    await until("restart jobs", () => got.length === 3);
    assert.deepEqual(got.sort(), [0, 1, 2]);
  } finally {
    await worker.stop();
  }
});

test("misuse is refused loudly", async () => {
  await assert.rejects(queue.send("test.unknown", {}), /not registered/);
  assert.throws(() => { queue.register("test.late", () => undefined); }, /after start/);
  const q = createJobQueue({ database, connectionString: database.url, logger, work: false });
  assert.throws(() => { q.register("Bad Name!", () => undefined); }, /lower-case/);
  await assert.rejects(q.send("x", {}), /before start/);
});

test("stop() lets a running job finish and records it as completed", async () => {
  let finished = false;
  let started = false;
  const q = createJobQueue({ database, connectionString: database.url, logger, work: true });
  q.register("test.slow", async () => {
    started = true;
    await new Promise((r) => setTimeout(r, 700));
    finished = true;
  }, { pollSeconds: 0.5 });
  await q.start();
  const id = await q.send("test.slow", {});
  await until("slow job started", () => started);
  await q.stop(5000);
  assert.equal(finished, true, "stop waited for the handler");
  const { rows } = await database.query<{ state: string }>("select state::text as state from pgboss.job where id = $1", [id]);
  assert.equal(rows[0]?.state, "completed");
});
