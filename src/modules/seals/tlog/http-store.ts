// A read-only LogStore over HTTP(S): the tlog-tiles read path as a CDN serves it
// (<prefix>/checkpoint, <prefix>/tile/…). For monitors and auditors; writes are refused.
// Only the latest checkpoint is available over HTTP (the history is a local-folder extra).
import type { LogStore } from "./store.ts";
import { tilePath, type TileRef } from "./tiles.ts";

export class HttpLogStore implements LogStore {
  readonly prefix: string;
  private readonly fetchFn: typeof fetch;
  constructor(prefix: string, fetchFn: typeof fetch = fetch) {
    this.prefix = prefix.replace(/\/+$/, "");
    this.fetchFn = fetchFn;
  }

  private async get(path: string): Promise<Response | undefined> {
    const r = await this.fetchFn(`${this.prefix}/${path}`, { redirect: "error" });
    if (r.status === 404) return undefined;
    if (!r.ok) throw new Error(`${this.prefix}/${path}: HTTP ${r.status}`);
    return r;
  }

  async readCheckpoint(): Promise<string | undefined> {
    return (await this.get("checkpoint"))?.text();
  }

  async read(ref: TileRef): Promise<Uint8Array | undefined> {
    const r = await this.get(tilePath(ref));
    return r ? new Uint8Array(await r.arrayBuffer()) : undefined;
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
