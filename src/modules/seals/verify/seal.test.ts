import { test } from "node:test";
import assert from "node:assert/strict";
import { generateSigner } from "../tlog/ed25519.ts";
import { formatEntry, issueEntry } from "../tlog/entry.ts";
import { formatVkey } from "../tlog/note.ts";
import { formatTlogProof, parseTlogProof, signCheckpoint } from "../tlog/checkpoint.ts";
import { utf8 } from "../tlog/bytes.ts";
import { buildCredential, signCredential } from "./credential.ts";
import { signCompactJws } from "./jws.ts";
import { verifySeal, verifySealFromRoots, type SealInput, type Verdict } from "./seal.ts";
import { ISSUER, LOG_ORIGIN, NOW, REV_URL, SUS_URL, credentialInput, issue, signList, world, type World } from "./testkit.ts";

const w: World = await world();

function input(over: Partial<SealInput> = {}): SealInput {
  return {
    bundle: w.bundle,
    anchor: w.anchor,
    logOrigin: LOG_ORIGIN,
    embedding: { origin: "https://shop.example", source: "ancestor" },
    now: NOW,
    fetchStatusList: (url) => Promise.resolve(w.lists.get(url) ?? ""),
    ...over,
  };
}

function invalid(v: Verdict, code: string): void {
  assert.equal(v.state, "invalid", JSON.stringify(v));
  assert.equal(v.code, code, JSON.stringify(v));
}

test("a good seal is valid, with the subject to display", async () => {
  const v = await verifySeal(input());
  assert.equal(v.state, "valid", JSON.stringify(v));
  assert.equal(v.originCheck, "ancestor");
  assert.equal(v.subject.legalName, "Shop Example Co., Ltd.");
  assert.deepEqual(v.subject.origins, ["https://shop.example", "https://www.shop.example"]);
  assert.equal(v.subject.mark, "PrivacyMark");
  assert.equal(v.subject.logIndex, 5);
  const r = await verifySeal(input({ embedding: { origin: "https://www.shop.example", source: "referrer" } }));
  assert.equal(r.state === "valid" ? r.originCheck : "", "referrer");
  const c = await verifySeal(input({ embedding: undefined }));
  assert.equal(c.state === "valid" ? c.originCheck : "", "csp-only");
});

test("from the pinned roots: anchor, then the seal", async () => {
  const v = await verifySealFromRoots({ ...input(), anchor: w.anchorDoc, pinned: w.pinned });
  assert.equal(v.state, "valid");
  invalid(await verifySealFromRoots({ ...input(), anchor: "{", pinned: w.pinned }), "anchor_malformed");
  const throwing = { ed25519: () => Promise.reject(new TypeError("no Ed25519")) };
  invalid(await verifySealFromRoots({ ...input(throwing), anchor: w.anchorDoc, pinned: w.pinned }), "internal_error");
});

test("another site: wrong_origin", async () => {
  const v = await verifySeal(input({ embedding: { origin: "https://sh0p.example", source: "ancestor" } }));
  assert.equal(v.state, "wrong_origin");
  assert.equal(v.embeddingOrigin, "https://sh0p.example");
});

test("revoked, suspended, both", async () => {
  const rev = await signList(w, REV_URL, "revocation", [41]);
  const sus = await signList(w, SUS_URL, "suspension", [41]);
  const lists = (r: string, s: string) => (url: string) => Promise.resolve(url === REV_URL ? r : s);
  assert.equal((await verifySeal(input({ fetchStatusList: lists(rev, w.lists.get(SUS_URL) ?? "") }))).state, "revoked");
  assert.equal((await verifySeal(input({ fetchStatusList: lists(w.lists.get(REV_URL) ?? "", sus) }))).state, "suspended");
  assert.equal((await verifySeal(input({ fetchStatusList: lists(rev, sus) }))).state, "revoked");
  const other = await signList(w, REV_URL, "revocation", [40, 42]);
  assert.equal((await verifySeal(input({ fetchStatusList: lists(other, w.lists.get(SUS_URL) ?? "") }))).state, "valid");
});

