import { test } from "node:test";
import assert from "node:assert/strict";
import { base64url, utf8 } from "../tlog/bytes.ts";
import { generateSigner } from "../tlog/ed25519.ts";
import { anchorKey, parseAnchorPayload, parseTime, signAnchor, verifyAnchor, type TrustAnchor } from "./anchor.ts";
import { buildCredential, checkClaims, isOrigin } from "./credential.ts";
import { as, VerifyError } from "./errors.ts";
import { bytesOf, decodeJsonPart, parseCompactJws, signCompactJws, thumbprint, type JsonObject } from "./jws.ts";
import { findKey } from "./keys.ts";
import { checkStatus, decodeList, encodeList, MAX_LIST_BYTES, readBit, setBit } from "./status.ts";
import { ISSUER, NOW, REV_URL, credentialInput, signList, world } from "./testkit.ts";

const w = await world();

async function code(f: () => unknown): Promise<string> {
  try {
    await f();
    return "ok";
  } catch (e) {
    return e instanceof VerifyError ? e.code : `untyped ${String(e)}`;
  }
}

test("as() wraps foreign errors, keeps typed ones", async () => {
  assert.equal(await code(() => as("jws_malformed", () => { throw new Error("x"); })), "jws_malformed");
  // eslint-disable-next-line @typescript-eslint/only-throw-error
  assert.equal(await code(() => as("jws_malformed", () => { throw "x"; })), "jws_malformed");
  assert.equal(await code(() => as("jws_malformed", () => { throw new VerifyError("expired", "x"); })), "expired");
  assert.equal(await code(() => as("jws_malformed", () => { throw new VerifyError("expired", "x"); }, true)), "jws_malformed");
});

test("trust anchor: threshold, unknown signers ignored, version, expiry, thumbprints", async () => {
  const a = await verifyAnchor(w.anchorDoc, w.pinned, NOW);
  assert.equal(a.version, 3);
  const { signer: stranger } = await generateSigner();
  const { signer: root2 } = await generateSigner();
  const both = await signAnchor(w.anchor, [stranger, w.root]);
  assert.equal((await verifyAnchor(both, w.pinned, NOW)).version, 3);
  const two = { ...w.pinned, roots: [...w.pinned.roots, base64url(root2.publicKey)], threshold: 2 };
  assert.equal(await code(() => verifyAnchor(w.anchorDoc, two, NOW)), "anchor_signature");
  assert.equal((await verifyAnchor(await signAnchor(w.anchor, [w.root, root2, w.root]), two, NOW)).version, 3);
  assert.equal(await code(async () => verifyAnchor(await signAnchor(w.anchor, [stranger]), w.pinned, NOW)), "anchor_signature");
  assert.equal(await code(() => verifyAnchor(w.anchorDoc, { ...w.pinned, minVersion: 4 }, NOW)), "anchor_version");
  // a threshold or minimum version that is not a number rejects (NaN made both comparisons false: a pass)
  assert.equal(await code(async () => verifyAnchor(await signAnchor(w.anchor, [stranger]), { ...w.pinned, threshold: Number.NaN }, NOW)), "anchor_signature");
  assert.equal(await code(() => verifyAnchor(w.anchorDoc, { ...w.pinned, minVersion: Number.NaN }, NOW)), "anchor_version");
  assert.equal(await code(() => verifyAnchor(w.anchorDoc, w.pinned, new Date("2027-06-01T00:00:00Z"))), "anchor_expired");
  assert.equal(await code(() => verifyAnchor(w.anchorDoc, { ...w.pinned, roots: ["!!"] }, NOW)), "anchor_signature");
  // Tampered payload, bad root signature.
  const doc = JSON.parse(w.anchorDoc) as { payload: string; signatures: { protected: string; signature: string }[] };
  const evil = base64url(utf8(JSON.stringify({ ...w.anchor, version: 9 })));
  assert.equal(await code(() => verifyAnchor(JSON.stringify({ ...doc, payload: evil }), w.pinned, NOW)), "anchor_signature");
  const sig0 = doc.signatures[0] ?? { protected: "", signature: "" };
  assert.equal(await code(() => verifyAnchor(JSON.stringify({ ...doc, signatures: [{ ...sig0, signature: "!" }] }), w.pinned, NOW)), "anchor_signature");
  const badHeader = async (h: JsonObject): Promise<string> => {
    const prot = base64url(utf8(JSON.stringify(h)));
    const signature = base64url(await w.root.sign(utf8(`${prot}.${doc.payload}`)));
    return JSON.stringify({ payload: doc.payload, signatures: [{ protected: prot, signature }] });
  };
  const kid = await thumbprint(w.root.publicKey);
  const headers: JsonObject[] = [{ kid, alg: "ES256", typ: "ectrust-trust-anchor+jws" }, { kid, typ: "ectrust-trust-anchor+jws" }, { kid, alg: "EdDSA", typ: "JWT" }, { kid, alg: "EdDSA", typ: "ectrust-trust-anchor+jws", crit: ["x"] }];
  for (const h of headers) {
    assert.equal(await code(async () => verifyAnchor(await badHeader(h), w.pinned, NOW)), "anchor_signature", JSON.stringify(h));
  }
  assert.equal(await code(async () => verifyAnchor(await badHeader({ kid: 5 }), w.pinned, NOW)), "anchor_signature");
  for (const bad of ["{", "[]", "{\"payload\":1,\"signatures\":[]}", "{\"payload\":\"e30\"}", "{\"payload\":\"e30\",\"signatures\":[1]}", "{\"payload\":\"e30\",\"signatures\":[{\"protected\":1,\"signature\":\"\"}]}", "{\"payload\":\"e30\",\"signatures\":[{\"protected\":\"e30\",\"signature\":1}]}", "{\"payload\":\"!\",\"signatures\":[]}", " ".repeat(200_001)]) {
    assert.equal(await code(() => verifyAnchor(bad, w.pinned, NOW)), "anchor_malformed", bad.slice(0, 40));
  }
  // A key whose kid is not its thumbprint.
  const liar: TrustAnchor = { ...w.anchor, keys: [{ ...(w.anchor.keys[0] as TrustAnchor["keys"][0]), kid: "nope" }] };
  assert.equal(await code(async () => verifyAnchor(await signAnchor(liar, [w.root]), w.pinned, NOW)), "anchor_malformed");
});

