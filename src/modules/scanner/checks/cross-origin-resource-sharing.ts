// Test `cross-origin-resource-sharing`: the CORS preflight answer (Fetch standard §3.2).
import type { Ctx } from "../context.ts";
import { combined } from "../headers.ts";
import type { CheckOutcome } from "../scanner.types.ts";

export const expectation = "cross-origin-resource-sharing-not-implemented";

export function check(ctx: Ctx): CheckOutcome {
  const res = ctx.r.cors?.response ?? null;
  const acao = res ? combined(res.headers, "access-control-allow-origin") : undefined;
  if (!res || !acao) return { result: expectation, pass: true };
  const value = acao.slice(0, 256).trim().toLowerCase();
  const acac = combined(res.headers, "access-control-allow-credentials");
  const origin = ctx.r.cors?.requestOrigin;
  let result = "cross-origin-resource-sharing-implemented-with-restricted-access";
  if (value === "*") result = "cross-origin-resource-sharing-implemented-with-public-access";
  else if (origin !== undefined && origin === acao && acac?.toLowerCase().trim() === "true") result = "cross-origin-resource-sharing-implemented-with-universal-access";
  return { result, pass: result !== "cross-origin-resource-sharing-implemented-with-universal-access", data: { allowOrigin: value, allowCredentials: acac ?? null } };
}
