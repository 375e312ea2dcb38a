// Test `referrer-policy`: header values then <meta name=referrer>; the last valid token wins
// (Referrer Policy spec §4.1, §11.1).
import type { Ctx } from "../context.ts";
import { combined } from "../headers.ts";
import type { CheckOutcome } from "../scanner.types.ts";

export const expectation = "referrer-policy-private";
const PRIVATE = ["no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin"];
const UNSAFE = ["origin", "origin-when-cross-origin", "unsafe-url", "no-referrer-when-downgrade"];

export function check(ctx: Ctx): CheckOutcome {
  if (!ctx.auto) return { result: "referrer-policy-not-implemented", pass: false };
  const h = combined(ctx.auto.headers, "referrer-policy");
  const all = [...(h === undefined ? [] : [h]), ...ctx.meta.referrer];
  if (all.length === 0) return { result: "referrer-policy-not-implemented", pass: true };
  const data = all.join(", ");
  const valid = [...PRIVATE, ...UNSAFE];
  const policy = data.split(",").map((t) => t.toLowerCase().trim()).filter((t) => valid.includes(t)).reverse()[0] ?? "";
  const result = PRIVATE.includes(policy) ? expectation : UNSAFE.includes(policy) ? "referrer-policy-unsafe" : "referrer-policy-header-invalid";
  return { result, pass: result === expectation, data: { policy: data.slice(0, 512), http: h !== undefined, meta: ctx.meta.referrer.length > 0 } };
}
