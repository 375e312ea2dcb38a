// `ectrust pii …`: scan, inventory, mask, protect, unprotect.
import { InvalidArgumentError, Option, type Command } from "commander";
import { wholeNumber } from "../../platform/cli-options.ts";
import { once } from "node:events";
import { open } from "node:fs/promises";
import type { EmitOptions } from "./emitter.ts";
import { inventoryCsvParts, inventoryJsonParts, inventoryXlsx, InventoryBuilder, toInventoryDraft, type InventoryRow } from "./inventory.ts";
import { loadKeyRing } from "./keys.ts";
import type { Operator } from "./operators.ts";
import { ENTITY_TYPES, isEntityType, type EntityType, type Finding, type ScanSummary, type SkipNote } from "./pii.types.ts";
import { expandPaths, rewriteJobs } from "./files.ts";
import { defaultWorkers, rewriteFiles, scanFiles } from "./scan-pool.ts";
import { createProgress, type Progress } from "./progress.ts";
import { FindingWriter, type OutputFormat } from "./output.ts";

function parseTypes(v: string): Set<EntityType> {
  const out = new Set<EntityType>();
  for (const t of v.split(",").map((s) => s.trim().toUpperCase()).filter(Boolean)) {
    if (!isEntityType(t)) throw new InvalidArgumentError(`unknown type "${t.slice(0, 40)}"; known: ${ENTITY_TYPES.join(", ")}`);
    out.add(t);
  }
  if (out.size === 0) throw new InvalidArgumentError("give at least one type");
  return out;
}

function parseScore(v: string): number {
  const n = Number(v);
  if (v.trim() === "" || !Number.isFinite(n) || n < 0 || n > 1) throw new InvalidArgumentError("must be a number from 0 to 1");
  return n;
}

function isPgUrl(v: string): boolean {
  try {
    const u = new URL(v);
    return u.protocol === "postgres:" || u.protocol === "postgresql:";
  } catch {
    return false;
  }
}

/**
 * --postgres, repeatable. A rejected URL is not echoed: commander's message for an InvalidArgumentError
 * quotes the value, and a URL holds the password (`postgresq://shop:secret@…` printed it on stderr).
 */
const collectPg = (c: Command) => (v: string, prev: string[]): string[] => {
  if (!isPgUrl(v)) c.error("error: option '--postgres <url>' must be a postgres:// or postgresql:// URL (the value is not shown: it may hold a password)", { exitCode: 2, code: "commander.invalidArgument" });
  return [...prev, v];
};

/** Options of every command that detects: scan, inventory, mask, protect. */
interface DetectOpts {
  types?: Set<EntityType>;
  minScore?: number;
  ubnRule?: "current" | "legacy";
  workers?: number;
}

interface CommonOpts extends DetectOpts {
  postgres: string[];
  pgSample?: number;
  progress?: boolean;
  showValues?: boolean;
}

function withDetect(c: Command): Command {
  return c
    .addOption(new Option("--types <list>", "only these entity types, comma-separated").argParser(parseTypes))
    .addOption(new Option("--min-score <n>", "drop findings scoring below n (0–1)").argParser(parseScore).default(0.5))
    .addOption(new Option("--ubn-rule <rule>", "UBN checksum: current (÷5, 2023) or legacy (÷10)").choices(["current", "legacy"]).default("current"))
    .addOption(new Option("--workers <n>", "worker threads across files").argParser(wholeNumber(1, 64)));
}

/** scan and inventory: detection, plus live databases and the progress bar (mask and protect rewrite files only). */
function withCommon(c: Command): Command {
  return withDetect(c)
    .addOption(new Option("--postgres <url>", "also scan a live PostgreSQL database, read-only (repeatable)").argParser(collectPg(c)).default([]))
    .addOption(new Option("--pg-sample <rows>", "rows per table from --postgres; 0 scans every row").argParser(wholeNumber(0, 1_000_000_000)).default(1000))
    .option("--progress", "show a progress bar on stderr even when stdout is not a terminal")
    .option("--no-progress", "never show a progress bar");
}

