// The durable job queue every module uses: a small interface over pg-boss 12, on the same
// database as everything else. On PostgreSQL pg-boss keeps its own small connection pool; on
// PGlite (one in-process connection) its SQL goes through our Database (see pglite-adapter.ts).
// pg-boss installs and migrates its own schema (`pgboss`) at start.
//
// Semantics the modules can rely on (docs/jobs.md has the operator's view):
// - a job is stored before send() resolves, so a crash or restart loses nothing;
// - send(..., { tx }) stores the job in the caller's transaction: it exists iff the change commits;
// - a handler that throws is retried (retryLimit times, fixed or exponential delay) and then
//   ends in the `failed` state with its error, visible through failed(name);
// - singletonKey makes a send idempotent: one job per (queue, key) for as long as that job is
//   kept (completed and failed jobs are kept for `keepDays`), later sends return null.
import { createHash } from "node:crypto";
import { sql } from "drizzle-orm";
import { fromDrizzle, PgBoss, type ConstructorOptions, type Db as PgBossDb, type DrizzleTransactionLike, type JobWithMetadata } from "pg-boss";
import type { Logger } from "pino";
import type { Database, Db } from "../db/database.ts";
import { databaseExecutor } from "./pglite-adapter.ts";

export interface JobContext {
  /** pg-boss job id */
  id: string;
  /** 0 on the first run, then 1, 2, … on retries */
  attempt: number;
  /** no retry follows if this attempt fails (the job will be `failed`) */
  lastAttempt: boolean;
  /** aborted when the job expires or the queue stops without waiting */
  signal: AbortSignal;
}

/** Does the work of one job. Throw to fail the attempt (it is retried while retries remain). */
export type JobHandler<T> = (data: T, context: JobContext) => Promise<void> | void;

export interface RegisterOptions<T> {
  /** retries after the first attempt before the job is `failed` (default 3) */
  retryLimit?: number;
  /** delay before a retry, in whole seconds (default 30) */
  retryDelaySeconds?: number;
  /** double the delay on each retry, with jitter (default true) */
  retryBackoff?: boolean;
  /** upper bound of a backed-off delay, in seconds (default 1 hour) */
  retryDelayMaxSeconds?: number;
  /** jobs of this queue run at once in this process (default 1) */
  concurrency?: number;
  /** an attempt running longer than this is failed and retried (default 15 minutes) */
  timeoutSeconds?: number;
  /** how often an idle worker looks for new jobs (default 2 s; minimum 0.5 s) */
  pollSeconds?: number;
  /** checks the payload before the handler sees it; a payload it rejects fails the job */
  parse?: (data: unknown) => T;
  /**
   * a sweep: start() schedules an empty job on this cron expression (UTC, missed: "once"), as
   * schedule(name, cron) would, so a module can declare its sweep when it registers the queue
   */
  cron?: string;
}

export interface SendOptions {
  /** at most one job per (queue, key) while that job is kept; a repeated send returns null */
  singletonKey?: string;
  /** not before this time */
  startAfter?: Date;
  /**
   * store the job in this transaction (a Drizzle transaction handle). Inside a transaction always
   * pass it: on PGlite (one connection) a send without it waits for the open transaction to end,
   * which is waiting for the send.
   */
  tx?: Db;
}

export interface QueueStats {
  name: string;
  /** waiting to run (created or retry), including deferred ones */
  queued: number;
  active: number;
  completed: number;
  failed: number;
  cancelled: number;
}

/** pg-boss's job states: waiting (created, retry), running (active), finished (the other three). */
export type JobState = "created" | "retry" | "active" | "completed" | "cancelled" | "failed";
export const finishedJobStates: ReadonlySet<JobState> = new Set(["completed", "cancelled", "failed"]);

/** The job a singletonKey names (see SendOptions), as keyed() finds it. */
export interface KeyedJob {
  id: string;
  key: string;
  state: JobState;
  /** what the last failed attempt threw ({ name, message, stack }), or pg-boss's reason (a timeout); null if none failed */
  error: unknown;
  /** attempts begun: 1 + retries, once it has run */
  attempts: number;
}

export interface FailedJob {
  id: string;
  name: string;
  data: unknown;
  /** what the last attempt threw: { name, message, stack } */
  error: unknown;
  attempts: number;
  createdAt: Date;
  failedAt: Date | null;
}

