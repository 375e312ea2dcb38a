// The seal verification algorithm of the design note §5.4, as one pure function over its
// inputs: pinned roots → trust anchor → issuing key → vc+jwt → claims → embedding origin →
// log inclusion → status lists. Runs in Node and in the widget (WebCrypto).
import { base64, sha256, utf8 } from "../tlog/bytes.ts";
import { verifyCheckpoint, parseTlogProof } from "../tlog/checkpoint.ts";
import { webCryptoVerify, type Ed25519Verify } from "../tlog/ed25519.ts";
import { fieldValues, parseEntry } from "../tlog/entry.ts";
import { TlogError } from "../tlog/errors.ts";
import { leafHash, verifyInclusion } from "../tlog/merkle.ts";
import { parseVkey, SIG_COSIGNATURE_V1 } from "../tlog/note.ts";
import { verifyAnchor, type PinnedRoots, type TrustAnchor } from "./anchor.ts";
import { checkClaims, type MarkCredential } from "./credential.ts";
import { as, reject, VerifyError, type VerifyErrorCode } from "./errors.ts";
import { bytesOf, parseCompactJws, verifyJwsSignature } from "./jws.ts";
import { findKey } from "./keys.ts";
import { checkStatus, type Gunzip, type ListHistory } from "./status.ts";

/** What the shop's seal page carries inline, per mark. */
export interface SealBundle {
  jwt: string;
  tlogProof: string;
  entry: string;
}

/** Where the seal is embedded, as the widget sees it (§5.4 step 4). */
export interface Embedding {
  origin: string;
  source: "ancestor" | "referrer";
}

export interface SealInput {
  bundle: SealBundle;
  /** The verified trust anchor (see verifyAnchor). */
  anchor: TrustAnchor;
  /** The log origin the verifier pins (must match the anchor's). */
  logOrigin: string;
  /** undefined when the embedding origin is unknown: frame-ancestors alone then binds it. */
  embedding: Embedding | undefined;
  now: Date;
  fetchStatusList: (url: string) => Promise<string>;
  ed25519?: Ed25519Verify;
  /** Node can pass zlib (tlog/node-crypto.ts); the default is the web DecompressionStream. */
  gunzip?: Gunzip;
  /** The newest list versions this verifier accepted: an older one is `status_rollback` (unavailable). */
  statusHistory?: ListHistory;
}

export interface SealSubject {
  credentialId: string;
  mark: string;
  legalName: string;
  origins: string[];
  validUntil: string;
  logIndex?: number;
}

export type Verdict =
  | { state: "valid"; subject: SealSubject; originCheck: "ancestor" | "referrer" | "csp-only" }
  | { state: "suspended"; subject: SealSubject }
  | { state: "revoked"; subject: SealSubject }
  | { state: "wrong_origin"; subject: SealSubject; embeddingOrigin: string }
  | { state: "unavailable"; subject: SealSubject; code: VerifyErrorCode; message: string }
  | { state: "invalid"; code: VerifyErrorCode; message: string };

const TLOG_CODES: Record<string, VerifyErrorCode> = {
  checkpoint_origin: "checkpoint_origin",
  note_signature_invalid: "checkpoint_signature",
  note_no_known_signature: "checkpoint_signature",
  malformed_note: "proof_malformed",
  malformed_checkpoint: "proof_malformed",
  malformed_vkey: "anchor_malformed",
};

/** Turns a TlogError into a VerifyError: proofs that do not lead to the root are inclusion failures. */
async function tlog<T>(f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    if (!(e instanceof TlogError)) throw e;
    throw new VerifyError(TLOG_CODES[e.code] ?? "inclusion_failed", e.message, { cause: e });
  }
}

