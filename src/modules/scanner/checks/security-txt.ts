// Test `security-txt` (RFC 9116): /.well-known/security.txt over https, text/plain, at least
// one Contact, exactly one Expires in the future (and, recommended, within a year).
import type { Ctx } from "../context.ts";
import { mediaType } from "../headers.ts";
import type { CheckOutcome } from "../scanner.types.ts";

export const expectation = "security-txt-valid";

export function parseSecurityTxt(text: string): { fields: Record<string, string[]> } {
  const fields: Record<string, string[]> = {};
  let body = text;
  const signed = /-----BEGIN PGP SIGNED MESSAGE-----[\s\S]*?\n\n([\s\S]*?)-----BEGIN PGP SIGNATURE-----/.exec(text);
  if (signed?.[1] !== undefined) body = signed[1];
  for (const line of body.split(/\r?\n/).slice(0, 1000)) {
    if (line.startsWith("#")) continue;
    const m = /^([A-Za-z-]+):\s*(.+?)\s*$/.exec(line);
    if (m?.[1] !== undefined && m[2] !== undefined) (fields[m[1].toLowerCase()] ??= []).push(m[2]);
  }
  return { fields };
}

export function check(ctx: Ctx, now: Date): CheckOutcome {
  if (!ctx.r.deep) return { result: "security-txt-not-checked", pass: true };
  const res = ctx.r.securityTxt;
  if (!res || res.status !== 200 || /^\s*<(!doctype|html)/i.test(res.body)) return { result: "security-txt-missing", pass: false, issues: ["security-txt-missing"] };
  const issues: string[] = [];
  if (!res.url.startsWith("https:")) issues.push("security-txt-not-https");
  if (mediaType(res.headers) !== "text/plain") issues.push("security-txt-not-text-plain");
  const { fields } = parseSecurityTxt(res.body);
  const contacts = fields.contact ?? [];
  const expires = fields.expires ?? [];
  if (contacts.length === 0) issues.push("security-txt-no-contact");
  if (expires.length !== 1) issues.push("security-txt-expires-missing-or-repeated");
  const exp = expires[0] === undefined ? Number.NaN : Date.parse(expires[0]);
  if (expires.length === 1 && Number.isNaN(exp)) issues.push("security-txt-expires-invalid");
  if (!Number.isNaN(exp) && exp < now.getTime()) issues.push("security-txt-expired");
  if (!Number.isNaN(exp) && exp - now.getTime() > 366 * 86_400_000) issues.push("security-txt-expires-too-far");
  const hard = issues.filter((i) => i !== "security-txt-expires-too-far");
  return { result: hard.length > 0 ? "security-txt-invalid" : expectation, pass: hard.length === 0, issues, data: { contact: contacts.slice(0, 10), expires: expires.slice(0, 2) } };
}
