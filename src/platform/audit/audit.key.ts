// The audit trail's keys. A database-only attacker (SQL access, no access to the server's key
// material) could recompute an unkeyed SHA-256 chain after editing a row; a chain keyed with a
// secret that is not in the database cannot be recomputed. Both keys are derived from the master
// key (SECRET_KEY or DATA_DIR/master.key) with HKDF-SHA256 (RFC 5869 §2), one `info` per use, so
// neither can be turned into the other or into the master key.
import { createHash, createHmac, hkdfSync } from "node:crypto";

/** HKDF `info` of the key that MACs each row (RFC 5869 §2.3). */
export const AUDIT_CHAIN_INFO = "ectrust/audit/chain/v1";
/** HKDF `info` of the key that MACs checkpoints (audit.checkpoint.ts). */
export const AUDIT_CHECKPOINT_INFO = "ectrust/audit/checkpoint/v1";
/** A keyed row's hash is this prefix and 64 hex digits; an unkeyed ("legacy") row's is the 64 hex digits alone. */
export const KEYED_PREFIX = "hmac-sha256:";

export interface AuditKeys {
  /** MACs each row: HMAC-SHA256(chain, prevHash "\n" canonical row) */
  readonly chain: Buffer;
  /** MACs each checkpoint */
  readonly checkpoint: Buffer;
}

export function deriveAuditKeys(masterKey: Buffer): AuditKeys {
  const derive = (info: string): Buffer => Buffer.from(hkdfSync("sha256", masterKey, Buffer.alloc(0), info, 32));
  return { chain: derive(AUDIT_CHAIN_INFO), checkpoint: derive(AUDIT_CHECKPOINT_INFO) };
}

export const isKeyedHash = (hash: string): boolean => hash.startsWith(KEYED_PREFIX);

/** The hash of one row: keyed when `chainKey` is given, else the legacy SHA-256. */
export function chainHash(prevHash: string, body: string, chainKey?: Buffer): string {
  if (chainKey) return KEYED_PREFIX + createHmac("sha256", chainKey).update(prevHash).update("\n").update(body).digest("hex");
  return createHash("sha256").update(prevHash).update("\n").update(body).digest("hex");
}

// The keys of this process. appendAudit is called from every module with (tx, clock, actor,
// entry); rather than thread a key through all of them, the process that loads the master key
// arms the audit keys (loadMasterKey in ../keys.ts does it), so no process that holds the master
// key can forget to key its rows. One process serves one deployment, so one master key.
let processKeys: AuditKeys | undefined;

export function armAuditKeys(keys: AuditKeys | undefined): void {
  processKeys = keys;
}

/** The keys this process writes with, or undefined (a process that never loaded the master key: unit tests, old tools). */
export function armedAuditKeys(): AuditKeys | undefined {
  return processKeys;
}
