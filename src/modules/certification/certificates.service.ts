// Public certificates: what anyone may read about a mark — holder, scheme, scope, validity and
// status — by mark number, and the marks of a shop for the registry's shop page. No personal data:
// the holder is named by its registered business name, sanctions show only their kind and date.
import { and, desc, eq, gt, isNotNull, isNull, like, or } from "drizzle-orm";
import type { Clock } from "../../platform/clock.ts";
import type { Db } from "../../platform/db/database.ts";
import { AppError, notFound } from "../../platform/errors.ts";
import type { SchemesService } from "../schemes/schemes.service.ts";
import type { Application, CertificationService } from "./certification.service.ts";
import { certApplications } from "./certification.tables.ts";
import type { Directory } from "./records.ts";

export interface MarkNumber {
  prefix: string;
  company: number;
  counter: number;
}

const MARK = /^([A-Z]{2,8})-(\d{6})-(\d{2})$/;

/** `TWPIMS-000123-02` → scheme prefix, 6-digit company number, 2-digit renewal counter (01 = first grant). */
export function parseMarkNumber(s: string): MarkNumber | null {
  const m = MARK.exec(s);
  if (!m?.[1] || !m[2] || !m[3]) return null;
  const company = Number(m[2]);
  const counter = Number(m[3]);
  return company >= 1 && counter >= 1 ? { prefix: m[1], company, counter } : null;
}

export interface Certificate {
  markNumber: string;
  status: "active" | "suspended" | "revoked" | "expired" | "withdrawn";
  scheme: string;
  schemeTitle: { "zh-TW": string; en: string };
  schemeVersion: string;
  holder: { nameZh: string; nameEn: string | null; shopId: string | null };
  certificationBody: { id: string; name: string };
  scope: string;
  validFrom: Date | null;
  validTo: Date | null;
  suspendedUntil: Date | null;
  renewalCounter: number;
  notices: { kind: string; at: string }[];
}

export interface CertificatesDeps {
  db: Db;
  clock: Clock;
  certification: Pick<CertificationService, "markOf">;
  schemes: Pick<SchemesService, "getVersion" | "current">;
  directory: Directory;
}

export function createCertificatesService(deps: CertificatesDeps) {
  const { db, clock, certification, schemes, directory } = deps;

  async function present(app: Application): Promise<Certificate | null> {
    const mark = certification.markOf(app, clock.now());
    if (!mark) return null;
    const v = await schemes.getVersion(app.scheme, app.schemeVersion);
    const shop = await holderShop(directory, app);
    const org = shop ? undefined : await directory.organisation(app.merchantOrgId);
    const cb = await directory.organisation(app.cbOrgId);
    return {
      markNumber: mark.markNumber,
      status: mark.status,
      scheme: app.scheme,
      schemeTitle: v.title,
      schemeVersion: app.schemeVersion,
      holder: { nameZh: shop?.nameZh ?? org?.nameZh ?? "", nameEn: shop ? shop.nameEn : (org?.nameEn ?? null), shopId: shop?.id ?? null },
      certificationBody: { id: app.cbOrgId, name: cb ? `${cb.nameZh} ${cb.nameEn}`.trim() : "" },
      scope: app.scope,
      validFrom: mark.validFrom,
      validTo: mark.validTo,
      suspendedUntil: mark.suspendedUntil,
      renewalCounter: mark.renewalCounter,
      notices: app.flags.filter((f) => f.kind === "caution" || f.kind === "recommendation").map((f) => ({ kind: f.kind, at: f.at })),
    };
  }

  return {
    parseMarkNumber,

    async certificate(markNumber: string): Promise<Certificate> {
      const missing = notFound("The certificate");
      const parsed = parseMarkNumber(markNumber);
      if (!parsed) throw missing;
      const [app] = await db.select().from(certApplications).where(eq(certApplications.markNumber, markNumber));
      if (!app) {
        // a renewal replaces the number on the same mark (…-01 → …-02): say which number is current
        const stem = `${parsed.prefix}-${String(parsed.company).padStart(6, "0")}-`;
        const [later] = await db
          .select({ markNumber: certApplications.markNumber })
          .from(certApplications)
          .where(and(like(certApplications.markNumber, `${stem}%`), gt(certApplications.renewalCounter, parsed.counter)))
          .orderBy(desc(certApplications.renewalCounter))
          .limit(1);
        if (later?.markNumber) throw new AppError("gone", `Certificate ${markNumber} was renewed; the current number is ${later.markNumber}.`, { extra: { currentMarkNumber: later.markNumber } });
        throw missing;
      }
      const cert = await present(app);
      if (!cert) throw missing;
      return cert;
    },

    /** Every mark of a shop (linked by shop, or held by the shop's organisation with no shop named). */
    async marksForShop(shopId: string): Promise<Certificate[]> {
      // only the shop's own organisation's marks: an application may name any shop id
      const shop = await directory.shop(shopId);
      if (!shop) return [];
      const where = and(eq(certApplications.merchantOrgId, shop.orgId), or(eq(certApplications.shopId, shopId), isNull(certApplications.shopId)));
      const rows = await db.select().from(certApplications).where(and(where, isNotNull(certApplications.markNumber))).orderBy(desc(certApplications.validTo)).limit(50);
      const out: Certificate[] = [];
      for (const r of rows) {
        const c = await present(r);
        if (c) out.push(c);
      }
      return out;
    },
  };
}

/**
 * The shop a mark is shown for: the one the application names, if it belongs to the applicant's
 * organisation (the id comes from the applicant and is not checked at apply time), else the
 * organisation's shop.
 */
export async function holderShop(directory: Directory, app: Pick<Application, "shopId" | "merchantOrgId">) {
  const named = app.shopId ? await directory.shop(app.shopId) : undefined;
  return named?.orgId === app.merchantOrgId ? named : await directory.shopOfOrg(app.merchantOrgId);
}

export type CertificatesService = ReturnType<typeof createCertificatesService>;
