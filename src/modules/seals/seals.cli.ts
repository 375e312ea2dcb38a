// The seals module's commands: `ectrust log verify <dir>` audits a tiled log folder, and
// `ectrust verify <credential-file>` verifies a seal bundle from a pinned root, with the same
// algorithm as the widget (design note §5.4). Both print JSON with --json and exit non-zero
// on failure. Verifying by origin or shop id needs the seal server: not yet (docs/seals.md).
import type { Command } from "commander";
import { readFile } from "node:fs/promises";
import { base64url, fromBase64url } from "./tlog/bytes.ts";
import { FsLogStore } from "./tlog/fs-store.ts";
import { auditLog, monitorOrigin } from "./tlog/audit.ts";
import { HttpLogStore } from "./tlog/http-store.ts";
import { parseVkey } from "./tlog/note.ts";
import { verifyAnchor } from "./verify/anchor.ts";
import { VerifyError } from "./verify/errors.ts";
import { isObject } from "./verify/jws.ts";
import { verifySeal, type Verdict } from "./verify/seal.ts";
import { MAX_LIST_BYTES } from "./verify/status.ts";
import { nodeEd25519Verify, nodeGunzip } from "./tlog/node-crypto.ts";

/** A root key given as base64url Ed25519 bytes, or as a C2SP vkey string. */
export async function parseRootKey(s: string): Promise<string> {
  if (s.includes("+")) return base64url((await parseVkey(s)).publicKey);
  if (fromBase64url(s)?.length !== 32) throw new Error(`--root ${s}: not a vkey or a base64url Ed25519 key`);
  return s;
}

export interface CredentialFile {
  anchor: string;
  jwt: string;
  tlogProof: string;
  entry: string;
  /** Status list credentials by URL, for offline checks. */
  statusLists?: Record<string, string>;
}

export interface VerifyFileOptions {
  roots: string[];
  threshold?: number;
  minVersion?: number;
  logOrigin?: string;
  origin?: string;
  offline?: boolean;
  now?: Date;
}

/** Verifies a credential bundle file (JSON: anchor, jwt, tlogProof, entry[, statusLists]). */
export async function verifyCredentialFile(text: string, o: VerifyFileOptions): Promise<Verdict> {
  let f: CredentialFile;
  try {
    const v = JSON.parse(text) as unknown;
    if (!isObject(v) || typeof v.anchor !== "string" || typeof v.jwt !== "string" || typeof v.tlogProof !== "string" || typeof v.entry !== "string") {
      throw new Error("needs anchor, jwt, tlogProof and entry strings");
    }
    f = v as unknown as CredentialFile;
  } catch (e) {
    return { state: "invalid", code: "jws_malformed", message: `credential file: ${(e as Error).message}` };
  }
  const now = o.now ?? new Date();
  const roots = await Promise.all(o.roots.map(parseRootKey));
  let anchor;
  try {
    anchor = await verifyAnchor(f.anchor, { roots, threshold: o.threshold ?? 1, minVersion: o.minVersion ?? 1 }, now, nodeEd25519Verify);
  } catch (e) {
    const v = e instanceof VerifyError ? e : new VerifyError("internal_error", String(e));
    return { state: "invalid", code: v.code, message: v.message };
  }
  return verifySeal({
    bundle: { jwt: f.jwt, tlogProof: f.tlogProof, entry: f.entry },
    anchor,
    logOrigin: o.logOrigin ?? anchor.log.origin,
    embedding: o.origin ? { origin: o.origin, source: "referrer" } : undefined,
    now,
    ed25519: nodeEd25519Verify,
    gunzip: nodeGunzip(MAX_LIST_BYTES),
    fetchStatusList: async (url) => {
      const inline = f.statusLists?.[url];
      if (inline !== undefined) return inline;
      if (o.offline) throw new Error(`offline and no copy of ${url}`);
      const r = await fetch(url, { redirect: "error" });
      if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
      return r.text();
    },
  });
}

