// `ectrust verify <origin | shop id>` against a running server: finds the shop(s), fetches the
// root-signed anchor and each shop's current bundles from /trust/…, and verifies every bundle
// with the pinned roots (never with keys the server hands out), fetching status lists online.
// What the server answers is hostile input: every response is read with a byte cap (getText).
import { UsageError, verifyCredentialFile, type VerifyFileOptions } from "./seals.cli.ts";
import type { Verdict } from "./verify/seal.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** The most read of one response (an anchor, a shop's index, a status list; each is a few KB). */
export const MAX_RESPONSE_BYTES = 1_000_000;
const TIMEOUT_MS = 10_000;

const tooLarge = (url: string, max: number): UsageError => new UsageError(`${url}: the response is larger than ${max.toLocaleString("en")} bytes; stopped reading it (is this an ectrust server?)`);

function reason(e: unknown): string {
  if (e instanceof Error && e.name === "TimeoutError") return `no complete answer within ${String(TIMEOUT_MS / 1000)} s`;
  const cause = e instanceof Error ? (e.cause as { code?: unknown; message?: unknown } | undefined) : undefined;
  if (typeof cause?.code === "string") return `cannot reach the server (${cause.code})`;
  if (typeof cause?.message === "string") return cause.message.slice(0, 200);
  return (e instanceof Error ? e.message : String(e)).slice(0, 200);
}

/**
 * GETs `url` and returns its body as text, reading at most `max` bytes: a body that declares more
 * (Content-Length) or sends more is refused as soon as it passes the cap, and the request is
 * aborted, so the rest is never read (an endless body ends there). Every failure is a UsageError
 * naming the URL: one line from the CLI, never a stack trace.
 */
export async function getText(url: string, max = MAX_RESPONSE_BYTES): Promise<string> {
  const abort = new AbortController();
  try {
    const r = await fetch(url, { redirect: "error", signal: AbortSignal.any([abort.signal, AbortSignal.timeout(TIMEOUT_MS)]) });
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
    return new TextDecoder().decode(Buffer.concat(chunks, n));
  } catch (e) {
    throw e instanceof UsageError ? e : new UsageError(`${url}: ${reason(e)}`, { cause: e });
  } finally {
    abort.abort(); // a request not read to its end is closed now (nothing happens to one that was)
  }
}

async function getJson(url: string): Promise<Record<string, unknown>> {
  const text = await getText(url);
  try {
    const v = JSON.parse(text) as unknown;
    if (typeof v === "object" && v !== null && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // below
  }
  throw new UsageError(`${url}: not a JSON object (is this an ectrust server?)`);
}

export function isRemoteTarget(target: string): boolean {
  return UUID.test(target) || /^https?:\/\/[^/\s]+\/?$/.test(target);
}

export async function verifyRemote(target: string, server: string, o: Omit<VerifyFileOptions, "offline">): Promise<{ shopId: string; verdict: Verdict }[]> {
  const base = new URL(server).origin;
  let shopIds: string[];
  let origin = o.origin;
  if (UUID.test(target)) shopIds = [target];
  else {
    origin ??= new URL(target).origin;
    const found = await getJson(`${base}/api/v1/seals/lookup?origin=${encodeURIComponent(new URL(target).origin)}`);
    shopIds = Array.isArray(found.shopIds) ? found.shopIds.filter((s): s is string => typeof s === "string" && UUID.test(s)) : [];
  }
  const anchor = await getText(`${base}/trust/.well-known/ectrust/trust-anchor.json`);
  const out: { shopId: string; verdict: Verdict }[] = [];
  for (const shopId of shopIds) {
    const index = await getJson(`${base}/trust/c/${shopId}/index.json`);
    const marks = Array.isArray(index.marks) ? index.marks : [];
    for (const m of marks) {
      const verdict = await verifyCredentialFile(JSON.stringify({ anchor, ...(m as object) }), { ...o, ...(origin ? { origin } : {}), offline: false });
      out.push({ shopId, verdict });
    }
  }
  return out;
}
