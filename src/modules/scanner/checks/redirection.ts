// Test `redirection`: the chain that starts at http://host/. The HSTS preload list is not
// consulted (see docs/scanner.md), so `redirection-all-redirects-preloaded` never occurs.
import type { Ctx } from "../context.ts";
import type { CheckOutcome } from "../scanner.types.ts";

export const expectation = "redirection-to-https";

export function check(ctx: Ctx): CheckOutcome {
  const s = ctx.r.http;
  if (!s.final) return { result: "redirection-not-needed-no-http", pass: true };
  const route = s.route.map((h) => ({ url: new URL(h.url), status: h.status }));
  const data = { route: JSON.stringify(s.route.map((h) => h.url)).length > 8192 ? [] : s.route.map((h) => h.url), statusCode: s.final.status };
  if (!s.verified) return { result: "redirection-invalid-cert", pass: false, data };
  const last = route[route.length - 1];
  const second = route[1];
  const first = route[0];
  let result: string;
  if (route.length <= 1 || !last || !second || !first) result = "redirection-missing";
  else if (last.url.protocol !== "https:") result = "redirection-not-to-https";
  else if (second.url.protocol === "http:") result = "redirection-not-to-https-on-initial-redirection";
  else if (first.url.protocol === "http:" && second.url.protocol === "https:" && first.url.hostname !== second.url.hostname) result = "redirection-off-host-from-http";
  else result = expectation;
  return { result, pass: result === expectation, data };
}
