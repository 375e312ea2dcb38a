import { test } from "node:test";
import assert from "node:assert/strict";
import { base64, fromBase64, fromBase64url, fromHex, hex, utf8, base64url } from "./bytes.ts";
import { generateSigner } from "./ed25519.ts";
import { TlogError } from "./errors.ts";
import { formatVkey, keyId, parseNote, parseVkey, signNote, verifyNote } from "./note.ts";
import {
  formatCheckpoint, formatTlogProof, parseCheckpoint, parseTlogProof, signCheckpoint, verifyCheckpoint,
} from "./checkpoint.ts";

// The example of c2sp.org/signed-note (see shared/tlog-testvectors/README.md).
const VKEY = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k";
const NOTE =
  "This is an example message.\n\n\u2014 example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n";

async function code(f: () => unknown): Promise<string> {
  try {
    await f();
    return "ok";
  } catch (e) {
    return e instanceof TlogError ? e.code : `untyped ${String(e)}`;
  }
}

test("the C2SP signed-note example verifies, and one changed byte does not", async () => {
  const k = await parseVkey(VKEY);
  assert.equal(hex(k.keyId), "530d903a");
  assert.equal(await formatVkey(k.name, k.publicKey), VKEY);
  const r = await verifyNote(NOTE, [k]);
  assert.equal(r.text, "This is an example message.\n");
  assert.deepEqual(r.verifiedBy, ["example.com/foo"]);
  assert.equal(await code(() => verifyNote(NOTE.replace("example message", "example messagf"), [k])), "note_signature_invalid");
});

test("unknown keys are ignored; no known key is an error", async () => {
  const k = await parseVkey(VKEY);
  const { signer } = await generateSigner();
  const cosigned = await signNote("hello\n", [{ name: "other.example/w", signer }]);
  const extra = NOTE + (cosigned.split("\n\n")[1] ?? "");
  assert.deepEqual((await verifyNote(extra, [k])).verifiedBy, ["example.com/foo"]);
  assert.equal(await code(() => verifyNote(cosigned, [k])), "note_no_known_signature");
});

test("malformed vkeys and notes are typed errors", async () => {
  for (const bad of [
    "example.com/foo+530d903a",
    "+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k",
    "example.com/foo+530D903A+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k",
    "example.com/foo+530d903b+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k",
    "example.com/foo+530d903a+AkyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k",
    "example.com/foo+530d903a+AukyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k",
  ]) assert.equal(await code(() => parseVkey(bad)), "malformed_vkey", bad);
  for (const bad of [
    "no blank line\n",
    "text\n\n\u2014 example.com/foo AAAA\n",
    "text\n\n- example.com/foo Uw2QOkn8\n",
    "text\n\n\u2014 example.com/foo\n",
    "text\n\n\u2014 example.com/foo not*base64\n",
    "text\r\n\n\u2014 a Uw2QOkn8srV1yJGh\n",
    "text\n\n\u2014 a Uw2QOkn8srV1yJGh",
  ]) assert.equal(await code(() => parseNote(bad)), "malformed_note", JSON.stringify(bad));
  const { signer } = await generateSigner();
  assert.equal(await code(() => signNote("no newline", [{ name: "a", signer }])), "malformed_note");
  assert.equal(await code(() => signNote("a\n\nb\n", [{ name: "a", signer }])), "malformed_note");
  assert.equal(await code(() => formatVkey("bad name", signer.publicKey)), "malformed_vkey");
});