/** What a command does with a scan besides its findings: each is optional. */
interface ScanSinks {
  /** Lines and cells per column of each source (for the inventory's records). */
  onSource?: (source: string, lines: number, columns?: Record<string, number>) => void;
  /** Awaited before more work is handed to the workers (output backpressure). */
  ready?: () => Promise<void>;
  /** The workers render the output in this format, and this writes it. */
  rendered?: { format: OutputFormat; write: (lines: string | Uint8Array, count: number, done?: () => void) => void };
  /** The workers aggregate inventory rows, and this receives them. */
  onInventory?: (rows: InventoryRow[]) => void;
}

/** Runs a scan over files and databases, calling onFinding; returns the summary. */
async function runScan(paths: readonly string[], o: CommonOpts, onFinding: (f: Finding) => void, sinks: ScanSinks = {}): Promise<ScanSummary> {
  const { onSource, ready, rendered, onInventory } = sinks;
  const t0 = performance.now();
  const skipped: SkipNote[] = [];
  const files = await expandPaths(paths, skipped);
  const emit: EmitOptions = { minScore: o.minScore ?? 0.5, ubnRule: o.ubnRule ?? "current", showValues: o.showValues === true };
  if (o.types) emit.types = o.types;
  const summary: ScanSummary = { files: 0, bytes: 0, findings: 0, byType: {}, skipped, seconds: 0 };
  const show = o.progress ?? (process.stdout.isTTY && process.stderr.isTTY);
  const progress: Progress = createProgress(show, files.length);
  const count = (f: Finding): void => {
    summary.findings++;
    summary.byType[f.type] = (summary.byType[f.type] ?? 0) + 1;
    onFinding(f);
  };
  // Output of `scan`: the workers render the findings; here only the counts are kept.
  const onRendered = rendered && ((lines: string | Uint8Array, n: number, byType: Readonly<Record<string, number>>, done?: () => void): void => {
    summary.findings += n;
    for (const t in byType) summary.byType[t as EntityType] = (summary.byType[t as EntityType] ?? 0) + (byType[t] ?? 0); // no entries array per batch
    rendered.write(lines, n, done);
  });
  // Output of `inventory`: the workers aggregate the findings into rows; here they are counted and merged.
  const inventoryRows = onInventory && ((rows: InventoryRow[]): void => {
    for (const r of rows) {
      summary.findings += r.findings;
      summary.byType[r.entityType] = (summary.byType[r.entityType] ?? 0) + r.findings;
    }
    onInventory(rows);
  });
  await scanFiles(files, {
    ...emit, workers: o.workers ?? defaultWorkers(), ...(ready ? { ready } : {}), ...(rendered ? { onRendered, render: rendered.format } : {}),
    ...(inventoryRows ? { onInventory: inventoryRows } : {}),
  }, count, (r) => {
    summary.files++;
    summary.bytes += r.bytes;
    skipped.push(...r.notes);
    onSource?.(r.file, r.lines ?? 0, r.columns);
    progress.fileDone(r.file);
  });
  // pg and the detection engine load in this thread only for --postgres: file scans leave the
  // engine to the workers.
  if (o.postgres.length > 0) {
    const { safeDbName, scanPostgres } = await import("./pg-scan.ts");
    for (const url of o.postgres) {
      try {
        const tables = await scanPostgres(url, { ...emit, sample: o.pgSample ?? 1000 }, count, skipped);
        for (const t of tables) onSource?.(`${safeDbName(url)}/${t.table}`, t.rows);
      } catch (e) {
        skipped.push({ file: safeDbName(url), reason: "unreadable", detail: `database not scanned: ${e instanceof Error ? e.message : String(e)}` });
      }
    }
  }
  progress.stop();
  summary.seconds = Math.round((performance.now() - t0) / 10) / 100;
  return summary;
}

/** A note that fails a rewrite command: a conflict, or a path given on the command line that could not be read. */
function failsRewrite(n: SkipNote, paths: readonly string[]): boolean {
  return n.reason === "output-conflict" || ((n.reason === "unreadable" || n.reason === "not-a-file") && paths.includes(n.file));
}

/**
 * When the reader of stdout goes away (`ectrust pii scan … | head`), stop at once and quietly with
 * status 141 (128 + SIGPIPE), as Unix tools do, instead of scanning on and dying with a stack trace.
 */
function exitQuietlyOnClosedStdout(): void {
  process.stdout.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") process.exit(141);
    throw e;
  });
}

function failIfEmpty(paths: readonly string[], o: CommonOpts): void {
  if (paths.length === 0 && o.postgres.length === 0) {
    console.error("error: give at least one file or directory, or --postgres <url>");
    process.exit(2);
  }
}

