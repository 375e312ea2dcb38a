// Dates and names in the chosen language.
import type { Locale } from "../api/types.ts";

export function formatDateTime(value: string | null | undefined, locale: Locale): string {
  if (!value) return "—";
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return value;
  return new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short" }).format(d);
}

export function orgName(o: { nameZh: string; nameEn: string }, locale: Locale): string {
  return locale === "en" ? o.nameEn || o.nameZh : o.nameZh || o.nameEn;
}
