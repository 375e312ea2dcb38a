// The scanner's alert mail (zh-TW and English): the grade dropped, or a script on a declared
// payment page appeared, disappeared or changed (PCI DSS v4.0 11.6.1), or the certificate changed.
import type { Locale, MailTemplate } from "../../platform/mail/templates.ts";
import type { Alert } from "./diff.ts";

export const scannerAlert: MailTemplate = {
  name: "scanner.alert",
  vars: ["shop", "origin", "grade", "detail", "link"],
  urls: ["link"],
  "zh-TW": {
    subject: "[ectrust] {{shop}}：{{origin}} 安全偵測發現變化（評等 {{grade}}）",
    text: "您好：\n\nectrust 信賴安全偵測於「{{shop}}」的網站 {{origin}} 發現以下變化：\n\n{{detail}}\n\n若付款頁面的腳本並非貴公司變更，可能是側錄（Magecart）攻擊，請立即檢查。詳細結果與修正方式：\n\n{{link}}",
  },
  en: {
    subject: "[ectrust] {{shop}}: changes found on {{origin}} (grade {{grade}})",
    text: "Hello,\n\nThe ectrust trust and security scanner found these changes on {{origin}} ({{shop}}):\n\n{{detail}}\n\nIf you did not change the scripts of a payment page, this may be a skimming (Magecart) attack: check now. Full results and how to fix them:\n\n{{link}}",
  },
};

const LINES: Record<Alert["kind"], Record<Locale, (a: Alert) => string>> = {
  "grade-dropped": { "zh-TW": (a) => `評等由 ${a.from ?? "?"} 降為 ${a.to ?? "?"}`, en: (a) => `the grade dropped from ${a.from ?? "?"} to ${a.to ?? "?"}` },
  "payment-script-added": { "zh-TW": (a) => `付款頁面 ${a.page ?? ""} 出現新的腳本：${a.src ?? ""}`, en: (a) => `a new script on payment page ${a.page ?? ""}: ${a.src ?? ""}` },
  "payment-script-removed": { "zh-TW": (a) => `付款頁面 ${a.page ?? ""} 的腳本已移除：${a.src ?? ""}`, en: (a) => `a script was removed from payment page ${a.page ?? ""}: ${a.src ?? ""}` },
  "payment-script-changed": { "zh-TW": (a) => `付款頁面 ${a.page ?? ""} 的腳本內容已變更：${a.src ?? ""}`, en: (a) => `a script on payment page ${a.page ?? ""} changed: ${a.src ?? ""}` },
  "certificate-changed": { "zh-TW": () => "網站憑證已更換", en: () => "the site certificate changed" },
  "new-finding": { "zh-TW": () => "新的問題", en: () => "a new finding" },
};

/** One line per alert, at most 20 (the rest counted), each bounded. */
export function alertDetail(alerts: readonly Alert[], locale: Locale): string {
  const lines = alerts.slice(0, 20).map((a) => `- ${LINES[a.kind][locale](a).slice(0, 300)}`);
  if (alerts.length > 20) lines.push(locale === "zh-TW" ? `- 另有 ${String(alerts.length - 20)} 項` : `- and ${String(alerts.length - 20)} more`);
  return lines.join("\n");
}

export function addScannerTemplates(registry: { has(name: string): boolean; add(t: MailTemplate): void }): void {
  if (!registry.has(scannerAlert.name)) registry.add(scannerAlert);
}
