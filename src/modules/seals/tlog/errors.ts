// Typed errors of the transparency-log core: one class, a closed set of codes.

export type TlogErrorCode =
  | "bad_hash_length" // a hash that is not exactly 32 bytes
  | "bad_size" // a tree size or index that is out of range or not a safe integer
  | "bad_proof_length" // an inclusion or consistency proof with the wrong number of hashes
  | "root_mismatch" // a proof that does not lead to the expected root
  | "malformed_note" // a signed note that does not parse (c2sp.org/signed-note)
  | "malformed_vkey" // a verifier key string that does not parse
  | "note_signature_invalid" // a signature from a known key that does not verify
  | "note_no_known_signature" // no signature from any known key
  | "malformed_checkpoint" // a checkpoint body that does not parse (c2sp.org/tlog-checkpoint)
  | "checkpoint_origin" // a checkpoint from another log
  | "malformed_tlog_proof" // a c2sp.org/tlog-proof text that does not parse
  | "malformed_entry" // a log entry that does not follow the entry format
  | "malformed_tile" // a tile, bundle or tile path that does not parse
  | "entry_too_large" // a log entry over 65,535 bytes (the uint16 length prefix)
  | "store_corrupt" // stored tiles or checkpoint disagree with each other
  | "sequencer_closed"; // an append after close()

export class TlogError extends Error {
  override readonly name = "TlogError";
  readonly code: TlogErrorCode;
  constructor(code: TlogErrorCode, message: string, options?: { cause?: unknown }) {
    super(`${code}: ${message}`, options);
    this.code = code;
  }
}

export function fail(code: TlogErrorCode, message: string): never {
  throw new TlogError(code, message);
}
