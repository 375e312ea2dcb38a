// `ectrust scan <target>… [--json] [--allow-host host:port]… [--file f]`
import { readFileSync } from "node:fs";
import cliProgress from "cli-progress";
import type { Command } from "commander";
import { systemClock } from "../../platform/clock.ts";
import { parseAllowHost } from "../../platform/net/fetcher.ts";
import { isNetError } from "../../platform/net/net.errors.ts";
import { createScannerFetcher, scan } from "./scan.ts";
import type { ScanResult } from "./scanner.types.ts";
import { parseTarget, TargetError, type ScanTarget } from "./target.ts";

interface ScanCliOptions {
  json?: boolean;
  allowHost: string[];
  file?: string;
  caFile?: string;
  paymentPage: string[];
  lang: string;
  concurrency: string;
  probes: boolean;
}

const collect = (v: string, prev: string[]): string[] => [...prev, v];

/** The JSON shape the issue fixes: {url, grade, score, tests: {id: {pass, result, scoreModifier, …}}, findings}. */
export function toJson(r: ScanResult): Record<string, unknown> {
  return { url: r.url, grade: r.grade, score: r.score, observatory: r.observatory, statusCode: r.statusCode, error: r.error, tests: r.tests, findings: r.findings, tls: r.tls, paymentScripts: r.paymentScripts, scannedAt: r.scannedAt, requestCount: r.requestCount, elapsedMs: r.elapsedMs };
}

function human(r: ScanResult, lang: "zh-TW" | "en"): string {
  const lines = [`${r.url}  ${r.grade} (${r.score})  [Observatory-compatible: ${r.observatory.grade} ${r.observatory.score}, ${r.observatory.testsPassed}/${r.observatory.testsQuantity}]`];
  if (r.error) lines.push(`  ! ${r.error.message}`);
  for (const t of Object.values(r.tests)) {
    lines.push(`  ${t.pass ? "✔" : "✖"} ${t.id.padEnd(32)} ${t.result}${t.scoreModifier !== 0 ? ` (${t.scoreModifier > 0 ? "+" : ""}${t.scoreModifier})` : ""}`);
  }
  for (const f of r.findings) lines.push(`  - [${f.severity}] ${f.title[lang]}\n      ${f.fix[lang]}`);
  return lines.join("\n");
}

export function registerScannerCommands(program: Command): void {
  program
    .command("scan")
    .description("Scan web sites: security headers (Observatory-compatible), TLS, cookies, exposure, privacy notice, payment-page scripts")
    .argument("[targets...]", "full http(s) URLs, or bare host[:port] (both http:// and https:// are checked)")
    .option("--json", "print one JSON object per target, one per line")
    .option("--allow-host <host:port>", "allow this loopback/private host:port (repeatable; for local testing)", collect, [])
    .option("--file <path>", "read more targets from a file, one per line (# comments)")
    .option("--ca-file <pem>", "also trust this CA certificate (PEM), e.g. a local test CA")
    .option("--payment-page <url>", "a checkout/payment URL to inventory scripts on (repeatable)", collect, [])
    .option("--lang <lang>", "zh-TW or en for the human-readable report", "zh-TW")
    .option("--concurrency <n>", "targets scanned at the same time (1–16)", "4")
    .option("--no-probes", "skip exposure probes, security.txt, privacy page and TLS 1.0/1.1 probes (about 5 requests per target instead of 25)")
    .action(async (targets: string[], opts: ScanCliOptions, cmd: Command) => {
      const inputs = [...targets];
      if (opts.file !== undefined) {
        let text: string;
        try {
          text = readFileSync(opts.file, "utf8");
        } catch (e) {
          cmd.error(`scan: cannot read --file ${opts.file}: ${e instanceof Error ? e.message : String(e)}`, { exitCode: 1 });
        }
        inputs.push(...text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== "" && !l.startsWith("#")));
      }
      if (inputs.length === 0) cmd.error("scan: give at least one target (URL or host[:port]) or --file", { exitCode: 1 });
      if (opts.lang !== "zh-TW" && opts.lang !== "en") cmd.error(`scan: --lang must be zh-TW or en, not "${opts.lang}"`, { exitCode: 1 });
      const concurrency = Number(opts.concurrency);
      if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 16) cmd.error(`scan: --concurrency must be an integer from 1 to 16, not "${opts.concurrency}"`, { exitCode: 1 });
      const parsed: ScanTarget[] = [];
      try {
        for (const a of opts.allowHost) parseAllowHost(a);
        for (const i of inputs) parsed.push(parseTarget(i));
      } catch (e) {
        if (e instanceof TargetError || isNetError(e)) cmd.error(`scan: ${e.message}`, { exitCode: 1 });
        throw e;
      }
      let ca: string[] = [];
      if (opts.caFile !== undefined) {
        try {
          ca = [readFileSync(opts.caFile, "utf8")];
        } catch (e) {
          cmd.error(`scan: cannot read --ca-file ${opts.caFile}: ${e instanceof Error ? e.message : String(e)}`, { exitCode: 1 });
        }
      }
      const fetcher = createScannerFetcher({ allowHosts: opts.allowHost, ca });
      // Scans run `concurrency` at a time; reports print in input order as soon as they can.
      const bar = process.stderr.isTTY && parsed.length > 1 ? new cliProgress.SingleBar({ format: "scan [{bar}] {value}/{total} {host}", clearOnComplete: true }, cliProgress.Presets.shades_classic) : null;
      bar?.start(parsed.length, 0, { host: "" });
      const results: (ScanResult | undefined)[] = Array.from({ length: parsed.length }, () => undefined);
      let next = 0;
      let printed = 0;
      let failed = 0;
      const flush = (): void => {
        for (let r = results[printed]; r !== undefined; r = results[printed]) {
          const t = parsed[printed];
          printed++;
          if (r.error && r.statusCode === null) {
            failed++;
            const hint = /refusing/.test(r.error.message) ? " (private and loopback addresses are refused; use --allow-host host:port for a local test server)" : "";
            console.error(`scan: ${t?.input ?? r.url}: ${r.error.message}${hint}`);
          }
          if (opts.json) console.log(JSON.stringify(toJson(r)));
          else console.log(human(r, opts.lang === "en" ? "en" : "zh-TW"));
        }
      };
      const worker = async (): Promise<void> => {
        for (let i = next++; i < parsed.length; i = next++) {
          const t = parsed[i];
          if (!t) continue;
          results[i] = await scan(t, { fetcher, clock: systemClock, paymentPages: opts.paymentPage, deep: opts.probes, tlsProbes: opts.probes });
          bar?.increment(1, { host: t.hostname });
          if (!bar) flush();
        }
      };
      await Promise.all(Array.from({ length: Math.min(concurrency, parsed.length) }, worker));
      bar?.stop();
      flush();
      if (failed > 0) process.exitCode = 2;
    });
}
