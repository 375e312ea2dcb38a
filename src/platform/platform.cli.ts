// Operator commands: serve, worker, migrate, demo, start (all three for a first run), audit verify.
import type { Command } from "commander";
import { generateSync } from "otplib";
import { demoAccounts, DEMO_PASSWORD, seedDemo } from "../demo.ts";
import { buildServer, createLogger } from "../server.ts";
import { verifyAuditChain } from "./audit/audit.ts";
import { ConfigError, loadConfig, type Config } from "./config.ts";
import { migrate, openDatabase } from "./db/database.ts";
import { join } from "node:path";

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
  const server = await buildServer({ config: cfg });
  if (withDemo) await seedDemo(server);
  const app = await server.http();
  const stop = async (signal: string) => {
    server.logger.info({ signal }, "shutting down");
    await server.close();
    process.exit(0);
  };
  process.once("SIGINT", () => void stop("SIGINT"));
  process.once("SIGTERM", () => void stop("SIGTERM"));
  await app.listen({ host: cfg.host, port: cfg.port });
  server.logger.info({ url: cfg.publicUrl, database: server.database.engine }, "ectrust is listening");
  if (withDemo) {
    console.log(`\nectrust is running at ${cfg.publicUrl}  (database: ${server.database.engine})`);
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
      const server = await buildServer({ config: cfg, work: true });
      server.logger.info({ queues: server.jobs.names }, "worker started");
      const stop = async () => {
        await server.close();
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
      const database = await openDatabase({ url: cfg.databaseUrl?.reveal(), pgliteDir: cfg.databaseUrl ? undefined : join(cfg.dataDir, "pglite") });
      await migrate(database);
      await database.close();
      console.log(`Migrations applied (${database.engine}).`);
    });

  program
    .command("demo")
    .description("Seed the demo organisations and accounts (idempotent) and list them")
    .option("--json", "print the accounts as JSON")
    .action(async (opts: { json?: boolean }) => {
      const cfg = config();
      const server = await buildServer({ config: cfg, work: false, logger: createLogger({ ...cfg, logLevel: "warn" }) });
      const { created } = await seedDemo(server);
      await server.close();
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
    .description("Check the hash chain of the whole audit trail; exits 1 if any row was edited or deleted")
    .option("--json", "print the result as JSON")
    .action(async (opts: { json?: boolean }) => {
      const cfg = config();
      const database = await openDatabase({ url: cfg.databaseUrl?.reveal(), pgliteDir: cfg.databaseUrl ? undefined : join(cfg.dataDir, "pglite") });
      const result = await verifyAuditChain(database.db);
      await database.close();
      if (opts.json) console.log(JSON.stringify(result));
      else if (result.ok) console.log(`Audit trail intact: ${result.rows} rows verified.`);
      else console.log(`Audit trail BROKEN at row ${result.problem?.seq}: ${result.problem?.detail}`);
      process.exitCode = result.ok ? 0 : 1;
    });
}
