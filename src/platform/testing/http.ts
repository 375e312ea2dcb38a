// HTTP-tier test harness: the real Fastify app (createHttpApp) with the accounts routes on a
// fresh test database, driven through app.inject(). Mail enqueued by services is recorded, and so
// are the accounts jobs they send: `runJobs()` works them, as the queue's worker would.
import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import { pino } from "pino";
import { generateSync } from "otplib";
import { accountsRoutes } from "../../modules/accounts/accounts.routes.ts";
import { createAccountsService, type AccountsJobsPort, type AccountsService, type MailPort } from "../../modules/accounts/accounts.service.ts";
import { ACCOUNTS_JOBS, parseAccountLinkJob } from "../../modules/accounts/accounts.jobs.ts";
import type { OrgKind, Role } from "../auth/roles.ts";
import { FixedClock } from "../clock.ts";
import { loadConfig, type Config } from "../config.ts";
import { createHttpApp } from "../http/app.ts";
import { testDatabase, type TestDatabase } from "./db.ts";

export interface RecordedMail {
  to: string;
  template: string;
  locale: string;
  vars: Record<string, string>;
  orgId?: string | null | undefined;
}

export interface RecordedJob {
  name: string;
  data: object;
}

export interface TestApp {
  app: FastifyInstance;
  database: TestDatabase;
  accounts: AccountsService;
  clock: FixedClock;
  config: Config;
  mail: RecordedMail[];
  /** jobs sent and not yet worked */
  jobs: RecordedJob[];
  /** works the recorded jobs through the accounts service (accounts.jobs.ts), oldest first */
  runJobs(): Promise<void>;
  close(): Promise<void>;
}

export const TEST_PASSWORD = "correct-horse-battery-staple";

export async function buildTestApp(options: { register?: (app: FastifyInstance, t: Omit<TestApp, "app" | "close">) => Promise<void>; env?: Record<string, string> } = {}): Promise<TestApp> {
  const database = await testDatabase();
  const clock = new FixedClock("2026-03-01T09:00:00Z");
  const config = loadConfig({ PUBLIC_URL: "http://localhost:3000", LOG_LEVEL: "silent", DATA_DIR: "/nonexistent-test-dir", ...options.env });
  const mail: RecordedMail[] = [];
  const mailPort: MailPort = {
    enqueue: async (_tx, m) => {
      mail.push(m);
    },
  };
  const jobs: RecordedJob[] = [];
  const jobsPort: AccountsJobsPort = {
    send: async (name, data) => {
      jobs.push({ name, data });
      return null;
    },
  };
  const accounts = createAccountsService({
    db: database.db,
    clock,
    masterKey: Buffer.alloc(32, 7),
    mail: mailPort,
    jobs: jobsPort,
    publicUrl: config.publicUrl,
    sessionIdleMinutes: config.sessionIdleMinutes,
    sessionAbsoluteHours: config.sessionAbsoluteHours,
    argon: { memoryCost: 1024, timeCost: 1 },
  });
  const app = await createHttpApp({
    config,
    logger: pino({ level: "silent" }),
    engine: database.engine,
    version: "test",
    authenticator: { session: (t) => accounts.authenticateSession(t), apiToken: (t) => accounts.authenticateApiToken(t) },
    globalRateLimit: 100_000,
  });
  const runJobs = async (): Promise<void> => {
    for (let job = jobs.shift(); job; job = jobs.shift()) {
      if (job.name !== ACCOUNTS_JOBS.link) throw new Error(`the test app has no handler for the job "${job.name}"`);
      await accounts.sendAccountLink(parseAccountLinkJob(job.data));
    }
  };
  const partial = { database, accounts, clock, config, mail, jobs, runJobs };
  try {
    await app.register(accountsRoutes, { accounts, config, loginRateLimit: 1000 });
    if (options.register) await options.register(app, partial);
    await app.ready();
  } catch (e) {
    await database.close();
    throw e;
  }
  return {
    ...partial,
    app,
    async close() {
      await app.close();
      await database.close();
    },
  };
}

