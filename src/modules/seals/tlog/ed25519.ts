// Ed25519 on WebCrypto (Node ≥ 20, Chromium ≥ 137, Firefox ≥ 129, Safari ≥ 17), behind two
// tiny interfaces so callers can inject a fallback verifier (the widget's lazy
// @noble/ed25519) or a signer whose private key lives elsewhere (a KMS, the key store).
import { concat, fromBase64url, type Bytes } from "./bytes.ts";

/** Verifies an Ed25519 signature; resolves false (never throws) on a bad key or signature. */
export type Ed25519Verify = (publicKey: Uint8Array, signature: Uint8Array, message: Uint8Array) => Promise<boolean>;

/** Holds an Ed25519 private key and signs with it. */
export interface Signer {
  readonly publicKey: Bytes;
  sign(message: Uint8Array): Promise<Bytes>;
}

export const webCryptoVerify: Ed25519Verify = async (publicKey, signature, message) => {
  if (publicKey.length !== 32 || signature.length !== 64) return false;
  const key = await crypto.subtle.importKey("raw", publicKey as Bytes, { name: "Ed25519" }, false, ["verify"]);
  return crypto.subtle.verify({ name: "Ed25519" }, key, signature as Bytes, message as Bytes);
};

// PKCS#8 wrapping of a raw 32-byte Ed25519 seed (RFC 8410 §7).
const PKCS8_PREFIX = Uint8Array.of(0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20);

/** A Signer from a 32-byte seed (the private key as C2SP skeys and JWK `d` carry it). */
export async function signerFromSeed(seed: Uint8Array): Promise<Signer> {
  if (seed.length !== 32) throw new RangeError("an Ed25519 seed is 32 bytes");
  const priv = await crypto.subtle.importKey("pkcs8", concat(PKCS8_PREFIX, seed), { name: "Ed25519" }, true, ["sign"]);
  const jwk = await crypto.subtle.exportKey("jwk", priv);
  // WebCrypto always exports the public half `x` of an Ed25519 private key.
  const publicKey = fromBase64url(String(jwk.x)) as Bytes;
  return {
    publicKey,
    sign: async (message) => new Uint8Array(await crypto.subtle.sign({ name: "Ed25519" }, priv, message as Bytes)),
  };
}

/** A fresh random key: its seed (keep it secret) and a Signer. */
export async function generateSigner(): Promise<{ seed: Bytes; signer: Signer }> {
  const seed = crypto.getRandomValues(new Uint8Array(32));
  return { seed, signer: await signerFromSeed(seed) };
}
