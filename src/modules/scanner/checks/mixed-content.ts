// Test `mixed-content` (W3C Mixed Content): on an https page, http: subresources. Active
// content (scripts, styles, frames, objects, form targets) is blocked or dangerous; passive
// (images, media) is downgradeable and leaks what the shopper views.
import type { Ctx } from "../context.ts";
import type { CheckOutcome } from "../scanner.types.ts";
import { asBrowserReads } from "./subresource-integrity.ts";

export const expectation = "mixed-content-none";

const ACTIVE: [string, string][] = [["script", "src"], ["iframe", "src"], ["frame", "src"], ["object", "data"], ["embed", "src"], ["form", "action"]];
const PASSIVE: [string, string][] = [["img", "src"], ["audio", "src"], ["video", "src"], ["source", "src"], ["track", "src"], ["video", "poster"]];

export function check(ctx: Ctx): CheckOutcome {
  const page = ctx.auto;
  if (!page || !ctx.doc) return { result: "mixed-content-not-https", pass: true };
  if (!page.url.startsWith("https:")) return { result: "mixed-content-not-https", pass: true };
  const active: string[] = [];
  const passive: string[] = [];
  // Resolved as the browser resolves it: "http:\\\\cdn.example/x.js" and "http:cdn.example/x.js" are http: too.
  const isHttp = (v: string | undefined): v is string => {
    if (v === undefined) return false;
    const ref = asBrowserReads(v);
    if (ref.charCodeAt(0) !== 104 && ref.charCodeAt(0) !== 72) return false; // h, H: relative references stay https
    try {
      return new URL(ref, page.url).protocol === "http:";
    } catch {
      return false;
    }
  };
  for (const el of ctx.doc.elements) {
    for (const [tag, attr] of ACTIVE) if (el.tag === tag && isHttp(el.attrs[attr]) && active.length < 50) active.push(el.attrs[attr]);
    for (const [tag, attr] of PASSIVE) if (el.tag === tag && isHttp(el.attrs[attr]) && passive.length < 50) passive.push(el.attrs[attr]);
    if (el.tag === "link" && isHttp(el.attrs.href)) {
      const rel = (el.attrs.rel ?? "").toLowerCase();
      if (/stylesheet|preload|modulepreload|manifest/.test(rel)) { if (active.length < 50) active.push(el.attrs.href); } else if (/icon/.test(rel) && passive.length < 50) passive.push(el.attrs.href);
    }
  }
  const result = active.length > 0 ? "mixed-content-active" : passive.length > 0 ? "mixed-content-passive" : expectation;
  return { result, pass: result === expectation, data: { active, passive } };
}
