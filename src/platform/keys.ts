// The 32-byte master key that seals secrets at rest (TOTP seeds, signing keys). From
// SECRET_KEY when set; for the embedded default it is generated once into DATA_DIR with
// owner-only permissions. Loading it arms this process's audit-trail keys (audit/audit.key.ts).
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { armAuditKeys, deriveAuditKeys } from "./audit/audit.key.ts";
import type { Config } from "./config.ts";

export const MASTER_KEY_FILE = "master.key";

export function loadMasterKey(config: Config): Buffer {
  const key = readOrCreateMasterKey(config);
  armAuditKeys(deriveAuditKeys(key));
  return key;
}

/** The master key if there is one (SECRET_KEY or the file); never creates it. For verifiers. */
export function findMasterKey(config: Config): Buffer | undefined {
  if (config.secretKey) return Buffer.from(config.secretKey.reveal(), "hex");
  return existsSync(join(config.dataDir, MASTER_KEY_FILE)) ? readOrCreateMasterKey(config) : undefined;
}

function readOrCreateMasterKey(config: Config): Buffer {
  if (config.secretKey) return Buffer.from(config.secretKey.reveal(), "hex");
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const file = join(config.dataDir, MASTER_KEY_FILE);
  if (!existsSync(file)) {
    writeFileSync(file, randomBytes(32).toString("hex") + "\n", { mode: 0o600, flag: "wx" });
  }
  const mode = statSync(file).mode & 0o777;
  if (mode & 0o077) chmodSync(file, 0o600);
  const hex = readFileSync(file, "utf8").trim();
  if (!/^[0-9a-f]{64}$/.test(hex)) throw new Error(`${file} does not hold a 64-character hex key`);
  return Buffer.from(hex, "hex");
}
