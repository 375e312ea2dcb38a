// W3C Bitstring Status List v1.0: encoding (multibase `u` + base64url of the GZIP'd
// bitstring, index 0 = the left-most, most significant bit), the status list credential
// (issuing side), and its verification (§5.4 step 6).
import { base64url, fromBase64url, type Bytes } from "../tlog/bytes.ts";
import { webCryptoVerify, type Ed25519Verify, type Signer } from "../tlog/ed25519.ts";
import { parseTime, type TrustAnchor } from "./anchor.ts";
import type { StatusEntry, StatusPurpose } from "./credential.ts";
import { VC_CONTEXT } from "./credential.ts";
import { as, reject } from "./errors.ts";
import { isObject, kidUri, parseCompactJws, signCompactJws, thumbprint, verifyJwsSignature, type JsonObject } from "./jws.ts";
import { issuingKey } from "./keys.ts";

/** Minimum list length for group privacy (§2.1): 131,072 entries, 16 KB. */
export const MIN_LIST_BITS = 131_072;
/** We refuse to inflate lists beyond this (a gzip bomb guard): 2^24 entries. */
export const MAX_LIST_BYTES = 2 ** 21;

async function pipe(data: Uint8Array, stream: CompressionStream | DecompressionStream, limit: number): Promise<Bytes> {
  const reader = new Blob([data as Bytes]).stream().pipeThrough(stream).getReader();
  const chunks: Uint8Array[] = [];
  let n = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    n += value.length;
    if (n > limit) {
      await reader.cancel();
      reject("status_length", "status list inflates beyond the limit");
    }
    chunks.push(value);
  }
  const out = new Uint8Array(n);
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}

/** `encodedList` for a bitstring. */
export async function encodeList(bits: Uint8Array): Promise<string> {
  return `u${base64url(await pipe(bits, new CompressionStream("gzip"), Infinity))}`;
}

/** Gunzips at most MAX_LIST_BYTES; the default is the web DecompressionStream. */
export type Gunzip = (gz: Uint8Array) => Promise<Uint8Array>;
export const webGunzip: Gunzip = (gz) => pipe(gz, new DecompressionStream("gzip"), MAX_LIST_BYTES);

export async function decodeList(encoded: string, gunzip: Gunzip = webGunzip): Promise<Uint8Array> {
  const gz = encoded.startsWith("u") ? fromBase64url(encoded.slice(1)) : undefined;
  if (!gz) return reject("status_compression", "encodedList is not multibase base64url");
  return as("status_compression", () => gunzip(gz));
}

/** Bit `index`, MSB first. */
export function readBit(bits: Uint8Array, index: number): boolean {
  if (!Number.isSafeInteger(index) || index < 0 || index >= bits.length * 8) reject("status_index", `index ${index} outside the list`);
  return ((Number(bits[Math.floor(index / 8)]) >> (7 - (index % 8))) & 1) === 1;
}

export function setBit(bits: Uint8Array, index: number, value: boolean): void {
  const i = Math.floor(index / 8);
  const mask = 1 << (7 - (index % 8));
  bits[i] = value ? Number(bits[i]) | mask : Number(bits[i]) & ~mask;
}

export interface StatusListInput {
  id: string; // the URL the list is served at (statusListCredential)
  issuer: string;
  purpose: StatusPurpose;
  bits: Uint8Array;
  validFrom: string;
  validUntil: string;
  ttlMs: number;
}

/** Issuing side: the list credential, signed as `vc+jwt` with the status key. */
export async function signStatusList(i: StatusListInput, signer: Signer): Promise<string> {
  const payload: JsonObject = {
    "@context": [VC_CONTEXT],
    id: i.id,
    type: ["VerifiableCredential", "BitstringStatusListCredential"],
    issuer: i.issuer,
    validFrom: i.validFrom,
    validUntil: i.validUntil,
    credentialSubject: {
      id: `${i.id}#list`,
      type: "BitstringStatusList",
      statusPurpose: i.purpose,
      ttl: i.ttlMs,
      encodedList: await encodeList(i.bits),
    },
  };
  const kid = kidUri(i.issuer, await thumbprint(signer.publicKey));
  return signCompactJws({ typ: "vc+jwt", cty: "vc", kid }, payload, signer);
}

/**
 * The newest issuance (`validFrom`, ms) of each list a verifier has accepted. A list is valid for
 * 24 h, so without this a CDN or an attacker could serve an older, still-valid version (from
 * before a revocation) for that long; with it, a list never goes backwards for this verifier.
 * The widget keeps it in its own origin's localStorage; only verified lists are recorded.
 */
export interface ListHistory {
  newest(url: string): number | undefined;
  accepted(url: string, validFrom: number): void;
}

/**
 * §5.4 step 6 for one credentialStatus entry: the list's JWS by an anchor status key, type
 * BitstringStatusListCredential, served id == statusListCredential, matching purpose,
 * validUntil > now, validFrom not older than the newest version in `history`, ≥ 131,072 bits;
 * returns the bit.
 */
export async function checkStatus(
  list: string,
  entry: StatusEntry,
  anchor: TrustAnchor,
  now: Date,
  verify: Ed25519Verify = webCryptoVerify,
  gunzip?: Gunzip,
  history?: ListHistory,
): Promise<boolean> {
  const jws = await as("status_malformed", () => parseCompactJws(list), true);
  const key = issuingKey(anchor, jws.header.kid, "status", undefined, "status_signature");
  await as("status_signature", () => verifyJwsSignature(jws, key, verify), true);
  const p = jws.payload;
  const s = p.credentialSubject;
  if (!Array.isArray(p.type) || !p.type.includes("BitstringStatusListCredential") || !isObject(s) || s.type !== "BitstringStatusList") {
    return reject("status_malformed", "not a BitstringStatusListCredential");
  }
  if (p.id !== entry.statusListCredential) reject("status_malformed", "list served under another URL");
  if (p.issuer !== anchor.issuer) reject("status_malformed", "list from another issuer");
  if (s.statusPurpose !== entry.statusPurpose) reject("status_purpose", `list purpose ${JSON.stringify(s.statusPurpose)}`);
  const from = parseTime(p.validFrom);
  const until = parseTime(p.validUntil);
  if (from === undefined || until === undefined || typeof s.encodedList !== "string") return reject("status_malformed", "validFrom, validUntil and encodedList are required");
  if (until <= now.getTime()) reject("status_expired", `list expired ${p.validUntil as string}`);
  const url = entry.statusListCredential;
  if (from < (history?.newest(url) ?? from)) reject("status_rollback", `list issued ${p.validFrom as string}, older than one already seen`);
  const bits = await decodeList(s.encodedList, gunzip);
  if (bits.length * 8 < MIN_LIST_BITS) reject("status_length", `list of ${bits.length * 8} bits`);
  history?.accepted(url, from);
  return readBit(bits, entry.statusListIndex);
}