test("trust anchor payload shape", async () => {
  const good = JSON.parse(JSON.stringify(w.anchor)) as JsonObject;
  assert.equal(parseAnchorPayload(good).keys.length, 2);
  const key = await anchorKey(w.issuing.publicKey, "issuing", "2026-01-01T00:00:00Z", "revoked");
  const withTimes = { ...key, notAfter: "2027-01-01T00:00:00Z", revokedAt: "2026-06-01T00:00:00Z" };
  assert.equal(parseAnchorPayload({ ...good, keys: [withTimes] }).keys[0]?.revokedAt, "2026-06-01T00:00:00Z");
  const k0 = (good.keys as JsonObject[])[0] as JsonObject;
  const bads: JsonObject[] = [
    { ...good, version: "3" },
    { ...good, issuer: "" },
    { ...good, expires: "tomorrow" },
    { ...good, keys: {} },
    { ...good, log: [] },
    { ...good, log: { origin: "o", vkey: "v", witnessThreshold: "0" } },
    { ...good, log: { origin: "", vkey: "v", witnessThreshold: 0 } },
    { ...good, log: { origin: "o", vkey: 1, witnessThreshold: 0 } },
    { ...good, log: { origin: "o", vkey: "v", witnessThreshold: 0, witnesses: "w" } },
    { ...good, log: { origin: "o", vkey: "v", witnessThreshold: 0, witnesses: [1] } },
    { ...good, keys: [1] },
    { ...good, keys: [{ ...k0, kid: "" }] },
    { ...good, keys: [{ ...k0, role: "root" }] },
    { ...good, keys: [{ ...k0, x: 5 }] },
    { ...good, keys: [{ ...k0, x: "AAAA" }] },
    { ...good, keys: [{ ...k0, state: "gone" }] },
    { ...good, keys: [{ ...k0, notBefore: "x" }] },
    { ...good, keys: [{ ...k0, notAfter: "x" }] },
    { ...good, keys: [{ ...k0, revokedAt: "2026-06-01T00:00:00Z" }] },
    { ...good, keys: [{ ...k0, state: "revoked" }] },
  ];
  for (const b of bads) assert.equal(await code(() => parseAnchorPayload(b)), "anchor_malformed", JSON.stringify(b).slice(0, 200));
  assert.equal(parseAnchorPayload({ ...good, keys: [{ ...k0, state: "verify-only", notAfter: "2027-01-01T00:00:00Z" }] }).keys[0]?.notAfter, "2027-01-01T00:00:00Z");
  assert.equal(parseTime("2026-13-01T00:00:00Z"), undefined);
  assert.equal(parseTime(5), undefined);
  assert.equal(parseTime("2026-12-01T00:00:00.5Z"), Date.parse("2026-12-01T00:00:00.5Z"));
});

