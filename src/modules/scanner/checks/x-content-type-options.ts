// Test `x-content-type-options` (Fetch standard §3.5: only `nosniff`).
import type { Ctx } from "../context.ts";
import { combined } from "../headers.ts";
import type { CheckOutcome } from "../scanner.types.ts";

export const expectation = "x-content-type-options-nosniff";

export function check(ctx: Ctx): CheckOutcome {
  const h = ctx.auto ? combined(ctx.auto.headers, "x-content-type-options") : undefined;
  if (!h) return { result: "x-content-type-options-not-implemented", pass: false };
  const ok = h.slice(0, 256).trim().toLowerCase() === "nosniff";
  return { result: ok ? expectation : "x-content-type-options-header-invalid", pass: ok, data: { header: h.slice(0, 256) } };
}