function operatorFrom(o: { op: string; keep?: number; keyFile?: string; keyEnv?: string }): Operator {
  switch (o.op) {
    case "mask": return { kind: "mask" };
    case "keep-last": return { kind: "keep-last", n: o.keep ?? 4 };
    case "redact": return { kind: "redact" };
    case "hmac": return { kind: "hmac", keys: loadKeyRing(o) };
    case "encrypt": return { kind: "encrypt", keys: loadKeyRing(o) };
    default: throw new InvalidArgumentError(`unknown operator ${o.op}`);
  }
}

async function rewriteAll(paths: string[], outDir: string, o: DetectOpts, op: Operator): Promise<number> {
  const notes: SkipNote[] = [];
  const jobs = await rewriteJobs(paths, outDir, notes);
  let total = 0;
  const emit: EmitOptions = { minScore: o.minScore ?? 0.5, ubnRule: o.ubnRule ?? "current" };
  if (o.types) emit.types = o.types;
  // Files are rewritten in worker threads with capped heaps, several at a time (--workers).
  const unwritten: string[] = []; // inputs of which no copy was written (binary files are skipped by design, not counted)
  await rewriteFiles(jobs, op, { ...emit, workers: o.workers ?? defaultWorkers() }, (r) => {
    notes.push(...r.notes);
    total += r.replaced;
    if (r.output) console.error(`${r.file} → ${r.output}: ${r.replaced} replaced`);
    else if (r.notes.some((n) => n.reason === "unreadable")) unwritten.push(r.file);
  });
  for (const n of notes) console.error(`skipped ${n.file}: ${n.reason}: ${n.detail}`);
  if (unwritten.length > 0 || notes.some((n) => failsRewrite(n, paths))) process.exitCode = 1;
  return total;
}

