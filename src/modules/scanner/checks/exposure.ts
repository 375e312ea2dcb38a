// Test `exposure` (ectrust): files and pages that should never be public. Each probe is a fixed,
// small list of paths (the whole scan stays within its request budget), and a hit counts only
// when the body proves it — a catch-all 200 page or a custom 404 never matches.
import type { Ctx } from "../context.ts";
import type { CheckOutcome, ProbeRecord } from "../scanner.types.ts";

export interface ExposureProbe {
  id: string;
  kind: "sensitive" | "leak";
  /** Paths to request (relative to the site origin); may depend on the page's script URLs. */
  paths(scriptSrcs: string[], pageUrl: string): string[];
  confirm(p: ProbeRecord): boolean;
}

const notHtml = (p: ProbeRecord): boolean => !/^\s*<(!doctype|html|head|body)/i.test(p.head);
const ok = (p: ProbeRecord): boolean => p.status === 200;

export const EXPOSURE_PROBES: readonly ExposureProbe[] = [
  { id: "git-repository", kind: "sensitive", paths: () => ["/.git/HEAD", "/.git/config"], confirm: (p) => ok(p) && (/^ref: refs\//.test(p.head) || /^[0-9a-f]{40}\s*$/.test(p.head) || /^\[core\]/m.test(p.head)) },
  { id: "env-file", kind: "sensitive", paths: () => ["/.env"], confirm: (p) => ok(p) && notHtml(p) && /^\s*[A-Z][A-Z0-9_]*\s*=.*$/m.test(p.head) },
  { id: "backup-archive", kind: "sensitive", paths: () => ["/backup.zip"], confirm: (p) => ok(p) && p.head.startsWith("PK\u0003\u0004") },
  { id: "database-dump", kind: "sensitive", paths: () => ["/backup.sql", "/dump.sql"], confirm: (p) => ok(p) && notHtml(p) && /(CREATE TABLE|INSERT INTO|-- MySQL dump|PostgreSQL database dump)/i.test(p.head) },
  { id: "config-backup", kind: "sensitive", paths: () => ["/wp-config.php.bak"], confirm: (p) => ok(p) && /DB_PASSWORD|DB_USER/.test(p.head) },
  { id: "ds-store", kind: "sensitive", paths: () => ["/.DS_Store"], confirm: (p) => ok(p) && p.head.includes("Bud1") },
  { id: "phpinfo", kind: "leak", paths: () => ["/phpinfo.php", "/info.php"], confirm: (p) => ok(p) && /phpinfo\(\)|<title>PHP \d[^<]*phpinfo|PHP Version \d/i.test(p.head) },
  { id: "server-status", kind: "leak", paths: () => ["/server-status"], confirm: (p) => ok(p) && /Apache Server Status|Server uptime:|Active connections:\s*\d+/i.test(p.head) },
  { id: "directory-listing", kind: "leak", paths: () => ["/uploads/"], confirm: (p) => ok(p) && /<title>\s*(Index of \/|Directory listing for)/i.test(p.head) },
  {
    id: "source-map",
    kind: "leak",
    paths: (srcs, pageUrl) => {
      const page = new URL(pageUrl);
      const out: string[] = [];
      for (const s of srcs) {
        try {
          const u = new URL(s, page);
          if (u.origin === page.origin && u.pathname.endsWith(".js")) out.push(`${u.pathname}.map`);
        } catch { /* ignore bad src */ }
        if (out.length >= 2) break;
      }
      return out;
    },
    confirm: (p) => ok(p) && /"version"\s*:\s*3/.test(p.head) && /"(sources|mappings)"/.test(p.head),
  },
  { id: "admin-panel", kind: "leak", paths: () => ["/phpmyadmin/", "/adminer.php"], confirm: (p) => ok(p) && (/<title>[^<]*(phpMyAdmin|Adminer)/i.test(p.head) || /name="pma_username"|name="auth\[driver\]"/.test(p.head)) },
  { id: "installer", kind: "sensitive", paths: () => ["/wp-admin/install.php"], confirm: (p) => ok(p) && /WordPress[\s\S]{0,2000}(install|安裝)/i.test(p.head) && !/already installed|已安裝/i.test(p.head) },
];

export const expectation = "exposure-none-found";

export function check(ctx: Ctx): CheckOutcome {
  if (!ctx.r.deep) return { result: "exposure-not-checked", pass: true };
  const found: { probe: string; url: string; kind: string }[] = [];
  for (const p of ctx.r.probes) {
    const probe = EXPOSURE_PROBES.find((x) => x.id === p.probe);
    if (probe?.confirm(p)) found.push({ probe: probe.id, url: p.url, kind: probe.kind });
  }
  const sensitive = found.some((f) => f.kind === "sensitive");
  const result = sensitive ? "exposure-sensitive-file" : found.length > 0 ? "exposure-information-leak" : expectation;
  return { result, pass: found.length === 0, issues: [...new Set(found.map((f) => `exposure-${f.probe}`))], data: { found, probed: ctx.r.probes.length } };
}
