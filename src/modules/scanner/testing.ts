// Builders for pure tests: a Retrieval of one HTTPS page, overridable piece by piece.
import type { TlsPeerInfo } from "../../platform/net/tls-info.ts";
import type { ResponseRecord, Retrieval } from "./scanner.types.ts";

export function buildResponse(o: Partial<ResponseRecord> = {}): ResponseRecord {
  return { url: "https://shop.example.com.tw/", status: 200, headers: [["content-type", "text/html; charset=utf-8"]], body: "<!doctype html><p>shop</p>", bodyTruncated: false, charset: "utf-8", decodeErrors: false, tls: buildTls(), ...o };
}

export function buildTls(o: Partial<TlsPeerInfo> = {}, validTo = "2027-06-01T00:00:00.000Z"): TlsPeerInfo {
  return {
    protocol: "TLSv1.3", cipher: "TLS_AES_256_GCM_SHA384", authorized: true, authorizationError: undefined, ocspStapled: false,
    chain: [{ fingerprint256: "aa".repeat(32), subject: "CN=shop.example.com.tw", issuer: "CN=Test CA", subjectAltNames: ["DNS:shop.example.com.tw"], serialNumber: "01", validFrom: "2026-01-01T00:00:00.000Z", validTo, keyType: "ec", keyBits: undefined, curve: "prime256v1", selfIssued: false, pem: "" }],
    ...o,
  };
}

export function buildRetrieval(page: Partial<ResponseRecord> = {}, o: Partial<Retrieval> = {}): Retrieval {
  const final = buildResponse(page);
  const redirect = buildResponse({ url: "http://shop.example.com.tw/", status: 301, headers: [["location", "https://shop.example.com.tw/"]], body: "", tls: undefined });
  return {
    hostname: "shop.example.com.tw", httpUrl: "http://shop.example.com.tw/", httpsUrl: "https://shop.example.com.tw/", startedAt: "2026-11-26T00:00:00.000Z",
    http: { route: [{ url: redirect.url, status: 301 }, { url: final.url, status: final.status }], responses: [redirect, final], final, verified: true, error: null },
    https: { route: [{ url: final.url, status: final.status }], responses: [final], final, verified: final.tls?.authorized ?? true, error: null },
    autoScheme: "https", extra: [], cors: null, tlsVersions: { TLSv1: false, "TLSv1.1": false, "TLSv1.3": true }, deep: true, probes: [], securityTxt: null, privacyPage: null, paymentPages: [],
    requestCount: 3, elapsedMs: 10, ...o,
  };
}
