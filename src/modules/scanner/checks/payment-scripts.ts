// Test `payment-scripts` (PCI DSS v4.0 req. 6.4.3 and 11.6.1): on every payment page the shop
// declares, an inventory of every script — origin, SHA-256 (of the inline text, or of the
// external file as fetched by retrieve.ts), SRI present, first seen — to be diffed
// against the previous scan (diff.ts) so that additions, removals and changes raise alerts.
import { createHash } from "node:crypto";
import { getDomain } from "tldts";
import type { Ctx } from "../context.ts";
import { byTag, parseHtml } from "../html.ts";
import type { CheckOutcome, ScanResult, ScriptRecord } from "../scanner.types.ts";
import { enforcedIntegrity } from "./subresource-integrity.ts";

export const expectation = "payment-scripts-ok";

export function inventory(pageUrl: string, html: string, seenAt: string, previous: ScriptRecord[] = [], externalHashes: Record<string, string | null> = {}): ScriptRecord[] {
  const out: ScriptRecord[] = [];
  const prev = new Map(previous.map((s) => [`${s.src}\u0000${s.sha256 ?? ""}`, s.firstSeen]));
  for (const s of byTag(parseHtml(html), "script").slice(0, 500)) {
    const srcAttr = s.attrs.src?.trim();
    let src: string;
    let origin: string;
    let sha256: string | null = null;
    if (srcAttr) {
      try {
        const u = new URL(srcAttr, pageUrl);
        src = u.href;
        origin = u.origin;
        sha256 = externalHashes[u.href] ?? null;
      } catch {
        src = srcAttr.slice(0, 500);
        origin = "invalid";
      }
    } else {
      sha256 = createHash("sha256").update(s.text).digest("hex");
      src = `inline:${sha256}`;
      origin = new URL(pageUrl).origin;
    }
    out.push({ src, origin, sha256, integrity: s.attrs.integrity ?? null, firstSeen: prev.get(`${src}\u0000${sha256 ?? ""}`) ?? seenAt });
  }
  return out;
}

export function previousInventory(previous: ScanResult | undefined, page: string): ScriptRecord[] {
  return previous?.paymentScripts.find((p) => p.page === page)?.scripts ?? [];
}

export function check(ctx: Ctx, now: Date, previous?: ScanResult): { outcome: CheckOutcome; pages: { page: string; scripts: ScriptRecord[] }[] } {
  const pages: { page: string; scripts: ScriptRecord[] }[] = [];
  if (ctx.r.paymentPages.length === 0) return { outcome: { result: "payment-scripts-none-declared", pass: true }, pages };
  const issues = new Set<string>();
  const thirdPartyWithoutSri: string[] = [];
  const insecure: string[] = [];
  for (const p of ctx.r.paymentPages) {
    if (!p.response || p.response.status !== 200) {
      issues.add("payment-page-unreachable");
      continue;
    }
    const pageUrl = p.response.url;
    const scripts = inventory(pageUrl, p.response.body, now.toISOString(), previousInventory(previous, p.url), p.scriptHashes);
    pages.push({ page: p.url, scripts });
    const site = getDomain(new URL(pageUrl).hostname);
    if (!pageUrl.startsWith("https:")) insecure.push(pageUrl);
    for (const s of scripts) {
      if (s.src.startsWith("http:")) insecure.push(s.src);
      if (!s.src.startsWith("inline:")) {
        let host = "";
        try { host = new URL(s.src).hostname; } catch { /* invalid */ }
        if (getDomain(host) !== site && !enforcedIntegrity(s.integrity)) thirdPartyWithoutSri.push(s.src);
      }
    }
  }
  if (insecure.length > 0) issues.add("payment-scripts-insecure");
  if (thirdPartyWithoutSri.length > 0) issues.add("payment-scripts-without-integrity");
  const order = ["payment-scripts-insecure", "payment-scripts-without-integrity", "payment-page-unreachable"];
  const list = [...issues].sort((a, b) => order.indexOf(a) - order.indexOf(b));
  return {
    outcome: { result: list[0] ?? expectation, pass: list.length === 0, issues: list, data: { pages: pages.map((p) => ({ page: p.page, scripts: p.scripts.length })), thirdPartyWithoutSri: thirdPartyWithoutSri.slice(0, 50), insecure: insecure.slice(0, 50) } },
    pages,
  };
}
