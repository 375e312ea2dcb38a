// The trust anchor (design note §4.2): a versioned document signed by a threshold of pinned
// root keys, as a JWS General JSON Serialization (RFC 7515 §7.2.1). It lists the issuing and
// status keys (kid = RFC 7638 thumbprint) and the log's origin and vkey.
import { base64url, fromBase64url, utf8 } from "../tlog/bytes.ts";
import { webCryptoVerify, type Ed25519Verify, type Signer } from "../tlog/ed25519.ts";
import { as, reject } from "./errors.ts";
import { ACCEPTED_ALGS, bytesOf, decodeJsonPart, isObject, thumbprint, type JsonObject } from "./jws.ts";

export const ANCHOR_TYP = "ectrust-trust-anchor+jws";
export const MAX_ANCHOR_LENGTH = 200_000;

export type KeyRole = "issuing" | "status";
export type KeyState = "active" | "verify-only" | "revoked";

export interface AnchorKey {
  kid: string; // RFC 7638 thumbprint of x
  role: KeyRole;
  x: string; // base64url Ed25519 public key
  state: KeyState;
  notBefore: string;
  notAfter?: string;
  revokedAt?: string;
}

export interface TrustAnchor {
  version: number;
  issuer: string;
  expires: string;
  keys: AnchorKey[];
  /** The log, its key, and the witness policy: k of `witnesses` (cosignature 0x04 vkeys). */
  log: { origin: string; vkey: string; witnessThreshold: number; witnesses?: string[] };
}

