// `ectrust verify <origin | shop id>` against a running server: finds the shop(s), fetches the
// root-signed anchor and each shop's current bundles from /trust/…, and verifies every bundle
// with the pinned roots (never with keys the server hands out), fetching status lists online.
import { verifyCredentialFile, type VerifyFileOptions } from "./seals.cli.ts";
import type { Verdict } from "./verify/seal.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const MAX = 1_000_000;

async function get(url: string): Promise<string> {
  const r = await fetch(url, { redirect: "error", signal: AbortSignal.timeout(10_000) });
  if (!r.ok) throw new Error(`${url}: HTTP ${String(r.status)}`);
  const text = await r.text();
  if (text.length > MAX) throw new Error(`${url}: response too large`);
  return text;
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
    const found = JSON.parse(await get(`${base}/api/v1/seals/lookup?origin=${encodeURIComponent(new URL(target).origin)}`)) as { shopIds?: unknown };
    shopIds = Array.isArray(found.shopIds) ? found.shopIds.filter((s): s is string => typeof s === "string" && UUID.test(s)) : [];
  }
  const anchor = await get(`${base}/trust/.well-known/ectrust/trust-anchor.json`);
  const out: { shopId: string; verdict: Verdict }[] = [];
  for (const shopId of shopIds) {
    const index = JSON.parse(await get(`${base}/trust/c/${shopId}/index.json`)) as { marks?: unknown };
    const marks = Array.isArray(index.marks) ? index.marks : [];
    for (const m of marks) {
      const verdict = await verifyCredentialFile(JSON.stringify({ anchor, ...(m as object) }), { ...o, ...(origin ? { origin } : {}), offline: false });
      out.push({ shopId, verdict });
    }
  }
  return out;
}
