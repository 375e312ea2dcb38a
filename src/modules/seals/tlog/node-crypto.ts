// Node-native implementations of the injectable crypto of the verifier: Ed25519 through
// node:crypto (several times faster than Node's WebCrypto) and gunzip through zlib. For the
// server and the CLI; the widget uses the WebCrypto defaults.
import { createPublicKey, verify, type KeyObject } from "node:crypto";
import { gunzip as zlibGunzip } from "node:zlib";
import { promisify } from "node:util";
import { base64url } from "./bytes.ts";
import type { Ed25519Verify } from "./ed25519.ts";

const keys = new Map<string, KeyObject>();
const gunzipAsync = promisify(zlibGunzip);

export const nodeEd25519Verify: Ed25519Verify = (publicKey, signature, message) => {
  if (publicKey.length !== 32 || signature.length !== 64) return Promise.resolve(false);
  const x = base64url(publicKey);
  let key = keys.get(x);
  if (!key) {
    key = createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x }, format: "jwk" });
    if (keys.size > 1000) keys.clear();
    keys.set(x, key);
  }
  try {
    return Promise.resolve(verify(null, message, key, signature));
  } catch {
    return Promise.resolve(false);
  }
};

/** zlib gunzip, refusing output over `max` bytes (a gzip bomb guard). */
export function nodeGunzip(max: number): (gz: Uint8Array) => Promise<Uint8Array> {
  return async (gz) => new Uint8Array(await gunzipAsync(gz, { maxOutputLength: max }));
}