/** Adds this module's commands to the `ectrust` program. */
export function registerPiiCommands(program: Command): void {
  const pii = program.command("pii").description("個資盤點與保護 — find, inventory and protect personal data (Taiwan-aware)")
    // Bad flags exit with status 2 (help and version with 0); the subcommands below inherit this.
    .exitOverride((e) => { process.exit(e.exitCode === 0 ? 0 : 2); });

  withCommon(pii.command("scan").argument("[paths...]", "files or directories (text, logs, CSV/TSV, JSON/NDJSON, SQL dumps; .gz; UTF-8 or Big5)"))
    .description("scan files and databases for personal data")
    .addOption(new Option("--format <format>", "output format").choices(["jsonl", "json", "table", "csv"]).default("jsonl"))
    .option("--show-values", "print raw values (default: masked only)")
    .option("--fail-on-findings", "exit with status 3 when anything is found")
    .action(async (paths: string[], o: CommonOpts & { format: OutputFormat; failOnFindings?: boolean }) => {
      failIfEmpty(paths, o);
      exitQuietlyOnClosedStdout();
      const w = new FindingWriter(process.stdout, o.format, o.showValues === true);
      const rendered = { format: o.format, write: (lines: string | Uint8Array, n: number, done?: () => void): void => { w.rendered(lines, n, done); } };
      const summary = await runScan(paths, o, (f) => { w.finding(f); }, { ready: () => w.ready(), rendered });
      await w.end(summary);
      for (const n of summary.skipped) {
        if ((n.reason === "unreadable" || n.reason === "not-a-file") && (paths.includes(n.file) || n.file.startsWith("postgres"))) {
          console.error(`error: ${n.file}: ${n.detail}`);
          process.exitCode = 1;
        }
      }
      if (o.failOnFindings && summary.findings > 0) process.exitCode = 3;
    });

  withCommon(pii.command("inventory").argument("[paths...]", "files or directories"))
    .description("build a personal-data inventory (個資清冊 draft) per source and column")
    .addOption(new Option("--format <format>", "csv, xlsx or json (draft items for the certification module)").choices(["csv", "xlsx", "json"]).default("csv"))
    .option("-o, --output <file>", "write here (required for xlsx)")
    .action(async (paths: string[], o: CommonOpts & { format: "csv" | "xlsx" | "json"; output?: string }) => {
      failIfEmpty(paths, o);
      if (o.format === "xlsx" && !o.output) { console.error("error: --format xlsx needs --output <file.xlsx>"); process.exit(2); }
      const inv = new InventoryBuilder();
      const summary = await runScan(paths, { ...o, showValues: false }, (f) => { inv.add(f); }, {
        onSource: (s, lines, cols) => { inv.setRecords(s, lines, cols); },
        onInventory: (rows) => { inv.merge(rows); },
      });
      const rows = inv.build();
      if (o.format === "xlsx" && o.output) await inventoryXlsx(rows, o.output);
      else {
        // written in pieces: a large inventory is megabytes of text (pii run 11)
        const parts = o.format === "csv" ? inventoryCsvParts(rows) : inventoryJsonParts({ rows, draft: toInventoryDraft(rows), summary });
        if (o.output) {
          const fh = await open(o.output, "w");
          try {
            for (const part of parts) await fh.write(part);
          } finally {
            await fh.close();
          }
        } else for (const part of parts) if (!process.stdout.write(part)) await once(process.stdout, "drain");
      }
      console.error(`inventory: ${rows.length} rows from ${summary.files} files, ${summary.findings} findings, ${summary.skipped.length} skipped parts`);
    });

  // One Option per command: a shared one would show the last command's default in both helps.
  const opOption = (def: string): Option => new Option("--op <operator>", "mask | keep-last | redact | hmac | encrypt").choices(["mask", "keep-last", "redact", "hmac", "encrypt"]).default(def);
  const rewrite = (name: string, desc: string, defOp: string): void => {
    withDetect(pii.command(name).argument("<paths...>", "files or directories"))
      .description(desc)
      .requiredOption("--out-dir <dir>", "write rewritten files here (inputs are never modified)")
      .addOption(opOption(defOp))
      .addOption(new Option("--keep <n>", "characters kept by keep-last").argParser(wholeNumber(0, 64)).default(4))
      .option("--key-file <file>", "key ring file for hmac / encrypt")
      .option("--key-env <name>", "environment variable holding id:key (default ECTRUST_PII_KEY)")
      .action(async (paths: string[], o: DetectOpts & { outDir: string; op: string; keep?: number; keyFile?: string; keyEnv?: string }) => {
        let op: Operator;
        try {
          op = operatorFrom(o);
        } catch (e) {
          console.error(`error: ${e instanceof Error ? e.message : String(e)}`);
          process.exit(2);
        }
        const n = await rewriteAll(paths, o.outDir, o, op);
        console.error(`${name}: ${n} values replaced`);
      });
  };
  rewrite("mask", "write copies of files with personal data masked (display masks, keep-last-N or redaction)", "mask");
  rewrite("protect", "write copies with personal data tokenised (keyed HMAC) or encrypted (AES-256-GCM, key id)", "encrypt");

  pii.command("unprotect")
    .argument("<paths...>", "files written by `pii protect --op encrypt`")
    .description("decrypt {{pii:enc1:…}} tokens back to the original values")
    .requiredOption("--out-dir <dir>", "write restored files here")
    .option("--key-file <file>", "key ring file")
    .option("--key-env <name>", "environment variable holding id:key (default ECTRUST_PII_KEY)")
    .action(async (paths: string[], o: { outDir: string; keyFile?: string; keyEnv?: string }) => {
      let keys;
      try {
        keys = loadKeyRing(o);
      } catch (e) {
        console.error(`error: ${e instanceof Error ? e.message : String(e)}`);
        process.exit(2);
      }
      const notes: SkipNote[] = [];
      let failed = 0;
      const { unprotectFile } = await import("./protect-files.ts");
      let unwritten = false;
      for (const { input, output } of await rewriteJobs(paths, o.outDir, notes)) {
        try {
          const r = await unprotectFile(input, output, keys);
          failed += r.failed;
          notes.push(...r.notes);
          console.error(`${input} → ${r.output}: ${r.replaced} decrypted${r.failed ? `, ${r.failed} failed (unknown key or altered)` : ""}`);
        } catch (e) {
          unwritten = true;
          notes.push({ file: input, reason: "unreadable", detail: `not restored: ${e instanceof Error ? e.message : String(e)}` });
        }
      }
      for (const n of notes) console.error(`skipped ${n.file}: ${n.reason}: ${n.detail}`);
      if (unwritten || notes.some((n) => failsRewrite(n, paths))) process.exitCode = 1;
      if (failed > 0) process.exitCode = 4;
    });
}
