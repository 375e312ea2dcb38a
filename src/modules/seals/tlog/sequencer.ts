// The single writer of the log (design note §5.2 step 3, §5.5): batches appends (a flush
// every `maxDelayMs`, or as soon as `maxBatch` entries wait), assigns indices in order,
// writes tiles and entry bundles, then signs and commits a new checkpoint.
//
// Crash safety, by contract with LogStore: an append resolves only after its batch's tiles,
// bundles and checkpoint were durably written, the checkpoint last. After a crash, open()
// resumes from the stored checkpoint: acknowledged entries are all below its size, in order;
// entries of a batch that never committed were never acknowledged (tiles past the checkpoint
// are overwritten by the next batch). The converse does not hold: a batch rejected by a failure
// after its checkpoint was renamed into place is in the log, and the next batch goes on after it.
//
// Writers: without `lock`, one process holds the store's own lock (LogStore.lock) from open to
// close. With `lock` (the platform passes a PostgreSQL advisory lock), several processes may
// append to the same store: each batch runs inside the lock. Either way each batch re-reads the
// stored checkpoint and reloads its state first if it moved: another writer appended, or a
// failed batch's checkpoint was committed after all (docs/seals.md, "Log writers",
// "Checkpoint writes").
import { concat, equal } from "./bytes.ts";
import { parseCheckpoint, signCheckpoint, verifyCheckpoint, formatTlogProof } from "./checkpoint.ts";
import type { Signer } from "./ed25519.ts";
import { fail, TlogError } from "./errors.ts";
import { formatVkey, parseNote, parseVkey } from "./note.ts";
import { TileHashReader, type LogStore, type StoredFile } from "./store.ts";
import { MAX_ENTRY_SIZE, TILE_WIDTH, decodeBundle, encodeBundle, splitTile, type TileRef } from "./tiles.ts";
import { completeRoot, consistencyProof, decompose, inclusionProof, leafHashSync, nodeHashSync } from "./tree.ts";
import { createHash } from "node:crypto";

export interface SequencerOptions {
  store: LogStore;
  origin: string;
  signer: Signer;
  maxBatch?: number;
  maxDelayMs?: number;
  /**
   * A lock held around every batch (mutual exclusion between processes). When given, the
   * store's lifetime lock is not taken, and each batch starts from the stored checkpoint.
   */
  lock?: <T>(fn: () => Promise<T>) => Promise<T>;
}

export interface Appended {
  index: number;
  /** The signed checkpoint that first covers the entry. */
  checkpoint: string;
}

interface Pending {
  entry: Uint8Array;
  resolve: (a: Appended) => void;
  reject: (e: unknown) => void;
}

interface State {
  size: number;
  /** The not-yet-full tile at each tile level (hashes at tree level 8·L). */
  rows: Uint8Array[][];
  /** The not-yet-full entry bundle. */
  bundle: Uint8Array[];
  /** Complete subtrees covering [0, size), left to right: [level, hash]. */
  range: [number, Uint8Array][];
  checkpoint: string | undefined;
}

const clone = (s: State): State => ({
  size: s.size,
  rows: s.rows.map((r) => [...r]),
  bundle: [...s.bundle],
  range: [...s.range],
  checkpoint: s.checkpoint,
});

type Opts = Required<Omit<SequencerOptions, "lock">> & Pick<SequencerOptions, "lock">;