test("checkpoints: format, sign, verify, origin", async () => {
  const { signer } = await generateSigner();
  const origin = "log.ectrust.example/marks";
  const vkey = await parseVkey(await formatVkey(origin, signer.publicKey));
  const root = new Uint8Array(32).fill(7);
  const note = await signCheckpoint({ origin, size: 70_000, root, extensions: [] }, [{ name: origin, signer }]);
  assert.ok(note.startsWith(`${origin}\n70000\n${base64(root)}\n\n\u2014 ${origin} `));
  const c = await verifyCheckpoint(note, vkey, origin);
  assert.equal(c.size, 70_000);
  assert.equal(await code(() => verifyCheckpoint(note, vkey, "other.example/log")), "checkpoint_origin");
  assert.equal(parseCheckpoint(formatCheckpoint({ ...c, extensions: ["ext"] })).extensions[0], "ext");
  for (const bad of ["a\n1\n", "a\n01\n" + base64(root) + "\n", "a\n1\nAAAA\n", "a\n1\n" + base64(root), "\n1\n" + base64(root) + "\n", `a\n1\n${base64(root)}\n\n`]) {
    assert.equal(await code(() => parseCheckpoint(bad)), "malformed_checkpoint", bad);
  }
  assert.equal(await code(() => formatCheckpoint({ ...c, root: root.slice(1) })), "bad_hash_length");
  assert.deepEqual(await keyId(origin, signer.publicKey), vkey.keyId);
});

test("tlog-proof round trip and strict parsing", async () => {
  const h = new Uint8Array(32).fill(1);
  const cp = "o\n1\n" + base64(h) + "\n\n\u2014 o AAAAAAAA\n";
  const text = formatTlogProof({ extra: utf8("x"), index: 5, hashes: [h, h], checkpoint: cp });
  assert.ok(text.startsWith("c2sp.org/tlog-proof@v1\nextra eA==\nindex 5\n"));
  const p = parseTlogProof(text);
  assert.equal(p.index, 5);
  assert.equal(p.hashes.length, 2);
  assert.equal(p.checkpoint, cp);
  assert.equal(parseTlogProof(formatTlogProof({ index: 0, hashes: [], checkpoint: cp })).extra, undefined);
  for (const bad of [
    "c2sp.org/tlog-proof@v1\nindex 5\n",
    "c2sp.org/tlog-proof@v2\nindex 5\n\n" + cp,
    "c2sp.org/tlog-proof@v1\nindex 05\n\n" + cp,
    "c2sp.org/tlog-proof@v1\nextra !\nindex 5\n\n" + cp,
    "c2sp.org/tlog-proof@v1\nindex 5\nAAAA\n\n" + cp,
    "c2sp.org/tlog-proof@v1\nindex 5\n\n",
    "c2sp.org/tlog-proof@v1\nindex 5\n" + `${base64(h)}\n`.repeat(64) + "\n" + cp,
    "x".repeat(100_001),
  ]) assert.equal(await code(() => parseTlogProof(bad)), "malformed_tlog_proof", bad.slice(0, 60));
});

test("strict base64 and hex", () => {
  assert.equal(base64(utf8("ab")), "YWI=");
  assert.equal(base64(utf8("a")), "YQ==");
  assert.equal(base64url(utf8("ab?")), "YWI_");
  assert.equal(base64url(utf8("a")), "YQ");
  assert.equal(fromBase64("YQ"), undefined);
  assert.equal(fromBase64("YR=="), undefined);
  assert.equal(fromBase64("Y==="), undefined);
  assert.equal(fromBase64url("YQ=="), undefined);
  assert.equal(fromBase64url("Y"), undefined);
  assert.deepEqual(fromBase64url("YWI_"), utf8("ab?"));
  assert.equal(fromHex("abc"), undefined);
  assert.equal(fromHex("zz"), undefined);
  assert.deepEqual(fromHex("00ff"), Uint8Array.of(0, 255));
});