/** §5.4 step 5: the entry commits to this JWT and its claims, and is in a signed checkpoint. */
async function checkLog(input: SealInput, cred: MarkCredential, kid: string, verify: Ed25519Verify): Promise<number> {
  const { bundle, anchor } = input;
  if (anchor.log.origin !== input.logOrigin) reject("checkpoint_origin", "the anchor names another log");
  const proof = await as("proof_malformed", () => parseTlogProof(bundle.tlogProof));
  const vkey = await tlog(() => parseVkey(anchor.log.vkey));
  const witnesses = await tlog(() => Promise.all((anchor.log.witnesses ?? []).map(parseVkey)));
  if (witnesses.some((w) => w.type !== SIG_COSIGNATURE_V1)) reject("anchor_malformed", "witness keys must be cosignature (0x04) vkeys");
  const policy = { witnesses, threshold: anchor.log.witnessThreshold };
  const checkpoint = await tlog(() => verifyCheckpoint(proof.checkpoint, vkey, input.logOrigin, verify, policy));
  const entryBytes = utf8(bundle.entry);
  const entry = await as("entry_malformed", () => parseEntry(entryBytes));
  const expect: [string, string[]][] = [
    ["cred", [cred.id]],
    ["mark", [cred.mark.type]],
    ["origin", cred.origins],
    ["kid", [kid]],
    ["valid", [`${cred.validFrom} ${cred.validUntil}`]],
    ["jwt-sha256", [base64(await sha256(utf8(bundle.jwt)))]],
  ];
  if (entry.type !== "issue") reject("entry_mismatch", `a ${entry.type} entry, not issue`);
  for (const [k, want] of expect) {
    if (fieldValues(entry, k).join("\n") !== want.join("\n")) reject("entry_mismatch", `entry ${k} differs from the credential`);
  }
  await tlog(async () => verifyInclusion(proof.index, checkpoint.size, await leafHash(entryBytes), proof.hashes, checkpoint.root));
  return proof.index;
}

async function verifyOrThrow(input: SealInput, verify: Ed25519Verify): Promise<Verdict> {
  const { anchor, now } = input;
  // Step 2: the JWS and its key.
  const jws = parseCompactJws(input.bundle.jwt);
  const iat = typeof jws.payload.iat === "number" ? jws.payload.iat : reject("claims_malformed", "iat is required");
  const key = findKey(anchor, jws.header.kid, "issuing", iat, "kid_unknown");
  await verifyJwsSignature(jws, bytesOf(key.x), verify);
  // Step 3: claims.
  const cred = checkClaims(jws.payload, anchor, now);
  const subject: SealSubject = {
    credentialId: cred.id,
    mark: cred.mark.type,
    legalName: cred.legalName,
    origins: cred.origins,
    validUntil: cred.validUntil,
  };
  // Step 4: the embedding origin.
  if (input.embedding && !cred.origins.includes(input.embedding.origin)) {
    return { state: "wrong_origin", subject, embeddingOrigin: input.embedding.origin };
  }
  // Step 5: the log.
  subject.logIndex = await checkLog(input, cred, key.kid, verify);
  // Step 6: status. Revoked if any list proves it; else unavailable if a list cannot be had or
  // checked (it may hide a revocation); else suspended. Every entry is read before deciding.
  let revoked = false;
  let suspended = false;
  let unknown: Verdict | undefined;
  for (const entry of cred.status) {
    let list: string;
    try {
      list = await input.fetchStatusList(entry.statusListCredential);
    } catch (e) {
      unknown ??= { state: "unavailable", subject, code: "status_unavailable", message: e instanceof Error ? e.message : String(e) };
      continue;
    }
    try {
      const bit = await checkStatus(list, entry, anchor, now, verify, input.gunzip, input.statusHistory);
      if (entry.statusPurpose === "revocation") revoked ||= bit;
      else suspended ||= bit;
    } catch (e) {
      const v = e as VerifyError;
      unknown ??= { state: "unavailable", subject, code: v.code, message: v.message };
    }
  }
  if (revoked) return { state: "revoked", subject };
  if (unknown) return unknown;
  if (suspended) return { state: "suspended", subject };
  return { state: "valid", subject, originCheck: input.embedding ? input.embedding.source : "csp-only" };
}

/** §5.4 steps 2–6 against a verified anchor. Never throws: every failure is a verdict. */
export async function verifySeal(input: SealInput): Promise<Verdict> {
  try {
    return await verifyOrThrow(input, input.ed25519 ?? webCryptoVerify);
  } catch (e) {
    const v = e instanceof VerifyError ? e : new VerifyError("internal_error", String(e));
    return { state: "invalid", code: v.code, message: v.message };
  }
}

/** Step 1 and then verifySeal: the whole algorithm from the pinned roots. */
export async function verifySealFromRoots(
  input: Omit<SealInput, "anchor"> & { anchor: string; pinned: PinnedRoots },
): Promise<Verdict> {
  let anchor: TrustAnchor;
  try {
    anchor = await verifyAnchor(input.anchor, input.pinned, input.now, input.ed25519);
  } catch (e) {
    const v = e instanceof VerifyError ? e : new VerifyError("internal_error", String(e));
    return { state: "invalid", code: v.code, message: v.message };
  }
  return verifySeal({ ...input, anchor });
}