export interface JobQueue {
  /** Declares a queue and its handler. Call before start(). */
  register<T>(name: string, handler: JobHandler<T>, options?: RegisterOptions<T>): void;
  /** Stores a job; resolves to its id, or null when singletonKey matched a job already there. */
  send(name: string, data: object, options?: SendOptions): Promise<string | null>;
  /**
   * Sends `data` to `name` on a cron expression (5 fields, or 6 with seconds; at most one job a
   * minute), UTC. One schedule per (name, key). `missed` (default "once"): when no process ran the
   * timekeeper at an occurrence (every process down, a deploy), the latest missed occurrence is sent
   * once at the next start; "skip" drops it.
   */
  schedule(name: string, cron: string, data?: object, options?: { key?: string; tz?: string; missed?: "once" | "skip" }): Promise<void>;
  unschedule(name: string, key?: string): Promise<void>;
  /** Installs or migrates pg-boss's schema, creates the registered queues, and (if working) starts the workers. */
  start(): Promise<void>;
  /** Stops taking jobs, waits up to `timeoutMs` for running ones, then closes pg-boss's connections. */
  stop(timeoutMs?: number): Promise<void>;
  /** Counts per registered queue, read fresh from the job table. */
  stats(): Promise<QueueStats[]>;
  /** The newest failed jobs of a queue. */
  failed(name: string, limit?: number): Promise<FailedJob[]>;
  /** Gives a failed job one more attempt (operator action). */
  retry(name: string, id: string): Promise<void>;
  /**
   * The kept job of each singletonKey in a queue, read fresh (in `tx` when given). A key is absent
   * when its job is gone: never sent, or deleted `keepDays` after it finished.
   */
  keyed(name: string, keys: readonly string[], options?: { tx?: Db }): Promise<Map<string, KeyedJob>>;
  /**
   * Sends keyed jobs anew (in `tx` when given): a key whose job finished (completed, failed or
   * cancelled) or is gone gets a fresh job with the queue's full retries, under the same id; a key
   * whose job is still waiting or running is left alone. Resolves to the keys sent.
   */
  resend(name: string, jobs: readonly { singletonKey: string; data: object }[], options?: { tx?: Db }): Promise<string[]>;
  /** Names of registered queues. */
  readonly names: readonly string[];
}

export interface JobQueueOptions {
  database: Database;
  /** the postgres:// URL of `database`, required on PostgreSQL (pg-boss opens its own pool) */
  connectionString?: string | undefined;
  logger: Logger;
  /** run handlers in this process (the `worker` command and the embedded default); false = send only */
  work: boolean;
  /** run the cron timekeeper in this process (default: same as `work`) */
  schedule?: boolean;
  /** how long completed and failed jobs are kept (default 14 days) */
  keepDays?: number;
  /** how often the cron timekeeper looks for due schedules, in seconds (1–45, default 30) */
  cronPollSeconds?: number;
  /** pool size of pg-boss's own PostgreSQL connections (default 4) */
  poolSize?: number;
}

interface Registration {
  name: string;
  handler: JobHandler<unknown>;
  options: RegisterOptions<unknown>;
}

/** pg-boss's schema; every ectrust process on a database shares it. */
export const JOBS_SCHEMA = "pgboss";

const NAME = /^[a-z][a-z0-9]*(?:[._-][a-z0-9]+)*$/;

