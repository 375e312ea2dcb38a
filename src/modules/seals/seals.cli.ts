// The seals module's commands: `ectrust log verify <dir>` audits a tiled log folder, and
// `ectrust verify <credential-file>` verifies a seal bundle from a pinned root, with the same
// algorithm as the widget (design note §5.4). Both print JSON with --json and exit non-zero
// on failure. `ectrust verify <origin | shop id> --server <url>` verifies what a running server
// publishes (seals.remote.ts); `ectrust keys …` manages the key store (seals.keys.cli.ts).
import type { Command } from "commander";
import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { wholeNumber } from "../../platform/cli-options.ts";
import { auditLog, monitorOrigin } from "./tlog/audit.ts";
import { base64, base64url, fromBase64url, sha256, utf8 } from "./tlog/bytes.ts";
import { generateSigner } from "./tlog/ed25519.ts";
import { DEFAULT_ENTRY_HEADER, formatEntry, issueEntry } from "./tlog/entry.ts";
import { FsLogStore } from "./tlog/fs-store.ts";
import { HttpLogStore } from "./tlog/http-store.ts";
import { nodeEd25519Verify, nodeGunzip } from "./tlog/node-crypto.ts";
import { formatVkey, parseVkey } from "./tlog/note.ts";
import { Sequencer } from "./tlog/sequencer.ts";
import { anchorKey, signAnchor, verifyAnchor, type TrustAnchor } from "./verify/anchor.ts";
import { buildCredential, signCredential } from "./verify/credential.ts";
import { VerifyError } from "./verify/errors.ts";
import { isObject, thumbprint } from "./verify/jws.ts";
import { verifySeal, type Verdict } from "./verify/seal.ts";
import { MAX_LIST_BYTES, MIN_LIST_BITS, signStatusList } from "./verify/status.ts";
import { registerKeysCommands } from "./seals.keys.cli.ts";
import { UsageError } from "./seals.errors.ts";
import { getText } from "./seals.fetch.ts";
import { isRemoteTarget, verifyRemote } from "./seals.remote.ts";