export class Sequencer {
  private readonly store: LogStore;
  private readonly origin: string;
  private readonly signer: Signer;
  private readonly maxBatch: number;
  private readonly maxDelayMs: number;
  private readonly lock: (<T>(fn: () => Promise<T>) => Promise<T>) | undefined;
  private state: State;
  private pending: Pending[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private chain: Promise<void> = Promise.resolve();
  private closed = false;
  private release: (() => Promise<void>) | undefined;

  private constructor(o: Opts, state: State) {
    this.store = o.store;
    this.origin = o.origin;
    this.signer = o.signer;
    this.maxBatch = o.maxBatch;
    this.maxDelayMs = o.maxDelayMs;
    this.lock = o.lock;
    this.state = state;
  }

  /** Opens the log in `store`, checking the stored checkpoint against the stored tiles. */
  static async open(o: SequencerOptions): Promise<Sequencer> {
    const opts: Opts = { maxBatch: 256, maxDelayMs: 2000, ...o };
    const release = !o.lock && o.store.lock ? await o.store.lock() : undefined;
    try {
      const seq = new Sequencer(opts, await (o.lock ? o.lock(() => Sequencer.load(opts)) : Sequencer.load(opts)));
      seq.release = release;
      return seq;
    } catch (e) {
      await release?.();
      throw e;
    }
  }

  /** The state of the stored log, checked against its checkpoint (signature and root). */
  private static async load(o: Opts): Promise<State> {
    const note = await o.store.readCheckpoint();
    const state: State = { size: 0, rows: [[]], bundle: [], range: [], checkpoint: note };
    if (note !== undefined) {
      const vkey = await parseVkey(await formatVkey(o.origin, o.signer.publicKey));
      const c = await verifyCheckpoint(note, vkey, o.origin);
      state.size = c.size;
      const reader = new TileHashReader(o.store, c.size);
      const refs = decompose(0, c.size);
      const hashes = await reader.readHashes(refs);
      state.range = refs.map((r, i) => [r.level, hashes[i] as Uint8Array]);
      if (!equal(rootOf(state.range), c.root)) {
        fail("store_corrupt", "stored tiles do not match the stored checkpoint");
      }
      // Load the partial tile of each level and the partial bundle.
      for (let level = 0; Math.floor(c.size / TILE_WIDTH ** level) > 0; level++) {
        const count = Math.floor(c.size / TILE_WIDTH ** level);
        const width = count % TILE_WIDTH;
        const ref: TileRef = { level, index: Math.floor(count / TILE_WIDTH), width };
        state.rows[level] = width === 0 ? [] : splitTile((await o.store.read(ref)) ?? fail("store_corrupt", "missing partial tile"), width);
      }
      const bw = c.size % TILE_WIDTH;
      if (bw > 0) {
        const data = await o.store.read({ level: "entries", index: Math.floor(c.size / TILE_WIDTH), width: bw });
        state.bundle = decodeBundle(data ?? fail("store_corrupt", "missing partial bundle"));
        if (state.bundle.length !== bw) fail("store_corrupt", "partial bundle has the wrong width");
      }
    }
    return state;
  }

  get size(): number {
    return this.state.size;
  }

  get checkpoint(): string | undefined {
    return this.state.checkpoint;
  }

  /** Queues an entry; resolves once a durable checkpoint covers it. */
  append(entry: Uint8Array): Promise<Appended> {
    if (this.closed) return Promise.reject(new TlogError("sequencer_closed", "the sequencer is closed"));
    if (entry.length > MAX_ENTRY_SIZE) return Promise.reject(new TlogError("entry_too_large", `entry of ${entry.length} bytes`));
    return new Promise<Appended>((resolve, reject) => {
      this.pending.push({ entry: Uint8Array.from(entry), resolve, reject });
      if (this.pending.length >= this.maxBatch) void this.flush();
      else this.timer ??= setTimeout(() => void this.flush(), this.maxDelayMs);
    });
  }

  /** Sequences everything queued so far; resolves when it is committed. */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending;
    this.pending = [];
    this.chain = this.chain.then(() => (batch.length > 0 ? this.commit(batch) : undefined));
    return this.chain;
  }

  /** Flushes and refuses further appends. */
  async close(): Promise<void> {
    this.closed = true;
    await this.flush();
    await this.release?.();
    this.release = undefined;
  }

  private async commit(batch: Pending[]): Promise<void> {
    const run = async (): Promise<void> => {
      // Start from what is stored: another process may have appended since our last batch (with
      // `lock`), or our own last batch failed after its checkpoint became visible (a failed
      // directory fsync after the rename). Going on from the state before that batch would sign a
      // second, different checkpoint of a size the world may already have seen: a fork.
      if ((await this.store.readCheckpoint()) !== this.state.checkpoint) this.state = await Sequencer.load(this.opts());
      await this.commitLocked(batch);
    };
    try {
      await (this.lock ? this.lock(run) : run());
    } catch (e) {
      for (const p of batch) p.reject(e); // the lock, the read or the reload failed (a failed write already rejected)
    }
  }

