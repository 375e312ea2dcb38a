// `ectrust registry import-register <file>`: load the open business-registration CSV into the
// offline register (streamed; progress bar on a terminal, --json for scripts).
import type { Command } from "commander";

export function registerRegistryCommands(program: Command): void {
  const registry = program.command("registry").description("Shop registry: business register import");
  registry
    .command("import-register <file>")
    .description("Import the government's open business-registration CSV (統一編號, 公司名稱, 公司狀況, …) into the offline register")
    .option("--json", "print the result as JSON")
    .action(async (file: string, opts: { json?: boolean }) => {
      const { loadConfig } = await import("../../platform/config.ts");
      const { migrate, openDatabase } = await import("../../platform/db/database.ts");
      const { systemClock } = await import("../../platform/clock.ts");
      const { importBusinessRegister } = await import("./register-import.ts");
      const { join } = await import("node:path");
      const cfg = loadConfig();
      const db = await openDatabase({ url: cfg.databaseUrl?.reveal(), pgliteDir: cfg.databaseUrl ? undefined : join(cfg.dataDir, "pglite") });
      await migrate(db);
      const tty = process.stderr.isTTY && !opts.json;
      const { SingleBar, Presets } = await import("cli-progress");
      const bar = tty ? new SingleBar({ format: "{bar} {percentage}% | {value}/{total} MB | {rows} rows, {skipped} skipped", stream: process.stderr }, Presets.shades_classic) : undefined;
      const mb = (b: number): number => Math.round(b / 1e5) / 10;
      try {
        const r = await importBusinessRegister({
          db: db.db,
          clock: systemClock,
          file,
          onProgress: (p) => {
            if (!bar) return;
            if (bar.getTotal() !== mb(p.totalBytes)) bar.start(mb(p.totalBytes), 0, { rows: 0, skipped: 0 });
            bar.update(mb(p.bytes), { rows: p.rows, skipped: p.skipped });
          },
        });
        bar?.stop();
        if (opts.json) console.log(JSON.stringify(r));
        else console.log(`Imported ${r.rows} businesses (${r.skipped} rows skipped) from ${mb(r.bytes)} MB in ${r.seconds.toFixed(1)} s.`);
      } catch (e) {
        bar?.stop();
        console.error(`registry import-register: ${e instanceof Error ? e.message : String(e)}`);
        process.exitCode = 1;
      } finally {
        await db.close();
      }
    });
}
