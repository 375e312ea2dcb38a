// Peer certificate details in a plain, serialisable shape (for the registry's TLS binding and
// the scanner's TLS checks).
import { X509Certificate } from "node:crypto";
import type { DetailedPeerCertificate, TLSSocket } from "node:tls";

export interface CertificateInfo {
  /** SHA-256 of the DER certificate, lowercase hex without separators. */
  fingerprint256: string;
  subject: string;
  issuer: string;
  /** Subject alternative names as written by OpenSSL, e.g. `DNS:shop.example`, `IP Address:1.2.3.4`. */
  subjectAltNames: string[];
  serialNumber: string;
  validFrom: string; // ISO 8601
  validTo: string; // ISO 8601
  keyType: string; // rsa, ec, ed25519, …
  keyBits: number | undefined;
  curve: string | undefined;
  selfIssued: boolean;
  pem: string;
}

export interface TlsPeerInfo {
  protocol: string | null; // TLSv1.3, TLSv1.2, …
  cipher: string;
  /** True when the chain verified against the trust store and the name matched. */
  authorized: boolean;
  /** OpenSSL / Node code when not authorized, e.g. DEPTH_ZERO_SELF_SIGNED_CERT, CERT_HAS_EXPIRED, ERR_TLS_CERT_ALTNAME_INVALID. */
  authorizationError: string | undefined;
  /** Leaf first, then each issuer the server sent or the store supplied. */
  chain: CertificateInfo[];
  ocspStapled: boolean;
}

function oneLine(dn: string): string {
  return dn.split("\n").filter((s) => s !== "").join(", ");
}

export function certificateInfo(raw: Buffer): CertificateInfo {
  const x = new X509Certificate(raw);
  const key = x.publicKey;
  const details = key.asymmetricKeyDetails;
  return {
    fingerprint256: x.fingerprint256.replaceAll(":", "").toLowerCase(),
    subject: oneLine(x.subject),
    issuer: oneLine(x.issuer),
    subjectAltNames: (x.subjectAltName ?? "").split(", ").filter((s) => s !== ""),
    serialNumber: x.serialNumber,
    validFrom: x.validFromDate.toISOString(),
    validTo: x.validToDate.toISOString(),
    keyType: key.asymmetricKeyType ?? "unknown",
    keyBits: details?.modulusLength,
    curve: details?.namedCurve,
    selfIssued: x.subject === x.issuer,
    pem: x.toString(),
  };
}

function chainOf(peer: DetailedPeerCertificate): CertificateInfo[] {
  const out: CertificateInfo[] = [];
  const seen = new Set<string>();
  for (let c: Partial<DetailedPeerCertificate> = peer; c.raw !== undefined && out.length < 10; c = c.issuerCertificate ?? {}) {
    const info = certificateInfo(c.raw);
    if (seen.has(info.fingerprint256)) break;
    seen.add(info.fingerprint256);
    out.push(info);
  }
  return out;
}

export function tlsPeerInfo(socket: TLSSocket, ocspStapled: boolean): TlsPeerInfo {
  const peer = socket.getPeerCertificate(true);
  const err: unknown = socket.authorizationError;
  return {
    protocol: socket.getProtocol(),
    cipher: socket.getCipher().name,
    authorized: socket.authorized,
    authorizationError: socket.authorized ? undefined : typeof err === "string" ? err : err instanceof Error ? err.message : "UNKNOWN",
    chain: Object.keys(peer).length === 0 ? [] : chainOf(peer),
    ocspStapled,
  };
}