test("witness cosignatures (c2sp.org/tlog-cosignature v1) and the k-of-n policy", async () => {
  const { cosignNote, SIG_COSIGNATURE_V1 } = await import("./note.ts");
  const origin = "log.ectrust.example/marks";
  const { signer: log } = await generateSigner();
  const { signer: w1 } = await generateSigner();
  const { signer: w2 } = await generateSigner();
  const logKey = await parseVkey(await formatVkey(origin, log.publicKey));
  const k1 = await parseVkey(await formatVkey("witness1.example", w1.publicKey, SIG_COSIGNATURE_V1));
  const k2 = await parseVkey(await formatVkey("witness2.example", w2.publicKey, SIG_COSIGNATURE_V1));
  assert.equal(k1.type, SIG_COSIGNATURE_V1);
  const note = await signCheckpoint({ origin, size: 3, root: new Uint8Array(32).fill(9), extensions: [] }, [{ name: origin, signer: log }]);
  const cosigned = await cosignNote(note, "witness1.example", w1, 1_795_651_200);
  assert.ok(cosigned.startsWith(note));
  const policy = (threshold: number) => ({ witnesses: [k1, k2], threshold });
  assert.equal((await verifyCheckpoint(cosigned, logKey, origin, undefined, policy(1))).size, 3);
  assert.equal((await verifyCheckpoint(cosigned, logKey, origin)).size, 3);
  assert.equal(await code(() => verifyCheckpoint(cosigned, logKey, origin, undefined, policy(2))), "note_no_known_signature");
  assert.equal((await verifyCheckpoint(await cosignNote(cosigned, "witness2.example", w2, 1_795_651_201), logKey, origin, undefined, policy(2))).size, 3);
  // The same witness twice counts once.
  assert.equal(await code(async () => verifyCheckpoint(await cosignNote(cosigned, "witness1.example", w1, 1_795_651_202), logKey, origin, undefined, policy(2))), "note_no_known_signature");
  // A cosignature over another time does not verify; nor does a plain signature from a cosigner key.
  const lines = cosigned.split("\n");
  const last = lines[lines.length - 2] ?? "";
  const raw = fromBase64(last.split(" ")[2] ?? "") ?? new Uint8Array(0);
  raw[11] = (raw[11] ?? 0) ^ 1; // a byte of the timestamp
  const retimed = [...lines.slice(0, -2), `${last.split(" ").slice(0, 2).join(" ")} ${base64(raw)}`, ""].join("\n");
  assert.equal(await code(() => verifyCheckpoint(retimed, logKey, origin, undefined, policy(1))), "note_signature_invalid");
  const short = [...lines.slice(0, -2), `${last.split(" ").slice(0, 2).join(" ")} ${base64(raw.slice(0, 68))}`, ""].join("\n");
  assert.equal(await code(() => verifyCheckpoint(short, logKey, origin, undefined, policy(1))), "note_signature_invalid");
  const huge = Uint8Array.from(raw);
  huge[4] = 0xff;
  const future = [...lines.slice(0, -2), `${last.split(" ").slice(0, 2).join(" ")} ${base64(huge)}`, ""].join("\n");
  assert.equal(await code(() => verifyCheckpoint(future, logKey, origin, undefined, policy(1))), "note_signature_invalid");
  // Only witnesses, no log signature; and a cosignature key as the log key.
  const onlyWitness = `${note.split("\n\n")[0] ?? ""}\n\n${lines[lines.length - 2] ?? ""}\n`;
  assert.equal(await code(() => verifyCheckpoint(onlyWitness, logKey, origin, undefined, policy(1))), "note_no_known_signature");
  assert.equal(await code(() => verifyCheckpoint(cosigned, k1, origin)), "malformed_vkey");
});

test("limits and remaining malformed inputs", async () => {
  const { parseDecimal } = await import("./bytes.ts");
  const { signerFromSeed } = await import("./ed25519.ts");
  assert.equal(parseDecimal("9007199254740991"), 2 ** 53 - 1);
  assert.equal(parseDecimal("9999999999999999"), undefined);
  assert.equal(await code(() => parseNote("x".repeat(1_000_001))), "malformed_note");
  const sig = "\u2014 a Uw2QOkn8srV1yJGh\n";
  assert.equal(await code(() => parseNote(`t\n\n${sig.repeat(101)}`)), "malformed_note");
  assert.equal(parseNote(`t\n\n${sig.repeat(100)}`).signatures.length, 100);
  assert.equal(await code(() => parseVkey("example.com/foo+530d903+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k")), "malformed_vkey");
  assert.equal(await code(() => parseTlogProof("c2sp.org/tlog-proof@v1\nextra eA==\n\no\n")), "malformed_tlog_proof");
  assert.equal(await code(() => parseTlogProof("c2sp.org/tlog-proof@v1\nindx 1\n\no\n")), "malformed_tlog_proof");
  await assert.rejects(signerFromSeed(new Uint8Array(31)), RangeError);
});