export function createJobQueue(options: JobQueueOptions): JobQueue {
  const { database, logger } = options;
  const log = logger.child({ component: "jobs" });
  const registrations = new Map<string, Registration>();
  const keepSeconds = Math.round((options.keepDays ?? 14) * 24 * 3600);
  const schedule = options.schedule ?? options.work;
  let state: "new" | "starting" | "started" | "stopped" = "new";

  const common: ConstructorOptions = {
    schema: JOBS_SCHEMA,
    schedule,
    supervise: true,
    migrate: true,
    cronMonitorIntervalSeconds: options.cronPollSeconds ?? 30,
    cronWorkerIntervalSeconds: Math.min(5, options.cronPollSeconds ?? 5),
    instanceName: options.work ? "ectrust-worker" : "ectrust-api",
    openTelemetry: { enabled: false },
  };
  let boss: PgBoss;
  if (database.engine === "pglite") {
    boss = new PgBoss({ ...common, backend: "pglite", db: databaseExecutor(database) });
  } else {
    if (!options.connectionString) throw new Error("createJobQueue: connectionString is required on PostgreSQL");
    boss = new PgBoss({ ...common, connectionString: options.connectionString, max: options.poolSize ?? 4, application_name: "ectrust-jobs" });
  }
  boss.on("error", (error) => {
    log.error({ err: error }, "job queue error");
  });
  boss.on("warning", (warning) => {
    log.warn({ warning: warning.data }, warning.message);
  });

  function assertName(name: string): void {
    if (!NAME.test(name) || name.length > 50) throw new Error(`job queue name "${name}" must be lower-case words joined by . _ or - (max 50)`);
  }

  function requireStarted(what: string): void {
    if (state !== "started") throw new Error(`job queue: ${what} before start()`);
  }

  async function work(reg: Registration): Promise<void> {
    const concurrency = reg.options.concurrency ?? 1;
    await boss.work(
      reg.name,
      { batchSize: 1, localConcurrency: concurrency, pollingIntervalSeconds: reg.options.pollSeconds ?? 2, includeMetadata: true },
      async (jobs: JobWithMetadata<unknown>[]) => {
        for (const job of jobs) {
          const started = Date.now();
          const jobLog = log.child({ queue: reg.name, jobId: job.id, attempt: job.retryCount });
          try {
            const data = reg.options.parse ? reg.options.parse(job.data) : job.data;
            await reg.handler(data, { id: job.id, attempt: job.retryCount, lastAttempt: job.retryCount >= job.retryLimit, signal: job.signal });
            jobLog.debug({ ms: Date.now() - started }, "job completed");
          } catch (thrown) {
            // pg-boss records what was thrown as the job's error; `throw undefined` would leave the
            // operator's failed-jobs view with nothing to read.
            const error = thrown instanceof Error ? thrown : new Error(`job handler threw a non-Error value: ${describeThrown(thrown)}`, { cause: thrown });
            jobLog.warn({ err: error, ms: Date.now() - started }, "job attempt failed");
            throw error;
          }
        }
      },
    );
  }

  /** pg-boss's schema, the registered queues with their options, and (if working) the workers. */
  async function startBoss(): Promise<void> {
    await boss.start();
    for (const reg of registrations.values()) {
      const o = reg.options;
      const backoff = o.retryBackoff ?? true;
      const queueOptions = {
        retryLimit: o.retryLimit ?? 3,
        retryDelay: o.retryDelaySeconds ?? 30,
        retryBackoff: backoff,
        // pg-boss refuses a ceiling without backoff (and start() with it)
        ...(backoff ? { retryDelayMax: o.retryDelayMaxSeconds ?? 3600 } : {}),
        expireInSeconds: o.timeoutSeconds ?? 900,
        deleteAfterSeconds: keepSeconds,
        retentionSeconds: keepSeconds,
      };
      // createQueue is a no-op for an existing queue; updateQueue brings its options up to date.
      await boss.createQueue(reg.name, queueOptions);
      await boss.updateQueue(reg.name, queueOptions);
      // (stored in the database: any process may write it, the timekeepers send it)
      if (o.cron) await boss.schedule(reg.name, o.cron, {}, { tz: "UTC", missed: "once" });
    }
    if (options.work) {
      for (const reg of registrations.values()) await work(reg);
    }
  }

  /** pg-boss's `db` option: the caller's Drizzle transaction, or (none) pg-boss's own connection. */
  const inTx = (tx: Db | undefined): { db?: PgBossDb } => (tx ? { db: fromDrizzle(tx as unknown as DrizzleTransactionLike, sql) } : {});

  async function keyed(name: string, keys: readonly string[], opts: { tx?: Db } = {}): Promise<Map<string, KeyedJob>> {
    requireStarted("keyed()");
    const byId = new Map(keys.map((key) => [singletonId(name, key), key]));
    const found = new Map<string, KeyedJob>();
    if (byId.size === 0) return found;
    const text = `select id::text as id, state::text as state, output, retry_count from ${JOBS_SCHEMA}.job where name = $1 and id = any($2::uuid[])`;
    const params = [name, [...byId.keys()]];
    type Row = { id: string; state: JobState; output: unknown; retry_count: number };
    const tx = inTx(opts.tx).db;
    const rows = tx ? ((await tx.executeSql(text, params)).rows as Row[]) : (await database.query<Row>(text, params)).rows;
    for (const r of rows) {
      const key = byId.get(r.id);
      if (key !== undefined) found.set(key, { id: r.id, key, state: r.state, error: r.output ?? null, attempts: r.retry_count + 1 });
    }
    return found;
  }

  return {
    get names() {
      return [...registrations.keys()];
    },

    register<T>(name: string, handler: JobHandler<T>, opts: RegisterOptions<T> = {}) {
      assertName(name);
      if (state !== "new") throw new Error(`job queue: register("${name}") after start()`);
      if (registrations.has(name)) throw new Error(`job queue: "${name}" is registered twice`);
      registrations.set(name, { name, handler: handler as JobHandler<unknown>, options: opts });
    },

    async send(name, data, opts = {}) {
      requireStarted(`send("${name}")`);
      if (!registrations.has(name)) throw new Error(`job queue: "${name}" is not registered`);
      return boss.send(name, data, {
        ...(opts.singletonKey === undefined ? {} : { id: singletonId(name, opts.singletonKey), singletonKey: opts.singletonKey }),
        ...(opts.startAfter ? { startAfter: opts.startAfter } : {}),
        ...inTx(opts.tx),
      });
    },

    async schedule(name, cron, data = {}, opts = {}) {
      requireStarted(`schedule("${name}")`);
      if (!registrations.has(name)) throw new Error(`job queue: "${name}" is not registered`);
      // "once": our schedules are sweeps that look for what is due, so after downtime one catch-up
      // run is right; pg-boss's own default ("skip") would drop a daily sweep for a whole day.
      await boss.schedule(name, cron, data, { tz: opts.tz ?? "UTC", missed: opts.missed ?? "once", ...(opts.key ? { key: opts.key } : {}) });
    },

    async unschedule(name, key) {
      requireStarted(`unschedule("${name}")`);
      await boss.unschedule(name, key);
    },

    async start() {
      if (state !== "new") throw new Error("job queue: start() called twice");
      state = "starting";
      try {
        await startBoss();
      } catch (error) {
        // Leave nothing running behind a failed start: pg-boss's timers and pool would keep the
        // process alive and polling with a half-configured queue.
        state = "stopped";
        await boss.stop({ graceful: false, close: true }).catch(() => undefined);
        throw error;
      }
      state = "started";
      log.info({ queues: [...registrations.keys()], working: options.work, engine: database.engine }, "job queue started");
    },

    async stop(timeoutMs = 10_000) {
      if (state === "stopped" || state === "new") {
        state = "stopped";
        return;
      }
      state = "stopped";
      await boss.stop({ graceful: true, timeout: timeoutMs, close: true });
      log.info("job queue stopped");
    },

    async stats() {
      requireStarted("stats()");
      const names = [...registrations.keys()];
      const { rows } = await database.query<{ name: string; state: string; n: string }>(
        `select name, state::text as state, count(*)::text as n from ${JOBS_SCHEMA}.job where name = any($1::text[]) group by name, state`,
        [names],
      );
      return names.map((name) => {
        const count = (s: string): number => Number(rows.find((r) => r.name === name && r.state === s)?.n ?? 0);
        return { name, queued: count("created") + count("retry"), active: count("active"), completed: count("completed"), failed: count("failed"), cancelled: count("cancelled") };
      });
    },

    async retry(name, id) {
      requireStarted("retry()");
      await boss.retry(name, id);
    },

    keyed,

    async resend(name, items, opts = {}) {
      requireStarted(`resend("${name}")`);
      if (!registrations.has(name)) throw new Error(`job queue: "${name}" is not registered`);
      const unique = [...new Map(items.map((i) => [i.singletonKey, i])).values()];
      const found = await keyed(name, unique.map((i) => i.singletonKey), opts);
      const due = unique.filter((i) => {
        const job = found.get(i.singletonKey);
        return !job || finishedJobStates.has(job.state);
      });
      if (due.length === 0) return [];
      const finished = due.flatMap((i) => found.get(i.singletonKey)?.id ?? []);
      // The finished job keeps its key's id (and so the key) until deleted; then the same id is free.
      if (finished.length > 0) await boss.deleteJob(name, finished, inTx(opts.tx));
      await boss.insert(name, due.map((i) => ({ id: singletonId(name, i.singletonKey), singletonKey: i.singletonKey, data: i.data })), inTx(opts.tx));
      return due.map((i) => i.singletonKey);
    },

    async failed(name, limit = 50) {
      requireStarted("failed()");
      const { rows } = await database.query<{ id: string; name: string; data: unknown; output: unknown; retry_count: number; created_on: Date; completed_on: Date | null }>(
        `select id, name, data, output, retry_count, created_on, completed_on from ${JOBS_SCHEMA}.job
          where name = $1 and state = 'failed' order by completed_on desc nulls last, id limit $2`,
        [name, Math.max(1, Math.min(limit, 1000))],
      );
      return rows.map((r) => ({
        id: r.id,
        name: r.name,
        data: r.data,
        error: r.output,
        attempts: r.retry_count + 1,
        createdAt: new Date(r.created_on),
        failedAt: r.completed_on ? new Date(r.completed_on) : null,
      }));
    },
  };
}

function describeThrown(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value.slice(0, 500));
  if (value === null || typeof value !== "object") return String(value);
  try {
    return JSON.stringify(value).slice(0, 500); // (undefined from a toJSON lands in the catch)
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/** A job id derived from (queue, key): pg-boss inserts with ON CONFLICT DO NOTHING, so a second send is a no-op. */
export function singletonId(name: string, key: string): string {
  const h = createHash("sha256").update("ectrust.job.singleton\0").update(name).update("\0").update(key).digest();
  // RFC 9562 UUIDv8 (custom): set the version and variant bits.
  h[6] = ((h[6] ?? 0) & 0x0f) | 0x80;
  h[8] = ((h[8] ?? 0) & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
