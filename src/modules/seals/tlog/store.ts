// Storage of a tiled log behind a small interface: immutable tiles and entry bundles, plus
// the checkpoint as the commit point. Implementations must make every write durable before
// resolving; writeCheckpoint must replace the checkpoint atomically.
import { TILE_WIDTH, splitTile, tilePath, type TileRef } from "./tiles.ts";
import { completeRoot, type HashReader, type SubtreeRef } from "./tree.ts";
import { fail } from "./errors.ts";

export interface StoredFile {
  ref: TileRef;
  data: Uint8Array;
}

export interface LogStore {
  /** The latest committed checkpoint (a signed note), or undefined for an empty log. */
  readCheckpoint(): Promise<string | undefined>;
  /** A tile or entry bundle, or undefined if absent. */
  read(ref: TileRef): Promise<Uint8Array | undefined>;
  /** Durably writes tiles and bundles (new files, or partial tiles growing). */
  write(files: readonly StoredFile[]): Promise<void>;
  /** Durably and atomically replaces the checkpoint, and keeps a copy for auditors. */
  writeCheckpoint(note: string, size: number): Promise<void>;
  /** Every checkpoint ever committed, oldest first (for `ectrust log verify`). */
  listCheckpoints(): Promise<string[]>;
  /**
   * Optional single-writer lock: resolves to a release function, or rejects if another live
   * writer holds it. The Sequencer takes it on open and releases it on close.
   */
  lock?(): Promise<() => Promise<void>>;
}

/** Keeps everything in maps: for tests, and to show the contract. */
export class MemoryLogStore implements LogStore {
  readonly files = new Map<string, Uint8Array>();
  readonly checkpoints: string[] = [];
  /** Test hook: throw on the next write (simulates a crash mid-batch). */
  failNextWrite = false;

  readCheckpoint(): Promise<string | undefined> {
    return Promise.resolve(this.checkpoints.at(-1));
  }
  read(ref: TileRef): Promise<Uint8Array | undefined> {
    return Promise.resolve(this.files.get(tilePath(ref)));
  }
  write(files: readonly StoredFile[]): Promise<void> {
    if (this.failNextWrite) {
      this.failNextWrite = false;
      return Promise.reject(new Error("simulated write failure"));
    }
    for (const f of files) this.files.set(tilePath(f.ref), Uint8Array.from(f.data));
    return Promise.resolve();
  }
  writeCheckpoint(note: string): Promise<void> {
    this.checkpoints.push(note);
    return Promise.resolve();
  }
  listCheckpoints(): Promise<string[]> {
    return Promise.resolve([...this.checkpoints]);
  }
}

/**
 * Reads complete-subtree hashes from the stored tiles of a tree of `size` leaves: the hash
 * at tree level l = 8·T + r is the root of 2^r consecutive hashes in a level-T tile.
 * Good for any tree size ≤ `size` (complete subtrees never change). Caches tiles.
 */
export class TileHashReader implements HashReader {
  private readonly cache = new Map<string, Uint8Array[]>();
  private readonly store: Pick<LogStore, "read">;
  private readonly size: number;
  constructor(store: Pick<LogStore, "read">, size: number) {
    this.store = store;
    this.size = size;
  }

  private async tile(level: number, index: number): Promise<Uint8Array[]> {
    const count = Math.floor(this.size / TILE_WIDTH ** level);
    const width = Math.min(TILE_WIDTH, count - index * TILE_WIDTH);
    if (width <= 0) return fail("bad_size", `tile ${level}/${index} is beyond the tree`);
    const ref = { level, index, width };
    const key = tilePath(ref);
    let hashes = this.cache.get(key);
    if (!hashes) {
      const data = await this.store.read(ref);
      if (!data) return fail("store_corrupt", `missing ${key}`);
      hashes = splitTile(data, width);
      if (this.cache.size > 4096) this.cache.clear();
      this.cache.set(key, hashes);
    }
    return hashes;
  }

  async readHashes(refs: readonly SubtreeRef[]): Promise<Uint8Array[]> {
    const out: Uint8Array[] = [];
    for (const { level, index } of refs) {
      const t = Math.floor(level / 8);
      const span = 2 ** (level % 8);
      const first = index * span;
      const tileIndex = Math.floor(first / TILE_WIDTH);
      const hashes = await this.tile(t, tileIndex);
      const from = first - tileIndex * TILE_WIDTH;
      const run = hashes.slice(from, from + span);
      if (run.length !== span) fail("store_corrupt", `tile ${t}/${tileIndex} too short for ${level}/${index}`);
      out.push(completeRoot(run));
    }
    return out;
  }
}
