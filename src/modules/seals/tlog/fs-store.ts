// A LogStore on a local folder, laid out as c2sp.org/tlog-tiles so that the folder can be
// served as-is: <dir>/checkpoint, <dir>/tile/<L>/<N>[.p/<W>], <dir>/tile/entries/…, plus
// <dir>/checkpoints/<size> (every checkpoint, for auditors; not part of the spec).
// Durability: every file is written to a temporary name, fsync'd, renamed into place, and
// its directory fsync'd before write() / writeCheckpoint() resolve.
import { mkdir, open, readdir, readFile, rename, unlink } from "node:fs/promises";
import { dirname, join } from "node:path";
import { randomBytes } from "node:crypto";
import { parseDecimal } from "./bytes.ts";
import type { LogStore, StoredFile } from "./store.ts";
import { tilePath, type TileRef } from "./tiles.ts";

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, "r");
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

async function writeDurably(path: string, data: Uint8Array | string): Promise<string> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true });
  const tmp = join(dir, `.tmp-${randomBytes(6).toString("hex")}`);
  const fh = await open(tmp, "w", 0o644);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, path);
  return dir;
}

export class FsLogStore implements LogStore {
  readonly dir: string;
  constructor(dir: string) {
    this.dir = dir;
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
    await Promise.all(files.map(async (f) => dirs.add(await writeDurably(join(this.dir, tilePath(f.ref)), f.data))));
    // fsync each directory written to, and its parents up to the log folder (new directories).
    const all = new Set<string>();
    for (let d of dirs) {
      while (d.startsWith(this.dir) && !all.has(d)) {
        all.add(d);
        d = dirname(d);
      }
    }
    for (const d of all) await fsyncDir(d);
  }

  async writeCheckpoint(note: string, size: number): Promise<void> {
    await fsyncDir(await writeDurably(join(this.dir, "checkpoints", String(size)), note));
    await fsyncDir(await writeDurably(join(this.dir, "checkpoint"), note));
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
    let names: string[];
    try {
      names = await readdir(join(this.dir, "checkpoints"));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw e;
    }
    // writeCheckpoint archives checkpoints/<size> before it commits `checkpoint`: a copy above the
    // committed size is what a crash between the two renames leaves behind. It was never committed
    // (nobody was told of it) and the next writer replaces it, so it is not listed.
    const committed = parseDecimal((await this.readCheckpoint())?.split("\n")[1] ?? "") ?? -1;
    const sizes = names.map(parseDecimal).filter((n): n is number => n !== undefined && n <= committed).sort((a, b) => a - b);
    return Promise.all(sizes.map((n) => readFile(join(this.dir, "checkpoints", String(n)), "utf8")));
  }
}
