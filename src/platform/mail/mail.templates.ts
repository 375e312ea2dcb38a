// The platform's own mail templates. Modules add theirs to `mailTemplates` the same way.
import { TemplateRegistry, type MailTemplate } from "./templates.ts";

const roleLabels = {
  authority_admin: { "zh-TW": "授證機構管理者", en: "authority administrator" },
  cb_admin: { "zh-TW": "驗證機構管理者", en: "certification body administrator" },
  auditor: { "zh-TW": "稽核員", en: "auditor" },
  merchant_admin: { "zh-TW": "商家管理者", en: "merchant administrator" },
  merchant_staff: { "zh-TW": "商家人員", en: "merchant staff" },
  regulator: { "zh-TW": "主管機關人員", en: "regulator" },
} as const;

export const invitation: MailTemplate = {
  name: "invitation",
  vars: ["organisation", "role", "link", "days"],
  urls: ["link"],
  labels: { role: roleLabels },
  "zh-TW": {
    subject: "邀請您加入「{{organisation}}」— ectrust",
    text: "您好：\n\n「{{organisation}}」邀請您以「{{role}}」身分加入 ectrust 電子商務信任計畫平台。\n\n請在 {{days}} 天內開啟以下連結接受邀請並設定密碼：\n\n{{link}}\n\n如果您沒有預期收到這封信，請忽略它；不接受邀請就不會建立帳號。",
  },
  en: {
    subject: "Invitation to join {{organisation}} on ectrust",
    text: "Hello,\n\n{{organisation}} has invited you to join the ectrust e-commerce trust programme as {{role}}.\n\nOpen this link within {{days}} days to accept and choose a password:\n\n{{link}}\n\nIf you did not expect this message, ignore it; no account is created unless you accept.",
  },
};

export const passwordReset: MailTemplate = {
  name: "password_reset",
  vars: ["name", "link", "minutes"],
  urls: ["link"],
  "zh-TW": {
    subject: "重設您的 ectrust 密碼",
    text: "{{name}} 您好：\n\n我們收到重設您 ectrust 密碼的要求。請在 {{minutes}} 分鐘內開啟以下連結設定新密碼（連結只能使用一次）：\n\n{{link}}\n\n如果不是您提出的要求，請忽略這封信，您的密碼不會改變。",
  },
  en: {
    subject: "Reset your ectrust password",
    text: "Hello {{name}},\n\nWe received a request to reset your ectrust password. Open this link within {{minutes}} minutes to choose a new one (it works once):\n\n{{link}}\n\nIf you did not ask for this, ignore this message; your password stays the same.",
  },
};

export const accountConfirmed: MailTemplate = {
  name: "account_confirmed",
  vars: ["name", "organisation", "decision", "reason", "link"],
  urls: ["link"],
  labels: {
    decision: {
      approve: { "zh-TW": "已核准", en: "approved" },
      reject: { "zh-TW": "未獲核准", en: "not approved" },
    },
  },
  "zh-TW": {
    subject: "「{{organisation}}」的註冊申請{{decision}} — ectrust",
    text: "{{name}} 您好：\n\n授證機構已審核「{{organisation}}」的註冊申請，結果：{{decision}}。\n\n說明：{{reason}}\n\n登入 ectrust：\n\n{{link}}",
  },
  en: {
    subject: "Registration of {{organisation}} {{decision}} — ectrust",
    text: "Hello {{name}},\n\nThe authority has reviewed the registration of {{organisation}}: {{decision}}.\n\nNote: {{reason}}\n\nSign in to ectrust:\n\n{{link}}",
  },
};

/** A generic notice: modules use it for alerts that need no template of their own yet. */
export const alert: MailTemplate = {
  name: "alert",
  vars: ["title", "message", "link"],
  urls: ["link"],
  "zh-TW": {
    subject: "[ectrust 通知] {{title}}",
    text: "{{title}}\n\n{{message}}\n\n詳細資訊：\n\n{{link}}",
  },
  en: {
    subject: "[ectrust alert] {{title}}",
    text: "{{title}}\n\n{{message}}\n\nDetails:\n\n{{link}}",
  },
};

/** The registry every MailService renders from; modules add their templates at start. */
export const mailTemplates = new TemplateRegistry();
for (const t of [invitation, passwordReset, accountConfirmed, alert]) mailTemplates.add(t);
