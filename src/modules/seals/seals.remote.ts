// `ectrust verify <origin | shop id>` against a running server: finds the shop(s), fetches the
// root-signed anchor and each shop's current bundles from /trust/…, and verifies every bundle
// with the pinned roots (never with keys the server hands out), fetching status lists online.
// What the server answers is hostile input: every response is read with a byte cap and a time
// limit (getText, seals.fetch.ts).
import { verifyCredentialFile, type VerifyFileOptions } from "./seals.cli.ts";
import { UsageError } from "./seals.errors.ts";
import { getText } from "./seals.fetch.ts";
import type { Verdict } from "./verify/seal.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

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