test("status unavailable: fetch failure or a bad list", async () => {
  const down = await verifySeal(input({ fetchStatusList: () => Promise.reject(new Error("offline")) }));
  assert.equal(down.state, "unavailable");
  assert.equal(down.code, "status_unavailable");
  const odd = await verifySeal(input({ fetchStatusList: () => Promise.reject(new Error("x")) }));
  assert.equal(odd.state === "unavailable" ? odd.message : "", "x");
  // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
  const str = await verifySeal(input({ fetchStatusList: () => Promise.reject("down") }));
  assert.equal(str.state === "unavailable" ? str.message : "", "down");
  const wrong = await verifySeal(input({ fetchStatusList: (url) => Promise.resolve(w.lists.get(url === REV_URL ? SUS_URL : REV_URL) ?? "") }));
  assert.equal(wrong.state, "unavailable");
  assert.equal(wrong.code, "status_malformed");
});

test("a known revocation outranks a status list that cannot be had", async () => {
  const rev = await signList(w, REV_URL, "revocation", [41]);
  const sus = await signList(w, SUS_URL, "suspension", [41]);
  const down = (ok: string, list: string) => (url: string) => (url === ok ? Promise.resolve(list) : Promise.reject(new Error("offline")));
  // red, not grey: a failing suspension list must not hide a revocation the other list proves
  assert.equal((await verifySeal(input({ fetchStatusList: down(REV_URL, rev) }))).state, "revoked");
  const reordered = credentialInput({ status: [...w.credInput.status].reverse() });
  const first = input({ bundle: await issue(w, reordered), fetchStatusList: down(REV_URL, rev) });
  assert.equal((await verifySeal(first)).state, "revoked", "whichever list comes first");
  // a suspension alone is not enough when revocation is unknown: still grey
  const s = await verifySeal(input({ fetchStatusList: down(SUS_URL, sus) }));
  assert.equal(s.state, "unavailable");
  assert.equal(s.code, "status_unavailable");
});

test("a status list older than one already accepted is a rollback (unavailable), never valid", async () => {
  // Both lists are signed and still valid at NOW; the older one predates the revocation of 41.
  const before = await signList(w, REV_URL, "revocation", [], { validFrom: "2026-11-30T00:00:00Z" });
  const after = await signList(w, REV_URL, "revocation", [41], { validFrom: "2026-11-30T06:00:00.5Z" });
  const seen = new Map<string, number>();
  const statusHistory = { newest: (url: string) => seen.get(url), accepted: (url: string, t: number) => void seen.set(url, t) };
  const serving = (rev: string) => (url: string) => Promise.resolve(url === REV_URL ? rev : (w.lists.get(url) ?? ""));
  assert.equal((await verifySeal(input({ fetchStatusList: serving(after), statusHistory }))).state, "revoked");
  assert.equal(seen.get(REV_URL), Date.parse("2026-11-30T06:00:00.500Z"), "the newest issuance is remembered, to the millisecond");
  const replayed = await verifySeal(input({ fetchStatusList: serving(before), statusHistory }));
  assert.equal(replayed.state, "unavailable", JSON.stringify(replayed));
  assert.equal(replayed.code, "status_rollback");
  assert.equal(seen.get(REV_URL), Date.parse("2026-11-30T06:00:00.500Z"), "a refused list does not move the mark back");
  // the same version again, and a newer one, are accepted
  assert.equal((await verifySeal(input({ fetchStatusList: serving(after), statusHistory }))).state, "revoked");
  const later = await signList(w, REV_URL, "revocation", [], { validFrom: "2026-11-30T07:00:00Z" });
  assert.equal((await verifySeal(input({ fetchStatusList: serving(later), statusHistory }))).state, "valid");
  // without a history (a first visit) the older list is all there is to go on
  assert.equal((await verifySeal(input({ fetchStatusList: serving(before) }))).state, "valid");
});

