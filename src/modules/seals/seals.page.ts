// The seal iframe page (/seal/s/<shopId>), its per-shop headers, the optional loader script,
// the embed snippet, and the human verification page (/verify/<shopId>). Pure functions of
// their inputs; the routes add I/O.
import { createHash } from "node:crypto";
import { domainToASCII, domainToUnicode } from "node:url";
import type { VerificationReport } from "./seals.service.ts";
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

const STATE_TEXT: Record<Verdict["state"], string> = {
  valid: "有效 Valid",
  suspended: "暫停 Suspended",
  revoked: "已撤銷 Revoked",
  wrong_origin: "網站不符 Not valid on this site",
  unavailable: "狀態無法確認 Status unavailable",
  invalid: "無效 Not verified",
};
const MARK_TEXT: Record<string, string> = { IdentityConfirmed: "網站主體確認 Shop identity confirmed", PrivacyMark: "隱私標章 Privacy mark" };
const IDENTITY_TEXT: Record<string, string> = { unconfirmed: "尚未確認 Not confirmed", pending: "審核中 Under review", confirmed: "已確認 Confirmed", lapsed: "已失效 Lapsed", withdrawn: "已撤銷 Withdrawn" };
const MARK_STATE_TEXT: Record<string, string> = { active: "有效 Active", suspended: "暫停 Suspended", ended: "已終止 Ended" };

const day = (d: Date | null): string => (d ? d.toISOString().slice(0, 10) : "—");

/** The page's one-line answer: the worst verdict of the shop's seals, an expired credential apart. */
export type OverallVerdict = "valid" | "unavailable" | "expired" | "suspended" | "revoked" | "invalid" | "none";
const OVERALL_RANK: OverallVerdict[] = ["none", "valid", "unavailable", "expired", "suspended", "revoked", "invalid"];

export function overallVerdict(verdicts: readonly Verdict[]): OverallVerdict {
  let worst: OverallVerdict = "none";
  for (const v of verdicts) {
    // no embedding origin on this page, so wrong_origin cannot occur; were it to, it is not "valid"
    const state: OverallVerdict = v.state === "invalid" && v.code === "expired" ? "expired" : v.state === "wrong_origin" ? "invalid" : v.state;
    if (OVERALL_RANK.indexOf(state) > OVERALL_RANK.indexOf(worst)) worst = state;
  }
  return worst;
}

/** The verdict line (first on the page), and what the origins line says in that state. */
const VERDICT: Record<OverallVerdict, { short: string; line: string; origins: string; warning: string }> = {
  valid: {
    short: "有效 Valid",
    line: "✓ 有效：此商店的標章通過驗證 Valid: this shop's seal checks out.",
    origins: "此標章僅在以下網址有效 This seal is valid only on:",
    warning: "若您來自的網頁網址列顯示其他網址，該標章為偽造。 If the address bar of the page you came from shows anything else, it is fake.",
  },
  suspended: {
    short: "暫停 Suspended",
    line: "! 暫停：此商店的標章目前暫停，不代表通過驗證 Suspended: this shop's seal is suspended and vouches for nothing at the moment.",
    origins: "此標章核發給以下網址，目前在任何網站上均無效 This seal was issued for the addresses below; it is not valid on any website now:",
    warning: "若有網站顯示此標章為有效，請勿相信。 If a website shows this seal as valid, do not trust it.",
  },
  revoked: {
    short: "已撤銷 Revoked",
    line: "✕ 已撤銷：此商店的標章已被撤銷，不再有效 Revoked: this shop's seal was withdrawn and is no longer valid.",
    origins: "此標章曾核發給以下網址，目前在任何網站上均無效 This seal was issued for the addresses below; it is not valid on any website now:",
    warning: "若有網站顯示此標章為有效，請勿相信。 If a website shows this seal as valid, do not trust it.",
  },
  expired: {
    short: "已過期 Expired",
    line: "✕ 已過期：此商店的標章已過期，不再有效 Expired: this shop's seal has expired and is no longer valid.",
    origins: "此標章曾核發給以下網址，目前在任何網站上均無效 This seal was issued for the addresses below; it is not valid on any website now:",
    warning: "若有網站顯示此標章為有效，請勿相信。 If a website shows this seal as valid, do not trust it.",
  },
  unavailable: {
    short: "狀態無法確認 Status unavailable",
    line: "? 狀態無法確認：目前無法確認此標章是否仍有效 Status unavailable: we cannot confirm right now that this seal is still valid.",
    origins: "此標章核發給以下網址 This seal was issued for:",
    warning: "在狀態確認之前，請勿依賴此標章。 Do not rely on it until its status can be confirmed.",
  },
  invalid: {
    short: "無效 Not verified",
    line: "✕ 無效：此標章未通過驗證 Not verified: this seal failed verification.",
    origins: "此標章聲稱核發給以下網址 This seal claims to be for:",
    warning: "若有網站顯示此標章為有效，請勿相信。 If a website shows this seal as valid, do not trust it.",
  },
  none: { short: "無標章 No seal", line: "此商店目前沒有標章 No seal: this shop has no seal at present.", origins: "", warning: "" },
};

