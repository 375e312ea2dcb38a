// Typed translation keys: t("signIn.title") is checked against the zh-TW table.
import type { zhTW } from "./zh-TW.ts";

declare module "i18next" {
  interface CustomTypeOptions {
    defaultNS: "translation";
    resources: { translation: typeof zhTW };
  }
}
