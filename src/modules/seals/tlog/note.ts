// C2SP signed notes (c2sp.org/signed-note): Ed25519 (signature type 0x01) key IDs, verifier
// keys, signing and verification. Isomorphic.
import { base64, concat, equal, fromBase64, fromHex, hex, sha256, utf8, type Bytes } from "./bytes.ts";
import { webCryptoVerify, type Ed25519Verify, type Signer } from "./ed25519.ts";
import { fail } from "./errors.ts";

export const SIG_ED25519 = 0x01;
/** Ed25519 checkpoint cosignature (c2sp.org/tlog-cosignature, cosignature/v1). */
export const SIG_COSIGNATURE_V1 = 0x04;
export type SigType = typeof SIG_ED25519 | typeof SIG_COSIGNATURE_V1;
const EM_DASH_PREFIX = "\u2014 ";
/** Verifiers MUST accept at least 16 signatures; we refuse notes with more than this. */
export const MAX_SIGNATURES = 100;

export interface Vkey {
  name: string;
  type: SigType;
  keyId: Bytes; // 4 bytes
  publicKey: Bytes; // 32 bytes
}

export interface NoteSignature {
  name: string;
  keyId: Bytes;
  signature: Bytes;
}

export interface Note {
  text: string; // ends in "\n"
  signatures: NoteSignature[];
}

/** A key name: non-empty, no Unicode spaces, no "+" (signed-note §Format). */
function validName(name: string): boolean {
  return name.length > 0 && !/[\s+]/u.test(name);
}

/** Key ID for Ed25519: SHA-256(name || 0x0A || 0x01 || pubkey)[:4]. */
export async function keyId(name: string, publicKey: Uint8Array, type: SigType = SIG_ED25519): Promise<Bytes> {
  return (await sha256(concat(utf8(name), Uint8Array.of(0x0a, type), publicKey))).slice(0, 4);
}

/** `name+hex(keyID)+base64(0x01||pubkey)`. */
export async function formatVkey(name: string, publicKey: Uint8Array, type: SigType = SIG_ED25519): Promise<string> {
  if (!validName(name)) fail("malformed_vkey", `bad key name ${JSON.stringify(name)}`);
  return `${name}+${hex(await keyId(name, publicKey, type))}+${base64(concat(Uint8Array.of(type), publicKey))}`;
}

/** Parses an Ed25519 vkey and checks that its key ID matches the name and key. */
export async function parseVkey(vkey: string): Promise<Vkey> {
  // name+hash+key: the name has no "+", the hash is 8 hex digits, the key's base64 may contain "+".
  const m = /^([^+]*)\+([^+]*)\+(.*)$/s.exec(vkey);
  if (!m) return fail("malformed_vkey", "a vkey has three +-separated fields");
  const [, name = "", idHex = "", keyB64 = ""] = m;
  if (!validName(name)) fail("malformed_vkey", "bad key name");
  const id = idHex.length === 8 ? fromHex(idHex) : undefined;
  if (!id) return fail("malformed_vkey", "key ID is not 8 lowercase hex digits");
  const raw = fromBase64(keyB64);
  const type = raw?.[0];
  if (raw?.length !== 33 || (type !== SIG_ED25519 && type !== SIG_COSIGNATURE_V1)) {
    return fail("malformed_vkey", "not an Ed25519 key (type 0x01 or cosignature 0x04, 32 bytes)");
  }
  const publicKey = raw.slice(1);
  if (!equal(await keyId(name, publicKey, type), id)) fail("malformed_vkey", "key ID does not match name and key");
  return { name, type, keyId: id, publicKey };
}