/** Scripts a letter may belong to (UTS #39); anything else counts as one more script. */
const SCRIPTS: [string, RegExp][] = [
  ["Latin", /\p{Script=Latin}/u], ["Greek", /\p{Script=Greek}/u], ["Cyrillic", /\p{Script=Cyrillic}/u], ["Armenian", /\p{Script=Armenian}/u],
  ["Hebrew", /\p{Script=Hebrew}/u], ["Arabic", /\p{Script=Arabic}/u], ["Thai", /\p{Script=Thai}/u], ["Georgian", /\p{Script=Georgian}/u],
  ["Han", /\p{Script=Han}/u], ["Hiragana", /\p{Script=Hiragana}/u], ["Katakana", /\p{Script=Katakana}/u], ["Hangul", /\p{Script=Hangul}/u], ["Bopomofo", /\p{Script=Bopomofo}/u],
];
/** UTS #39 "highly restrictive": one script, or Han with its usual companions (as Chromium shows in the address bar). */
const ALLOWED_MIXES = [["Latin", "Han", "Hiragana", "Katakana"], ["Latin", "Han", "Bopomofo"], ["Latin", "Han", "Hangul"]];

/** Whether a label mixes scripts beyond the CJK combinations: the mark of a homograph (аpple with a Cyrillic а). */
export function mixesScripts(label: string): boolean {
  const used = new Set<string>();
  for (const ch of label) {
    if (!/\p{L}/u.test(ch)) continue; // digits, hyphens, marks
    used.add(SCRIPTS.find(([, re]) => re.test(ch))?.[0] ?? "other");
  }
  return used.size > 1 && !ALLOWED_MIXES.some((mix) => [...used].every((x) => mix.includes(x)));
}

/**
 * An origin as shoppers see it in the address bar: an IDN host in Unicode with its A-label (the
 * xn-- form, which is what was proven and signed) beside it, always, so that a look-alike is
 * told apart by the exact characters; mixed scripts are flagged. The Unicode form is shown only
 * when it converts back to the same A-label and has only letters, marks, digits and hyphens
 * (IDNA2008's PVALID, roughly: no symbols, spaces, invisible or control characters), in a
 * <bdi> so that a right-to-left label cannot reorder what surrounds it.
 */
export function originHtml(origin: string): string {
  const m = /^(https?:\/\/)([^/:]+)(:\d+)?$/.exec(origin);
  const host = m?.[2] ?? "";
  if (!m || !host.split(".").some((l) => l.startsWith("xn--"))) return esc(origin);
  const unicode = domainToUnicode(host);
  if (unicode === host || domainToASCII(unicode) !== host || !/^[\p{L}\p{M}\p{Nd}.-]+$/u.test(unicode)) return esc(origin);
  const mixed = unicode.split(".").some(mixesScripts);
  const warn = mixed ? ` <em>⚠ 混用多種文字，請逐字核對 xn-- 網址 Mixed scripts: check the xn-- form letter by letter</em>` : "";
  return `<bdi>${esc(`${m[1] ?? ""}${unicode}${m[3] ?? ""}`)}</bdi> (<bdi>${esc(origin)}</bdi>)${warn}`;
}

export interface VerifyPageOptions {
  /** the public origin, for the `ectrust verify` command */
  origin: string;
  /** the pinned root(s), for the `ectrust verify` command */
  roots: readonly string[];
}

