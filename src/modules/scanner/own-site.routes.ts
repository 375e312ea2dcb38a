// Our own site's hygiene, as our scanner checks it on shops: /.well-known/security.txt (RFC 9116)
// from config, and /privacy, the privacy notice (PDPA Art. 8 para. 1) in zh-TW and English.
// /privacy answers the web app's index.html with the notice already inside #root, so a reader
// without JavaScript (and a scanner, which reads HTML) gets the whole text; the web app then
// mounts over it and renders the same words (src/web/pages/privacy/). Pages, not API
// operations: no config.access (not under /api/), hidden from OpenAPI.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import type { Clock } from "../../platform/clock.ts";
import { escapeHtml } from "../../platform/mail/templates.ts";
import { privacyNoticeEn, privacyNoticeZh, type PrivacyNotice } from "./own-site.notice.ts";

export interface OwnSiteRoutesOptions {
  publicUrl: string;
  /** Contact URIs (config SECURITY_CONTACT) */
  securityContacts: readonly string[];
  clock: Clock;
  /** the built web app (its index.html is the frame of /privacy) */
  webRoot?: string | undefined;
}

/** RFC 9116 §2.5.5: Expires is required and "SHOULD be less than a year into the future". */
export const SECURITY_TXT_VALID_DAYS = 180;
const DAY = 86_400_000;

/** RFC 9116 §3: Contact (one or more), Expires (exactly one), optional Canonical and Preferred-Languages. */
export function securityTxt(o: { publicUrl: string; contacts: readonly string[]; now: Date }): string {
  const expires = new Date(Math.floor(o.now.getTime() / DAY) * DAY + SECURITY_TXT_VALID_DAYS * DAY);
  return [
    "# Security contact for this ectrust server (RFC 9116). Report vulnerabilities to the Contact below.",
    ...o.contacts.map((c) => `Contact: ${c}`),
    `Expires: ${expires.toISOString()}`,
    "Preferred-Languages: zh-TW, en",
    `Canonical: ${new URL("/.well-known/security.txt", o.publicUrl).href}`,
    "",
  ].join("\n");
}

function noticeHtml(n: PrivacyNotice, lang: string): string {
  const sections = n.sections.map((s) => `<h2>${escapeHtml(s.heading)}</h2>${s.paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`).join("")}`).join("");
  return `<article lang="${lang}" class="card"><h1>${escapeHtml(n.title)}</h1><p class="lead">${escapeHtml(n.intro)}</p>${sections}<p class="muted">${escapeHtml(n.updated)}</p></article>`;
}

/** The notice in both languages, as static HTML (no script, no inline style). */
export function privacyHtml(indexHtml: string | undefined): string {
  const body = `<main id="main" class="page">${noticeHtml(privacyNoticeZh, "zh-TW")}${noticeHtml(privacyNoticeEn, "en")}<p><a href="/">ectrust</a></p></main>`;
  const title = `${privacyNoticeZh.title} · ${privacyNoticeEn.title}`;
  if (indexHtml?.includes('<div id="root"></div>')) {
    return indexHtml.replace('<div id="root"></div>', `<div id="root">${body}</div>`).replace(/<title>[^<]*<\/title>/, `<title>${escapeHtml(title)}</title>`);
  }
  return `<!doctype html><html lang="zh-TW"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)}</title></head><body>${body}</body></html>`;
}

export async function ownSiteRoutes(app: FastifyInstance, opts: OwnSiteRoutesOptions): Promise<void> {
  const indexFile = opts.webRoot ? join(opts.webRoot, "index.html") : undefined;
  const html = privacyHtml(indexFile && existsSync(indexFile) ? readFileSync(indexFile, "utf8") : undefined);
  const hidden = { hide: true } as const;

  app.get("/.well-known/security.txt", { schema: hidden }, async (_req, reply) =>
    reply.type("text/plain; charset=utf-8").header("cache-control", "public, max-age=86400").send(securityTxt({ publicUrl: opts.publicUrl, contacts: opts.securityContacts, now: opts.clock.now() })),
  );
  app.get("/privacy", { schema: hidden }, async (_req, reply) => reply.type("text/html; charset=utf-8").header("cache-control", "no-cache").send(html));
}
