// Builds a complete, valid seal world for tests and benchmarks: root, issuing, status and log
// keys, a signed trust anchor, a credential, its log entry in a signed checkpoint with an
// inclusion proof, and both status lists. Uses the same issuing functions as the service.
import { base64, base64url, sha256, utf8 } from "../tlog/bytes.ts";
import { formatTlogProof, signCheckpoint } from "../tlog/checkpoint.ts";
import { generateSigner, type Signer } from "../tlog/ed25519.ts";
import { formatEntry, issueEntry } from "../tlog/entry.ts";
import { formatVkey } from "../tlog/note.ts";
import { MemoryHashReader, inclusionProof, leafHashSync, treeRoot } from "../tlog/tree.ts";
import { anchorKey, signAnchor, type PinnedRoots, type TrustAnchor } from "./anchor.ts";
import { buildCredential, signCredential, type CredentialInput } from "./credential.ts";
import { thumbprint, type JsonObject } from "./jws.ts";
import type { SealBundle } from "./seal.ts";
import { signStatusList, setBit, MIN_LIST_BITS } from "./status.ts";

export const ISSUER = "https://trust.ectrust.example";
export const LOG_ORIGIN = "log.ectrust.example/marks";
export const NOW = new Date("2026-12-01T00:00:00Z");
export const REV_URL = `${ISSUER}/status/r/1`;
export const SUS_URL = `${ISSUER}/status/s/1`;

export interface World {
  root: Signer;
  issuing: Signer;
  status: Signer;
  log: Signer;
  pinned: PinnedRoots;
  anchor: TrustAnchor;
  anchorDoc: string;
  credInput: CredentialInput;
  bundle: SealBundle;
  lists: Map<string, string>;
}

export function credentialInput(over: Partial<CredentialInput> = {}): CredentialInput {
  return {
    id: "urn:uuid:0b5c1a6e-0000-4000-8000-000000000001",
    issuer: ISSUER,
    issuerName: "ECTrust",
    validFrom: "2026-11-26T00:00:00Z",
    validUntil: "2027-11-26T00:00:00Z",
    issuedAt: new Date("2026-11-26T00:00:00Z"),
    origins: ["https://shop.example", "https://www.shop.example"],
    legalName: "Shop Example Co., Ltd.",
    registrationNumber: "12345678",
    jurisdiction: "TW",
    mark: { type: "PrivacyMark", scheme: "ectrust-privacy-v1" },
    status: [
      { statusPurpose: "revocation", statusListIndex: 41, statusListCredential: REV_URL },
      { statusPurpose: "suspension", statusListIndex: 41, statusListCredential: SUS_URL },
    ],
    ...over,
  };
}

export async function signList(w: Pick<World, "status">, url: string, purpose: "revocation" | "suspension", set: number[] = [], over: { validFrom?: string; validUntil?: string; bits?: Uint8Array } = {}): Promise<string> {
  const bits = over.bits ?? new Uint8Array(MIN_LIST_BITS / 8);
  for (const i of set) setBit(bits, i, true);
  return signStatusList(
    { id: url, issuer: ISSUER, purpose, bits, validFrom: over.validFrom ?? "2026-11-30T00:00:00Z", validUntil: over.validUntil ?? "2026-12-02T00:00:00Z", ttlMs: 300_000 },
    w.status,
  );
}

/** Signs a credential and logs its entry among `others` filler entries; returns the bundle. */
export async function issue(w: Pick<World, "issuing" | "log">, input: CredentialInput, opts: { payload?: JsonObject; others?: number; entry?: Uint8Array } = {}): Promise<SealBundle> {
  const payload = opts.payload ?? buildCredential(input);
  const jwt = await signCredential(payload, ISSUER, w.issuing);
  const entry =
    opts.entry ??
    formatEntry(
      issueEntry({
        cred: input.id, mark: input.mark.type, origins: input.origins, kid: await thumbprint(w.issuing.publicKey),
        validFrom: input.validFrom, validUntil: input.validUntil, jwtSha256: base64(await sha256(utf8(jwt))),
      }),
    );
  const tree = new MemoryHashReader();
  const others = opts.others ?? 5;
  for (let i = 0; i < others; i++) tree.append(leafHashSync(utf8(`filler ${i}\n`)));
  const index = tree.size;
  tree.append(leafHashSync(entry));
  tree.append(leafHashSync(utf8("after\n")));
  const size = tree.size;
  const checkpoint = await signCheckpoint({ origin: LOG_ORIGIN, size, root: await treeRoot(size, tree), extensions: [] }, [{ name: LOG_ORIGIN, signer: w.log }]);
  const tlogProof = formatTlogProof({ index, hashes: await inclusionProof(index, size, tree), checkpoint });
  return { jwt, tlogProof, entry: new TextDecoder().decode(entry) };
}

export async function world(): Promise<World> {
  const [root, issuing, status, log] = await Promise.all([generateSigner(), generateSigner(), generateSigner(), generateSigner()]);
  const anchor: TrustAnchor = {
    version: 3,
    issuer: ISSUER,
    expires: "2027-06-01T00:00:00Z",
    keys: [await anchorKey(issuing.signer.publicKey, "issuing", "2026-01-01T00:00:00Z"), await anchorKey(status.signer.publicKey, "status", "2026-01-01T00:00:00Z")],
    log: { origin: LOG_ORIGIN, vkey: await formatVkey(LOG_ORIGIN, log.signer.publicKey), witnessThreshold: 0 },
  };
  const w = { root: root.signer, issuing: issuing.signer, status: status.signer, log: log.signer };
  const credInput = credentialInput();
  const lists = new Map([
    [REV_URL, await signList(w, REV_URL, "revocation")],
    [SUS_URL, await signList(w, SUS_URL, "suspension")],
  ]);
  return {
    ...w,
    pinned: { roots: [base64url(root.signer.publicKey)], threshold: 1, minVersion: 2 },
    anchor,
    anchorDoc: await signAnchor(anchor, [root.signer]),
    credInput,
    bundle: await issue(w, credInput),
    lists,
  };
}
