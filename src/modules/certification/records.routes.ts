// Certification records HTTP routes (thin: declare access, validate, call the service, present):
// personal-data inventory, evidence items, audit report, certificates, change reports, complaints.
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { legalBases } from "./inventory.io.ts";
import type { CertificatesService } from "./certificates.service.ts";
import type { ChangesService } from "./changes.service.ts";
import type { ComplaintsService } from "./complaints.service.ts";
import type { EvidenceItemsService } from "./evidence-items.service.ts";
import type { IncidentsService } from "./incidents.service.ts";
import type { InventoryService } from "./inventory.service.ts";
import { onePartyNames, withPartyNames, type OrgNames } from "./org-names.ts";
import * as s from "./records.schema.ts";
import { REPORT_CSS, type ReportService } from "./report.service.ts";

export interface CertificationRecordsRoutesOptions {
  inventory: InventoryService;
  evidenceItems: EvidenceItemsService;
  certificates: CertificatesService;
  reports: ReportService;
  changes: ChangesService;
  complaints: ComplaintsService;
  incidents: IncidentsService;
  /** organisation names for the responses (accounts.orgNames in server.ts) */
  orgNames: OrgNames;
}

const tags = ["certification"];
const base = "/api/v1/certification";

export async function certificationRecordsRoutes(app: FastifyInstance, opts: CertificationRecordsRoutesOptions): Promise<void> {
  const { inventory, evidenceItems: ev, certificates, reports, changes, complaints, incidents, orgNames } = opts;
  const r = app.withTypeProvider<ZodTypeProvider>();

  // ------------------------------------------------------------------ personal-data inventory (個資清冊)
  r.get(`${base}/inventory/legal-bases`, { config: { access: "public" }, schema: { tags, summary: "The legal bases an inventory row may name (PDPA Art. 19), zh-TW and English", response: { 200: s.legalBasesResponse } } }, async () => ({
    items: Object.entries(legalBases).map(([key, v]) => ({ key, ...v })),
  }));
  r.get(`${base}/applications/:id/inventory`, { config: { access: "cert.read" }, schema: { tags, summary: "The application's personal-data inventory (個資清冊), a page of rows", params: s.appParams, querystring: s.pageQuery, response: { 200: s.inventoryList } } }, async (req) =>
    inventory.list(req.actor, req.params.id, req.query),
  );
  r.post(`${base}/applications/:id/inventory`, { config: { access: "cert.apply" }, schema: { tags, summary: "Add an inventory row", params: s.appParams, body: s.inventoryBody, response: { 201: s.inventoryItem } } }, async (req, reply) =>
    reply.code(201).send(await inventory.create(req.actor, req.params.id, req.body)),
  );
  r.put(`${base}/applications/:id/inventory/:itemId`, { config: { access: "cert.apply" }, schema: { tags, summary: "Replace an inventory row", params: s.itemParams, body: s.inventoryBody, response: { 200: s.inventoryItem } } }, async (req) =>
    inventory.update(req.actor, req.params.id, req.params.itemId, req.body),
  );
  r.delete(`${base}/applications/:id/inventory/:itemId`, { config: { access: "cert.apply" }, schema: { tags, summary: "Delete an inventory row", params: s.itemParams, response: { 204: z.null() } } }, async (req, reply) => {
    await inventory.remove(req.actor, req.params.id, req.params.itemId);
    return reply.code(204).send(null);
  });
  r.post(
    `${base}/applications/:id/inventory/import`,
    {
      config: { access: "cert.apply", rateLimit: { max: 20, timeWindow: "1 minute" } },
      bodyLimit: 4 * 1024 * 1024,
      schema: { tags, summary: "Import rows from an uploaded CSV/XLSX (our register or `ectrust pii inventory` output) or the pii JSON; any bad row imports nothing", params: s.appParams, body: s.inventoryImportBody, response: { 200: s.inventoryImportResult } },
    },
    async (req) => inventory.importFile(req.actor, req.params.id, req.body),
  );
  r.get(`${base}/applications/:id/inventory/export`, { config: { access: "cert.read" }, schema: { tags, summary: "The inventory as CSV or XLSX", params: s.appParams, querystring: s.exportQuery } }, async (req, reply) => {
    const f = await inventory.exportFile(req.actor, req.params.id, req.query.format);
    return reply.type(f.contentType).header("content-disposition", `attachment; filename="${f.filename}"`).header("cache-control", "private, no-store").send(f.body);
  });

  // ------------------------------------------------------------------ evidence items (validity, SHA-256, reuse)
  r.post(`${base}/evidence`, { config: { access: "cert.apply" }, schema: { tags, summary: "Register an uploaded file as an evidence item with its effective date and expiry", body: s.evidenceBody, response: { 201: s.evidenceItem } } }, async (req, reply) =>
    reply.code(201).send(await ev.register(req.actor, req.body)),
  );
  r.get(`${base}/evidence`, { config: { access: "cert.read" }, schema: { tags, summary: "Your organisation's evidence items, with expiry flag and how often each is used", querystring: s.evidenceListQuery, response: { 200: z.object({ items: z.array(s.evidenceItem), total: z.number() }) } } }, async (req) =>
    ev.list(req.actor, req.query),
  );
  r.patch(`${base}/evidence/:evidenceId`, { config: { access: "cert.apply" }, schema: { tags, summary: "Change an evidence item's title or validity", params: s.evidenceParams, body: s.evidencePatch, response: { 200: s.evidenceItem } } }, async (req) =>
    ev.update(req.actor, req.params.evidenceId, req.body),
  );
  r.get(`${base}/applications/:id/evidence-links`, { config: { access: "cert.read" }, schema: { tags, summary: "Evidence linked to each requirement (current cycle unless ?cycle=)", params: s.appParams, querystring: z.strictObject({ cycle: z.coerce.number().int().min(1).max(99).optional() }), response: { 200: s.linksResponse } } }, async (req) =>
    ev.links(req.actor, req.params.id, req.query.cycle),
  );
  r.post(`${base}/applications/:id/evidence-links`, { config: { access: "cert.apply" }, schema: { tags, summary: "Link evidence items to requirements (one item may serve many requirements)", params: s.appParams, body: s.linkBody, response: { 200: z.object({ cycle: z.number(), linked: z.number() }) } } }, async (req) =>
    ev.link(req.actor, req.params.id, req.body.links),
  );
  r.post(`${base}/applications/:id/evidence-links/remove`, { config: { access: "cert.apply" }, schema: { tags, summary: "Remove one link of the current cycle", params: s.appParams, body: s.unlinkBody, response: { 204: z.null() } } }, async (req, reply) => {
    await ev.unlink(req.actor, req.params.id, req.body);
    return reply.code(204).send(null);
  });
  r.post(`${base}/applications/:id/evidence-links/carry-over`, { config: { access: "cert.apply" }, schema: { tags, summary: "Renewal: reuse the previous cycle's still-valid evidence links; expired ones are listed", params: s.appParams, response: { 200: s.carryOverResponse } } }, async (req) =>
    ev.carryOver(req.actor, req.params.id),
  );

  // ------------------------------------------------------------------ public certificates and a shop's marks
  const publicLimit = { max: 120, timeWindow: "1 minute" } as const;
  r.get(`${base}/certificates/:markNumber`, { config: { access: "public", rateLimit: publicLimit }, schema: { tags, summary: "A mark's public certificate (the web renders it at /certificates/<markNumber>)", params: s.markNumberParams, response: { 200: s.certificate } } }, async (req) =>
    certificates.certificate(req.params.markNumber),
  );
  r.get(`${base}/public/shops/:shopId/marks`, { config: { access: "public", rateLimit: publicLimit }, schema: { tags, summary: "The marks of a shop, for the registry's shop page (no personal data)", params: s.shopParams, response: { 200: s.shopMarks } } }, async (req) => ({
    items: await certificates.marksForShop(req.params.shopId),
  }));

  // ------------------------------------------------------------------ audit report (printable page and workbook)
  r.get(`${base}/applications/:id/report.html`, { config: { access: "cert.read" }, schema: { tags, summary: "The audit report as a printable page (body, audit team and applicant)", params: s.appParams } }, async (req, reply) =>
    reply.type("text/html; charset=utf-8").header("cache-control", "private, no-store").send(await reports.html(req.actor, req.params.id)),
  );
  r.get(`${base}/applications/:id/report.xlsx`, { config: { access: "cert.read" }, schema: { tags, summary: "The audit report as an XLSX workbook: requirements × results, findings, corrective actions, team, decision", params: s.appParams } }, async (req, reply) => {
    const f = await reports.xlsx(req.actor, req.params.id);
    return reply.type("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet").header("content-disposition", `attachment; filename="${f.filename}"`).header("cache-control", "private, no-store").send(f.body);
  });
  r.get(`${base}/report.css`, { config: { access: "public" }, schema: { hide: true } }, async (_req, reply) => reply.type("text/css; charset=utf-8").header("cache-control", "public, max-age=3600").send(REPORT_CSS));

  // ------------------------------------------------------------------ change reports
  r.post(`${base}/applications/:id/change-reports`, { config: { access: "cert.apply" }, schema: { tags, summary: "The mark holder reports a change (name, address, representative, PIMS manager, scope)", params: s.appParams, body: s.changeBody, response: { 201: s.changeReport } } }, async (req, reply) =>
    reply.code(201).send(await changes.file(req.actor, req.params.id, req.body)),
  );
  r.get(`${base}/applications/:id/change-reports`, { config: { access: "cert.read" }, schema: { tags, summary: "The change reports of an application", params: s.appParams, response: { 200: s.changeList } } }, async (req) => ({
    items: await changes.listForApplication(req.actor, req.params.id),
  }));
  r.post(`${base}/applications/:id/change-reports/:changeId/review`, { config: { access: "cert.cb_manage" }, schema: { tags, summary: "The body accepts a change or requires a re-audit", params: s.changeParams, body: s.changeReviewBody, response: { 200: s.changeReport } } }, async (req) =>
    changes.review(req.actor, req.params.id, req.params.changeId, req.body),
  );
  r.get(`${base}/change-reports`, { config: { access: "cert.read" }, schema: { tags, summary: "Change reports: a body's queue, a merchant's own, all for the authority", querystring: z.strictObject({ status: z.enum(["submitted", "accepted", "reaudit_required"]).optional(), limit: z.coerce.number().int().min(1).max(200).default(50), offset: z.coerce.number().int().min(0).max(1_000_000).default(0) }), response: { 200: s.changeList } } }, async (req) => ({
    items: await changes.list(req.actor, req.query),
  }));

  // ------------------------------------------------------------------ consumer complaints
  r.post(`${base}/public/complaints`, { config: { access: "public", rateLimit: { max: 10, timeWindow: "10 minutes" } }, bodyLimit: 16 * 1024, schema: { tags, summary: "File a complaint against a mark holder (no account needed)", body: s.complaintBody, response: { 201: s.complaintReceipt } } }, async (req, reply) => {
    const { consent: _c, ...input } = req.body;
    return reply.code(201).send(await complaints.file(req.actor, input));
  });
  r.get(`${base}/public/complaints/:reference`, { config: { access: "public", rateLimit: { max: 30, timeWindow: "10 minutes" } }, schema: { tags, summary: "Where a complaint stands, by its reference (status and dates only)", params: s.complaintReferenceParams, response: { 200: s.complaintStatus } } }, async (req) =>
    complaints.status(req.params.reference),
  );
  r.get(`${base}/complaints`, { config: { access: "cert.read" }, schema: { tags, summary: "Complaints: the body's, the holder's own (without the complainant's contact), all for the authority", querystring: s.complaintListQuery, response: { 200: s.complaintList } } }, async (req) => {
    const page = await complaints.list(req.actor, req.query);
    return { ...page, items: await withPartyNames(orgNames, page.items) };
  });
  r.get(`${base}/complaints/:complaintId`, { config: { access: "cert.read" }, schema: { tags, summary: "One complaint", params: s.complaintParams, response: { 200: s.complaintNamed } } }, async (req) => onePartyNames(orgNames, await complaints.get(req.actor, req.params.complaintId)));
  r.post(`${base}/complaints/:complaintId/response`, { config: { access: "cert.apply" }, schema: { tags, summary: "The holder responds to a complaint", params: s.complaintParams, body: s.complaintResponseBody, response: { 200: s.complaint } } }, async (req) =>
    complaints.respond(req.actor, req.params.complaintId, req.body.response),
  );
  r.post(`${base}/complaints/:complaintId/determination`, { config: { access: "cert.act" }, schema: { tags, summary: "The body (or the authority) determines a complaint; upheld may sanction the holder through the lifecycle", params: s.complaintParams, body: s.complaintDetermineBody, response: { 200: s.complaint } } }, async (req) =>
    complaints.determine(req.actor, req.params.complaintId, req.body),
  );

  // ------------------------------------------------------------------ incident reports (holder → body)
  r.post(`${base}/applications/:id/incidents`, { config: { access: "cert.apply" }, schema: { tags, summary: "The holder's quick incident report (速報); late against the scheme's deadline is flagged", params: s.appParams, body: s.incidentBody, response: { 201: s.incident } } }, async (req, reply) =>
    reply.code(201).send(await incidents.report(req.actor, req.params.id, req.body)),
  );
  r.get(`${base}/applications/:id/incidents`, { config: { access: "cert.read" }, schema: { tags, summary: "The incidents reported for an application", params: s.appParams, response: { 200: s.incidentList } } }, async (req) => ({
    items: await incidents.listForApplication(req.actor, req.params.id),
  }));
  r.post(`${base}/incidents/:incidentId/reports`, { config: { access: "cert.apply" }, schema: { tags, summary: "The next report: confirmed (確報), then recurrence prevention", params: s.incidentParams, body: s.incidentFollowUpBody, response: { 200: s.incident } } }, async (req) =>
    incidents.followUp(req.actor, req.params.incidentId, req.body),
  );
  r.post(`${base}/incidents/:incidentId/close`, { config: { access: "cert.cb_manage" }, schema: { tags, summary: "The body records its measure and closes the incident", params: s.incidentParams, body: s.incidentCloseBody, response: { 200: s.incident } } }, async (req) =>
    incidents.close(req.actor, req.params.incidentId, req.body.measure),
  );
  r.get(`${base}/incidents`, { config: { access: "cert.read" }, schema: { tags, summary: "Incidents: a body's, a merchant's own, all for the authority", querystring: z.strictObject({ open: z.enum(["true", "false"]).transform((v) => v === "true").optional(), limit: z.coerce.number().int().min(1).max(200).default(50), offset: z.coerce.number().int().min(0).max(1_000_000).default(0) }), response: { 200: s.incidentList } } }, async (req) => ({
    items: await incidents.list(req.actor, req.query),
  }));
}
