// The public shop check's query, read defensively (it is typed or pasted by anyone). Pure, no I/O.
//
// A shopper pastes what the address bar shows: `https://Shop.Example./products/123?utm_source=…`,
// `shop.example/path`, `shop.example:8443`, `商店.tw`. Identity is about the host (a phishing site
// differs in its host, never only in its path or port), so any web address is reduced to its host:
// WHATWG URL host parsing (lower case, UTS #46 to punycode, percent-decoding, full-width dots),
// one trailing dot dropped, userinfo discarded (`https://shop.example@evil.example` is evil.example,
// which is the answer a shopper needs). Eight digits are a business number; anything else is a name.
// Refused, each with its own problem: control characters, names over the name limit, non-web
// schemes (javascript:, data:, file:, …), addresses that do not parse, IP addresses.
import { domainToUnicode } from "node:url";
import { hasDomainShape, isIpHost } from "./origin.ts";
import { REGISTRY_LIMITS } from "./registry.limits.ts";
import { checkUbn } from "./ubn.ts";

export type SearchQuery =
  | { by: "all" }
  | { by: "ubn"; ubn: string; valid: boolean }
  | { by: "host"; host: string; unicodeHost: string | undefined }
  | { by: "name"; text: string };

export type SearchProblem = "too-long" | "control-character" | "not-a-web-address" | "not-a-url" | "ip-address" | "not-a-domain";

export class SearchQueryError extends Error {
  readonly problem: SearchProblem;
  readonly messageZh: string;
  constructor(problem: SearchProblem, message: string, messageZh: string) {
    super(message);
    this.name = "SearchQueryError";
    this.problem = problem;
    this.messageZh = messageZh;
  }
}

// C0 controls, DEL and C1 controls: never part of a name or a pasted address
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const SCHEME = /^([a-z][a-z0-9+.-]*):(.*)$/is;
/** ASCII and the full-width/ideographic dots that UTS #46 maps to "." */
const DOT = /[.\u3002\uff0e\uff61]/;
/** Schemes without "//" that a pasted link may carry and that are no web address. */
const OPAQUE_SCHEMES = new Set(["javascript", "vbscript", "data", "blob", "about", "mailto", "tel", "sms", "view-source"]);
/** A top-level domain once width-folded (NFKC), with an optional port: `tw`, `ＣＯＭ`, `xn--kpry57d`, `tw:8443`. */
const ASCII_TLD = /^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})(?::\d{1,5})?$/i;

/**
 * Is `head` (the text before any / ? #, no whitespace) a host? With an ASCII dot, yes. The full-width
 * and ideographic dots are also punctuation in Chinese names (約翰．史密斯, a name pasted with its 。):
 * with only those, a host only when the last label is an ASCII top-level domain (商店。tw).
 */
function looksLikeHost(head: string): boolean {
  if (head.includes(".")) return true;
  if (!DOT.test(head)) return false;
  const labels = head.split(DOT);
  if (labels.at(-1) === "") labels.pop(); // the absolute form's trailing dot
  return labels.length >= 2 && ASCII_TLD.test((labels.at(-1) ?? "").normalize("NFKC"));
}

export function parseSearchQuery(input: string): SearchQuery {
  const raw = input.trim();
  if (raw === "") return { by: "all" };
  if (raw.length > REGISTRY_LIMITS.queryUrl) {
    throw new SearchQueryError("too-long", `The search is too long (at most ${REGISTRY_LIMITS.queryUrl} characters).`, `查詢內容過長（最多 ${REGISTRY_LIMITS.queryUrl} 字元）。`);
  }
  if (CONTROL.test(raw)) {
    throw new SearchQueryError("control-character", "The search contains control characters (such as a line break or NUL); type or paste only the name, business number or web address.", "查詢內容含有控制字元（例如換行或 NUL），請只輸入名稱、統一編號或網址。");
  }
  if (/^[0-9０-９]{8}$/.test(raw)) {
    const v = checkUbn(raw);
    return v.ok ? { by: "ubn", ubn: v.ubn, valid: true } : { by: "ubn", ubn: raw, valid: false };
  }
  const scheme = SCHEME.exec(raw);
  if (scheme) {
    const name = (scheme[1] ?? "").toLowerCase();
    const rest = scheme[2] ?? "";
    if (name === "http" || name === "https") return hostQuery(raw);
    // `shop.example:8443/…` and `localhost:3000` are a host and a port, not a scheme
    if (name.includes(".") || /^\d+(?:[/?#]|$)/.test(rest)) return hostQuery(`https://${raw}`);
    // `javascript:alert(1)`, `ftp://…` and `line://…` are not web addresses; `Note: …` and the brand
    // `B:MING` are names with a colon
    if (rest.startsWith("/") || OPAQUE_SCHEMES.has(name)) {
      const shown = name.length > 20 ? `${name.slice(0, 20)}…` : name;
      throw new SearchQueryError("not-a-web-address", `Only web addresses (https:// or http://) can be looked up, not ${shown}: addresses.`, `只能查詢網址（https:// 或 http://），不能查詢 ${shown}: 開頭的內容。`);
    }
  }
  if (raw.startsWith("//")) return hostQuery(`https:${raw}`);
  if (raw.startsWith("[")) return hostQuery(`https://${raw}`); // an IPv6 literal
  const head = raw.split(/[/?#]/, 1)[0] ?? "";
  if (!/\s/.test(raw) && looksLikeHost(head)) return hostQuery(`https://${raw}`);
  if (raw.length > REGISTRY_LIMITS.query) {
    throw new SearchQueryError("too-long", `A name search is at most ${REGISTRY_LIMITS.query} characters.`, `名稱查詢最多 ${REGISTRY_LIMITS.query} 字元。`);
  }
  return { by: "name", text: raw };
}

function hostQuery(address: string): SearchQuery {
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    throw new SearchQueryError("not-a-url", "This is not a valid web address; check it, or search by the shop's name or business number.", "這不是有效的網址，請檢查，或改以商店名稱、統一編號查詢。");
  }
  let host = url.hostname;
  if (host.endsWith(".")) host = host.slice(0, -1); // the absolute form `shop.example.` is the same host
  if (isIpHost(host)) {
    throw new SearchQueryError("ip-address", "This address is an IP address. Confirmed shops are listed by domain name, so a shop reached only by an IP address is not a confirmed shop.", "這是 IP 位址。已確認的商店均以網域名稱登錄，僅以 IP 位址提供的網站不是已確認的商店。");
  }
  if (!hasDomainShape(host)) {
    throw new SearchQueryError("not-a-domain", `"${host.slice(0, 80)}" is not a domain name (e.g. shop.example).`, `「${host.slice(0, 80)}」不是有效的網域名稱（例如 shop.example）。`);
  }
  const isIdn = host.split(".").some((l) => l.startsWith("xn--"));
  return { by: "host", host, unicodeHost: isIdn ? domainToUnicode(host) : undefined };
}
