// The certification records services, built together: what server.ts and the tests construct.
import type { Clock } from "../../platform/clock.ts";
import type { Db } from "../../platform/db/database.ts";
import type { MailMessage } from "../../platform/mail/mail.service.ts";
import type { TemplateRegistry } from "../../platform/mail/templates.ts";
import type { EvidenceService } from "../../platform/storage/evidence.service.ts";
import type { SchemesService } from "../schemes/schemes.service.ts";
import type { Notifier } from "./certification.jobs.ts";
import type { CertificationService } from "./certification.service.ts";
import { createCertificatesService } from "./certificates.service.ts";
import { createChangesService } from "./changes.service.ts";
import { complaintNoticeTemplate, complaintReceiptTemplate, createComplaintsService } from "./complaints.service.ts";
import { createEvidenceItemsService } from "./evidence-items.service.ts";
import { createIncidentsService, incidentNoticeTemplate } from "./incidents.service.ts";
import { createInventoryService } from "./inventory.service.ts";
import { createReportService } from "./report.service.ts";

/** Names for public pages, read from the accounts and registry services (a port, so tests pass a map). */
export interface Directory {
  organisation(orgId: string): Promise<{ nameZh: string; nameEn: string } | undefined>;
  shop(shopId: string): Promise<{ id: string; orgId: string; nameZh: string; nameEn: string | null } | undefined>;
  shopOfOrg(orgId: string): Promise<{ id: string; orgId: string; nameZh: string; nameEn: string | null } | undefined>;
}

export interface CertificationRecordsDeps {
  db: Db;
  clock: Clock;
  certification: CertificationService;
  schemes: Pick<SchemesService, "getVersion" | "current">;
  evidence: Pick<EvidenceService, "download" | "get">;
  directory: Directory;
  notifier: Notifier;
  mail: { enqueue(tx: Db, message: MailMessage): Promise<unknown> };
}

/** The records' mail templates (complaints, incidents), added to the registry at start. */
export function addRecordsTemplates(registry: TemplateRegistry): void {
  for (const t of [complaintNoticeTemplate, complaintReceiptTemplate, incidentNoticeTemplate]) if (!registry.has(t.name)) registry.add(t);
}

export function createCertificationRecords(deps: CertificationRecordsDeps) {
  const inventory = createInventoryService(deps);
  const evidenceItems = createEvidenceItemsService(deps);
  const certificates = createCertificatesService(deps);
  const reports = createReportService(deps);
  const changes = createChangesService(deps);
  const complaints = createComplaintsService(deps);
  const incidents = createIncidentsService(deps);
  return { inventory, evidenceItems, certificates, reports, changes, complaints, incidents };
}

export type CertificationRecords = ReturnType<typeof createCertificationRecords>;
