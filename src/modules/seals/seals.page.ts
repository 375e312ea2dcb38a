// The seal iframe page (/seal/s/<shopId>), its per-shop headers, the optional loader script,
// the embed snippet, and the human verification page (/verify/<shopId>). Pure functions of
// their inputs; the routes add I/O.
import { createHash } from "node:crypto";
import type { Verdict } from "./verify/seal.ts";

export interface WidgetManifest {
  entry: string;
  integrity: string;
}

export interface SealPageInput {
  verifyUrl: string;
  anchor: string;
  bundles: { jwt: string; tlogProof: string; entry: string }[];
  /** the frame-ancestors list: origins of the shop's credentials */
  origins: string[];
  widget: WidgetManifest;
}

const ORIGIN = /^https?:\/\/[a-z0-9.-]+(?::\d{1,5})?$/;

/** `frame-ancestors` plus an otherwise strict policy; 'none' when nothing may embed the page. */
export function sealCsp(origins: readonly string[]): string {
  const ancestors = origins.filter((o) => ORIGIN.test(o));
  return [
    `frame-ancestors ${ancestors.length > 0 ? ancestors.join(" ") : "'none'"}`,
    "default-src 'none'",
    "script-src 'self'",
    "connect-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "base-uri 'none'",
    "form-action 'none'",
  ].join("; ");
}

export const sealHeaders = (origins: readonly string[]): Record<string, string> => ({
  "content-type": "text/html; charset=utf-8",
  "content-security-policy": sealCsp(origins),
  "cache-control": "public, max-age=300",
  "referrer-policy": "no-referrer",
  "x-content-type-options": "nosniff",
  "cross-origin-resource-policy": "cross-origin",
  "cross-origin-opener-policy": "unsafe-none",
});

const escapeJson = (v: unknown): string => JSON.stringify(v).replaceAll("<", "\\u003c").replaceAll("\u2028", "\\u2028").replaceAll("\u2029", "\\u2029");
const attr = (s: string): string => s.replaceAll("&", "&amp;").replaceAll('"', "&quot;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");

export function sealPage(i: SealPageInput): string {
  const data = escapeJson({ verifyUrl: i.verifyUrl, anchor: i.anchor, bundles: i.bundles });
  return `<!doctype html><html lang="zh-Hant"><meta charset="utf-8"><title>ECTrust seal</title><div id="ectrust-seal"></div><script type="application/json" id="ectrust-seal-data">${data}</script><script type="module" src="/seal/v1/${attr(i.widget.entry)}" integrity="${attr(i.widget.integrity)}" crossorigin="anonymous"></script></html>`;
}

/**
 * The optional loader (design note §3.4): injects the iframe after itself and resizes it from
 * the seal's `{height}` message, accepted only from that iframe and the seal origin.
 */
export function loaderScript(sealOrigin: string): string {
  return `(()=>{const s=document.currentScript;if(!s)return;const id=s.getAttribute("data-shop")||"";if(!/^[0-9a-f-]{36}$/.test(id))return;const o=${JSON.stringify(sealOrigin)};const f=document.createElement("iframe");f.src=o+"/seal/s/"+id;f.title="ECTrust verified seal";f.width="180";f.height="64";f.loading="lazy";f.referrerPolicy="strict-origin";f.style.border="0";s.after(f);addEventListener("message",(e)=>{if(e.origin!==o||e.source!==f.contentWindow)return;const h=e.data&&e.data.height;if(typeof h==="number"&&h>0&&h<1000)f.height=String(Math.ceil(h));});})();\n`;
}

export const sri = (body: string): string => `sha384-${createHash("sha384").update(body).digest("base64")}`;

/** The one-line embed snippets for the merchant console. */
export function embedSnippets(sealOrigin: string, shopId: string, loader: string): { script: string; iframe: string } {
  return {
    script: `<script src="${sealOrigin}/seal/loader.js" integrity="${sri(loader)}" crossorigin="anonymous" data-shop="${shopId}" async></script>`,
    iframe: `<iframe src="${sealOrigin}/seal/s/${shopId}" title="ECTrust verified seal" width="180" height="64" loading="lazy" referrerpolicy="strict-origin" style="border:0"></iframe>`,
  };
}

const esc = (s: string): string => s.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll('"', "&quot;");

export interface VerifyPageMark {
  credentialId: string;
  mark: string;
  verdict: Verdict;
  origins: string[];
  validUntil: string;
  logIndex: number;
}

const STATE_TEXT: Record<Verdict["state"], string> = {
  valid: "有效 Valid",
  suspended: "暫停 Suspended",
  revoked: "已撤銷 Revoked",
  wrong_origin: "網站不符 Not valid on this site",
  unavailable: "狀態無法確認 Status unavailable",
  invalid: "無效 Not verified",
};

/** The top-level verification page: no script, the platform's strict CSP applies. */
export function verifyPage(shopId: string, legalName: string, marks: readonly VerifyPageMark[], checkedAt: Date): string {
  const origins = [...new Set(marks.flatMap((m) => m.origins))];
  const rows = marks
    .map((m) => `<tr><td>${esc(m.mark)}</td><td class="s-${m.verdict.state}">${esc(STATE_TEXT[m.verdict.state])}${"code" in m.verdict ? ` (${esc(m.verdict.code)})` : ""}</td><td>${esc(m.validUntil)}</td><td><a href="/log/checkpoint">#${String(m.logIndex)}</a></td><td><a href="/trust/c/${esc(shopId)}/${esc(m.credentialId.replace("urn:uuid:", ""))}.jwt">JWT</a></td></tr>`)
    .join("");
  return `<!doctype html><html lang="zh-Hant"><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>ECTrust — ${esc(legalName)}</title>
<h1>${esc(legalName)}</h1>
<p>此標章僅在以下網址有效 This seal is valid only on: <strong>${origins.map(esc).join(", ") || "—"}</strong>.</p>
<p>若您來自的網頁網址列顯示其他網址，該標章為偽造。 If the address bar of the page you came from shows anything else, it is fake.</p>
<table><thead><tr><th>Mark</th><th>State</th><th>Valid until</th><th>Log entry</th><th>Credential</th></tr></thead><tbody>${rows || '<tr><td colspan="5">No credentials.</td></tr>'}</tbody></table>
<p>Checked ${esc(checkedAt.toISOString())}. Trust anchor: <a href="/trust/.well-known/ectrust/trust-anchor.json">trust-anchor.json</a>. Log: <a href="/log/checkpoint">checkpoint</a>.</p></html>`;
}
