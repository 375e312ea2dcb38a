// Composition root: builds the database, services, job queue and HTTP app from config.
// The CLI (`serve`, `worker`, `demo` …) and the tests build the server the same way.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { FastifyInstance } from "fastify";
import { pino, type Logger } from "pino";
import { accountsRoutes } from "./modules/accounts/accounts.routes.ts";
import { createAccountsService, type AccountsService, type MailPort } from "./modules/accounts/accounts.service.ts";
import { registerAccountsJobs } from "./modules/accounts/accounts.jobs.ts";
import { platformRoutes } from "./platform/platform.routes.ts";
import { createAuditAnchor, fsCheckpointStore } from "./platform/audit/audit.anchor.ts";
import { deriveAuditKeys } from "./platform/audit/audit.key.ts";
// registry (issue 3)
import { registerRegistryJobs, scheduleRegistryJobs } from "./modules/registry/registry.jobs.ts";
import { registryRoutes } from "./modules/registry/registry.routes.ts";
import { createRegistryService, type RegistryService } from "./modules/registry/registry.service.ts";
// scanner (issue 6)
import { createScannerFetcher } from "./modules/scanner/scan.ts";
import { registerScannerJobs, scheduleScannerJobs } from "./modules/scanner/scanner.jobs.ts";
import { createScannerPlatform, type ScannerPlatform } from "./modules/scanner/scanner.platform.ts";
import { scannerRoutes } from "./modules/scanner/scanner.routes.ts";
import { registryScanTargets } from "./modules/scanner/scanner.targets.ts";
import { ownSiteRoutes } from "./modules/scanner/own-site.routes.ts";
// end scanner
// seals (issue 5)
import { registerSealsJobs, scheduleSealsJobs, sealsIdentityListener, SEALS_JOBS } from "./modules/seals/seals.jobs.ts";
import { certificationMarkPort, sealsMarkHook } from "./modules/seals/seals.marks.ts";
import { sealsRoutes } from "./modules/seals/seals.routes.ts";
import { createSealsService, type SealsService } from "./modules/seals/seals.service.ts";
// end seals
import { createFetcher, type Fetcher } from "./platform/net/fetcher.ts";
import { systemClock, type Clock } from "./platform/clock.ts";
import type { Config } from "./platform/config.ts";
import { migrate, openDatabase, type Database } from "./platform/db/database.ts";
import { createHttpApp } from "./platform/http/app.ts";
import { createJobQueue, type JobQueue } from "./platform/jobs/queue.ts";
import { loadMasterKey } from "./platform/keys.ts";
import { createMailService, type MailService } from "./platform/mail/mail.service.ts";
import { createSmtpMailer, type Mailer } from "./platform/mail/mailer.ts";
// certification (issue 4)
import { mailTemplates } from "./platform/mail/mail.templates.ts";
import type { Actor } from "./platform/actor.ts";
import { schemesRoutes } from "./modules/schemes/schemes.routes.ts";
import { createSchemesService, type SchemesService } from "./modules/schemes/schemes.service.ts";
import { createAccreditationService, type AccreditationService } from "./modules/certification/accreditation.service.ts";
import { addCertificationTemplates, createCertificationTimers, type CertificationTimers, type Notifier } from "./modules/certification/certification.jobs.ts";
import { certificationRoutes } from "./modules/certification/certification.routes.ts";
import { addRecordsTemplates, createCertificationRecords, type CertificationRecords } from "./modules/certification/records.ts";
import { certificationRecordsRoutes } from "./modules/certification/records.routes.ts";
import { createCertificationService, type CertificationService, type MarkHook } from "./modules/certification/certification.service.ts";
import type { EvidenceReadGrant } from "./platform/storage/evidence.service.ts";
import { createEvidenceService, type EvidenceService } from "./platform/storage/evidence.service.ts";
import { createLocalStorage } from "./platform/storage/storage.ts";

export const rootDir = fileURLToPath(new URL("..", import.meta.url));
export const version = (JSON.parse(readFileSync(join(rootDir, "package.json"), "utf8")) as { version: string }).version;

export interface BuildOptions {
  config: Config;
  clock?: Clock;
  logger?: Logger;
  /** an already-open database (tests); otherwise opened from config */
  database?: Database;
  /** the mail transport; otherwise SMTP from SMTP_URL, or none (mail stays in the outbox) */
  mailer?: Mailer | undefined;
  /** run job handlers in this process */
  work?: boolean;
  /** lower argon2 cost (tests only) */
  fastHashing?: boolean;
  /** rate-limit overrides (tests) */
  rateLimits?: { global?: number; login?: number };
  /** registry: the SSRF-safe fetcher for domain-control proofs (tests pass one with a loopback resolver) */
  registryFetcher?: Fetcher;
  /** scanner (issue 6): the scan engine's fetcher (tests allow their loopback ports) */
  scannerFetcher?: Fetcher;
  /** seals: the built widget folder (tests build one with the server's root pinned) */
  widgetDir?: string;
}

