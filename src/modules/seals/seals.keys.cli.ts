// `ectrust keys …`: the seals key store from the command line (init, list, rotate, retire,
// revoke, export-root, pinned). Each opens the database and the log folder under DATA_DIR. Log
// writers take the database's advisory lock per batch, so on PostgreSQL these run beside the
// server and workers (where the log folder is); the embedded database is held by one process.
import type { Command } from "commander";
import { systemActor } from "../../platform/actor.ts";
import type { SealsService } from "./seals.service.ts";
import { wholeNumber } from "../../platform/cli-options.ts";
import { UsageError } from "./seals.errors.ts";

async function withSeals<T>(f: (s: SealsService) => Promise<T>): Promise<T> {
  const { loadConfig } = await import("../../platform/config.ts");
  const { migrate, openDatabase } = await import("../../platform/db/database.ts");
  const { systemClock } = await import("../../platform/clock.ts");
  const { loadMasterKey } = await import("../../platform/keys.ts");
  const { createSealsService } = await import("./seals.service.ts");
  const { join } = await import("node:path");
  const cfg = loadConfig();
  const database = await openDatabase({ url: cfg.databaseUrl?.reveal(), pgliteDir: cfg.databaseUrl ? undefined : join(cfg.dataDir, "pglite") });
  await migrate(database);
  // Key commands never touch shops: the registry port is not needed here.
  const registry = { getShop: () => Promise.resolve(undefined), listConfirmedOrigins: () => Promise.resolve([]) };
  const seals = createSealsService({ db: database.db, clock: systemClock, masterKey: loadMasterKey(cfg), registry, dataDir: cfg.dataDir, publicUrl: cfg.publicUrl });
  try {
    return await f(seals);
  } finally {
    await seals.close();
    await database.close();
  }
}

const operator = () => systemActor(`cli:${process.env.USER ?? "operator"}`);

export function registerKeysCommands(program: Command): void {
  const keys = program.command("keys").description("Seals key store: root, issuing, status and log keys (private keys sealed under the master key)");
  keys.command("init").description("Create the keys, the first trust anchor and the status lists if there are none (idempotent)").action(async () => {
    await withSeals(async (s) => {
      await s.init(operator());
      console.log(`OK: anchor version ${String((await s.keys.currentAnchor())?.version ?? 0)}`);
    });
  });
  keys.command("list").description("List keys").option("--json", "as JSON").action(async (o: { json?: boolean }) => {
    await withSeals(async (s) => {
      const rows = (await s.keys.list()).map((k) => ({ kid: k.kid, role: k.role, state: k.state, notBefore: k.notBefore.toISOString(), notAfter: k.notAfter?.toISOString() ?? null, revokedAt: k.revokedAt?.toISOString() ?? null, publicKey: k.publicKey }));
      if (o.json) console.log(JSON.stringify(rows, null, 2));
      else for (const k of rows) console.log(`${k.role.padEnd(8)} ${k.state.padEnd(12)} ${k.kid}  from ${k.notBefore}${k.notAfter ? ` to ${k.notAfter}` : ""}${k.revokedAt ? ` revoked ${k.revokedAt}` : ""}`);
    });
  });
  keys
    .command("rotate <role>")
    .description("Add a new issuing or status key: published in a new anchor now, used after --publish-days (publish before use)")
    .option("--publish-days <n>", "days between publication and first use (0 to 365)", wholeNumber(0, 365), 7)
    .action(async (role: string, o: { publishDays: number }) => {
      if (role !== "issuing" && role !== "status") throw new UsageError(`role must be issuing or status, not ${JSON.stringify(role.slice(0, 40))}`);
      await withSeals(async (s) => {
        const k = await s.keys.rotate(operator(), role, o.publishDays, s.appendLog);
        await s.publishTrust();
        console.log(`added ${role} key ${k.kid}, usable from ${k.notBefore.toISOString()}; retire the old one after that with "ectrust keys retire <kid>"`);
      });
    });
  keys.command("retire <kid>").description("Stop signing with a key; it stays in the anchor as verify-only (refused for the only usable key of its role: rotate first)").action(async (kid: string) => {
    await withSeals(async (s) => {
      await s.keys.changeState(operator(), kid, "verify-only", s.appendLog);
      await s.publishTrust();
      console.log(`${kid}: verify-only; anchor version ${String((await s.keys.currentAnchor())?.version ?? 0)}`);
    });
  });
  keys
    .command("revoke <kid>")
    .description("Revoke a compromised key: everything it signed stops verifying; shops are reissued by the hourly job. Refused for the only usable key of its role (rotate first) unless --force")
    .option("--force", "revoke even the only usable key of its role: issuance (issuing key) or status-list re-signing (status key) stops until another key is usable")
    .action(async (kid: string, o: { force?: boolean }) => {
      await withSeals(async (s) => {
        const k = await s.keys.changeState(operator(), kid, "revoked", s.appendLog, { force: o.force === true });
        await s.publishTrust();
        console.log(`${kid}: revoked; anchor version ${String((await s.keys.currentAnchor())?.version ?? 0)}`);
        const usable = await s.keys.signer(k.role).then(() => true, () => false);
        if (!usable) console.error(`warning: no usable ${k.role} key is left: run "ectrust keys rotate ${k.role} --publish-days 0"`);
      });
    });
  keys.command("export-root").description("Print the root key seed(s) for offline storage (audited). Treat the output as the most secret thing you own.").action(async () => {
    await withSeals(async (s) => {
      for (const r of await s.keys.exportRoot(operator())) console.log(JSON.stringify({ kid: r.kid, publicKey: r.publicKey, seed: r.seed }));
    });
  });
  keys.command("pinned").description("Print what the widget build pins (ECTRUST_WIDGET_PINNED) and what `ectrust verify` needs as --root").action(async () => {
    await withSeals(async (s) => {
      console.log(JSON.stringify(await s.pinned(), null, 2));
    });
  });
}
