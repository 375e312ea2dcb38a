// The mark credential (design note §2.4): a W3C VC 2.0 credential secured as `vc+jwt`.
// Building and signing (the issuing side) and the claim checks of §5.4 step 3.
import type { Signer } from "../tlog/ed25519.ts";
import { parseDecimal } from "../tlog/bytes.ts";
import { parseTime, type TrustAnchor } from "./anchor.ts";
import { reject } from "./errors.ts";
import { isObject, kidUri, signCompactJws, thumbprint, type Json, type JsonObject } from "./jws.ts";

export const VC_CONTEXT = "https://www.w3.org/ns/credentials/v2";
export const CREDENTIAL_TYPE = "EctrustMarkCredential";
/** Clock skew allowed on validFrom / validUntil (§5.4 step 3). */
export const SKEW_MS = 300_000;

export type StatusPurpose = "revocation" | "suspension";

export interface StatusEntry {
  statusPurpose: StatusPurpose;
  statusListIndex: number;
  statusListCredential: string;
}

export interface MarkCredential {
  id: string;
  issuer: string;
  validFrom: string;
  validUntil: string;
  iat: number;
  subjectId: string;
  origins: string[];
  legalName: string;
  mark: { type: string } & JsonObject;
  status: StatusEntry[];
}

export interface CredentialInput {
  id: string; // urn:uuid:…
  issuer: string;
  issuerName: string;
  extraContext?: string;
  validFrom: string;
  validUntil: string;
  issuedAt: Date;
  origins: string[];
  legalName: string;
  registrationNumber: string;
  jurisdiction: string;
  mark: { type: string } & JsonObject;
  status: StatusEntry[];
}

const secs = (iso: string): number => Math.floor(Date.parse(iso) / 1000);

/** The VC JSON with the mirrored JWT claims (iss, sub, iat, nbf, exp, jti). */
export function buildCredential(i: CredentialInput): JsonObject {
  const subjectId = i.origins[0] ?? "";
  return {
    "@context": [VC_CONTEXT, ...(i.extraContext ? [i.extraContext] : [])],
    id: i.id,
    type: ["VerifiableCredential", CREDENTIAL_TYPE],
    issuer: { id: i.issuer, name: i.issuerName },
    validFrom: i.validFrom,
    validUntil: i.validUntil,
    credentialSubject: {
      id: subjectId,
      origins: i.origins,
      legalName: i.legalName,
      registrationNumber: i.registrationNumber,
      jurisdiction: i.jurisdiction,
      mark: i.mark,
    },
    credentialStatus: i.status.map((s) => ({
      id: `${s.statusListCredential}#${s.statusListIndex}`,
      type: "BitstringStatusListEntry",
      statusPurpose: s.statusPurpose,
      statusListIndex: String(s.statusListIndex),
      statusListCredential: s.statusListCredential,
    })),
    iss: i.issuer,
    sub: subjectId,
    iat: Math.floor(i.issuedAt.getTime() / 1000),
    nbf: secs(i.validFrom),
    exp: secs(i.validUntil),
    jti: i.id,
  };
}

/** Signs the credential as `vc+jwt` with the issuing key (kid as a thumbprint URI). */
export async function signCredential(payload: JsonObject, issuer: string, signer: Signer): Promise<string> {
  const kid = kidUri(issuer, await thumbprint(signer.publicKey));
  return signCompactJws({ typ: "vc+jwt", cty: "vc", kid }, payload, signer);
}

/** An exact serialised origin: scheme, lower-case ASCII host, port only if not default. */
export function isOrigin(v: string): boolean {
  try {
    const u = new URL(v);
    return u.origin === v && (u.protocol === "https:" || u.protocol === "http:");
  } catch {
    return false;
  }
}

const strings = (v: Json | undefined): v is string[] => Array.isArray(v) && v.every((x) => typeof x === "string");

function parseStatusEntry(v: Json): StatusEntry {
  if (!isObject(v) || v.type !== "BitstringStatusListEntry") return reject("claims_malformed", "bad credentialStatus entry");
  const { statusPurpose, statusListIndex, statusListCredential } = v;
  const index = typeof statusListIndex === "string" ? parseDecimal(statusListIndex) : undefined;
  if ((statusPurpose !== "revocation" && statusPurpose !== "suspension") || index === undefined || typeof statusListCredential !== "string") {
    return reject("claims_malformed", "credentialStatus needs purpose, index and list");
  }
  if (v.id !== `${statusListCredential}#${statusListIndex as string}`) reject("claims_malformed", "credentialStatus id");
  return { statusPurpose, statusListIndex: index, statusListCredential };
}

/**
 * §5.4 step 3: VC 2.0 shape, type ⊇ {VerifiableCredential, EctrustMarkCredential},
 * issuer.id == iss == anchor issuer, mirrored claims equal, validFrom − 5 min ≤ now <
 * validUntil + 5 min, origins non-empty exact origins.
 */
export function checkClaims(p: JsonObject, anchor: TrustAnchor, now: Date): MarkCredential {
  const ctx = p["@context"];
  const type = p.type;
  const issuer = p.issuer;
  const subject = p.credentialSubject;
  if (!strings(ctx) || ctx[0] !== VC_CONTEXT || !strings(type) || !type.includes("VerifiableCredential") || !type.includes(CREDENTIAL_TYPE)) {
    return reject("claims_malformed", "not an EctrustMarkCredential in the VC 2.0 context");
  }
  if (!isObject(issuer) || typeof issuer.id !== "string" || !isObject(subject)) return reject("claims_malformed", "issuer and credentialSubject must be objects");
  const from = parseTime(p.validFrom);
  const until = parseTime(p.validUntil);
  const { origins, legalName, mark } = subject;
  if (typeof p.id !== "string" || from === undefined || until === undefined || typeof p.iat !== "number" || typeof subject.id !== "string") {
    return reject("claims_malformed", "id, validFrom, validUntil, iat and subject id are required");
  }
  if (!strings(origins) || origins.length === 0 || !origins.every(isOrigin) || typeof legalName !== "string" || !isObject(mark) || typeof mark.type !== "string") {
    return reject("claims_malformed", "subject needs origins, legalName and mark.type");
  }
  const status = Array.isArray(p.credentialStatus) ? p.credentialStatus.map(parseStatusEntry) : reject("claims_malformed", "credentialStatus must be a list");
  if (p.iss !== issuer.id || p.sub !== subject.id || p.jti !== p.id || p.nbf !== Math.floor(from / 1000) || p.exp !== Math.floor(until / 1000)) {
    reject("claims_mismatch", "mirrored JWT claims differ from the VC fields");
  }
  if (issuer.id !== anchor.issuer) reject("issuer_mismatch", `issuer ${issuer.id} is not ${anchor.issuer}`);
  const t = now.getTime();
  if (t < from - SKEW_MS) reject("not_yet_valid", `valid from ${p.validFrom as string}`);
  if (t >= until + SKEW_MS) reject("expired", `expired ${p.validUntil as string}`);
  return {
    id: p.id,
    issuer: issuer.id,
    validFrom: p.validFrom as string,
    validUntil: p.validUntil as string,
    iat: p.iat,
    subjectId: subject.id,
    origins,
    legalName,
    mark: mark as { type: string } & JsonObject,
    status,
  };
}
