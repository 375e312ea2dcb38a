// Password rules (NIST SP 800-63B §3.1.1.2): length over composition, and refusal of values
// that appear in breach corpora or follow their patterns. Pure; shared by server and web.

export const PASSWORD_MIN = 12;
export const PASSWORD_MAX = 256;

/** The most common passwords in public breach corpora (lower-cased), plus local favourites. */
const COMMON = new Set([
  "123456789012", "1234567890123", "password1234", "passwordpassword", "qwertyuiop12", "qwertyuiopasdf",
  "iloveyou1234", "abc123456789", "111111111111", "000000000000", "123123123123", "password123!",
  "administrator", "letmein12345", "welcome12345", "changeme1234", "p@ssw0rd1234", "qwerty123456",
  "1q2w3e4r5t6y", "zaq12wsxcde3", "taiwan123456", "taipei123456", "a123456789012", "asdfghjkl123",
  "monkey123456", "dragon123456", "football1234", "baseball1234", "sunshine1234", "princess1234",
  "ectrust12345", "ectrustectrust", "superman1234", "trustno1trustno1",
]);

const SEQUENCES = ["0123456789", "abcdefghijklmnopqrstuvwxyz", "qwertyuiop", "asdfghjkl", "zxcvbnm", "1qaz2wsx3edc"];

export type PasswordProblem = "too_short" | "too_long" | "common" | "repetitive" | "sequence" | "contains_email";

export function checkPassword(password: string, email?: string): PasswordProblem | undefined {
  const length = Array.from(password).length;
  if (length < PASSWORD_MIN) return "too_short";
  if (length > PASSWORD_MAX) return "too_long";
  const lower = password.toLowerCase();
  if (COMMON.has(lower)) return "common";
  if (new Set(Array.from(lower)).size <= 3) return "repetitive";
  const stripped = lower.replace(/[^a-z0-9]/g, "");
  if (stripped.length >= 8 && SEQUENCES.some((s) => s.includes(stripped) || Array.from(s).reverse().join("").includes(stripped))) return "sequence";
  const local = email?.split("@")[0]?.toLowerCase();
  if (local && local.length >= 4 && lower.includes(local)) return "contains_email";
  return undefined;
}

export const passwordMessages: Record<PasswordProblem, { "zh-TW": string; en: string }> = {
  too_short: { "zh-TW": `密碼至少需要 ${PASSWORD_MIN} 個字元`, en: `Use at least ${PASSWORD_MIN} characters` },
  too_long: { "zh-TW": `密碼最多 ${PASSWORD_MAX} 個字元`, en: `Use at most ${PASSWORD_MAX} characters` },
  common: { "zh-TW": "此密碼出現在外洩密碼清單中，請換一個", en: "This password appears in breached-password lists; choose another" },
  repetitive: { "zh-TW": "密碼重複字元過多", en: "This password repeats too few characters" },
  sequence: { "zh-TW": "密碼不可為鍵盤或數字序列", en: "This password is a keyboard or number sequence" },
  contains_email: { "zh-TW": "密碼不可包含電子郵件帳號", en: "The password must not contain your e-mail name" },
};