test("keys: role, state, validity window", async () => {
  const tp = await thumbprint(w.issuing.publicKey);
  const kid = `${ISSUER}/keys/urn:ietf:params:oauth:jwk-thumbprint:sha-256:${tp}`;
  const iat = Date.parse("2026-11-26T00:00:00Z") / 1000;
  assert.equal(findKey(w.anchor, kid, "issuing", iat, "kid_unknown").kid, tp);
  assert.equal(await code(() => findKey(w.anchor, kid, "status", iat, "kid_unknown")), "kid_unknown");
  assert.equal(await code(() => findKey(w.anchor, kid, "status", iat, "status_signature")), "status_signature");
  assert.equal(await code(() => findKey(w.anchor, 5, "issuing", iat, "kid_unknown")), "kid_unknown");
  assert.equal(await code(() => findKey(w.anchor, tp, "issuing", iat, "kid_unknown")), "kid_unknown");
  const k = w.anchor.keys[0] as TrustAnchor["keys"][0];
  const revoked = { ...w.anchor, keys: [{ ...k, state: "revoked" as const, revokedAt: "2026-06-01T00:00:00Z" }] };
  assert.equal(await code(() => findKey(revoked, kid, "issuing", iat, "kid_unknown")), "key_not_valid");
  assert.equal(await code(() => findKey(revoked, kid, "issuing", iat, "status_signature")), "status_signature");
  assert.equal(await code(() => findKey(w.anchor, kid, "issuing", Date.parse("2025-01-01T00:00:00Z") / 1000, "kid_unknown")), "key_not_valid");
  const retired = { ...w.anchor, keys: [{ ...k, state: "verify-only" as const, notAfter: "2026-06-01T00:00:00Z" }] };
  assert.equal(await code(() => findKey(retired, kid, "issuing", iat, "kid_unknown")), "key_not_valid");
  assert.equal(findKey(retired, kid, "issuing", Date.parse("2026-03-01T00:00:00Z") / 1000, "kid_unknown").state, "verify-only");
});

test("compact JWS parsing", async () => {
  const jwt = await signCompactJws({ typ: "vc+jwt" }, { a: 1 }, w.issuing);
  assert.deepEqual(parseCompactJws(jwt).payload, { a: 1 });
  const [h = "", p = ""] = jwt.split(".");
  const sig = jwt.split(".")[2] ?? "";
  const hdr = (o: JsonObject): string => base64url(utf8(JSON.stringify(o)));
  const cases: [string, string][] = [
    ["x".repeat(200_001), "jws_malformed"],
    [`${h}.${p}`, "jws_malformed"],
    [`${h}.${p}.${sig}.x`, "jws_malformed"],
    [`!.${p}.${sig}`, "jws_malformed"],
    [`${hdr({ alg: "EdDSA", typ: "vc+jwt" })}.${base64url(utf8("[1]"))}.${sig}`, "jws_malformed"],
    [`${h}.${p}.AAAA`, "jws_malformed"],
    [`${hdr({ typ: "vc+jwt" })}.${p}.${sig}`, "jws_alg"],
    [`${hdr({ alg: "none", typ: "vc+jwt" })}.${p}.${sig}`, "jws_alg"],
    [`${hdr({ alg: "EdDSA" })}.${p}.${sig}`, "jws_typ"],
    [`${hdr({ alg: "EdDSA", typ: "vc+jwt", crit: ["exp"] })}.${p}.${sig}`, "jws_crit"],
    [`${hdr({ alg: "EdDSA", typ: "vc+jwt", b64: false })}.${p}.${sig}`, "jws_crit"],
  ];
  for (const [j, c] of cases) assert.equal(await code(() => parseCompactJws(j)), c, j.slice(0, 80));
  assert.equal(bytesOf("!").length, 0);
  assert.equal(await code(() => decodeJsonPart(base64url(Uint8Array.of(0xff)), "jws_malformed")), "jws_malformed");
});

