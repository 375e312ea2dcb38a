// Compact JWS (RFC 7515 §7.1) with Ed25519 (RFC 8037; alg "EdDSA", or "Ed25519" from
// RFC 9864), as VC-JOSE-COSE secures a credential (`typ: vc+jwt`). Hand-written on WebCrypto
// so that the widget stays small; conformance with `jose` is tested.
import { base64url, fromBase64url, fromUtf8, sha256, utf8, type Bytes } from "../tlog/bytes.ts";
import { webCryptoVerify, type Ed25519Verify, type Signer } from "../tlog/ed25519.ts";
import { reject, type VerifyErrorCode } from "./errors.ts";

export const ACCEPTED_ALGS: readonly string[] = ["EdDSA", "Ed25519"];
export const MAX_JWS_LENGTH = 200_000;

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type JsonObject = { [k: string]: Json };

/** base64url bytes, or no bytes (which no signature or key check accepts). */
export const bytesOf = (s: string): Bytes => fromBase64url(s) ?? new Uint8Array(0);

export const isObject = (v: unknown): v is JsonObject => typeof v === "object" && v !== null && !Array.isArray(v);

/** base64url → UTF-8 → JSON object, or a typed error with `code`. */
export function decodeJsonPart(part: string, code: VerifyErrorCode): JsonObject {
  const text = fromUtf8(fromBase64url(part) ?? Uint8Array.of(0xff));
  let v: unknown;
  try {
    v = JSON.parse(text ?? "");
  } catch {
    return reject(code, "not base64url JSON");
  }
  if (!isObject(v)) return reject(code, "not a JSON object");
  return v;
}

export interface CompactJws {
  header: JsonObject;
  payload: JsonObject;
  signingInput: Bytes;
  signature: Bytes;
}

/** Splits and decodes; checks `alg`, `typ` and `crit` (§5.4 step 2). */
export function parseCompactJws(jws: string, typ = "vc+jwt"): CompactJws {
  if (jws.length > MAX_JWS_LENGTH) reject("jws_malformed", "JWS too large");
  const parts = jws.split(".");
  if (parts.length !== 3) reject("jws_malformed", "a compact JWS has three parts");
  const [h = "", p = "", s = ""] = parts;
  const header = decodeJsonPart(h, "jws_malformed");
  const payload = decodeJsonPart(p, "jws_malformed");
  const signature = fromBase64url(s);
  if (signature?.length !== 64) return reject("jws_malformed", "signature is not 64 bytes of base64url");
  if (typeof header.alg !== "string" || !ACCEPTED_ALGS.includes(header.alg)) reject("jws_alg", `alg ${JSON.stringify(header.alg)}`);
  if (header.typ !== typ) reject("jws_typ", `typ ${JSON.stringify(header.typ)}, expected ${typ}`);
  if ("crit" in header) reject("jws_crit", "crit is not supported");
  if (header.b64 !== undefined) reject("jws_crit", "b64 is not supported");
  return { header, payload, signingInput: utf8(`${h}.${p}`), signature };
}

export async function verifyJwsSignature(jws: CompactJws, publicKey: Uint8Array, verify: Ed25519Verify = webCryptoVerify): Promise<void> {
  if (!(await verify(publicKey, jws.signature, jws.signingInput))) reject("signature_invalid", "Ed25519 signature does not verify");
}

/** Signs a compact JWS with alg EdDSA (what VC-JOSE-COSE examples emit; see design §2.3). */
export async function signCompactJws(header: JsonObject, payload: JsonObject, signer: Signer): Promise<string> {
  const input = `${base64url(utf8(JSON.stringify({ alg: "EdDSA", ...header })))}.${base64url(utf8(JSON.stringify(payload)))}`;
  return `${input}.${base64url(await signer.sign(utf8(input)))}`;
}

/** RFC 7638 JWK thumbprint of an Ed25519 public key: SHA-256 over {"crv","kty","x"}, base64url. */
export async function thumbprint(publicKey: Uint8Array): Promise<string> {
  return base64url(await sha256(utf8(`{"crv":"Ed25519","kty":"OKP","x":"${base64url(publicKey)}"}`)));
}

export const THUMBPRINT_URN = "urn:ietf:params:oauth:jwk-thumbprint:sha-256:";

/** The header `kid`: `<issuer>/keys/urn:ietf:params:oauth:jwk-thumbprint:sha-256:<tp>` (RFC 9278). */
export const kidUri = (issuer: string, tp: string): string => `${issuer}/keys/${THUMBPRINT_URN}${tp}`;
