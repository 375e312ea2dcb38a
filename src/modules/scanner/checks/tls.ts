// Test `tls` (ectrust): certificate trust, name match, expiry, key strength, legacy protocol
// versions offered, OCSP stapling — SSL Labs' rating guide caps, in spirit (docs/scanner.md).
import type { Ctx } from "../context.ts";
import type { CheckOutcome } from "../scanner.types.ts";
import { parseHsts } from "./strict-transport-security.ts";
import { rawValues } from "../headers.ts";

export const expectation = "tls-ok";
const ORDER = ["tls-certificate-expired", "tls-hostname-mismatch", "tls-certificate-invalid", "tls-weak-key", "tls-legacy-protocol-offered", "tls-certificate-expiring-soon"];
export const EXPIRY_WARNING_DAYS = 30;

export function check(ctx: Ctx, now: Date): CheckOutcome {
  const res = ctx.r.https.final;
  const tls = res?.tls;
  if (!res || !tls) return { result: "tls-not-available", pass: ctx.r.http.final === null, issues: ctx.r.http.final ? ["tls-not-available"] : [] };
  const issues: string[] = [];
  const leaf = tls.chain[0];
  const err = tls.authorizationError ?? "";
  const daysToExpiry = leaf ? Math.floor((Date.parse(leaf.validTo) - now.getTime()) / 86_400_000) : null;
  if (err === "CERT_HAS_EXPIRED" || (daysToExpiry !== null && daysToExpiry < 0)) issues.push("tls-certificate-expired");
  if (err === "ERR_TLS_CERT_ALTNAME_INVALID" || err === "HOSTNAME_MISMATCH") issues.push("tls-hostname-mismatch");
  if (!tls.authorized && !["CERT_HAS_EXPIRED", "ERR_TLS_CERT_ALTNAME_INVALID", "HOSTNAME_MISMATCH"].includes(err)) issues.push("tls-certificate-invalid");
  if (leaf && ((leaf.keyType === "rsa" && (leaf.keyBits ?? 0) < 2048) || (leaf.keyType === "ec" && /secp192|prime192|secp160/.test(leaf.curve ?? "")) || leaf.keyType === "dsa")) issues.push("tls-weak-key");
  const versions = ctx.r.tlsVersions;
  if (versions && (versions["TLSv1"] === true || versions["TLSv1.1"] === true)) issues.push("tls-legacy-protocol-offered");
  if (daysToExpiry !== null && daysToExpiry >= 0 && daysToExpiry < EXPIRY_WARNING_DAYS) issues.push("tls-certificate-expiring-soon");
  const hstsValue = rawValues(res.headers, "strict-transport-security").join(", ");
  const hsts = hstsValue ? parseHsts(hstsValue) : null;
  const preloadReady = hsts !== null && hsts.valid && (hsts.maxAge ?? 0) >= 31_536_000 && hsts.includeSubDomains && hsts.preload;
  const unique = [...new Set(issues)].sort((a, b) => ORDER.indexOf(a) - ORDER.indexOf(b));
  const result = unique[0] ?? expectation;
  return {
    result,
    pass: unique.length === 0,
    issues: unique,
    data: {
      protocol: tls.protocol, cipher: tls.cipher, authorized: tls.authorized, authorizationError: tls.authorizationError ?? null,
      daysToExpiry, validTo: leaf?.validTo ?? null, keyType: leaf?.keyType ?? null, keyBits: leaf?.keyBits ?? null, curve: leaf?.curve ?? null,
      subject: leaf?.subject ?? null, issuer: leaf?.issuer ?? null, subjectAltNames: leaf?.subjectAltNames.slice(0, 50) ?? [],
      fingerprint256: leaf?.fingerprint256 ?? null, chainLength: tls.chain.length, ocspStapled: tls.ocspStapled,
      versions, hstsPreloadReady: preloadReady,
    },
  };
}
