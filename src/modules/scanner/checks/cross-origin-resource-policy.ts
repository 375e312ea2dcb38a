// Test `cross-origin-resource-policy` (Fetch standard §3.7).
import type { Ctx } from "../context.ts";
import { combined } from "../headers.ts";
import type { CheckOutcome } from "../scanner.types.ts";

export const expectation = "corp-implemented-with-same-site";

export function check(ctx: Ctx): CheckOutcome {
  const h = ctx.auto ? combined(ctx.auto.headers, "cross-origin-resource-policy") : undefined;
  if (!h) return { result: "corp-not-implemented", pass: true };
  const v = h.slice(0, 256).trim().toLowerCase();
  const result = v === "same-site" ? expectation : v === "same-origin" ? "corp-implemented-with-same-origin" : v === "cross-origin" ? "corp-implemented-with-cross-origin" : "corp-header-invalid";
  return { result, pass: result !== "corp-header-invalid", data: { header: v } };
}
