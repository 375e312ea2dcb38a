// Header access with Node's duplicate rules (node:http IncomingMessage), which is what the peer
// sees: most repeated headers are joined with ", ", a fixed set keeps only the first value,
// set-cookie stays a list. Checks that must see repeats (cookies, HSTS hops) use the raw list.
import type { HeaderList } from "../../platform/net/fetcher.ts";

const FIRST_ONLY = new Set([
  "age", "authorization", "content-length", "content-type", "etag", "expires", "from", "host",
  "if-modified-since", "if-unmodified-since", "last-modified", "location", "max-forwards",
  "proxy-authorization", "referer", "retry-after", "server", "user-agent",
]);

/** All raw values of `name`, in order. */
export function rawValues(headers: HeaderList, name: string): string[] {
  const n = name.toLowerCase();
  return headers.filter(([k]) => k === n).map(([, v]) => v);
}

/** The header as Node would present it: undefined, or one string (joined / first). */
export function combined(headers: HeaderList, name: string): string | undefined {
  const values = rawValues(headers, name);
  if (values.length === 0) return undefined;
  const n = name.toLowerCase();
  if (FIRST_ONLY.has(n)) return values[0];
  return values.join(n === "cookie" ? "; " : ", ");
}

/** The media type of a response, lowercase, without parameters. */
export function mediaType(headers: HeaderList): string {
  return (combined(headers, "content-type") ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
}

export const HTML_TYPES = new Set(["text/html", "application/xhtml+xml"]);
