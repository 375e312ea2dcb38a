// The registry's mail: one bilingual notice template whose `event` is a label.
import type { MailTemplate } from "../../platform/mail/templates.ts";

export const registryNoticeEvents = {
  origin_failing: { "zh-TW": "網站驗證重新檢查失敗", en: "an origin failed its re-check" },
  origin_lapsed: { "zh-TW": "網站驗證已失效", en: "an origin's proof has lapsed" },
  tls_expiring: { "zh-TW": "網站憑證即將到期", en: "a site certificate expires soon" },
  tls_changed: { "zh-TW": "網站憑證已更換", en: "a site certificate changed" },
  identity_changed: { "zh-TW": "網站主體確認狀態變更", en: "the identity confirmation status changed" },
  identity_expiring: { "zh-TW": "網站主體確認即將到期", en: "the identity confirmation expires soon" },
  profile_change: { "zh-TW": "法定資料變更審核結果", en: "a legal-details change was decided" },
} as const;

export type RegistryNoticeEvent = keyof typeof registryNoticeEvents;

export const registryNotice: MailTemplate = {
  name: "registry.notice",
  vars: ["shop", "event", "detail", "link"],
  urls: ["link"],
  labels: { event: registryNoticeEvents },
  "zh-TW": {
    subject: "[ectrust] {{shop}}：{{event}}",
    text: "您好：\n\n「{{shop}}」在 ectrust 網站主體確認機制中有一項通知：{{event}}。\n\n{{detail}}\n\n請登入查看：\n\n{{link}}",
  },
  en: {
    subject: "[ectrust] {{shop}}: {{event}}",
    text: "Hello,\n\nA notice for {{shop}} in the ectrust shop identity programme: {{event}}.\n\n{{detail}}\n\nSign in to see more:\n\n{{link}}",
  },
};

/** Adds the registry's templates to a registry of templates (once). */
export function addRegistryTemplates(registry: { has(name: string): boolean; add(t: MailTemplate): void }): void {
  if (!registry.has(registryNotice.name)) registry.add(registryNotice);
}
