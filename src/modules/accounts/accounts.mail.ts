// The accounts module's own mail: confirming a registered address, telling an address's owner that
// someone tried to register it again, and telling them that their account was locked. (Invitations
// and password resets are the platform's templates, mail.templates.ts.)
import type { MailTemplate } from "../../platform/mail/templates.ts";

export const ACCOUNTS_TEMPLATES = {
  verifyEmail: "accounts.verify_email",
  registrationExists: "accounts.registration_exists",
  locked: "accounts.locked",
} as const;

export const verifyEmail: MailTemplate = {
  name: ACCOUNTS_TEMPLATES.verifyEmail,
  vars: ["name", "link", "hours"],
  urls: ["link"],
  "zh-TW": {
    subject: "請確認您的電子郵件地址 — ectrust",
    text: "{{name}} 您好：\n\n有人以此電子郵件地址註冊了 ectrust 帳號。若是您本人，請在 {{hours}} 小時內開啟以下連結，並輸入註冊時設定的密碼，以確認此地址（連結只能使用一次）：\n\n{{link}}\n\n確認之前無法登入。如果不是您註冊的，請忽略這封信；不知道密碼的人無法完成確認。",
  },
  en: {
    subject: "Confirm your e-mail address — ectrust",
    text: "Hello {{name}},\n\nSomeone registered an ectrust account with this e-mail address. If it was you, open this link within {{hours}} hours and enter the password you chose when registering, to confirm the address (the link works once):\n\n{{link}}\n\nYou cannot sign in until the address is confirmed. If you did not register, ignore this message: without the password nobody can confirm it.",
  },
};

export const registrationExists: MailTemplate = {
  name: ACCOUNTS_TEMPLATES.registrationExists,
  vars: ["name", "signInLink", "resetLink"],
  urls: ["signInLink", "resetLink"],
  "zh-TW": {
    subject: "您的電子郵件地址已有 ectrust 帳號",
    text: "{{name}} 您好：\n\n有人嘗試以此電子郵件地址註冊新的 ectrust 組織，但這個地址已經有帳號，因此沒有建立新的帳號或組織。\n\n若是您本人，請直接登入：\n\n{{signInLink}}\n\n忘記密碼的話，可以在這裡重設（重設也會確認此地址）：\n\n{{resetLink}}\n\n如果不是您，請忽略這封信，您的帳號沒有任何改變。",
  },
  en: {
    subject: "Your e-mail address already has an ectrust account",
    text: "Hello {{name}},\n\nSomeone tried to register a new ectrust organisation with this e-mail address. The address already has an account, so no new account or organisation was created.\n\nIf it was you, sign in:\n\n{{signInLink}}\n\nIf you forgot your password, reset it here (a reset also confirms the address):\n\n{{resetLink}}\n\nIf it was not you, ignore this message; nothing about your account has changed.",
  },
};

export const accountLocked: MailTemplate = {
  name: ACCOUNTS_TEMPLATES.locked,
  vars: ["name", "minutes", "link"],
  urls: ["link"],
  "zh-TW": {
    subject: "您的 ectrust 帳號已暫時鎖定",
    text: "{{name}} 您好：\n\n您的帳號連續多次登入失敗（密碼或驗證碼錯誤），已暫停登入 {{minutes}} 分鐘。期間登入頁面只會顯示「帳號或密碼錯誤」。\n\n如果是您本人，請稍後再試，或立即重設密碼：\n\n{{link}}\n\n如果不是您，可能有人在猜測您的密碼；建議重設為一組只用於 ectrust 的新密碼。",
  },
  en: {
    subject: "Your ectrust account is temporarily locked",
    text: "Hello {{name}},\n\nThere were too many failed sign-ins to your account (wrong passwords or codes), so sign-in is paused for {{minutes}} minutes. Meanwhile the sign-in page only says \"wrong e-mail or password\".\n\nIf it was you, try again later, or reset your password now:\n\n{{link}}\n\nIf it was not you, someone may be guessing your password; consider resetting it to one you use only for ectrust.",
  },
};

/** Adds the accounts templates to a registry of templates (once). */
export function addAccountsTemplates(registry: { has(name: string): boolean; add(t: MailTemplate): void }): void {
  for (const t of [verifyEmail, registrationExists, accountLocked]) if (!registry.has(t.name)) registry.add(t);
}
