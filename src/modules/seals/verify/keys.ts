// Looking up a signing key in the verified trust anchor (design note §4.2, §5.4 step 2).
import type { Bytes } from "../tlog/bytes.ts";
import type { AnchorKey, KeyRole, TrustAnchor } from "./anchor.ts";
import { reject, type VerifyErrorCode } from "./errors.ts";
import { bytesOf, THUMBPRINT_URN, type Json } from "./jws.ts";

/**
 * The public key named by a JWS `kid` (the thumbprint URI under the anchor's issuer), with
 * the right role and state active | verify-only; when `iat` (seconds) is given it must fall
 * in [notBefore, revokedAt) and before notAfter.
 */
export function findKey(anchor: TrustAnchor, kid: Json | undefined, role: KeyRole, iat: number | undefined, code: VerifyErrorCode): AnchorKey {
  const prefix = `${anchor.issuer}/keys/${THUMBPRINT_URN}`;
  const tp = typeof kid === "string" && kid.startsWith(prefix) ? kid.slice(prefix.length) : undefined;
  const key = anchor.keys.find((k) => k.kid === tp && k.role === role);
  if (!key) return reject(code === "status_signature" ? code : "kid_unknown", `no ${role} key ${JSON.stringify(kid)} in the anchor`);
  if (key.state === "revoked") reject(code === "status_signature" ? code : "key_not_valid", `key ${key.kid} is revoked`);
  if (iat !== undefined) {
    const t = iat * 1000;
    if (t < Date.parse(key.notBefore) || (key.notAfter !== undefined && t >= Date.parse(key.notAfter))) {
      reject("key_not_valid", `iat outside the validity of key ${key.kid}`);
    }
  }
  return key;
}

export function issuingKey(anchor: TrustAnchor, kid: Json | undefined, role: KeyRole, iat: number | undefined, code: VerifyErrorCode): Bytes {
  return bytesOf(findKey(anchor, kid, role, iat, code).x);
}