/**
 * A client signed in to the test app as `email` (password TEST_PASSWORD; `totp` the user's secret when
 * the role needs MFA). The clock moves on one TOTP step first: codes are single-use per step.
 */
export async function signedInClient(t: Pick<TestApp, "app" | "clock">, email: string, totp?: string): Promise<Client> {
  const c = new Client(t.app);
  t.clock.advance(31_000);
  await c.signIn(email, TEST_PASSWORD, totp, Math.floor(t.clock.now().getTime() / 1000));
  return c;
}

/** A cookie-jar client for one browser: keeps the session cookie and CSRF token. */
export class Client {
  cookie: string | undefined;
  csrf: string | undefined;
  private readonly app: FastifyInstance;
  constructor(app: FastifyInstance) {
    this.app = app;
  }

  async request(method: "GET" | "POST" | "PATCH" | "DELETE" | "PUT", url: string, body?: unknown, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    const h: Record<string, string> = { ...headers };
    if (this.cookie) h.cookie = this.cookie;
    if (this.csrf && method !== "GET" && h["x-csrf-token"] === undefined) h["x-csrf-token"] = this.csrf;
    const res = await this.app.inject({ method, url, headers: h, ...(body === undefined ? {} : typeof body === "string" ? { payload: body } : { payload: body as object }) });
    const set = res.cookies.find((c) => c.name.endsWith("ectrust_session"));
    if (set) this.cookie = set.value ? `${set.name}=${set.value}` : undefined;
    const json = safeJson(res.body);
    if (json && typeof json === "object" && "csrfToken" in json && typeof json.csrfToken === "string") this.csrf = json.csrfToken;
    return res;
  }

  get = (url: string, headers?: Record<string, string>) => this.request("GET", url, undefined, headers);
  post = (url: string, body?: unknown, headers?: Record<string, string>) => this.request("POST", url, body ?? {}, headers);
  patch = (url: string, body?: unknown) => this.request("PATCH", url, body ?? {});
  del = (url: string) => this.request("DELETE", url);

  /** Signs in with password and, when asked, the TOTP code for `totpSecret`. */
  async signIn(email: string, password = TEST_PASSWORD, totpSecret?: string, epochSeconds?: number): Promise<void> {
    const r = await this.post("/api/v1/auth/login", { email, password });
    if (r.statusCode !== 200) throw new Error(`sign-in failed: ${r.statusCode} ${r.body}`);
    const stage = (r.json<{ stage: string }>()).stage;
    if (stage === "mfa") {
      if (!totpSecret) throw new Error("MFA asked but no secret given");
      const code = generateSync({ secret: totpSecret, ...(epochSeconds === undefined ? {} : { epoch: epochSeconds }) });
      const m = await this.post("/api/v1/auth/mfa", { code });
      if (m.statusCode !== 200) throw new Error(`mfa failed: ${m.statusCode} ${m.body}`);
    }
  }
}

export function safeJson(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}

export interface SeededOrg {
  orgId: string;
  kind: OrgKind;
  users: Record<string, { id: string; email: string; role: Role; totp?: string }>;
}

/** Creates an active organisation with users (password TEST_PASSWORD; MFA roles get a TOTP secret). */
export async function seedOrg(accounts: AccountsService, kind: OrgKind, name: string, people: { key: string; role: Role; mfa?: boolean }[]): Promise<SeededOrg> {
  const org = await accounts.seedOrganisation({ kind, nameZh: `${name}（測試）`, nameEn: name });
  const users: SeededOrg["users"] = {};
  for (const p of people) {
    const email = `${p.key}@${name.toLowerCase().replace(/[^a-z0-9]+/g, "-")}.test`;
    const totp = p.mfa ? "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP" : undefined;
    const u = await accounts.seedUser({ orgId: org.id, role: p.role, email, displayName: p.key, password: TEST_PASSWORD, ...(totp ? { totpSecret: totp } : {}) });
    users[p.key] = { id: u.id, email, role: p.role, ...(totp ? { totp } : {}) };
  }
  return { orgId: org.id, kind, users };
}
