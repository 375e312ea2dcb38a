// C2SP checkpoints (c2sp.org/tlog-checkpoint) and offline inclusion proofs
// (c2sp.org/tlog-proof). Isomorphic.
import { base64, fromBase64, parseDecimal, type Bytes } from "./bytes.ts";
import { webCryptoVerify, type Ed25519Verify, type Signer } from "./ed25519.ts";
import { fail } from "./errors.ts";
import { SIG_ED25519, signNote, verifyNote, type Vkey } from "./note.ts";

export interface Checkpoint {
  origin: string;
  size: number;
  root: Uint8Array;
  /** Extension lines (optional, NOT RECOMMENDED by the spec), without their newlines. */
  extensions: string[];
}

/** `origin\nsize\nbase64(root)\n[extensions\n]`. */
export function formatCheckpoint(c: Checkpoint): string {
  if (c.root.length !== 32) fail("bad_hash_length", "checkpoint root must be 32 bytes");
  return [c.origin, String(c.size), base64(c.root), ...c.extensions].join("\n") + "\n";
}

export function parseCheckpoint(text: string): Checkpoint {
  if (!text.endsWith("\n")) fail("malformed_checkpoint", "checkpoint text must end with a newline");
  const lines = text.slice(0, -1).split("\n");
  const [origin = "", sizeLine = "", rootLine = "", ...extensions] = lines;
  if (lines.length < 3 || origin === "") fail("malformed_checkpoint", "a checkpoint has origin, size and root lines");
  const size = parseDecimal(sizeLine);
  if (size === undefined) return fail("malformed_checkpoint", "size is not a canonical decimal");
  const root = fromBase64(rootLine);
  if (root?.length !== 32) return fail("malformed_checkpoint", "root is not base64 of 32 bytes");
  if (extensions.some((e) => e === "")) fail("malformed_checkpoint", "empty extension line");
  return { origin, size, root, extensions };
}

export async function signCheckpoint(c: Checkpoint, signers: readonly { name: string; signer: Signer }[]): Promise<string> {
  return signNote(formatCheckpoint(c), signers);
}

/** Witness policy: at least `threshold` valid cosignatures from distinct `witnesses` (0x04 vkeys). */
export interface WitnessPolicy {
  witnesses: readonly Vkey[];
  threshold: number;
}

/**
 * Verifies a signed checkpoint: a valid signature by `logKey` (an Ed25519 0x01 key; unknown
 * keys ignored, any failing known signature rejects the note), origin == `origin`, and — with
 * a witness policy — at least k valid witness cosignatures (design note §5.4 step 5).
 */
export async function verifyCheckpoint(
  note: string,
  logKey: Vkey,
  origin: string,
  verify: Ed25519Verify = webCryptoVerify,
  policy: WitnessPolicy = { witnesses: [], threshold: 0 },
): Promise<Checkpoint> {
  if (logKey.type !== SIG_ED25519) fail("malformed_vkey", "the log key must be an Ed25519 (0x01) key");
  const { text, verifiedBy } = await verifyNote(note, [logKey, ...policy.witnesses], verify);
  if (!verifiedBy.includes(logKey.name)) fail("note_no_known_signature", "no signature by the log key");
  const witnessed = new Set(verifiedBy.filter((n) => n !== logKey.name));
  if (witnessed.size < policy.threshold) fail("note_no_known_signature", `${witnessed.size} of ${policy.threshold} witness cosignatures`);
  const c = parseCheckpoint(text);
  if (c.origin !== origin) fail("checkpoint_origin", `checkpoint from ${JSON.stringify(c.origin)}, expected ${JSON.stringify(origin)}`);
  return c;
}

export const TLOG_PROOF_HEADER = "c2sp.org/tlog-proof@v1";

export interface TlogProof {
  extra?: Bytes;
  index: number;
  hashes: Uint8Array[];
  /** The signed checkpoint note, verbatim. */
  checkpoint: string;
}

/** c2sp.org/tlog-proof: header, optional `extra`, `index`, hashes, blank line, checkpoint. */
export function formatTlogProof(p: TlogProof): string {
  const lines = [TLOG_PROOF_HEADER];
  if (p.extra) lines.push(`extra ${base64(p.extra)}`);
  lines.push(`index ${p.index}`);
  for (const h of p.hashes) lines.push(base64(h));
  return `${lines.join("\n")}\n\n${p.checkpoint}`;
}

/** Strict parse: no stray lines, canonical numbers, 32-byte hashes, at most 63 of them. */
export function parseTlogProof(s: string): TlogProof {
  if (s.length > 100_000) fail("malformed_tlog_proof", "proof too large");
  const split = s.indexOf("\n\n");
  if (split < 0) fail("malformed_tlog_proof", "no blank line before the checkpoint");
  const head = s.slice(0, split).split("\n");
  const checkpoint = s.slice(split + 2);
  if (head[0] !== TLOG_PROOF_HEADER) fail("malformed_tlog_proof", "missing c2sp.org/tlog-proof@v1 header");
  let i = 1;
  let extra: Bytes | undefined;
  if (head[i]?.startsWith("extra ")) {
    extra = fromBase64(head[i]?.slice(6) ?? "");
    if (!extra) fail("malformed_tlog_proof", "bad extra base64");
    i++;
  }
  const indexLine = String(head[i]);
  const index = indexLine.startsWith("index ") ? parseDecimal(indexLine.slice(6)) : undefined;
  if (index === undefined) return fail("malformed_tlog_proof", "missing or bad index line");
  const hashes = head.slice(i + 1).map((l) => {
    const h = fromBase64(l);
    if (h?.length !== 32) return fail("malformed_tlog_proof", "proof line is not base64 of 32 bytes");
    return h;
  });
  if (hashes.length > 63) fail("malformed_tlog_proof", "too many proof hashes");
  if (checkpoint === "") fail("malformed_tlog_proof", "missing checkpoint");
  return extra ? { extra, index, hashes, checkpoint } : { index, hashes, checkpoint };
}
