// A LogStore on a local folder, laid out as c2sp.org/tlog-tiles so that the folder can be
// served as-is: <dir>/checkpoint, <dir>/tile/<L>/<N>[.p/<W>], <dir>/tile/entries/…, plus
// <dir>/checkpoints/<size> (every committed checkpoint, for auditors; not part of the spec).
// Durability: every file is written to a temporary name, fsync'd, renamed into place, and
// its directory fsync'd before write() / writeCheckpoint() resolve.
//
// Checkpoint order (docs/seals.md, "Checkpoint writes"): `checkpoint` is renamed into place first
// (the commit point), and only then archived as checkpoints/<size>, so no file, served or not, ever
// holds a checkpoint that was not committed. A failure at any step leaves either the old checkpoint
// (nothing visible changed) or the new one (the Sequencer re-reads it before its next batch and
// continues from it); an archive missing after such a failure is written by the next
// writeCheckpoint, and listCheckpoints already includes the committed checkpoint.
import { mkdir, open, readdir, readFile, rename, unlink } from "node:fs/promises";
import { dirname, join } from "node:path";
import { randomBytes } from "node:crypto";
import { parseDecimal } from "./bytes.ts";
import type { LogStore, StoredFile } from "./store.ts";
import { tilePath, type TileRef } from "./tiles.ts";

/** The file-system steps of a durable write, in order: what `FsLogStoreOptions.beforeStep` is told of. */
export type FsStep = "mkdir" | "open" | "write" | "sync" | "rename" | "fsync-dir";

export interface FsLogStoreOptions {
  /**
   * Called before each file-system step of a write, with the path it acts on; whatever it throws
   * fails that step. A seam for the failure tests (a disk that fails one fsync or rename); the
   * steps themselves always run on the real file system.
   */
  beforeStep?: (step: FsStep, path: string) => void;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

type Step = (step: FsStep, path: string) => void;

async function fsyncDir(dir: string, step: Step): Promise<void> {
  step("fsync-dir", dir);
  const fh = await open(dir, "r");
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/**
 * Writes `path` through a fsync'd temporary file renamed into place; returns its directory (not yet
 * fsync'd) and whether that directory was created.
 */
async function writeDurably(path: string, data: Uint8Array | string, step: Step): Promise<{ dir: string; created: boolean }> {
  const dir = dirname(path);
  step("mkdir", dir);
  const created = (await mkdir(dir, { recursive: true })) !== undefined;
  const tmp = join(dir, `.tmp-${randomBytes(6).toString("hex")}`);
  try {
    step("open", tmp);
    const fh = await open(tmp, "w", 0o644);
    try {
      step("write", tmp);
      await fh.writeFile(data);
      step("sync", tmp);
      await fh.sync();
    } finally {
      await fh.close();
    }
    step("rename", path);
    await rename(tmp, path);
  } catch (e) {
    await unlink(tmp).catch(() => undefined); // a failed write leaves no temporary file behind
    throw e;
  }
  return { dir, created };
}

const sizeOf = (note: string): number | undefined => parseDecimal(note.split("\n")[1] ?? "");

export class FsLogStore implements LogStore {
  readonly dir: string;
  private readonly step: Step;
  constructor(dir: string, options: FsLogStoreOptions = {}) {
    this.dir = dir;
    this.step = options.beforeStep ?? (() => undefined);
  }

  async readCheckpoint(): Promise<string | undefined> {
    try {
      return await readFile(join(this.dir, "checkpoint"), "utf8");
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw e;
    }
  }

  async read(ref: TileRef): Promise<Uint8Array | undefined> {
    try {
      return await readFile(join(this.dir, tilePath(ref)));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw e;
    }
  }

  async write(files: readonly StoredFile[]): Promise<void> {
    const dirs = new Set<string>();
    // allSettled: when one file fails, the others must have finished (or failed) before the batch
    // is rejected, or a late rename could land on top of the next batch's file of the same name.
    const results = await Promise.allSettled(files.map(async (f) => dirs.add((await writeDurably(join(this.dir, tilePath(f.ref)), f.data, this.step)).dir)));
    const failed = results.find((r) => r.status === "rejected");
    if (failed) throw failed.reason;
    // fsync each directory written to, and its parents up to the log folder (new directories).
    const all = new Set<string>();
    for (let d of dirs) {
      while (d.startsWith(this.dir) && !all.has(d)) {
        all.add(d);
        d = dirname(d);
      }
    }
    for (const d of all) await fsyncDir(d, this.step);
  }

  /**
   * Commits `note` as the checkpoint, then archives it. The archive comes second: written first (as
   * it was), a failure between the two left checkpoints/<size> holding a checkpoint that was served
   * under /log/checkpoints/ but never committed, and the next batch signed a different one of the
   * same size: a fork.
   */
  async writeCheckpoint(note: string, size: number): Promise<void> {
    // the checkpoint being replaced, if the writeCheckpoint that committed it failed before archiving it
    const current = await this.readCheckpoint();
    if (current !== undefined) await this.archive(current);
    await fsyncDir((await writeDurably(join(this.dir, "checkpoint"), note, this.step)).dir, this.step);
    await this.archive(note, size);
  }

  /** checkpoints/<size> := note, unless it already holds exactly that. */
  private async archive(note: string, size = sizeOf(note)): Promise<void> {
    if (size === undefined) return; // not a checkpoint; Sequencer.open refuses it
    const path = join(this.dir, "checkpoints", String(size));
    if ((await readFile(path, "utf8").catch(() => undefined)) === note) return;
    const { dir, created } = await writeDurably(path, note, this.step);
    await fsyncDir(dir, this.step);
    if (created) await fsyncDir(this.dir, this.step); // the new checkpoints/ folder itself
  }

  /**
   * `<dir>/lock` holds the writer's pid, created exclusively. A lock whose pid is not a live
   * process on this machine is stale (a crashed writer) and is taken over. One machine only:
   * a shared filesystem between hosts needs the database lock of the platform instead.
   */
  async lock(): Promise<() => Promise<void>> {
    await mkdir(this.dir, { recursive: true });
    const path = join(this.dir, "lock");
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fh = await open(path, "wx", 0o644);
        await fh.writeFile(String(process.pid));
        await fh.sync();
        await fh.close();
        return async () => {
          await unlink(path).catch(() => undefined);
        };
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
        const pid = Number(await readFile(path, "utf8").catch(() => ""));
        if (Number.isSafeInteger(pid) && pid > 0 && alive(pid)) throw new Error(`log ${this.dir} is locked by live process ${pid}`, { cause: e });
        await unlink(path).catch(() => undefined);
      }
    }
    throw new Error(`could not lock ${this.dir}`);
  }

  async listCheckpoints(): Promise<string[]> {
    let names: string[] = [];
    try {
      names = await readdir(join(this.dir, "checkpoints"));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
    }
    // Only copies up to the committed size: a copy above it was left by an older version of this
    // store, which archived before committing; it was never committed. The committed checkpoint is
    // always last, archived or not (a writeCheckpoint that failed after the commit; the next one
    // archives it).
    const current = await this.readCheckpoint();
    const committed = current === undefined ? -1 : (sizeOf(current) ?? -1);
    const sizes = names.map(parseDecimal).filter((n): n is number => n !== undefined && n < committed).sort((a, b) => a - b);
    const notes = await Promise.all(sizes.map((n) => readFile(join(this.dir, "checkpoints", String(n)), "utf8")));
    return current === undefined ? notes : [...notes, current];
  }
}