test("claims: each rule rejects with its code", async () => {
  const good = buildCredential(credentialInput({ extraContext: "https://trust.ectrust.example/ns/v1" }));
  assert.equal(checkClaims(good, w.anchor, NOW).origins.length, 2);
  const subj = good.credentialSubject as JsonObject;
  const st = (good.credentialStatus as JsonObject[])[0] as JsonObject;
  const cases: [JsonObject, string][] = [
    [{ ...good, "@context": "x" }, "claims_malformed"],
    [{ ...good, "@context": ["https://www.w3.org/2018/credentials/v1"] }, "claims_malformed"],
    [{ ...good, type: "VerifiableCredential" }, "claims_malformed"],
    [{ ...good, type: ["EctrustMarkCredential"] }, "claims_malformed"],
    [{ ...good, type: ["VerifiableCredential"] }, "claims_malformed"],
    [{ ...good, issuer: ISSUER }, "claims_malformed"],
    [{ ...good, issuer: { id: 5 } }, "claims_malformed"],
    [{ ...good, credentialSubject: [] }, "claims_malformed"],
    [{ ...good, id: 5 }, "claims_malformed"],
    [{ ...good, validFrom: "x" }, "claims_malformed"],
    [{ ...good, validUntil: null }, "claims_malformed"],
    [{ ...good, iat: "1" }, "claims_malformed"],
    [{ ...good, credentialSubject: { ...subj, id: 5 } }, "claims_malformed"],
    [{ ...good, credentialSubject: { ...subj, origins: "https://shop.example" } }, "claims_malformed"],
    [{ ...good, credentialSubject: { ...subj, origins: [] } }, "claims_malformed"],
    [{ ...good, credentialSubject: { ...subj, origins: ["https://shop.example/"] } }, "claims_malformed"],
    [{ ...good, credentialSubject: { ...subj, legalName: 5 } }, "claims_malformed"],
    [{ ...good, credentialSubject: { ...subj, mark: "PrivacyMark" } }, "claims_malformed"],
    [{ ...good, credentialSubject: { ...subj, mark: { type: 1 } } }, "claims_malformed"],
    [{ ...good, credentialStatus: {} }, "claims_malformed"],
    [{ ...good, credentialStatus: [1] }, "claims_malformed"],
    [{ ...good, credentialStatus: [{ ...st, type: "StatusList2021Entry" }] }, "claims_malformed"],
    [{ ...good, credentialStatus: [{ ...st, statusPurpose: "message" }] }, "claims_malformed"],
    [{ ...good, credentialStatus: [{ ...st, statusListIndex: 41 }] }, "claims_malformed"],
    [{ ...good, credentialStatus: [{ ...st, statusListIndex: "041" }] }, "claims_malformed"],
    [{ ...good, credentialStatus: [{ ...st, statusListCredential: 1 }] }, "claims_malformed"],
    [{ ...good, credentialStatus: [{ ...st, id: "x" }] }, "claims_malformed"],
    [{ ...good, iss: "https://evil.example" }, "claims_mismatch"],
    [{ ...good, sub: "https://evil.example" }, "claims_mismatch"],
    [{ ...good, jti: "urn:uuid:x" }, "claims_mismatch"],
    [{ ...good, nbf: 1 }, "claims_mismatch"],
    [{ ...good, exp: 1 }, "claims_mismatch"],
    [{ ...good, issuer: { id: "https://evil.example" }, iss: "https://evil.example" }, "issuer_mismatch"],
  ];
  for (const [p, c] of cases) assert.equal(await code(() => checkClaims(p, w.anchor, NOW)), c, JSON.stringify(p).slice(0, 300));
  assert.equal(await code(() => checkClaims(good, w.anchor, new Date("2026-11-25T23:54:59Z"))), "not_yet_valid");
  assert.equal(await code(() => checkClaims(good, w.anchor, new Date("2026-11-25T23:55:00Z"))), "ok");
  assert.equal(await code(() => checkClaims(good, w.anchor, new Date("2027-11-26T00:05:00Z"))), "expired");
  assert.equal(await code(() => checkClaims(good, w.anchor, new Date("2027-11-26T00:04:59Z"))), "ok");
  assert.equal(await code(() => checkClaims(buildCredential(credentialInput({ origins: [] })), w.anchor, NOW)), "claims_malformed");
  assert.deepEqual(["https://a.example", "http://a.example:8080", "ws://a.example", "nope", "https://A.example"].map(isOrigin), [true, true, false, false, false]);
});