export interface Services {
  accounts: AccountsService;
  mail: MailService;
  evidence: EvidenceService;
  registry: RegistryService;
  // certification (issue 4)
  schemes: SchemesService;
  certification: CertificationService;
  accreditation: AccreditationService;
  certificationTimers: CertificationTimers;
  certificationRecords: CertificationRecords;
  scanner: ScannerPlatform; // scanner (issue 6)
  seals: SealsService; // seals (issue 5)
}

export interface Server {
  config: Config;
  database: Database;
  jobs: JobQueue;
  services: Services;
  logger: Logger;
  /** builds (once) and returns the HTTP app */
  http(): Promise<FastifyInstance>;
  close(): Promise<void>;
}

export function createLogger(config: Config): Logger {
  return pino({
    level: config.logLevel,
    redact: { paths: ["req.headers.authorization", "req.headers.cookie", "*.password", "*.token", "*.secret", "password", "token"], censor: "[redacted]" },
  });
}

export async function buildServer(options: BuildOptions): Promise<Server> {
  const { config } = options;
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? createLogger(config);
  const database =
    options.database ??
    (await openDatabase({ url: config.databaseUrl?.reveal(), pgliteDir: config.databaseUrl ? undefined : join(config.dataDir, "pglite"), onIdleError: (err) => { logger.warn({ err: err.message }, "database connection lost while idle; the pool reconnects"); } }));
  if (!options.database) await migrate(database);
  const masterKey = loadMasterKey(config);
  // the audit trail's head, committed every few seconds to DATA_DIR/audit, out of the database's reach
  const auditAnchor = createAuditAnchor({ db: database.db, keys: deriveAuditKeys(masterKey), store: fsCheckpointStore(join(config.dataDir, "audit")), clock, logger });

  const jobs = createJobQueue({ database, connectionString: config.databaseUrl?.reveal() ?? (database as { url?: string }).url, logger, work: options.work ?? config.inlineWorker });
  const mailer = options.mailer ?? (config.smtpUrl ? createSmtpMailer(config.smtpUrl) : undefined);
  const mail = createMailService({ db: database.db, clock, jobs, mailer, from: config.mailFrom, logger });
  const mailPort: MailPort = { enqueue: (tx, m) => mail.enqueue(tx, m) };
  const accounts = createAccountsService({
    db: database.db,
    clock,
    masterKey,
    mail: mailPort,
    jobs,
    publicUrl: config.publicUrl,
    sessionIdleMinutes: config.sessionIdleMinutes,
    sessionAbsoluteHours: config.sessionAbsoluteHours,
    ...(options.fastHashing ? { argon: { memoryCost: 1024, timeCost: 1 } } : {}),
  });
  registerAccountsJobs(jobs, accounts);
  const storage = createLocalStorage(join(config.dataDir, "evidence"));
  const evidenceReadGrants: EvidenceReadGrant[] = []; // certification (issue 4) adds the auditors' grant below
  const evidence = createEvidenceService({ db: database.db, clock, storage, maxBytes: config.evidenceMaxBytes, readGrants: evidenceReadGrants });
  // registry (issue 3)
  const registry = createRegistryService({
    db: database.db,
    clock,
    fetcher: options.registryFetcher ?? createFetcher({ userAgent: "ectrust-registry/0.1 (+domain-control check)" }),
    mail: mailPort,
    evidence,
    publicUrl: config.publicUrl,
  });
  registerRegistryJobs(jobs, registry, () => clock.now());
  // scanner (issue 6): watches the registry's confirmed origins; its grade goes on the public shop page
  const scanner = createScannerPlatform({ db: database.db, clock, fetcher: options.scannerFetcher ?? createScannerFetcher(), targets: registryScanTargets(registry), jobs, mail: mailPort, publicUrl: config.publicUrl, settings: config.scanner });
  registerScannerJobs(jobs, scanner);
  registry.addPublicExtension("scanGrade", (shopId) => scanner.getLatestGrade({ shopId }));
  // end scanner
  // --- certification (issue 4): schemes, accreditation, mark lifecycle, timers ---
  const schemes = createSchemesService({ db: database.db, clock });
  await schemes.loadBundled(join(rootDir, "catalogues"));
  // markHooks: the seals module subscribes here to issue and revoke credentials
  const markHooks: MarkHook[] = []; // seals pushes its hook below
  const certification = createCertificationService({ db: database.db, clock, schemes, markHooks, shopOwner: async (shopId) => (await registry.getShop(shopId))?.orgId });
  const accreditation = createAccreditationService({ db: database.db, clock, schemes });
  evidenceReadGrants.push((actor, file) => certification.mayReadApplicantEvidence(actor, file));
  addCertificationTemplates(mailTemplates);
  addRecordsTemplates(mailTemplates);
  // Seam: recipients come from the accounts service, read as the platform (administrators of the org),
  // before the caller's transaction opens (PGlite has one connection); mail is queued inside it.
  const directoryActor: Actor = { kind: "user", userId: "00000000-0000-0000-0000-000000000000", orgId: "00000000-0000-0000-0000-000000000000", orgKind: "authority", role: "authority_admin" };
  const certificationNotifier: Notifier = {
    async prepare(orgIds) {
      const admins = await Promise.all(
        orgIds.map(async (orgId) => (await accounts.listMembers(directoryActor, orgId).catch(() => [])).filter((x) => x.role === "cb_admin" || x.role === "merchant_admin").map((x) => ({ email: x.email, orgId }))),
      );
      return async (tx, m) => {
        for (const p of admins.flat()) await mail.enqueue(tx, { to: p.email, template: m.template, locale: "zh-TW", vars: m.vars, orgId: p.orgId });
      };
    },
  };
  const certificationTimers = createCertificationTimers({ db: database.db, clock, certification, logger, notifier: certificationNotifier });
  certificationTimers.register(jobs);
  // certification records (issue 4): inventory, evidence items, reports, certificates, changes, complaints
  const certificationRecords = createCertificationRecords({
    db: database.db,
    clock,
    certification,
    schemes,
    evidence,
    notifier: certificationNotifier,
    mail,
    directory: {
      organisation: async (orgId) => accounts.getOrganisation(directoryActor, orgId).catch(() => undefined),
      shop: async (shopId) => {
        const x = await registry.getShop(shopId);
        return x && { id: x.id, orgId: x.orgId, nameZh: x.legalNameZh, nameEn: x.legalNameEn };
      },
      shopOfOrg: async (orgId) => {
        const x = await registry.getShopByOrg(orgId);
        return x && { id: x.id, orgId: x.orgId, nameZh: x.legalNameZh, nameEn: x.legalNameEn };
      },
    },
  });
  // --- end certification ---
  // seals (issue 5): credentials follow the registry's identity status through a job queued in its transaction
  const seals = createSealsService({ db: database.db, clock, masterKey, registry, marks: certificationMarkPort(certification, registry), scanGrade: (shopId) => scanner.getLatestGrade({ shopId }), dataDir: config.dataDir, publicUrl: config.publicUrl });
  registry.onIdentityStatusChange(sealsIdentityListener(jobs));
  markHooks.push(sealsMarkHook(registry, (shopId) => jobs.send(SEALS_JOBS.syncShop, { shopId })));
  registerSealsJobs(jobs, seals);
  // end seals
  const services: Services = { accounts, mail, evidence, registry, scanner, schemes, certification, accreditation, certificationTimers, certificationRecords, seals };
  await jobs.start();
  await auditAnchor.start();
  if (options.work ?? config.inlineWorker) await certificationTimers.schedule(jobs);
  await scheduleRegistryJobs(jobs);
  await scheduleScannerJobs(jobs); // scanner (issue 6)
  await scheduleSealsJobs(jobs); // seals

  let app: FastifyInstance | undefined;
  return {
    config,
    database,
    jobs,
    services,
    logger,
    async http() {
      if (app) return app;
      const a = await createHttpApp({
        config,
        logger,
        engine: database.engine,
        version,
        webRoot: join(rootDir, "dist", "web"),
        authenticator: { session: (token) => accounts.authenticateSession(token), apiToken: (token) => accounts.authenticateApiToken(token) },
        globalRateLimit: options.rateLimits?.global ?? config.rateLimitPerMinute,
      });
      await a.register(accountsRoutes, { accounts, config, ...(options.rateLimits?.login ? { loginRateLimit: options.rateLimits.login } : {}) });
      await a.register(schemesRoutes, { schemes });
      await a.register(certificationRoutes, { certification, accreditation, timers: certificationTimers, orgNames: (ids) => accounts.orgNames(ids) }); // certification (issue 4): names beside org ids
      await a.register(certificationRecordsRoutes, { ...certificationRecords, orgNames: (ids) => accounts.orgNames(ids) }); // certification (issue 4)
      await a.register(platformRoutes, { database, mail, evidence, jobs, evidenceMaxBytes: config.evidenceMaxBytes, verifyAudit: () => auditAnchor.verify(), userNames: (ids) => accounts.userNames(ids) });
      await a.register(registryRoutes, { registry });
      await a.register(scannerRoutes, { scanner }); // scanner (issue 6)
      await a.register(ownSiteRoutes, { publicUrl: config.publicUrl, securityContacts: config.securityContacts, clock, webRoot: join(rootDir, "dist", "web") }); // scanner (issue 6): /privacy, security.txt
      await a.register(sealsRoutes, { seals, publicUrl: config.publicUrl, widgetDir: options.widgetDir ?? join(rootDir, "dist", "widget") }); // seals
      await a.ready();
      app = a;
      return a;
    },
    async close() {
      if (app) await app.close();
      await jobs.stop(5000);
      await seals.close(); // seals
      await auditAnchor.close();
      if (!options.database) await database.close();
    },
  };
}
