// Shop origins: what a shop may register as "its site". Pure parsing, no I/O.
//
// Accepted: `https://host[:port]` with an optional trailing "/", nothing else. The host is
// lower-cased and punycode-normalised (WHATWG URL host parsing, i.e. UTS #46), so `https://商店.tw`
// is stored and shown as `https://xn--czrs0t.tw`. Refused, each with its own message: other
// schemes, IP literals, userinfo, paths, queries, fragments, single-label or dot-less hosts,
// and IDN labels that mix Latin with a look-alike script (Cyrillic, Greek, Armenian) or are made
// wholly of Latin look-alikes — the classic homograph (`аpple.com` with a Cyrillic "а").
import { domainToUnicode } from "node:url";

export interface ParsedOrigin {
  /** normalised origin, e.g. https://www.shop.example or https://xn--czrs0t.tw:8443 */
  origin: string;
  /** ASCII (punycode) host without port */
  host: string;
  port: number | undefined;
  /** the Unicode form of the host when it is an IDN, for display beside the punycode form */
  unicodeHost: string | undefined;
}

export type OriginProblem =
  | "not-a-url" | "not-https" | "userinfo" | "path" | "query" | "ip-literal" | "not-a-domain" | "homograph" | "too-long";

export class OriginError extends Error {
  readonly problem: OriginProblem;
  readonly messageZh: string;
  constructor(problem: OriginProblem, message: string, messageZh: string) {
    super(message);
    this.name = "OriginError";
    this.problem = problem;
    this.messageZh = messageZh;
  }
}

const MAX_INPUT = 300;
const LOOKALIKE_SCRIPTS = ["Cyrillic", "Greek", "Armenian"] as const;
const SCRIPT_RE: Record<string, RegExp> = {
  Latin: /\p{Script=Latin}/u,
  Cyrillic: /\p{Script=Cyrillic}/u,
  Greek: /\p{Script=Greek}/u,
  Armenian: /\p{Script=Armenian}/u,
};
/** Cyrillic/Greek/Armenian letters that render like Latin letters (a small, common subset of UTS #39 confusables). */
const LATIN_LOOKALIKES = new Set(Array.from("аеорсухіјѕԁһӏԛԝвкмнтгпѡаɑοрυντχκιαεѵօսոհյ"));

/** Is this IDN label a homograph risk? */
export function homographLabel(label: string): boolean {
  if (/^[a-z0-9-]*$/i.test(label)) return false;
  const letters = Array.from(label).filter((c) => /\p{L}/u.test(c));
  const scripts = new Set(Object.keys(SCRIPT_RE).filter((s) => letters.some((c) => SCRIPT_RE[s]?.test(c))));
  if (scripts.has("Latin") && LOOKALIKE_SCRIPTS.some((s) => scripts.has(s))) return true;
  const lookalikeOnly = letters.length > 0 && letters.every((c) => LATIN_LOOKALIKES.has(c.toLowerCase()));
  return lookalikeOnly;
}

/** True for a host that is an IP literal as URL.hostname writes it: [IPv6] or dotted digits. */
export function isIpHost(host: string): boolean {
  return host.startsWith("[") || /^[0-9.]+$/.test(host);
}

/** True when `host` has a domain name's shape: at least two labels, none empty or over 63 characters, 253 in all. */
export function hasDomainShape(host: string): boolean {
  const labels = host.split(".");
  return labels.length >= 2 && labels.every((l) => l !== "" && l.length <= 63) && host.length <= 253;
}

export function parseOrigin(input: string): ParsedOrigin {
  const raw = input.trim();
  if (raw.length === 0 || raw.length > MAX_INPUT) {
    throw new OriginError("too-long", `Enter an origin like https://shop.example (at most ${MAX_INPUT} characters).`, `請輸入網站來源，例如 https://shop.example（最多 ${MAX_INPUT} 字元）。`);
  }
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(raw)) {
    throw new OriginError("not-a-url", "Enter the full origin, starting with https:// (e.g. https://shop.example).", "請輸入完整網址，以 https:// 開頭（例如 https://shop.example）。");
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new OriginError("not-a-url", "This is not a valid web address.", "這不是有效的網址。");
  }
  if (url.protocol !== "https:") {
    throw new OriginError("not-https", `Only https origins can be registered, not ${url.protocol.replace(":", "")}.`, "只能登記 https 網站。");
  }
  if (url.username !== "" || url.password !== "" || /^[a-z]+:\/\/[^/?#]*@/i.test(raw)) {
    throw new OriginError("userinfo", "An origin must not contain a user name or password (the part before @).", "網站來源不可包含帳號或密碼（@ 之前的部分）。");
  }
  if (url.pathname !== "/" || /^[a-z]+:\/\/[^/?#]+\/[^?#]/i.test(raw)) {
    throw new OriginError("path", "Register the origin only (scheme and host), without a path: e.g. https://shop.example, not https://shop.example/store.", "請只登記網站來源（通訊協定與主機），不要包含路徑。");
  }
  if (url.search !== "" || raw.includes("?")) {
    throw new OriginError("query", "An origin must not contain a query (?…).", "網站來源不可包含查詢字串（?…）。");
  }
  if (url.hash !== "" || raw.includes("#")) {
    throw new OriginError("query", "An origin must not contain a fragment (#…).", "網站來源不可包含錨點（#…）。");
  }
  const host = url.hostname;
  if (isIpHost(host) || /^0x/i.test(host.split(".")[0] ?? "")) {
    throw new OriginError("ip-literal", "IP addresses cannot be registered; use the shop's domain name.", "不可登記 IP 位址，請使用網域名稱。");
  }
  if (!hasDomainShape(host) || !/^[a-z0-9.-]+$/.test(host)) {
    throw new OriginError("not-a-domain", `"${host}" is not a registrable domain name (it needs at least one dot, e.g. shop.example).`, `「${host}」不是有效的網域名稱。`);
  }
  const unicodeHost = domainToUnicode(host);
  const isIdn = host.split(".").some((l) => l.startsWith("xn--"));
  if (isIdn && unicodeHost.split(".").some(homographLabel)) {
    throw new OriginError(
      "homograph",
      `The domain ${host} (shown as "${unicodeHost}") mixes look-alike letters from different scripts and cannot be registered.`,
      `網域 ${host}（顯示為「${unicodeHost}」）混用外觀相似的不同文字，不可登記。`,
    );
  }
  const port = url.port === "" ? undefined : Number(url.port);
  return { origin: `https://${host}${port === undefined ? "" : `:${port}`}`, host, port, unicodeHost: isIdn ? unicodeHost : undefined };
}

/** Hostname of a normalised origin (no port). */
export function originHost(origin: string): string {
  return new URL(origin).hostname;
}
