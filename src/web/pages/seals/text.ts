// The seal pages' words, zh-TW first and English typed against it (a missing key fails the
// type-check), beside the pages like the registry's.
import { useTranslation } from "react-i18next";

const zh = {
  nav: { seal: "信任標章" },
  page: {
    title: "信任標章",
    intro: "在您的網站放上這一行程式碼，顯示可驗證、無法複製的 ECTrust 標章。標章只會在您已確認的網站上顯示為有效。",
    noShop: "您尚未建立商店。請先完成網站主體確認。",
    toMyShop: "前往網站主體確認",
  },
  snippet: {
    title: "嵌入程式碼",
    intro: "將下列一行貼到網站每一頁的 HTML 中，放在標章要出現的位置。integrity 屬性確保瀏覽器只執行 ECTrust 發布的載入程式。",
    label: "嵌入程式碼（一行）",
    copy: "複製",
    copied: "已複製到剪貼簿。",
    copyFailed: "無法自動複製，請手動選取並複製。",
    iframeTitle: "不使用指令碼的替代方式",
    iframeIntro: "若您的網站不允許外部指令碼，可改用下列 iframe。",
    iframeLabel: "iframe 程式碼",
  },
  preview: {
    title: "即時預覽",
    intro: "這是標章在 {{origin}} 上目前的樣子，由伺服器以與標章相同的驗證程序檢查（簽章、透明紀錄、狀態清單）。",
    noOrigin: "您的網站",
    empty: "尚未核發標章。網站主體確認通過後，數分鐘內會自動核發。",
    recheck: "重新檢查",
    checkedAt: "檢查時間：{{time}}",
  },
  marks: {
    title: "憑證",
    mark: "標章",
    state: "狀態",
    validUntil: "有效期限",
    origins: "適用網站",
    log: "透明紀錄",
    verify: "公開驗證頁",
    names: { IdentityConfirmed: "網站主體確認", PrivacyMark: "隱私標章" } as Record<string, string>,
  },
  state: {
    valid: "有效",
    suspended: "暫停",
    revoked: "已撤銷",
    wrong_origin: "網站不符",
    unavailable: "狀態無法確認",
    invalid: "無效",
  },
};

export type SealText = typeof zh;

const en: SealText = {
  nav: { seal: "Trust seal" },
  page: {
    title: "Trust seal",
    intro: "Put this one line on your website to show the verifiable ECTrust seal that cannot be copied. The seal shows as valid only on your confirmed websites.",
    noShop: "You have no shop yet. Complete the shop identity confirmation first.",
    toMyShop: "Go to shop identity confirmation",
  },
  snippet: {
    title: "Embed code",
    intro: "Paste this line into the HTML of every page where the seal should appear. The integrity attribute makes the browser run only the loader ECTrust published.",
    label: "Embed code (one line)",
    copy: "Copy",
    copied: "Copied to the clipboard.",
    copyFailed: "Could not copy automatically; select the code and copy it.",
    iframeTitle: "Without a script",
    iframeIntro: "If your website does not allow outside scripts, use this iframe instead.",
    iframeLabel: "iframe code",
  },
  preview: {
    title: "Live preview",
    intro: "This is how the seal looks on {{origin}} right now, checked by the server with the same algorithm as the seal (signature, transparency log, status lists).",
    noOrigin: "your website",
    empty: "No seal has been issued yet. It is issued automatically within minutes of your shop identity being confirmed.",
    recheck: "Check again",
    checkedAt: "Checked {{time}}",
  },
  marks: {
    title: "Credentials",
    mark: "Mark",
    state: "State",
    validUntil: "Valid until",
    origins: "Websites",
    log: "Transparency log",
    verify: "Public verification page",
    names: { IdentityConfirmed: "Shop identity confirmed", PrivacyMark: "Privacy mark" },
  },
  state: {
    valid: "Valid",
    suspended: "Suspended",
    revoked: "Revoked",
    wrong_origin: "Not valid on this site",
    unavailable: "Status unavailable",
    invalid: "Not verified",
  },
};

export const sealTextZh = zh;
export const sealTextEn = en;

/** The seal pages' words in the current language. */
export function useSealText(): { s: SealText; locale: "zh-TW" | "en" } {
  const { i18n } = useTranslation();
  const locale = i18n.language === "en" ? "en" : "zh-TW";
  return { s: locale === "en" ? en : zh, locale };
}

export function fill(template: string, vars: Record<string, string>): string {
  return template.replace(/\{\{(\w+)\}\}/g, (_m, k: string) => vars[k] ?? "");
}
