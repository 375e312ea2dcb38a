// Test `x-frame-options` (RFC 7034); a CSP frame-ancestors directive takes precedence.
import type { Ctx } from "../context.ts";
import { combined } from "../headers.ts";
import type { CheckOutcome } from "../scanner.types.ts";
import { analyzeCsp } from "./content-security-policy.ts";

export const expectation = "x-frame-options-sameorigin-or-deny";

export function check(ctx: Ctx): CheckOutcome {
  if (!ctx.auto) return { result: "x-frame-options-not-implemented", pass: false };
  const h = combined(ctx.auto.headers, "x-frame-options");
  let result = "x-frame-options-not-implemented";
  if (h) {
    const v = h.slice(0, 1024).trim().toLowerCase();
    result = v === "deny" || v === "sameorigin" ? expectation : v.startsWith("allow-from") ? "x-frame-options-allow-from-origin" : "x-frame-options-header-invalid";
  }
  // Only the header's frame-ancestors protects: browsers ignore it in a <meta> policy.
  if (analyzeCsp(ctx).headerPolicy?.has("frame-ancestors")) result = "x-frame-options-implemented-via-csp";
  const pass = [expectation, "x-frame-options-allow-from-origin", "x-frame-options-implemented-via-csp"].includes(result);
  return { result, pass, data: { header: h?.slice(0, 1024) ?? null } };
}
