// Operator commands: serve, worker, migrate, demo, start (all three for a first run), audit verify.
// The server and database code load only when a command runs, so `--help` stays quick.
import { join } from "node:path";
import type { Command } from "commander";
import { ConfigError, loadConfig, type Config } from "./config.ts";

const server = () => import("../server.ts");
const demo = () => import("../demo.ts");
const database = () => import("./db/database.ts");

function config(): Config {
  try {
    return loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      process.exit(2);
    }
    throw e;
  }
}

async function serve(cfg: Config, withDemo: boolean): Promise<void> {
  const { buildServer } = await server();
  const { seedDemo, DEMO_PASSWORD } = await demo();
  const srv = await buildServer({ config: cfg });
  if (withDemo) await seedDemo(srv, { certification: true }); // certification (issue 4): demo marks too
  const app = await srv.http();
  const stop = async (signal: string) => {
    srv.logger.info({ signal }, "shutting down");
    await srv.close();
    process.exit(0);
  };
  process.once("SIGINT", () => void stop("SIGINT"));
  process.once("SIGTERM", () => void stop("SIGTERM"));
  await app.listen({ host: cfg.host, port: cfg.port });
  srv.logger.info({ url: cfg.publicUrl, database: srv.database.engine }, "ectrust is listening");
  if (withDemo) {
    console.log(`\nectrust is running at ${cfg.publicUrl}  (database: ${srv.database.engine})`);
    console.log(`Demo accounts (password for all: ${DEMO_PASSWORD}) — see README.md for the TOTP secrets.\n`);
  }
}

export function registerPlatformCommands(program: Command): void {
  program
    .command("serve")
    .description("Run the web app and API (migrates the database first)")
    .action(async () => serve(config(), false));

  program
    .command("start")
    .description("First run: migrate, seed the demo data, and serve (what `npm start` runs)")
    .action(async () => serve(config(), true));

  program
    .command("worker")
    .description("Run background jobs (scans, reminders, mail) without serving HTTP")
    .action(async () => {
      const cfg = config();
      if (!cfg.databaseUrl) {
        // Only one process may open a PGlite folder (docs/jobs.md): a worker beside `serve` on the
        // same DATA_DIR would silently lose writes. With PGlite the worker runs inside the server.
        console.error("ectrust worker needs PostgreSQL (DATABASE_URL); with the embedded database the worker runs inside `ectrust serve` (WORKER=inline).");
        process.exit(2);
      }
      const { buildServer } = await server();
      const srv = await buildServer({ config: cfg, work: true });
      srv.logger.info({ queues: srv.jobs.names }, "worker started");
      const stop = async () => {
        await srv.close();
        process.exit(0);
      };
      process.once("SIGINT", () => void stop());
      process.once("SIGTERM", () => void stop());
    });

  program
    .command("migrate")
    .description("Apply database migrations and exit")
    .action(async () => {
      const cfg = config();
      const { migrate, openDatabase } = await database();
      const db = await openDatabase({ url: cfg.databaseUrl?.reveal(), pgliteDir: cfg.databaseUrl ? undefined : join(cfg.dataDir, "pglite") });
      await migrate(db);
      await db.close();
      console.log(`Migrations applied (${db.engine}).`);
    });

  program
    .command("demo")
    .description("Seed the demo organisations and accounts (idempotent) and list them")
    .option("--json", "print the accounts as JSON")
    .action(async (opts: { json?: boolean }) => {
      const cfg = config();
      const { buildServer, createLogger } = await server();
      const { seedDemo, demoAccounts, DEMO_PASSWORD } = await demo();
      const { generateSync } = await import("otplib");
      const srv = await buildServer({ config: cfg, work: false, logger: createLogger({ ...cfg, logLevel: "warn" }) });
      const { created } = await seedDemo(srv, { certification: true }); // certification (issue 4): demo marks too
      await srv.close();
      if (opts.json) {
        console.log(JSON.stringify({ password: DEMO_PASSWORD, created, accounts: demoAccounts }, null, 2));
        return;
      }
      console.log(created.length ? `Created ${created.length} demo accounts.` : "Demo data already present; nothing changed.");
      console.log(`Password for every demo account: ${DEMO_PASSWORD}\n`);
      for (const a of demoAccounts) {
        const mfa = a.totpSecret ? `  TOTP secret ${a.totpSecret} (current code ${generateSync({ secret: a.totpSecret })})` : "";
        console.log(`${a.role.padEnd(15)} ${a.email.padEnd(28)} ${a.organisation}${mfa}`);
      }
    });

  const audit = program.command("audit").description("The audit trail");
  audit
    .command("verify")
    .description("Check the audit trail's keyed hash chain against its newest checkpoint (DATA_DIR/audit); exits 1 if any row was edited, re-chained or removed")
    .option("--json", "print the result as JSON")
    .action(async (opts: { json?: boolean }) => {
      const cfg = config();
      const { openDatabase } = await database();
      const { verifyAuditChain } = await import("./audit/audit.ts");
      const { createAuditAnchor, fsCheckpointStore } = await import("./audit/audit.anchor.ts");
      const { deriveAuditKeys } = await import("./audit/audit.key.ts");
      const { findMasterKey } = await import("./keys.ts");
      const { systemClock } = await import("./clock.ts");
      const masterKey = findMasterKey(cfg); // never creates one: a new key would make every keyed row look tampered with
      const db = await openDatabase({ url: cfg.databaseUrl?.reveal(), pgliteDir: cfg.databaseUrl ? undefined : join(cfg.dataDir, "pglite") });
      const result = masterKey
        ? await createAuditAnchor({ db: db.db, keys: deriveAuditKeys(masterKey), store: fsCheckpointStore(join(cfg.dataDir, "audit")), clock: systemClock }).verify()
        : await verifyAuditChain(db.db);
      await db.close();
      if (opts.json) console.log(JSON.stringify(result));
      else if (result.ok) {
        console.log(`Audit trail intact: ${result.rows} rows verified${result.legacyRows ? ` (${result.legacyRows} of them from before keying, by plain SHA-256)` : ""}.`);
        if (result.checkpoint) console.log(`It reaches the newest checkpoint (row ${result.checkpoint.seq}, ${result.checkpoint.at}); rows after it could be removed unnoticed.`);
        else console.log(`No checkpoint in ${join(cfg.dataDir, "audit")}${masterKey ? "" : " checked (no master key)"}: removed newest rows would go unnoticed.`);
      } else console.log(`Audit trail BROKEN at row ${result.problem?.seq}: ${result.problem?.detail}`);
      process.exitCode = result.ok ? 0 : 1;
    });
}
