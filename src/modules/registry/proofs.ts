// Domain-control proofs. `retrieve` does the I/O through the shared SSRF-safe fetcher (public
// addresses only, re-checked on every redirect; time, size and redirects bounded); `judge` is
// pure. A proof is one of:
//   http — https://<host>/.well-known/ectrust/<token> answers 200 with the token as its body;
//   dns  — a TXT record at _ectrust.<host> holds `ectrust-verification=<token>` (or the bare token).
import { isNetError, NetError } from "../../platform/net/net.errors.ts";
import type { Fetcher } from "../../platform/net/fetcher.ts";
import type { CertificateInfo } from "../../platform/net/tls-info.ts";
import type { ProofMethod } from "./registry.tables.ts";

export const PROOF_LIMITS = { bodyBytes: 1024, timeoutMs: 8000, redirects: 3 } as const;
export const TXT_PREFIX = "ectrust-verification=";

export interface ProofOutcome {
  ok: boolean;
  /** what went wrong, in English and zh-TW, safe to show the shop */
  message: string;
  messageZh: string;
  /** the leaf certificate the origin served (http proofs, and dns proofs after a TLS probe) */
  certificate: CertificateInfo | undefined;
}

export const wellKnownPath = (token: string): string => `/.well-known/ectrust/${token}`;
export const txtName = (host: string): string => `_ectrust.${host}`;

/** Bilingual wording for the fetcher's failure codes. */
function netMessage(e: NetError): { en: string; zh: string } {
  const map: Partial<Record<NetError["code"], string>> = {
    "blocked-address": "該位址為私有或保留位址，不予連線",
    "dns-failed": "查無此網域的 DNS 紀錄",
    "connect-failed": "無法連線到網站",
    "tls-failed": "網站的 TLS 憑證不受信任或不相符",
    timeout: "網站回應逾時",
    "idle-timeout": "網站回應過慢",
    "too-many-redirects": "轉址次數過多",
    "bad-redirect": "轉址位址無效",
    "headers-too-large": "回應標頭過大",
    "body-too-large": "回應內容過大",
    "protocol-error": "網站回應格式錯誤",
  };
  return { en: e.message, zh: `${map[e.code] ?? "無法取得驗證資料"}：${e.message}` };
}

const fail = (en: string, zh: string, certificate?: CertificateInfo): ProofOutcome => ({ ok: false, message: en, messageZh: zh, certificate });

export async function checkProof(fetcher: Fetcher, origin: string, host: string, token: string, method: ProofMethod): Promise<ProofOutcome> {
  return method === "http" ? checkHttp(fetcher, origin, token) : checkDns(fetcher, origin, host, token);
}

async function checkHttp(fetcher: Fetcher, origin: string, token: string): Promise<ProofOutcome> {
  const url = `${origin}${wellKnownPath(token)}`;
  try {
    const res = await fetcher.fetch(url, { maxBodyBytes: PROOF_LIMITS.bodyBytes, totalTimeoutMs: PROOF_LIMITS.timeoutMs, maxRedirects: PROOF_LIMITS.redirects, headers: { accept: "text/plain" } });
    const cert = res.tls?.chain[0];
    if (new URL(res.url).origin !== origin) {
      return fail(`The token URL redirected away from ${origin} (to ${new URL(res.url).origin}); serve it from the origin itself.`, `驗證網址被轉到其他來源（${new URL(res.url).origin}），請直接由 ${origin} 提供。`, cert);
    }
    if (res.status !== 200) return fail(`${url} answered HTTP ${res.status}, not 200.`, `${url} 回應 HTTP ${res.status}，不是 200。`, cert);
    return judgeHttpBody(res.body, token, cert);
  } catch (e) {
    if (isNetError(e)) {
      const m = netMessage(e);
      return fail(m.en, m.zh);
    }
    throw e;
  }
}

/** Pure: does the served body prove the token? Whitespace around it is allowed, nothing else. */
export function judgeHttpBody(body: Buffer, token: string, cert?: CertificateInfo): ProofOutcome {
  const text = body.toString("utf8").trim();
  if (text === token || text === `${TXT_PREFIX}${token}`) return { ok: true, message: "Token found.", messageZh: "已找到驗證碼。", certificate: cert };
  return fail("The file was found but does not contain the expected token.", "找到檔案，但內容不是預期的驗證碼。", cert);
}

/** Pure: does one of the TXT records prove the token? */
export function judgeTxt(records: readonly string[], token: string): boolean {
  return records.some((r) => {
    const t = r.trim();
    return t === token || t === `${TXT_PREFIX}${token}`;
  });
}

async function checkDns(fetcher: Fetcher, origin: string, host: string, token: string): Promise<ProofOutcome> {
  let records: string[];
  try {
    records = await fetcher.txt(txtName(host));
  } catch (e) {
    if (isNetError(e)) {
      const m = netMessage(e);
      return fail(m.en, m.zh);
    }
    throw e;
  }
  if (!judgeTxt(records, token)) {
    return fail(`No TXT record at ${txtName(host)} holds ${TXT_PREFIX}${token}.`, `${txtName(host)} 的 TXT 紀錄中沒有 ${TXT_PREFIX}${token}。`);
  }
  // The origin must still be a reachable public https site; its certificate is recorded.
  const cert = await probeCertificate(fetcher, origin);
  if (!cert.ok) return fail(`DNS record found, but ${cert.message}`, `已找到 DNS 紀錄，但${cert.messageZh}`);
  return { ok: true, message: "TXT record found.", messageZh: "已找到 TXT 紀錄。", certificate: cert.certificate };
}

/** Fetches the origin's front page (body truncated) to see its certificate. */
export async function probeCertificate(fetcher: Fetcher, origin: string): Promise<ProofOutcome> {
  try {
    const res = await fetcher.fetch(`${origin}/`, { method: "HEAD", redirect: "manual", totalTimeoutMs: PROOF_LIMITS.timeoutMs, maxBodyBytes: PROOF_LIMITS.bodyBytes, onBodyLimit: "truncate" });
    return { ok: true, message: "", messageZh: "", certificate: res.tls?.chain[0] };
  } catch (e) {
    if (isNetError(e)) {
      const m = netMessage(e);
      return fail(m.en, m.zh);
    }
    throw e;
  }
}

/** Copy-paste instructions for the shop, in both languages. */
export function proofInstructions(origin: string, host: string, token: string) {
  return {
    http: {
      url: `${origin}${wellKnownPath(token)}`,
      body: token,
      en: `Publish a plain-text file at ${origin}${wellKnownPath(token)} whose content is exactly:\n${token}\nIt must be served over https by this origin itself (HTTP 200, no redirect to another site).`,
      zh: `請在 ${origin}${wellKnownPath(token)} 放置純文字檔，內容僅為：\n${token}\n必須由此網站以 https 直接提供（HTTP 200，不可轉址到其他網站）。`,
    },
    dns: {
      name: txtName(host),
      value: `${TXT_PREFIX}${token}`,
      en: `Add a DNS TXT record:\nName: ${txtName(host)}\nValue: ${TXT_PREFIX}${token}\nDNS changes can take a while to appear; check again later if it is not found.`,
      zh: `請新增 DNS TXT 紀錄：\n名稱：${txtName(host)}\n值：${TXT_PREFIX}${token}\nDNS 生效可能需要一段時間，若尚未找到請稍後再試。`,
    },
  };
}
