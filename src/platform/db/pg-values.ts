// Values PostgreSQL cannot hold, refused before they reach it (a database error is a 500, not the
// client's 400), and the keyset cursor the outbox and evidence lists share.
import { invalid } from "../errors.ts";

/**
 * The times a cursor or filter may name: a timestamptz outside 4713 BC–294276 AD is a database error,
 * and JavaScript dates reach 271821 BC. Nothing ectrust stores is older or newer than years 1–9999.
 */
export const PG_TIME_MIN = new Date("0001-01-01T00:00:00Z");
export const PG_TIME_MAX = new Date("9999-12-31T23:59:59.999Z");

/** PostgreSQL text (and jsonb) cannot hold NUL: for zod refinements of text input. */
export const withoutNul = (v: string): boolean => !v.includes("\u0000");

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A list's "before" cursor: the last row's time and id. */
export function encodeTimeCursor(at: Date, id: string): string {
  return Buffer.from(JSON.stringify([at.toISOString(), id])).toString("base64url");
}

/** A cursor encodeTimeCursor made (its time within PG_TIME_MIN…PG_TIME_MAX), else a validation error on `before`. */
export function decodeTimeCursor(s: string): { at: string; id: string } {
  try {
    const v: unknown = JSON.parse(Buffer.from(s, "base64url").toString("utf8"));
    const at = Array.isArray(v) && typeof v[0] === "string" ? Date.parse(v[0]) : Number.NaN;
    if (Array.isArray(v) && v.length === 2 && typeof v[1] === "string" && at >= PG_TIME_MIN.getTime() && at <= PG_TIME_MAX.getTime() && UUID.test(v[1])) {
      return { at: new Date(at).toISOString(), id: v[1] };
    }
  } catch {
    // fall through
  }
  throw invalid("before", "is not a cursor this list returned");
}