  private opts(): Opts {
    return { store: this.store, origin: this.origin, signer: this.signer, maxBatch: this.maxBatch, maxDelayMs: this.maxDelayMs, lock: this.lock };
  }

  private async commitLocked(batch: Pending[]): Promise<void> {
    const before = this.state;
    const s = clone(before);
    const files = new Map<string, StoredFile>();
    const put = (ref: TileRef, data: Uint8Array): void => void files.set(`${String(ref.level)}/${ref.index}/${ref.width}`, { ref, data });
    const touched = new Set<number>();
    try {
      for (const p of batch) {
        s.size++;
        const leaf = leafHashSync(p.entry);
        // The compact range: push the leaf, merge equal levels (RFC 6962 left-full tree).
        s.range.push([0, leaf]);
        for (let n = s.range.length; n >= 2 && s.range[n - 1]?.[0] === s.range[n - 2]?.[0]; n = s.range.length) {
          const [right, left] = [s.range.pop(), s.range.pop()] as [[number, Uint8Array], [number, Uint8Array]];
          s.range.push([left[0] + 1, nodeHashSync(left[1], right[1])]);
        }
        // Tiles: the leaf hash joins level 0; a full tile's root joins the level above.
        let h: Uint8Array = leaf;
        for (let level = 0; ; level++) {
          const row = (s.rows[level] ??= []);
          row.push(h);
          touched.add(level);
          if (row.length < TILE_WIDTH) break;
          put({ level, index: Math.floor(s.size / TILE_WIDTH ** (level + 1)) - 1, width: TILE_WIDTH }, concat(...row));
          h = completeRoot(row);
          s.rows[level] = [];
        }
        s.bundle.push(p.entry);
        if (s.bundle.length === TILE_WIDTH) {
          put({ level: "entries", index: Math.floor(s.size / TILE_WIDTH) - 1, width: TILE_WIDTH }, encodeBundle(s.bundle));
          s.bundle = [];
        }
      }
      // The partial tiles and bundle as they stand at the end of the batch.
      for (const level of touched) {
        const row = s.rows[level] ?? [];
        if (row.length > 0) put({ level, index: Math.floor(s.size / TILE_WIDTH ** (level + 1)), width: row.length }, concat(...row));
      }
      if (s.bundle.length > 0) put({ level: "entries", index: Math.floor(s.size / TILE_WIDTH), width: s.bundle.length }, encodeBundle(s.bundle));
      await this.store.write([...files.values()]);
      const note = await signCheckpoint({ origin: this.origin, size: s.size, root: rootOf(s.range), extensions: [] }, [{ name: this.origin, signer: this.signer }]);
      await this.store.writeCheckpoint(note, s.size);
      s.checkpoint = note;
      this.state = s;
      const first = before.size;
      batch.forEach((p, i) => {
        p.resolve({ index: first + i, checkpoint: note });
      });
    } catch (e) {
      this.state = before;
      for (const p of batch) p.reject(e);
    }
  }

  private reader(): TileHashReader {
    return new TileHashReader(this.store, this.state.size);
  }

  /** RFC 6962 audit path for `index` in the tree of `size` (default: the current size). */
  inclusionProof(index: number, size = this.state.size): Promise<Uint8Array[]> {
    return inclusionProof(index, size, this.reader());
  }

  consistencyProof(size1: number, size2 = this.state.size): Promise<Uint8Array[]> {
    return consistencyProof(size1, size2, this.reader());
  }

  /** A c2sp.org/tlog-proof for `index` against the signed checkpoint `note` of this log. */
  async tlogProof(index: number, note: string): Promise<string> {
    const c = parseCheckpoint(parseNote(note).text);
    return formatTlogProof({ index, hashes: await this.inclusionProof(index, c.size), checkpoint: note });
  }
}

/** MTH from the compact range: fold the complete subtrees from the right. */
function rootOf(range: readonly [number, Uint8Array][]): Uint8Array {
  if (range.length === 0) return createHash("sha256").digest();
  let acc = (range[range.length - 1] as [number, Uint8Array])[1];
  for (let i = range.length - 2; i >= 0; i--) acc = nodeHashSync((range[i] as [number, Uint8Array])[1], acc);
  return acc;
}
