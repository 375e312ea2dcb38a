// i18next set-up: zh-TW first, English complete (the English table is typed against the
// zh-TW one, so a missing key fails the type-check). The choice lives in the `lang` cookie,
// which the server also reads so that problem titles come back in the same language.
import i18next from "i18next";
import { initReactI18next } from "react-i18next";
import { setApiLanguage } from "../api/client.ts";
import type { Locale } from "../api/types.ts";
import { en } from "./en.ts";
import { zhTW } from "./zh-TW.ts";

export const locales: readonly Locale[] = ["zh-TW", "en"];
const COOKIE = "lang";
const ONE_YEAR = 60 * 60 * 24 * 365;

export function isLocale(value: unknown): value is Locale {
  return value === "zh-TW" || value === "en";
}

/** The language saved in the `lang` cookie, if any. */
export function savedLocale(): Locale | undefined {
  for (const part of document.cookie.split(";")) {
    const [name, value] = part.trim().split("=");
    if (name === COOKIE && isLocale(value)) return value;
  }
  return undefined;
}

function saveLocale(locale: Locale): void {
  const secure = window.location.protocol === "https:" ? "; Secure" : "";
  document.cookie = `${COOKIE}=${locale}; Path=/; Max-Age=${ONE_YEAR}; SameSite=Lax${secure}`;
}

function apply(locale: Locale): void {
  document.documentElement.lang = locale;
  setApiLanguage(locale);
}

export const initialLocale: Locale = savedLocale() ?? "zh-TW";
apply(initialLocale);

void i18next.use(initReactI18next).init({
  resources: { "zh-TW": { translation: zhTW }, en: { translation: en } },
  lng: initialLocale,
  fallbackLng: "zh-TW",
  supportedLngs: ["zh-TW", "en"],
  interpolation: { escapeValue: false }, // React escapes
  returnNull: false,
  initAsync: false,
});

/** Switches the interface language and remembers it for a year on this browser. */
export async function changeLocale(locale: Locale): Promise<void> {
  saveLocale(locale);
  apply(locale);
  await i18next.changeLanguage(locale);
}

export function currentLocale(): Locale {
  return isLocale(i18next.language) ? i18next.language : "zh-TW";
}

export { i18next };
