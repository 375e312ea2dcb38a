// The 32-byte master key that seals secrets at rest (TOTP seeds, signing keys). From
// SECRET_KEY when set; for the embedded default it is generated once into DATA_DIR with
// owner-only permissions.
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Config } from "./config.ts";

export const MASTER_KEY_FILE = "master.key";

export function loadMasterKey(config: Config): Buffer {
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