function describe(v: Verdict): string {
  if (v.state === "invalid") return `INVALID (${v.code}): ${v.message}`;
  const s = v.subject;
  const who = `${s.legalName} — ${s.mark} — ${s.origins.join(", ")} — ${s.credentialId}, log index ${s.logIndex ?? "?"}`;
  if (v.state === "wrong_origin") return `WRONG ORIGIN: valid only on ${s.origins.join(", ")}, not ${v.embeddingOrigin}\n${who}`;
  if (v.state === "unavailable") return `STATUS UNAVAILABLE (${v.code}): ${v.message}\n${who}`;
  return `${v.state.toUpperCase()}: ${who}`;
}

/** Adds this module's commands to the `ectrust` program. */
export function registerSealsCommands(program: Command): void {
  const log = program.command("log").description("The seals transparency log");
  log
    .command("verify <dir>")
    .description("Audit a tiled log folder: recompute the tree from the entries, check every tile and every checkpoint's root and consistency; exits 1 on any problem")
    .option("--vkey <vkey>", "the log's verifier key (C2SP vkey); without it signatures are not checked")
    .option("--json", "print the report as JSON")
    .action(async (dir: string, opts: { vkey?: string; json?: boolean }) => {
      const report = await auditLog(new FsLogStore(dir), opts.vkey ? { vkey: opts.vkey } : {});
      if (opts.json) console.log(JSON.stringify(report, null, 2));
      else {
        console.log(`${report.ok ? "OK" : "FAILED"}: ${report.origin ?? "?"} size ${report.size}, ${report.checkpoints} checkpoints, ${report.tiles} tiles` + (report.signaturesChecked ? ", signatures checked" : ", signatures NOT checked (no --vkey)"));
        console.log(`entries: ${Object.entries(report.entryTypes).map(([t, n]) => `${t} ${n}`).join(", ") || "none"}`);
        for (const p of report.problems) console.log(`problem: ${p}`);
      }
      process.exitCode = report.ok ? 0 : 1;
    });

  log
    .command("monitor <origin>")
    .description("List every log entry that names a web origin (e.g. https://shop.example), from a log folder or URL prefix")
    .requiredOption("--log <dir-or-url>", "the log: a local folder, or the tlog-tiles URL prefix")
    .option("--vkey <vkey>", "the log's verifier key: check the checkpoint's signature")
    .option("--from <index>", "start at this entry index", "0")
    .option("--json", "print the hits as JSON")
    .action(async (origin: string, opts: { log: string; vkey?: string; from: string; json?: boolean }) => {
      const store = /^https?:\/\//.test(opts.log) ? new HttpLogStore(opts.log) : new FsLogStore(opts.log);
      const r = await monitorOrigin(store, origin, { ...(opts.vkey ? { vkey: opts.vkey } : {}), from: Number(opts.from) });
      if (opts.json) console.log(JSON.stringify(r, null, 2));
      else {
        console.log(`${r.hits.length} entries name ${origin} (log size ${r.size})`);
        for (const h of r.hits) console.log(`\n#${h.index} ${h.type}\n${h.entry.trimEnd()}`);
      }
    });

  program
    .command("verify <credential-file>")
    .description("Verify a seal credential bundle (JSON: anchor, jwt, tlogProof, entry[, statusLists]) from a pinned root, as the widget does; exits 1 unless valid")
    .requiredOption("--root <key...>", "pinned root key(s): a C2SP vkey or base64url Ed25519 public key")
    .option("--threshold <n>", "root signatures required", "1")
    .option("--min-version <n>", "minimum trust-anchor version", "1")
    .option("--log-origin <origin>", "pinned log origin (default: the anchor's)")
    .option("--origin <origin>", "check as if embedded on this web origin")
    .option("--offline", "use only the status lists in the file")
    .option("--json", "print the verdict as JSON")
    .action(async (file: string, opts: { root: string[]; threshold: string; minVersion: string; logOrigin?: string; origin?: string; offline?: boolean; json?: boolean }) => {
      const verdict = await verifyCredentialFile(await readFile(file, "utf8"), {
        roots: opts.root,
        threshold: Number(opts.threshold),
        minVersion: Number(opts.minVersion),
        ...(opts.logOrigin ? { logOrigin: opts.logOrigin } : {}),
        ...(opts.origin ? { origin: opts.origin } : {}),
        offline: opts.offline === true,
      });
      console.log(opts.json ? JSON.stringify(verdict, null, 2) : describe(verdict));
      process.exitCode = verdict.state === "valid" ? 0 : 1;
    });
}
