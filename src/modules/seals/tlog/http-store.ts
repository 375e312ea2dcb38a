// A read-only LogStore over HTTP(S): the tlog-tiles read path as a CDN serves it
// (<prefix>/checkpoint, <prefix>/tile/…). For monitors and auditors; writes are refused.
// Only the latest checkpoint is available over HTTP (the history is a local-folder extra).
// The server is not trusted: each response goes through the capped, timed reader of the seals
// commands (seals.fetch.ts), capped at the most its file can hold, so an endless or huge body, or
// one that stalls, ends in one error line naming the URL instead of filling memory or hanging.
import { getBytes, MAX_RESPONSE_BYTES } from "../seals.fetch.ts";
import { HASH_SIZE } from "./merkle.ts";
import type { LogStore } from "./store.ts";
import { MAX_ENTRY_SIZE, tilePath, type TileRef } from "./tiles.ts";

/** The most a tile or entry bundle of `ref.width` can hold: 32-byte hashes, or entries behind a 2-byte length. */
export function maxTileBytes(ref: TileRef): number {
  return ref.width * (ref.level === "entries" ? 2 + MAX_ENTRY_SIZE : HASH_SIZE);
}

export class HttpLogStore implements LogStore {
  readonly prefix: string;
  private readonly timeoutMs: number | undefined;
  /** `timeoutMs`: the longest one request may take, body included (default: the reader's 10 s) */
  constructor(prefix: string, o: { timeoutMs?: number } = {}) {
    this.prefix = prefix.replace(/\/+$/, "");
    this.timeoutMs = o.timeoutMs;
  }

  private get(path: string, max: number): Promise<Uint8Array | undefined> {
    return getBytes(`${this.prefix}/${path}`, { max, missingOk: true, ...(this.timeoutMs === undefined ? {} : { timeoutMs: this.timeoutMs }) });
  }

  async readCheckpoint(): Promise<string | undefined> {
    const body = await this.get("checkpoint", MAX_RESPONSE_BYTES); // a signed note: a few hundred bytes
    return body === undefined ? undefined : new TextDecoder().decode(body);
  }

  read(ref: TileRef): Promise<Uint8Array | undefined> {
    return this.get(tilePath(ref), maxTileBytes(ref));
  }

  write(): Promise<void> {
    return Promise.reject(new Error("HttpLogStore is read-only"));
  }

  writeCheckpoint(): Promise<void> {
    return Promise.reject(new Error("HttpLogStore is read-only"));
  }

  async listCheckpoints(): Promise<string[]> {
    const c = await this.readCheckpoint();
    return c === undefined ? [] : [c];
  }
}