/** Splits a signed note into text and signature lines; strict about the layout. */
export function parseNote(note: string): Note {
  if (note.length > 1_000_000) fail("malformed_note", "note too large");
  const split = note.lastIndexOf("\n\n");
  if (split < 0) fail("malformed_note", "no blank line before the signatures");
  const text = note.slice(0, split + 1);
  const sigBlock = note.slice(split + 2);
  if (text.includes("\r") || !note.endsWith("\n")) fail("malformed_note", "note must use \\n and end with a newline");
  const lines = sigBlock.slice(0, -1).split("\n");
  if (lines.length > MAX_SIGNATURES) fail("malformed_note", "too many signatures");
  const signatures = lines.map((line): NoteSignature => {
    if (!line.startsWith(EM_DASH_PREFIX)) fail("malformed_note", "signature line must start with an em dash and a space");
    const rest = line.slice(EM_DASH_PREFIX.length);
    const sp = rest.indexOf(" ");
    const name = rest.slice(0, sp);
    if (sp < 0 || !validName(name)) fail("malformed_note", "bad signature key name");
    const raw = fromBase64(rest.slice(sp + 1));
    if (!raw || raw.length < 5) return fail("malformed_note", "bad signature base64");
    return { name, keyId: raw.slice(0, 4), signature: raw.slice(4) };
  });
  return { text, signatures };
}

/** Signs `text` (which must end in "\n") as a note with one signature line per signer. */
export async function signNote(text: string, signers: readonly { name: string; signer: Signer }[]): Promise<string> {
  if (!text.endsWith("\n") || text.includes("\n\n") || text.startsWith("\n")) fail("malformed_note", "note text must be non-empty lines ending in \\n");
  let out = `${text}\n`;
  for (const { name, signer } of signers) {
    const id = await keyId(name, signer.publicKey);
    const sig = await signer.sign(utf8(text));
    out += `${EM_DASH_PREFIX}${name} ${base64(concat(id, sig))}\n`;
  }
  return out;
}

/**
 * Verifies a note against known keys: signatures from unknown keys are ignored, every
 * signature from a known key must verify (else the whole note is rejected), and at least one
 * must be from a known key. Returns the text and the verified key names.
 */
export async function verifyNote(
  note: string,
  known: readonly Vkey[],
  verify: Ed25519Verify = webCryptoVerify,
): Promise<{ text: string; verifiedBy: string[]; cosignedAt: Map<string, number> }> {
  const { text, signatures } = parseNote(note);
  const verifiedBy: string[] = [];
  const cosignedAt = new Map<string, number>();
  for (const s of signatures) {
    const key = known.find((k) => k.name === s.name && equal(k.keyId, s.keyId));
    if (!key) continue;
    let message = utf8(text);
    let signature = s.signature;
    if (key.type === SIG_COSIGNATURE_V1) {
      // timestamped_signature: u64 big-endian time || Ed25519 signature over
      // "cosignature/v1\ntime <t>\n" || note text (c2sp.org/tlog-cosignature).
      if (signature.length !== 72) fail("note_signature_invalid", `cosignature by ${s.name} is not 72 bytes`);
      const time = new DataView(signature.buffer, signature.byteOffset, 8).getBigUint64(0);
      if (time > 2n ** 63n - 1n) fail("note_signature_invalid", "cosignature time out of range");
      message = utf8(`cosignature/v1\ntime ${time}\n${text}`);
      signature = signature.slice(8);
      cosignedAt.set(s.name, Number(time));
    }
    if (!(await verify(key.publicKey, signature, message))) {
      fail("note_signature_invalid", `signature by ${s.name} does not verify`);
    }
    verifiedBy.push(s.name);
  }
  if (verifiedBy.length === 0) fail("note_no_known_signature", "no signature from a known key");
  return { text, verifiedBy, cosignedAt };
}

/** Adds an Ed25519 cosignature/v1 line (a witness's) to a signed checkpoint note. */
export async function cosignNote(note: string, name: string, signer: Signer, time: number): Promise<string> {
  const { text } = parseNote(note);
  const t = new Uint8Array(8);
  new DataView(t.buffer).setBigUint64(0, BigInt(time));
  const sig = await signer.sign(utf8(`cosignature/v1\ntime ${time}\n${text}`));
  return `${note}${EM_DASH_PREFIX}${name} ${base64(concat(await keyId(name, signer.publicKey, SIG_COSIGNATURE_V1), t, sig))}\n`;
}