/** A root key given as base64url Ed25519 bytes, or as a C2SP vkey string. */
export async function parseRootKey(s: string): Promise<string> {
  const shown = s.length > 120 ? `${s.slice(0, 120)}…` : s;
  if (s.includes("+")) {
    try {
      return base64url((await parseVkey(s)).publicKey);
    } catch {
      throw new UsageError(`--root ${shown}: not a vkey or a base64url Ed25519 key`);
    }
  }
  if (fromBase64url(s)?.length !== 32) throw new UsageError(`--root ${shown}: not a vkey or a base64url Ed25519 key`);
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
  // A NaN threshold or minimum version would make every comparison false, i.e. accept an anchor
  // that no pinned root signed, or any old version: refuse anything but whole numbers ≥ 1.
  for (const [name, v] of [["threshold", o.threshold ?? 1], ["minimum version", o.minVersion ?? 1]] as const) {
    if (!Number.isSafeInteger(v) || v < 1) throw new UsageError(`${name} must be a whole number ≥ 1, not ${String(v)}`);
  }
  const roots = await Promise.all(o.roots.map(parseRootKey)); // the user's flags first, then the file
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
      return getText(url); // capped at 1 MB, 10 s; a failure is "status unavailable"
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

/**
 * Writes a small, real example into `dir`: a log folder (`dir/log`) holding a trust-anchor,
 * two status-list entries and one issued credential, and `dir/cred.json` ready for
 * `ectrust verify`. Fresh random keys; returns the root and log vkeys to pin.
 */
export async function writeDemo(dir: string, now: Date): Promise<{ rootVkey: string; logVkey: string; logOrigin: string }> {
  const issuer = "https://trust.ectrust.example";
  const logOrigin = "log.ectrust.example/marks";
  const [root, issuing, status, logKey] = await Promise.all([generateSigner(), generateSigner(), generateSigner(), generateSigner()]);
  const day = 86_400_000;
  const iso = (t: number): string => new Date(Math.floor(t / 1000) * 1000).toISOString().replace(".000Z", "Z");
  const t = now.getTime();
  const anchor: TrustAnchor = {
    version: 1,
    issuer,
    expires: iso(t + 30 * day),
    keys: [await anchorKey(issuing.signer.publicKey, "issuing", iso(t - day)), await anchorKey(status.signer.publicKey, "status", iso(t - day))],
    log: { origin: logOrigin, vkey: await formatVkey(logOrigin, logKey.signer.publicKey), witnessThreshold: 0 },
  };
  const anchorDoc = await signAnchor(anchor, [root.signer]);
  const lists: Record<string, string> = {};
  for (const [purpose, path] of [["revocation", "r"], ["suspension", "s"]] as const) {
    const url = `${issuer}/status/${path}/1`;
    lists[url] = await signStatusList({ id: url, issuer, purpose, bits: new Uint8Array(MIN_LIST_BITS / 8), validFrom: iso(t), validUntil: iso(t + day), ttlMs: 300_000 }, status.signer);
  }
  const input = {
    id: `urn:uuid:${crypto.randomUUID()}`, issuer, issuerName: "ECTrust", validFrom: iso(t - day), validUntil: iso(t + 365 * day), issuedAt: now,
    origins: ["https://shop.example", "https://www.shop.example"], legalName: "Shop Example Co., Ltd.", registrationNumber: "12345678", jurisdiction: "TW",
    mark: { type: "PrivacyMark", scheme: "ectrust-privacy-v1" },
    status: [
      { statusPurpose: "revocation" as const, statusListIndex: 0, statusListCredential: `${issuer}/status/r/1` },
      { statusPurpose: "suspension" as const, statusListIndex: 0, statusListCredential: `${issuer}/status/s/1` },
    ],
  };
  const jwt = await signCredential(buildCredential(input), issuer, issuing.signer);
  const entry = formatEntry(issueEntry({ cred: input.id, mark: "PrivacyMark", origins: input.origins, kid: await thumbprint(issuing.signer.publicKey), validFrom: input.validFrom, validUntil: input.validUntil, jwtSha256: base64(await sha256(utf8(jwt))) }));
  const seq = await Sequencer.open({ store: new FsLogStore(join(dir, "log")), origin: logOrigin, signer: logKey.signer, maxDelayMs: 10 });
  await seq.append(formatEntry({ header: DEFAULT_ENTRY_HEADER, type: "anchor", fields: [["version", "1"], ["anchor-sha256", base64(await sha256(utf8(anchorDoc)))]] }));
  for (const [url, list] of Object.entries(lists)) {
    await seq.append(formatEntry({ header: DEFAULT_ENTRY_HEADER, type: "status-list", fields: [["list", url], ["list-sha256", base64(await sha256(utf8(list)))], ["valid", `${iso(t)} ${iso(t + day)}`]] }));
  }
  const logged = await seq.append(entry);
  await seq.close();
  const file: CredentialFile = { anchor: anchorDoc, jwt, tlogProof: await seq.tlogProof(logged.index, logged.checkpoint), entry: new TextDecoder().decode(entry), statusLists: lists };
  await writeFile(join(dir, "cred.json"), JSON.stringify(file, null, 2) + "\n");
  return { rootVkey: await formatVkey("root.ectrust.example", root.signer.publicKey), logVkey: anchor.log.vkey, logOrigin };
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
    .option("--from <index>", "start at this entry index", wholeNumber(0), 0)
    .option("--json", "print the hits as JSON")
    .action(async (origin: string, opts: { log: string; vkey?: string; from: number; json?: boolean }) => {
      const store = /^https?:\/\//.test(opts.log) ? new HttpLogStore(opts.log) : new FsLogStore(opts.log);
      const r = await monitorOrigin(store, origin, { ...(opts.vkey ? { vkey: opts.vkey } : {}), from: opts.from });
      if (opts.json) console.log(JSON.stringify(r, null, 2));
      else {
        console.log(`${r.hits.length} entries name ${origin} (log size ${r.size})`);
        for (const h of r.hits) console.log(`\n#${h.index} ${h.type}\n${h.entry.trimEnd()}`);
      }
    });

  program
    .command("seals")
    .description("Seals: examples for trying the verifiers")
    .command("demo <dir>")
    .description("Write an example log folder (<dir>/log) and credential bundle (<dir>/cred.json) with fresh keys, and print the commands that verify them")
    .action(async (dir: string) => {
      const d = await writeDemo(dir, new Date());
      console.log(`Wrote ${dir}/log and ${dir}/cred.json (fresh keys).\n`);
      console.log(`ectrust log verify ${dir}/log --vkey '${d.logVkey}'`);
      console.log(`ectrust log monitor https://shop.example --log ${dir}/log`);
      console.log(`ectrust verify ${dir}/cred.json --root '${d.rootVkey}' --offline --origin https://shop.example`);
    });

  registerKeysCommands(program);

  program
    .command("verify <credential-file>")
    .description("Verify a seal credential bundle (JSON: anchor, jwt, tlogProof, entry[, statusLists]), or every seal of a shop id or web origin on --server, from a pinned root, as the widget does; exits 1 unless valid")
    .option("--server <url>", "the ectrust server, for a shop id or origin", process.env.PUBLIC_URL ?? "http://localhost:3000")
    .requiredOption("--root <key...>", "pinned root key(s): a C2SP vkey or base64url Ed25519 public key")
    .option("--threshold <n>", "root signatures required", wholeNumber(1, 16), 1)
    .option("--min-version <n>", "minimum trust-anchor version", wholeNumber(1), 1)
    .option("--log-origin <origin>", "pinned log origin (default: the anchor's)")
    .option("--origin <origin>", "check as if embedded on this web origin")
    .option("--offline", "use only the status lists in the file")
    .option("--json", "print the verdict as JSON")
    .action(async (file: string, opts: { root: string[]; threshold: number; minVersion: number; logOrigin?: string; origin?: string; offline?: boolean; json?: boolean; server: string }) => {
      if (!existsSync(file) && isRemoteTarget(file)) {
        if (!URL.canParse(opts.server) || !/^https?:$/.test(new URL(opts.server).protocol)) throw new UsageError(`--server ${opts.server}: not an http(s) URL`);
        const results = await verifyRemote(file, opts.server, {
          roots: opts.root,
          threshold: opts.threshold,
          minVersion: opts.minVersion,
          ...(opts.logOrigin ? { logOrigin: opts.logOrigin } : {}),
          ...(opts.origin ? { origin: opts.origin } : {}),
        });
        if (opts.json) console.log(JSON.stringify(results, null, 2));
        else if (results.length === 0) console.log(`NO SEAL: no credentials for ${file} on ${opts.server}`);
        else for (const r of results) console.log(`shop ${r.shopId}: ${describe(r.verdict)}`);
        process.exitCode = results.length > 0 && results.every((r) => r.verdict.state === "valid") ? 0 : 1;
        return;
      }
      const text = await readFile(file, "utf8").catch((e: unknown) => {
        throw new UsageError(`${file}: cannot read the credential file (${(e as NodeJS.ErrnoException).code ?? String(e)}); give a file, a shop id or an https://origin`);
      });
      const verdict = await verifyCredentialFile(text, {
        roots: opts.root,
        threshold: opts.threshold,
        minVersion: opts.minVersion,
        ...(opts.logOrigin ? { logOrigin: opts.logOrigin } : {}),
        ...(opts.origin ? { origin: opts.origin } : {}),
        offline: opts.offline === true,
      });
      console.log(opts.json ? JSON.stringify(verdict, null, 2) : describe(verdict));
      process.exitCode = verdict.state === "valid" ? 0 : 1;
    });
}
