// The seal widget: runs inside the cross-origin iframe served by /seal/s/<shopId>, verifies
// the inline bundles with the algorithm of the design note §5.4 (the same code as the server
// and CLI: src/modules/seals/verify) and renders the verdict. Vanilla TS, no framework.
import { verifyAnchor } from "../modules/seals/verify/anchor.ts";
import { verifySeal, type SealBundle, type Verdict } from "../modules/seals/verify/seal.ts";
import { webCryptoVerify, type Ed25519Verify } from "../modules/seals/tlog/ed25519.ts";
import { listHistory } from "./history.ts";
import { render, type View } from "./render.ts";

/** Baked in at build time by scripts/build-widget.ts (design note §4.3). */
declare const ECTRUST_PINNED: string;
const PINNED = JSON.parse(ECTRUST_PINNED) as { roots: string[]; threshold: number; minVersion: number; logOrigin: string };

interface PageData {
  verifyUrl: string;
  anchor: string;
  bundles: SealBundle[];
}

// WebCrypto first; if this browser cannot import Ed25519 keys, load @noble/ed25519 once.
let fallback: Ed25519Verify | undefined;
const ed25519: Ed25519Verify = async (k, s, m) => {
  if (!fallback) {
    try {
      return await webCryptoVerify(k, s, m);
    } catch {
      const noble = await import("@noble/ed25519");
      fallback = (key, sig, msg) => noble.verifyAsync(sig, msg, key).catch(() => false);
    }
  }
  return fallback(k, s, m);
};

/**
 * §5.4 step 4: the top-level origin, from ancestorOrigins, else the referrer. Not framed, the
 * top-level origin is the seal page's own: frame-ancestors binds nothing at top level, so an
 * "unknown" origin there must not fall through to "csp-only" (a look-alike could open the page
 * in a popup with rel=noreferrer and have a real "verified" seal float over it).
 */
function embedding(): { origin: string; source: "ancestor" | "referrer" } | undefined {
  if (window.top === window) return { origin: location.origin, source: "ancestor" };
  const ao = location.ancestorOrigins as DOMStringList | undefined;
  if (ao && ao.length > 0) return { origin: ao[ao.length - 1] ?? "", source: "ancestor" };
  try {
    if (document.referrer) return { origin: new URL(document.referrer).origin, source: "referrer" };
  } catch {
    // an unparseable referrer is treated as unknown
  }
  return undefined;
}

const DAY = 86_400_000;

/** Fetches a status list; on failure, a copy seen in the last 24 h (§5.4 step 6). */
async function fetchStatusList(url: string): Promise<string> {
  const key = `ectrust:${url}`;
  try {
    const r = await fetch(url, { credentials: "omit", referrerPolicy: "no-referrer" });
    if (!r.ok) throw new Error(`HTTP ${r.status}`);
    const text = await r.text();
    try {
      localStorage.setItem(key, JSON.stringify([Date.now(), text]));
    } catch {
      // storage may be unavailable in a third-party iframe
    }
    return text;
  } catch (e) {
    try {
      const [t, text] = JSON.parse(localStorage.getItem(key) ?? "[]") as [number, string];
      if (Date.now() - t < DAY) return text;
    } catch {
      // fall through
    }
    throw e;
  }
}

/** Status lists never go backwards for this browser (history.ts). */
const history = listHistory(() => localStorage);

/**
 * An open seal checks again after this long: the status lists' ttl and Cache-Control max-age
 * (5 min). Before, a page left open (a single-page shop, a tab back from the back/forward
 * cache) stayed green after a revocation, suspension or expiry until it was reloaded. Counted
 * from the end of a check, so the list fetched then is stale in the HTTP cache by the next.
 */
const RECHECK_MS = 300_000;

const RANK: Record<Verdict["state"], number> = { valid: 0, unavailable: 1, suspended: 2, revoked: 3, invalid: 4, wrong_origin: 5 };

export async function run(): Promise<void> {
  const root = document.getElementById("ectrust-seal") ?? document.body;
  let view: View = { state: "invalid", domain: "", legalName: "", marks: [], verifyUrl: "" };
  try {
    const data = JSON.parse(document.getElementById("ectrust-seal-data")?.textContent ?? "") as PageData;
    view.verifyUrl = data.verifyUrl;
    const now = new Date();
    const anchor = await verifyAnchor(data.anchor, PINNED, now, ed25519);
    const emb = embedding();
    const verdicts = await Promise.all(
      data.bundles.map((bundle) => verifySeal({ bundle, anchor, logOrigin: PINNED.logOrigin, embedding: emb, now, fetchStatusList, ed25519, statusHistory: history })),
    );
    let worst: Verdict | undefined;
    for (const v of verdicts) if (!worst || RANK[v.state] > RANK[worst.state]) worst = v;
    if (worst) {
      const withSubject = verdicts.find((v) => v.state !== "invalid");
      const s = withSubject && "subject" in withSubject ? withSubject.subject : undefined;
      const bound = s?.origins[0] ?? "";
      const shown = worst.state === "valid" && emb ? emb.origin : bound;
      view = {
        state: worst.state,
        domain: shown ? new URL(shown).host : "",
        legalName: s?.legalName ?? "",
        marks: verdicts.flatMap((v) => (v.state === "valid" ? [v.subject.mark] : [])),
        verifyUrl: data.verifyUrl,
        checked: now,
      };
      if (worst.state === "invalid") view.code = worst.code;
    }
  } catch {
    // malformed page data or anchor: stays "invalid"
  }
  render(root, view);
  // `height` is what the loader (seals.page.ts) reads; it cannot change, its SRI hash is in every
  // pasted snippet. `ectrustSealHeight` is kept for pages that listen for it.
  const height = document.documentElement.scrollHeight;
  parent.postMessage({ ectrustSealHeight: height, height }, "*");
  setTimeout(() => void run(), RECHECK_MS);
}

void run();