test("bad JWS: typed codes", async () => {
  const payload = buildCredential(w.credInput);
  const withHeader = async (h: Record<string, string>): Promise<SealInput> => input({ bundle: { ...w.bundle, jwt: await signCompactJws(h, payload, w.issuing) } });
  const kid = w.bundle.jwt.split(".")[0] ?? "";
  const header = JSON.parse(Buffer.from(kid, "base64url").toString()) as Record<string, string>;
  invalid(await verifySeal(await withHeader({ ...header, alg: "ES256" })), "jws_alg");
  invalid(await verifySeal(await withHeader({ ...header, typ: "JWT" })), "jws_typ");
  invalid(await verifySeal(await withHeader({ ...header, kid: `${ISSUER}/keys/urn:ietf:params:oauth:jwk-thumbprint:sha-256:nope` })), "kid_unknown");
  assert.equal((await verifySeal(await withHeader({ ...header, alg: "Ed25519" }))).state, "invalid"); // signs fine, but the entry's jwt-sha256 differs
  invalid(await verifySeal(input({ bundle: { ...w.bundle, jwt: "a.b" } })), "jws_malformed");
  const [h, p, s] = w.bundle.jwt.split(".");
  const flipped = `${h ?? ""}.${p ?? ""}.${(s ?? "").startsWith("A") ? "B" : "A"}${(s ?? "").slice(1)}`;
  invalid(await verifySeal(input({ bundle: { ...w.bundle, jwt: flipped } })), "signature_invalid");
  const noIat = { ...payload };
  delete noIat.iat;
  invalid(await verifySeal(input({ bundle: { ...w.bundle, jwt: await signCredential(noIat, ISSUER, w.issuing) } })), "claims_malformed");
  const throwing = await verifySeal(input({ ed25519: () => Promise.reject(new TypeError("boom")) }));
  invalid(throwing, "internal_error");
});

test("claims: expired and issuer checks come through verifySeal", async () => {
  invalid(await verifySeal(input({ now: new Date("2028-01-01T00:00:00Z") })), "expired");
  invalid(await verifySeal(input({ anchor: { ...w.anchor, issuer: "https://other.example", keys: w.anchor.keys } })), "kid_unknown");
});

test("log: every broken piece has its code", async () => {
  invalid(await verifySeal(input({ logOrigin: "other.example/log" })), "checkpoint_origin");
  invalid(await verifySeal(input({ anchor: { ...w.anchor, log: { ...w.anchor.log, witnessThreshold: 1 } } })), "checkpoint_signature");
  invalid(await verifySeal(input({ anchor: { ...w.anchor, log: { ...w.anchor.log, vkey: "nope" } } })), "anchor_malformed");
  invalid(await verifySeal(input({ bundle: { ...w.bundle, tlogProof: "garbage" } })), "proof_malformed");
  const proof = parseTlogProof(w.bundle.tlogProof);
  // A checkpoint signed by the log key but for another origin.
  const root = new Uint8Array(32);
  const foreign = await signCheckpoint({ origin: "other.example/log", size: 7, root, extensions: [] }, [{ name: LOG_ORIGIN, signer: w.log }]);
  invalid(await verifySeal(input({ bundle: { ...w.bundle, tlogProof: formatTlogProof({ ...proof, checkpoint: foreign }) } })), "checkpoint_origin");
  // Signed by another key under the log's name.
  const { signer } = await generateSigner();
  const forged = await signCheckpoint({ origin: LOG_ORIGIN, size: 7, root, extensions: [] }, [{ name: LOG_ORIGIN, signer }]);
  invalid(await verifySeal(input({ bundle: { ...w.bundle, tlogProof: formatTlogProof({ ...proof, checkpoint: forged }) } })), "checkpoint_signature");
  invalid(await verifySeal(input({ bundle: { ...w.bundle, tlogProof: formatTlogProof({ ...proof, checkpoint: "x\n\n\u2014 y" }) } })), "proof_malformed");
  // Wrong index, wrong proof length, wrong root.
  invalid(await verifySeal(input({ bundle: { ...w.bundle, tlogProof: formatTlogProof({ ...proof, index: proof.index - 1 }) } })), "inclusion_failed");
  invalid(await verifySeal(input({ bundle: { ...w.bundle, tlogProof: formatTlogProof({ ...proof, hashes: proof.hashes.slice(1) }) } })), "inclusion_failed");
  invalid(await verifySeal(input({ bundle: { ...w.bundle, tlogProof: formatTlogProof({ ...proof, index: 99 }) } })), "inclusion_failed");
  // Entries that do not match the credential.
  invalid(await verifySeal(input({ bundle: { ...w.bundle, entry: "nope" } })), "entry_malformed");
  invalid(await verifySeal(input({ bundle: { ...w.bundle, entry: "x/entry/v1\ntype anchor\nversion 3\nanchor-sha256 AAAA\n" } })), "entry_mismatch");
  invalid(await verifySeal(input({ bundle: { ...w.bundle, entry: w.bundle.entry.replace("origin https://www.shop.example\n", "") } })), "entry_mismatch");
  invalid(await verifySeal(input({ bundle: { ...w.bundle, entry: w.bundle.entry.replace("PrivacyMark", "IdentityConfirmed") } })), "entry_mismatch");
  // A credential that was never logged: its entry is well formed but not in the tree.
  const other = credentialInput({ id: "urn:uuid:0b5c1a6e-0000-4000-8000-000000000002" });
  const unlogged = await issue(w, other);
  invalid(await verifySeal(input({ bundle: { ...unlogged, tlogProof: w.bundle.tlogProof } })), "inclusion_failed");
  // The right entry logged under another credential's JWT.
  const entry = formatEntry(issueEntry({ cred: "c", mark: "m", origins: ["https://a.example"], kid: "k", validFrom: "a", validUntil: "b", jwtSha256: "h" }));
  const mismatched = await issue(w, w.credInput, { entry });
  invalid(await verifySeal(input({ bundle: mismatched })), "entry_mismatch");
  // The checkpoint verifier failing in an unexpected way surfaces as invalid, not a throw.
  const picky = async (k: Uint8Array, s: Uint8Array, m: Uint8Array): Promise<boolean> => {
    if (new TextDecoder().decode(m).startsWith(LOG_ORIGIN)) throw new TypeError("broken");
    const { webCryptoVerify } = await import("../tlog/ed25519.ts");
    return webCryptoVerify(k, s, m);
  };
  invalid(await verifySeal(input({ ed25519: picky })), "internal_error");
  assert.equal(utf8("x").length, 1);
  assert.ok(await formatVkey(LOG_ORIGIN, w.log.publicKey));
});

