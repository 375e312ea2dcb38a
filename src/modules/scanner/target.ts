// Scan targets: a full http(s) URL, or a bare host[:port] (as the peer accepts), for which both
// http://host[:port]/ and https://host[:port]/ are checked. A full URL keeps its path and port
// for both schemes.
import { isIP } from "node:net";

export interface ScanTarget {
  input: string;
  hostname: string;
  httpUrl: string;
  httpsUrl: string;
  /** What the report calls the target. */
  url: string;
}

export class TargetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TargetError";
  }
}

export function parseTarget(input: string): ScanTarget {
  const raw = input.trim();
  if (raw === "" || raw.length > 2048 || /\s/.test(raw)) throw new TargetError(`not a scan target: "${input.slice(0, 100)}"`);
  let url: URL;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(raw)) {
    try {
      url = new URL(raw);
    } catch {
      throw new TargetError(`not a valid URL: "${raw.slice(0, 100)}"`);
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") throw new TargetError(`only http and https URLs can be scanned, not ${url.protocol}`);
    if (url.username !== "" || url.password !== "") throw new TargetError("URLs with a user name or password are refused");
  } else {
    if (!/^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(:\d{1,5})?$/i.test(raw)) throw new TargetError(`"${raw.slice(0, 100)}" is neither a URL nor host[:port]`);
    try {
      url = new URL(`http://${raw}/`);
    } catch {
      throw new TargetError(`"${raw.slice(0, 100)}" is not a valid host[:port]`);
    }
    if (raw.includes(":") && !raw.startsWith("[") && url.port === "" && !/:80$/.test(raw)) throw new TargetError(`bad port in "${raw}"`);
  }
  const host = url.hostname;
  const bare = host.replace(/^\[|\]$/g, "");
  if (isIP(bare) === 0 && !/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*\.?$/i.test(bare)) throw new TargetError(`"${host}" is not a valid host name`);
  const port = url.port === "" ? "" : `:${url.port}`;
  const path = `${url.pathname}${url.search}`;
  return { input, hostname: bare, httpUrl: `http://${host}${port}${path}`, httpsUrl: `https://${host}${port}${path}`, url: url.href };
}
