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

const wallClock = new Intl.DateTimeFormat("en-US", {
  timeZone: TIME_ZONE,
  hourCycle: "h23",
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
});

/** How far TIME_ZONE's wall clock is ahead of UTC at an instant, in milliseconds. */
function zoneOffset(instant: number): number {
  const part = (type: Intl.DateTimeFormatPartTypes): number => Number(wallClock.formatToParts(new Date(instant)).find((p) => p.type === type)?.value ?? NaN);
  const wall = Date.UTC(part("year"), part("month") - 1, part("day"), part("hour"), part("minute"), part("second"));
  return wall - Math.floor(instant / 1000) * 1000;
}

/**
 * A wall-clock time in Taipei (`YYYY-MM-DD` and `HH:MM[:SS[.mmm]]`, as date and datetime-local
 * inputs give them) as the ISO instant it names, whatever zone the browser is in; undefined when
 * empty or not a real date and time.
 */
export function taipeiInstant(date: string, time = "00:00"): string | undefined {
  const d = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  const h = /^(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?$/.exec(time);
  if (!d || !h) return undefined;
  const [y, mo, day] = [Number(d[1]), Number(d[2]), Number(d[3])];
  const wall = Date.UTC(y, mo - 1, day, Number(h[1]), Number(h[2]), Number(h[3] ?? 0), Number((h[4] ?? "0").padEnd(3, "0")));
  const check = new Date(wall);
  // refuse 2026-02-30 or 24:61 rather than roll them over
  if (Number.isNaN(wall) || check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== day || check.getUTCHours() !== Number(h[1]) || check.getUTCMinutes() !== Number(h[2])) return undefined;
  // the offset at the guessed instant, then again at the corrected one (a zone with DST may differ)
  const first = wall - zoneOffset(wall);
  return new Date(wall - zoneOffset(first)).toISOString();
}

/** A date input's day as the first (from) or last (to) millisecond of that day in Taipei. */
export function taipeiDayBound(day: string, end: boolean): string | undefined {
  return day ? taipeiInstant(day, end ? "23:59:59.999" : "00:00") : undefined;
}

/** A datetime-local value read as Taipei time, as an instant. */
export function taipeiLocalInstant(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const [date = "", time = ""] = value.split("T");
  return taipeiInstant(date, time);
}

/** The first 8 characters of an id, enough to tell rows apart; the full id goes in a title. */
export function shortId(id: string): string {
  return id.length > 8 ? id.slice(0, 8) : id;
}
