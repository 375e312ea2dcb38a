// Key material for the protect operators. A key ring holds 32-byte master keys with ids; the HMAC
// and AES-256-GCM keys are derived from a master key with HKDF-SHA-256 (RFC 5869) under distinct
// info strings, so one master key never serves two algorithms.
//
// Key file (JSON): {"active": "k2025", "keys": [{"id": "k2025", "key": "<base64 or hex, 32 bytes>"}]}
// or one "id:key" per line. Environment variable: ECTRUST_PII_KEY="id:key" (several separated by ",";
// the first is active).
import { hkdfSync } from "node:crypto";
import { readFileSync } from "node:fs";

export const HKDF_INFO_HMAC = "ectrust/pii/hmac-token/v1";
export const HKDF_INFO_AEAD = "ectrust/pii/aes-256-gcm/v1";
const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;

export class KeyError extends Error {
  readonly code: "KEY_FORMAT" | "KEY_MISSING" | "KEY_UNKNOWN_ID";
  constructor(code: KeyError["code"], message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "KeyError";
    this.code = code;
  }
}

export interface KeyRing { active: string; keys: ReadonlyMap<string, Buffer> }

function decodeKey(s: string): Buffer {
  const t = s.trim();
  const b = /^[0-9a-fA-F]{64}$/.test(t) ? Buffer.from(t, "hex") : Buffer.from(t, "base64");
  if (b.length !== 32) throw new KeyError("KEY_FORMAT", "a key must be 32 bytes, written as 64 hex digits or base64");
  return b;
}

function fromPairs(pairs: Array<[string, string]>, active?: string): KeyRing {
  const keys = new Map<string, Buffer>();
  for (const [n, [id, k]] of pairs.entries()) {
    // The id is not echoed: a key written the wrong way round (key:id) would be printed in it.
    if (!KEY_ID.test(id)) throw new KeyError("KEY_FORMAT", `key ${n + 1}: a key id must be 1–32 of A–Z a–z 0–9 _ - (written id:key)`);
    // A second key under one id replaced the first without a word: tokens of the first then fail.
    if (keys.has(id)) throw new KeyError("KEY_FORMAT", `key id ${id} is given twice; give each key its own id`);
    keys.set(id, decodeKey(k));
  }
  const first = pairs[0]?.[0];
  const act = active ?? first;
  if (act === undefined || !keys.has(act)) throw new KeyError("KEY_MISSING", "no usable key in the key ring");
  return { active: act, keys };
}

/** Parses "id:key" entries separated by commas or newlines. */
export function parseKeyList(s: string): KeyRing {
  const pairs: Array<[string, string]> = [];
  for (const part of s.split(/[,\n]/)) {
    const p = part.trim();
    if (p === "" || p.startsWith("#")) continue;
    const i = p.indexOf(":");
    if (i <= 0) throw new KeyError("KEY_FORMAT", "each key is written id:key");
    pairs.push([p.slice(0, i), p.slice(i + 1)]);
  }
  return fromPairs(pairs);
}

export function loadKeyFile(path: string): KeyRing {
  const text = readFileSync(path, "utf8");
  if (text.trimStart().startsWith("{")) {
    let j: unknown;
    try {
      j = JSON.parse(text);
    } catch (e) {
      throw new KeyError("KEY_FORMAT", "key file is not valid JSON", { cause: e });
    }
    const o = j as { active?: unknown; keys?: unknown };
    if (!Array.isArray(o.keys)) throw new KeyError("KEY_FORMAT", 'key file needs a "keys" array');
    const pairs = (o.keys as Array<{ id?: unknown; key?: unknown }>).map((k): [string, string] => [String(k.id), String(k.key)]);
    return fromPairs(pairs, typeof o.active === "string" ? o.active : undefined);
  }
  return parseKeyList(text);
}

export function loadKeyRing(opts: { keyFile?: string; keyEnv?: string }, env: NodeJS.ProcessEnv = process.env): KeyRing {
  if (opts.keyFile) return loadKeyFile(opts.keyFile);
  const name = opts.keyEnv ?? "ECTRUST_PII_KEY";
  const v = env[name];
  if (!v) throw new KeyError("KEY_MISSING", `no key: pass --key-file or set ${name}`);
  return parseKeyList(v);
}

export function deriveKey(master: Buffer, info: string): Buffer {
  return Buffer.from(hkdfSync("sha256", master, Buffer.alloc(0), info, 32));
}