test("node-native Ed25519 and zlib give the same verdicts", async () => {
  const { nodeEd25519Verify, nodeGunzip } = await import("../tlog/node-crypto.ts");
  const { MAX_LIST_BYTES } = await import("./status.ts");
  const native = { ed25519: nodeEd25519Verify, gunzip: nodeGunzip(MAX_LIST_BYTES) };
  assert.equal((await verifySeal(input(native))).state, "valid");
  const rev = await signList(w, REV_URL, "revocation", [41]);
  assert.equal((await verifySeal(input({ ...native, fetchStatusList: (u) => Promise.resolve(u === REV_URL ? rev : (w.lists.get(u) ?? "")) }))).state, "revoked");
  const [h, p, s = ""] = w.bundle.jwt.split(".");
  invalid(await verifySeal(input({ ...native, bundle: { ...w.bundle, jwt: `${h ?? ""}.${p ?? ""}.${s.startsWith("A") ? "B" : "A"}${s.slice(1)}` } })), "signature_invalid");
  const small = await verifySeal(input({ ...native, gunzip: nodeGunzip(1000) }));
  assert.equal(small.state, "unavailable");
  assert.equal(small.code, "status_compression");
  assert.equal(await nodeEd25519Verify(new Uint8Array(31), new Uint8Array(64), new Uint8Array(0)), false);
  assert.equal(await nodeEd25519Verify(w.issuing.publicKey, new Uint8Array(64), new Uint8Array(0)), false);
});

test("witness policy from the anchor: k cosignatures required", async () => {
  const { cosignNote, SIG_COSIGNATURE_V1 } = await import("../tlog/note.ts");
  const { signer: witness } = await generateSigner();
  const wv = await formatVkey("witness.example", witness.publicKey, SIG_COSIGNATURE_V1);
  const anchor = { ...w.anchor, log: { ...w.anchor.log, witnesses: [wv], witnessThreshold: 1 } };
  invalid(await verifySeal(input({ anchor })), "checkpoint_signature");
  const proof = parseTlogProof(w.bundle.tlogProof);
  const checkpoint = await cosignNote(proof.checkpoint, "witness.example", witness, 1_795_651_200);
  const bundle = { ...w.bundle, tlogProof: formatTlogProof({ ...proof, checkpoint }) };
  assert.equal((await verifySeal(input({ anchor, bundle }))).state, "valid");
  invalid(await verifySeal(input({ anchor: { ...anchor, log: { ...anchor.log, witnesses: ["nope"] } }, bundle })), "anchor_malformed");
  const plain = await formatVkey("witness.example", witness.publicKey);
  invalid(await verifySeal(input({ anchor: { ...anchor, log: { ...anchor.log, witnesses: [plain] } }, bundle })), "anchor_malformed");
});
