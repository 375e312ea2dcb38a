// Bounded GETs of servers we do not control: `ectrust verify --server` (seals.remote.ts), the
// status lists it fetches (seals.cli.ts) and `ectrust log monitor --log <url>` (tlog/http-store.ts).
// What they answer is hostile input: every body is streamed with a byte cap and a time limit, and
// every failure is one UsageError line naming the URL.
import { UsageError } from "./seals.errors.ts";

/** The most read of one response by default (an anchor, a shop's index, a status list, a checkpoint; each is a few KB). */
export const MAX_RESPONSE_BYTES = 1_000_000;
/** The longest one request may take, body included. */
export const TIMEOUT_MS = 10_000;

export interface GetOptions {
  /** the most bytes read (default MAX_RESPONSE_BYTES) */
  max?: number;
  /** the longest the request may take, body included (default TIMEOUT_MS) */
  timeoutMs?: number;
}

const tooLarge = (url: string, max: number): UsageError => new UsageError(`${url}: the response is larger than ${max.toLocaleString("en")} bytes; stopped reading it (is this an ectrust server?)`);

function reason(e: unknown, timeoutMs: number): string {
  if (e instanceof Error && e.name === "TimeoutError") return `no complete answer within ${String(timeoutMs / 1000)} s`;
  const cause = e instanceof Error ? (e.cause as { code?: unknown; message?: unknown } | undefined) : undefined;
  if (typeof cause?.code === "string") return `cannot reach the server (${cause.code})`;
  if (typeof cause?.message === "string") return cause.message.slice(0, 200);
  return (e instanceof Error ? e.message : String(e)).slice(0, 200);
}

/**
 * GETs `url` and returns its body, reading at most `max` bytes within `timeoutMs`: a body that
 * declares more (Content-Length) or sends more is refused as soon as it passes the cap, and the
 * request is aborted, so the rest is never read (an endless body ends there). Redirects are
 * refused. A 404 is `undefined` when `missingOk` (a log without a checkpoint yet, a missing
 * tile); every other failure is a UsageError naming the URL: one line from the CLI, never a stack.
 */
export async function getBytes(url: string, o: GetOptions & { missingOk: true }): Promise<Uint8Array | undefined>;
export async function getBytes(url: string, o?: GetOptions & { missingOk?: false }): Promise<Uint8Array>;
export async function getBytes(url: string, o: GetOptions & { missingOk?: boolean } = {}): Promise<Uint8Array | undefined> {
  const max = o.max ?? MAX_RESPONSE_BYTES;
  const timeoutMs = o.timeoutMs ?? TIMEOUT_MS;
  const abort = new AbortController();
  try {
    const r = await fetch(url, { redirect: "error", signal: AbortSignal.any([abort.signal, AbortSignal.timeout(timeoutMs)]) });
    if (r.status === 404 && o.missingOk === true) return undefined;
    if (!r.ok) throw new UsageError(`${url}: HTTP ${String(r.status)}`);
    if (Number(r.headers.get("content-length") ?? 0) > max) throw tooLarge(url, max);
    const chunks: Uint8Array[] = [];
    let n = 0;
    const reader: ReadableStreamDefaultReader<Uint8Array> | undefined = r.body?.getReader();
    for (let c = await reader?.read(); c && !c.done; c = await reader?.read()) {
      n += c.value.byteLength;
      if (n > max) throw tooLarge(url, max); // `finally` aborts the request: the rest is never read
      chunks.push(c.value);
    }
    return new Uint8Array(Buffer.concat(chunks, n));
  } catch (e) {
    throw e instanceof UsageError ? e : new UsageError(`${url}: ${reason(e, timeoutMs)}`, { cause: e });
  } finally {
    abort.abort(); // a request not read to its end is closed now (nothing happens to one that was)
  }
}

/** getBytes, decoded as UTF-8 (a 404 is an error). */
export async function getText(url: string, max = MAX_RESPONSE_BYTES): Promise<string> {
  return new TextDecoder().decode(await getBytes(url, { max }));
}
