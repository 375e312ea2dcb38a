// The Storage port: opaque keys to bytes. Keys are made here, from random bytes, never from
// anything a user sent, and are checked on every read, so no key can name a path outside the
// storage folder. The local implementation writes to a temporary file, syncs it, and renames
// it into place: a key either has the whole file or nothing. (An object store comes later
// behind the same interface.)
import { randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, open, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { Readable } from "node:stream";
import { notFound } from "../errors.ts";

export interface Storage {
  /** Stores everything `source` yields under a new key. If `source` throws, nothing is kept. */
  put(source: AsyncIterable<Uint8Array>): Promise<{ key: string; size: number }>;
  /** The bytes under `key`; not_found if there are none. */
  get(key: string): Promise<Readable>;
  /** Removes `key`; nothing happens if it is not there. */
  delete(key: string): Promise<void>;
}

const KEY = /^[0-9a-f]{32}$/;

export function isStorageKey(key: string): boolean {
  return KEY.test(key);
}

function newKey(): string {
  return randomBytes(16).toString("hex");
}

export function createLocalStorage(root: string): Storage {
  const tmpDir = join(root, ".tmp");
  const pathOf = (key: string): string => {
    if (!KEY.test(key)) throw notFound("The file");
    return join(root, key.slice(0, 2), key);
  };
  return {
    async put(source) {
      const key = newKey();
      const final = pathOf(key);
      await mkdir(tmpDir, { recursive: true, mode: 0o700 });
      await mkdir(join(root, key.slice(0, 2)), { recursive: true, mode: 0o700 });
      const tmp = join(tmpDir, `${key}.${randomBytes(4).toString("hex")}.part`);
      const file = await open(tmp, "wx", 0o600);
      let size = 0;
      try {
        try {
          for await (const chunk of source) {
            size += chunk.byteLength;
            await file.write(chunk);
          }
          await file.sync();
        } finally {
          await file.close();
        }
        await rename(tmp, final);
      } catch (error) {
        await rm(tmp, { force: true });
        throw error;
      }
      return { key, size };
    },
    async get(key) {
      const path = pathOf(key);
      try {
        const s = await stat(path);
        if (!s.isFile()) throw notFound("The file");
      } catch {
        throw notFound("The file");
      }
      return createReadStream(path);
    },
    async delete(key) {
      await rm(pathOf(key), { force: true });
    },
  };
}

/** The in-memory double for unit tests. */
export function createMemoryStorage(): Storage & { readonly files: Map<string, Buffer> } {
  const files = new Map<string, Buffer>();
  return {
    files,
    async put(source) {
      const chunks: Buffer[] = [];
      for await (const c of source) chunks.push(Buffer.from(c));
      const key = newKey();
      const body = Buffer.concat(chunks);
      files.set(key, body);
      return { key, size: body.length };
    },
    get(key) {
      const body = KEY.test(key) ? files.get(key) : undefined;
      if (!body) return Promise.reject(notFound("The file"));
      return Promise.resolve(Readable.from([body]));
    },
    delete(key) {
      files.delete(key);
      return Promise.resolve();
    },
  };
}