/**
 * The top-level verification page: no script (the platform's strict CSP applies). Everything is
 * checked on the server at request time with the same algorithm as the widget; "verify again"
 * reloads (no-store), and the `ectrust verify` line lets anyone re-check from the pinned root.
 */
export function verifyPage(r: VerificationReport, o: VerifyPageOptions): string {
  const origins = [...new Set(r.marks.flatMap((m) => m.origins))];
  const overall = overallVerdict(r.marks.map((m) => m.verdict));
  const say = VERDICT[overall];
  const rows = r.marks
    .map((m) => {
      const code = "code" in m.verdict ? ` (${esc(m.verdict.code)})` : "";
      const logged = m.verdict.state === "invalid" ? "" : " ✓";
      return `<tr><td>${esc(MARK_TEXT[m.mark] ?? m.mark)}</td><td class="s-${m.verdict.state}">${esc(STATE_TEXT[m.verdict.state])}${code}</td><td>${day(m.validFrom)} – ${day(m.validUntil)}</td><td>${m.origins.map(originHtml).join("<br>")}</td><td><a href="${esc(m.proofPath)}">#${String(m.logIndex)}</a>${logged}</td><td><a href="${esc(m.jwtPath)}">JWT</a></td></tr>`;
    })
    .join("");
  const facts: [string, string][] = [
    ["公司名稱 Legal name", `${esc(r.legalNameZh) || "—"}<br>${esc(r.legalNameEn)}`],
    ["統一編號 Business number", esc(r.registrationNumber) || "—"],
  ];
  if (r.identity) facts.push(["網站主體確認 Identity", `${esc(IDENTITY_TEXT[r.identity.status] ?? r.identity.status)} · ${day(r.identity.confirmedAt)} – ${day(r.identity.expiresAt)}`]);
  if (r.privacyMark) facts.push(["隱私標章 Privacy mark", `${esc(r.privacyMark.number)} · ${esc(MARK_STATE_TEXT[r.privacyMark.state] ?? r.privacyMark.state)} · ${day(r.privacyMark.validFrom)} – ${day(r.privacyMark.validUntil)}`]);
  facts.push(["資安檢測 Security scan", r.scanGrade ? `${esc(r.scanGrade.grade)} (${String(r.scanGrade.score)}/100) · ${esc(r.scanGrade.origin)} · ${day(r.scanGrade.scannedAt)}` : "尚無檢測結果 Not scanned yet"]);
  const command = `npx ectrust verify ${r.shopId} --server ${o.origin}${o.roots.map((x) => ` --root ${x}`).join("")}`;
  const where = origins.length > 0 ? `<p>${say.origins} <strong>${origins.map(originHtml).join(", ")}</strong>.</p>\n<p>${say.warning}</p>` : "";
  return `<!doctype html><html lang="zh-Hant"><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>ECTrust — ${esc(say.short)} — ${esc(r.legalNameZh || r.legalNameEn)}</title>
<main>
<p class="verdict v-${overall}" id="verdict"><strong>${esc(say.line)}</strong></p>
<h1>${esc(r.legalNameZh)}<br><small>${esc(r.legalNameEn)}</small></h1>
${where}
<dl>${facts.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join("")}</dl>
<h2>憑證 Credentials</h2>
<table><thead><tr><th>標章 Mark</th><th>狀態 State</th><th>有效期間 Validity</th><th>網站 Websites</th><th>透明紀錄 Log entry</th><th>憑證 Credential</th></tr></thead><tbody>${rows || '<tr><td colspan="6">尚無憑證 No credentials.</td></tr>'}</tbody></table>
<p>已於 ${esc(r.checkedAt.toISOString())} 驗證簽章、透明紀錄收錄與狀態清單 Checked at ${esc(r.checkedAt.toISOString())}: signature, transparency-log inclusion and status lists. <a href="/verify/${esc(r.shopId)}">重新驗證 Verify again</a></p>
<h2>自行驗證 Verify it yourself</h2>
<p>以釘選的根金鑰獨立驗證 Independently, from the pinned root: <code>${esc(command)}</code></p>
<p>信任錨 Trust anchor: <a href="/trust/.well-known/ectrust/trust-anchor.json">trust-anchor.json</a> · 透明紀錄 Log: <a href="/log/checkpoint">checkpoint</a></p>
</main></html>`;
}