/** What a verifier compiles in (§4.3): root keys, threshold, minimum anchor version. */
export interface PinnedRoots {
  roots: readonly string[]; // base64url Ed25519 public keys
  threshold: number;
  minVersion: number;
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?Z$/;
/** Milliseconds since the epoch of a strict RFC 3339 UTC timestamp, else undefined. */
export function parseTime(v: unknown): number | undefined {
  if (typeof v !== "string" || !ISO.test(v)) return undefined;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : t;
}

const str = (v: unknown): v is string => typeof v === "string" && v !== "";

function parseKey(v: unknown): AnchorKey {
  if (!isObject(v)) return reject("anchor_malformed", "key is not an object");
  const { kid, role, x, state, notBefore, notAfter, revokedAt } = v;
  if (!str(kid) || (role !== "issuing" && role !== "status") || !str(x) || fromBase64url(x)?.length !== 32) {
    return reject("anchor_malformed", "key needs kid, role issuing|status and a 32-byte x");
  }
  if (state !== "active" && state !== "verify-only" && state !== "revoked") return reject("anchor_malformed", "bad key state");
  if (parseTime(notBefore) === undefined) return reject("anchor_malformed", "bad notBefore");
  for (const t of [notAfter, revokedAt]) if (t !== undefined && parseTime(t) === undefined) reject("anchor_malformed", "bad key time");
  if ((state === "revoked") !== (revokedAt !== undefined)) reject("anchor_malformed", "revokedAt goes with state revoked");
  const key: AnchorKey = { kid, role, x, state, notBefore: notBefore as string };
  if (notAfter !== undefined) key.notAfter = notAfter as string;
  if (revokedAt !== undefined) key.revokedAt = revokedAt as string;
  return key;
}

export function parseAnchorPayload(p: JsonObject): TrustAnchor {
  const { version, issuer, expires, keys, log } = p;
  if (!Number.isSafeInteger(version) || !str(issuer) || parseTime(expires) === undefined || !Array.isArray(keys) || !isObject(log)) {
    return reject("anchor_malformed", "anchor needs version, issuer, expires, keys, log");
  }
  const { origin, vkey, witnessThreshold, witnesses = [] } = log;
  if (!str(origin) || !str(vkey) || !Number.isSafeInteger(witnessThreshold) || !Array.isArray(witnesses) || !witnesses.every(str)) {
    return reject("anchor_malformed", "bad log section");
  }
  return {
    version: version as number,
    issuer,
    expires: expires as string,
    keys: keys.map(parseKey),
    log: { origin, vkey, witnessThreshold: witnessThreshold as number, witnesses },
  };
}

/**
 * §5.4 step 1: a threshold of distinct pinned roots signed it (a bad signature from a pinned
 * root rejects it; signatures by unknown keys are ignored), version ≥ pinned minimum,
 * expires > now, and every key's kid is the thumbprint of its x.
 */
export async function verifyAnchor(doc: string, pinned: PinnedRoots, now: Date, verify: Ed25519Verify = webCryptoVerify): Promise<TrustAnchor> {
  if (doc.length > MAX_ANCHOR_LENGTH) reject("anchor_malformed", "anchor too large");
  const outer = await as("anchor_malformed", () => JSON.parse(doc) as unknown);
  if (!isObject(outer) || typeof outer.payload !== "string" || !Array.isArray(outer.signatures)) {
    return reject("anchor_malformed", "not a JWS General JSON object");
  }
  const payloadPart = outer.payload;
  const payload = decodeJsonPart(payloadPart, "anchor_malformed");
  const byKid = new Map<string, string>();
  for (const x of pinned.roots) byKid.set(await thumbprint(bytesOf(x)), x);
  const signedBy = new Set<string>();
  for (const s of outer.signatures) {
    if (!isObject(s) || typeof s.protected !== "string" || typeof s.signature !== "string") return reject("anchor_malformed", "bad signature object");
    const h = decodeJsonPart(s.protected, "anchor_malformed");
    const root = typeof h.kid === "string" ? byKid.get(h.kid) : undefined;
    if (root === undefined) continue;
    if (typeof h.alg !== "string" || !ACCEPTED_ALGS.includes(h.alg) || h.typ !== ANCHOR_TYP || "crit" in h) {
      return reject("anchor_signature", "bad protected header on a root signature");
    }
    const ok = await verify(bytesOf(root), bytesOf(s.signature), utf8(`${s.protected}.${payloadPart}`));
    if (!ok) return reject("anchor_signature", "a root signature does not verify");
    signedBy.add(root);
  }
  // written so that a threshold or version that is not a number (NaN) rejects, never passes
  if (!(signedBy.size >= Math.max(1, pinned.threshold))) reject("anchor_signature", `${signedBy.size} of ${pinned.threshold} root signatures`);
  const anchor = parseAnchorPayload(payload);
  if (!(anchor.version >= pinned.minVersion)) reject("anchor_version", `anchor version ${anchor.version} below pinned ${pinned.minVersion}`);
  if (Date.parse(anchor.expires) <= now.getTime()) reject("anchor_expired", `anchor expired ${anchor.expires}`);
  for (const k of anchor.keys) {
    if ((await thumbprint(bytesOf(k.x))) !== k.kid) reject("anchor_malformed", `kid ${k.kid} is not the key's thumbprint`);
  }
  return anchor;
}

/** Issuing side: signs an anchor with each root (General JSON Serialization). */
export async function signAnchor(anchor: TrustAnchor, roots: readonly Signer[]): Promise<string> {
  const payload = base64url(utf8(JSON.stringify(anchor)));
  const signatures = [];
  for (const r of roots) {
    const prot = base64url(utf8(JSON.stringify({ alg: "EdDSA", typ: ANCHOR_TYP, kid: await thumbprint(r.publicKey) })));
    signatures.push({ protected: prot, signature: base64url(await r.sign(utf8(`${prot}.${payload}`))) });
  }
  return JSON.stringify({ payload, signatures });
}

/** Issuing side: an anchor key entry for a public key. */
export async function anchorKey(publicKey: Uint8Array, role: KeyRole, notBefore: string, state: KeyState = "active"): Promise<AnchorKey> {
  return { kid: await thumbprint(publicKey), role, x: base64url(publicKey), state, notBefore };
}
