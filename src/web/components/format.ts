// Dates and names in the chosen language.
import type { Locale } from "../api/types.ts";

/**
 * The programme's time zone. Deadlines, validity periods and audit dates are Taiwan's, so every
 * date and time reads in Taipei time, whatever zone the browser (or a travelling auditor's
 * laptop) is set to: a mark valid until 2028-11-28 must not read "Nov 27" in Los Angeles.
 */
export const TIME_ZONE = "Asia/Taipei";

const formats = new Map<Locale, Intl.DateTimeFormat>();

export function formatDateTime(value: string | null | undefined, locale: Locale): string {
  if (!value) return "—";
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return value;
  let format = formats.get(locale);
  if (!format) {
    format = new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short", timeZone: TIME_ZONE });
    formats.set(locale, format);
  }
  return format.format(d);
}

const dateFormats = new Map<string, Intl.DateTimeFormat>();

/**
 * A date without a time of day (validity periods, expiry, effective dates): the Taipei calendar
 * day of a timestamp, or a plain `YYYY-MM-DD` date as it is (it names a day, not an instant).
 */
export function formatDate(value: string | null | undefined, locale: Locale): string {
  if (!value) return "—";
  const plain = /^\d{4}-\d{2}-\d{2}$/.test(value);
  const d = new Date(plain ? `${value}T00:00:00Z` : value);
  if (Number.isNaN(d.getTime())) return value;
  const zone = plain ? "UTC" : TIME_ZONE;
  let format = dateFormats.get(`${locale} ${zone}`);
  if (!format) {
    format = new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeZone: zone });
    dateFormats.set(`${locale} ${zone}`, format);
  }
  return format.format(d);
}

export function orgName(o: { nameZh: string; nameEn: string }, locale: Locale): string {
  return locale === "en" ? o.nameEn || o.nameZh : o.nameZh || o.nameEn;
}