test("status lists: encoding, bits, every check", async () => {
  const bits = new Uint8Array(16_384);
  setBit(bits, 0, true);
  setBit(bits, 131_071, true);
  setBit(bits, 9, true);
  setBit(bits, 9, false);
  const back = await decodeList(await encodeList(bits));
  assert.equal(readBit(back, 0), true);
  assert.equal(readBit(back, 1), false);
  assert.equal(readBit(back, 9), false);
  assert.equal(readBit(back, 131_071), true);
  assert.equal(back[0], 0x80);
  assert.equal(await code(() => readBit(back, 131_072)), "status_index");
  assert.equal(await code(() => readBit(back, -1)), "status_index");
  assert.equal(await code(() => decodeList("zAAAA")), "status_compression");
  assert.equal(await code(() => decodeList("u!!")), "status_compression");
  assert.equal(await code(() => decodeList(`u${base64url(utf8("not gzip at all"))}`)), "status_compression");
  assert.equal(await code(async () => decodeList(await encodeList(new Uint8Array(MAX_LIST_BYTES + 1)))), "status_length");
  const entry = { statusPurpose: "revocation" as const, statusListIndex: 41, statusListCredential: REV_URL };
  const list = w.lists.get(REV_URL) ?? "";
  assert.equal(await checkStatus(list, entry, w.anchor, NOW), false);
  assert.equal(await checkStatus(await signList(w, REV_URL, "revocation", [41]), entry, w.anchor, NOW), true);
  assert.equal(await code(() => checkStatus("x", entry, w.anchor, NOW)), "status_malformed");
  assert.equal(await code(() => checkStatus(list, { ...entry, statusPurpose: "suspension" }, w.anchor, NOW)), "status_purpose");
  assert.equal(await code(() => checkStatus(list, { ...entry, statusListCredential: `${REV_URL}0` }, w.anchor, NOW)), "status_malformed");
  assert.equal(await code(() => checkStatus(list, { ...entry, statusListIndex: 131_072 }, w.anchor, NOW)), "status_index");
  assert.equal(await code(async () => checkStatus(await signList(w, REV_URL, "revocation", [], { validUntil: "2026-11-30T00:00:00Z" }), entry, w.anchor, NOW)), "status_expired");
  assert.equal(await code(async () => checkStatus(await signList(w, REV_URL, "revocation", [], { bits: new Uint8Array(100) }), entry, w.anchor, NOW)), "status_length");
  // Signed by the issuing key instead of the status key; and a broken signature.
  assert.equal(await code(async () => checkStatus(await signList({ status: w.issuing }, REV_URL, "revocation"), entry, w.anchor, NOW)), "status_signature");
  const [h, p, s = ""] = list.split(".");
  const broken = `${h ?? ""}.${p ?? ""}.${s.startsWith("A") ? "B" : "A"}${s.slice(1)}`;
  assert.equal(await code(() => checkStatus(broken, entry, w.anchor, NOW)), "status_signature");
  // Lists with the wrong shape, issuer or missing fields, validly signed.
  const kid = JSON.parse(Buffer.from(h ?? "", "base64url").toString()) as JsonObject;
  const payload = JSON.parse(Buffer.from(p ?? "", "base64url").toString()) as JsonObject;
  const subj = payload.credentialSubject as JsonObject;
  const resign = (o: JsonObject): Promise<string> => signCompactJws(kid, o, w.status);
  for (const [o, c] of [
    [{ ...payload, type: "x" }, "status_malformed"],
    [{ ...payload, type: ["VerifiableCredential"] }, "status_malformed"],
    [{ ...payload, credentialSubject: 1 }, "status_malformed"],
    [{ ...payload, credentialSubject: { ...subj, type: "StatusList2021" } }, "status_malformed"],
    [{ ...payload, issuer: "https://evil.example" }, "status_malformed"],
    [{ ...payload, validUntil: 5 }, "status_malformed"],
    [{ ...payload, validFrom: undefined }, "status_malformed"],
    [{ ...payload, credentialSubject: { ...subj, encodedList: 5 } }, "status_malformed"],
  ] as [JsonObject, string][]) {
    assert.equal(await code(async () => checkStatus(await resign(o), entry, w.anchor, NOW)), c, JSON.stringify(o).slice(0, 200));
  }
});
