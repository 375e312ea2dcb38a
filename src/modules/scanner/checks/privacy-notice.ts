// Test `privacy-notice` (ectrust): a privacy policy linked from the home page that covers the
// notice items of Taiwan's Personal Data Protection Act, Art. 8 para. 1, in zh-TW or English.
// Keyword evidence only: it says what a reader can find, not whether the notice is lawful.
import type { Ctx } from "../context.ts";
import { byTag, parseHtml, type HtmlDoc } from "../html.ts";
import type { CheckOutcome } from "../scanner.types.ts";

export const expectation = "privacy-notice-complete";

const LINK = /(隱私|个人信息|個資|個人資料|privacy|personal data|data protection)/i;

/** The first privacy-policy link on the page, resolved; http(s) only. */
export function findPrivacyLink(doc: HtmlDoc, base: string): string | null {
  for (const a of byTag(doc, "a")) {
    const href = a.attrs.href;
    if (!href) continue;
    if (LINK.test(a.text) || LINK.test(href) || LINK.test(a.attrs.title ?? "")) {
      try {
        const u = new URL(href, base);
        if (u.protocol === "http:" || u.protocol === "https:") return u.href;
      } catch { /* ignore */ }
    }
  }
  return null;
}

/** PDPA Art. 8 para. 1 items 1–6, each with zh-TW and English evidence patterns. */
export const PDPA_ART8_ITEMS: readonly { id: string; zh: RegExp; en: RegExp }[] = [
  { id: "collector", zh: /(蒐集者|公司名稱|本公司|本網站|本商店|本平台)/, en: /(data controller|collector|who we are|\bwe are\b|operated by)/i },
  { id: "purposes", zh: /(蒐集之?目的|特定目的|使用目的|利用目的|蒐集目的)/, en: /\bpurposes?\b/i },
  { id: "categories", zh: /(個人資料之?類別|資料類別|個人資料類別|蒐集之?個人資料|姓名、)/, en: /(categor(y|ies) of (personal )?data|types of (personal )?(data|information)|we collect)/i },
  { id: "period-region-recipients-method", zh: /(利用之?期間|期間、地區|地區、對象|利用之?對象|利用之?方式|利用期間)/, en: /(retention|retain|period of (use|retention)|recipients?|third[- ]part(y|ies)|shared with|how we use)/i },
  { id: "rights", zh: /(查詢|閱覽|製給複製本|補充|更正|停止蒐集|刪除)/, en: /(right to (access|rectif|correct|eras|delet|object)|access (to )?your|correct(ion)?|delet(e|ion)|your rights)/i },
  { id: "effect-of-not-providing", zh: /(不提供|未提供|拒絕提供)[^。]{0,60}(影響|無法|不能)/, en: /(if you (do not|don't|choose not to) provide|not providing|failure to provide|unable to provide)/i },
];

export function coverage(text: string): { present: string[]; missing: string[] } {
  const present: string[] = [];
  const missing: string[] = [];
  for (const item of PDPA_ART8_ITEMS) (item.zh.test(text) || item.en.test(text) ? present : missing).push(item.id);
  return { present, missing };
}

export function check(ctx: Ctx): CheckOutcome {
  if (!ctx.r.deep) return { result: "privacy-notice-not-checked", pass: true };
  if (!ctx.doc || !ctx.auto) return { result: "privacy-notice-not-html", pass: true };
  const link = findPrivacyLink(ctx.doc, ctx.auto.url);
  const page = ctx.r.privacyPage;
  if (!link || !page || page.status !== 200) return { result: "privacy-notice-missing", pass: false, data: { link } };
  const { present, missing } = coverage(parseHtml(page.body).text.slice(0, 400_000));
  const result = missing.length === 0 ? expectation : "privacy-notice-incomplete";
  return { result, pass: missing.length === 0, issues: missing.map((m) => `privacy-notice-missing-${m}`), data: { link, present, missing } };
}
