// Certification HTTP routes: thin — declare access, validate, call the service, present.
// Object-level checks (which organisation may see or change what) live in the services.
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { forbidden } from "../../platform/errors.ts";
import type { AccreditationService } from "./accreditation.service.ts";
import type { CertificationTimers } from "./certification.jobs.ts";
import * as s from "./certification.schema.ts";
import type { CertificationService } from "./certification.service.ts";
import { onePartyNames, withBodyNames, withOrgNames, withPartyNames, type OrgNames } from "./org-names.ts";

export interface CertificationRoutesOptions {
  certification: CertificationService;
  accreditation: AccreditationService;
  timers: CertificationTimers;
  /** organisation names for the responses (accounts.orgNames in server.ts) */
  orgNames: OrgNames;
}

const tags = ["certification"];
const base = "/api/v1/certification";

export async function certificationRoutes(app: FastifyInstance, opts: CertificationRoutesOptions): Promise<void> {
  const { certification: c, accreditation: acc, timers, orgNames } = opts;
  const r = app.withTypeProvider<ZodTypeProvider>();

  // ------------------------------------------------------------------ accreditation
  r.post(`${base}/accreditations`, { config: { access: "cert.cb_manage" }, schema: { tags, summary: "A certification body applies for accreditation for a scheme scope", body: s.accreditationBody, response: { 201: s.accreditation } } }, async (req, reply) =>
    reply.code(201).send(await acc.applyForAccreditation(req.actor, req.body)),
  );
  r.get(`${base}/accreditations`, { config: { access: "signed-in" }, schema: { tags, summary: "Accreditations (authority: all; body: its own; others: accredited bodies)", querystring: z.strictObject({ cbOrgId: z.uuid().optional() }), response: { 200: z.object({ items: z.array(s.accreditationNamed) }) } } }, async (req) => ({
    items: await withBodyNames(orgNames, await acc.listAccreditations(req.actor, req.query)),
  }));
  r.post(`${base}/accreditations/:id/:action`, { config: { access: "cert.accredit" }, schema: { tags, summary: "The authority moves an accreditation on (assessment, accredit, refuse, suspend, reinstate, withdraw)", params: s.accreditationActionParams, body: s.accreditationDecisionBody, response: { 200: s.accreditation } } }, async (req) =>
    acc.decideAccreditation(req.actor, req.params.id, req.params.action, req.body),
  );

  // ------------------------------------------------------------------ auditor register
  r.get(`${base}/bodies/:cbOrgId/auditors`, { config: { access: "cert.read" }, schema: { tags, summary: "A body's auditor register", params: s.cbParams, response: { 200: z.object({ items: z.array(s.auditor) }) } } }, async (req) => ({
    items: await acc.listAuditors(req.actor, req.params.cbOrgId),
  }));
  r.post(`${base}/auditors`, { config: { access: "cert.cb_manage" }, schema: { tags, summary: "Add an auditor to the register", body: s.auditorBody, response: { 201: s.auditor } } }, async (req, reply) => reply.code(201).send(await acc.addAuditor(req.actor, req.body)));
  r.patch(`${base}/auditors/:id`, { config: { access: "cert.cb_manage" }, schema: { tags, summary: "Change an auditor's grade, status, qualifications or training hours", params: s.idParams, body: s.auditorPatch, response: { 200: s.auditor } } }, async (req) =>
    acc.updateAuditor(req.actor, req.params.id, req.body),
  );
  r.get(`${base}/auditors/:id`, { config: { access: "cert.read" }, schema: { tags, summary: "An auditor's record: conflicts and audits", params: s.idParams, response: { 200: s.auditorRecord } } }, async (req) => {
    const record = await acc.auditorRecord(req.actor, req.params.id);
    return { ...record, conflicts: await withOrgNames(orgNames, record.conflicts) };
  });
  r.post(`${base}/auditors/:id/conflicts`, { config: { access: "cert.act" }, schema: { tags, summary: "Declare a conflict of interest with an organisation", params: s.idParams, body: s.conflictBody, response: { 201: s.conflict } } }, async (req, reply) =>
    reply.code(201).send(await acc.declareConflict(req.actor, req.params.id, req.body)),
  );

  // ------------------------------------------------------------------ applications
  r.post(`${base}/applications`, { config: { access: "cert.apply" }, schema: { tags, summary: "Apply for a scheme and scope with an accredited body", body: s.applyBody, response: { 201: s.application } } }, async (req, reply) =>
    reply.code(201).send(await c.apply(req.actor, req.body)),
  );
  r.get(`${base}/applications`, { config: { access: "cert.read" }, schema: { tags, summary: "Pipeline: applications visible to you, with counts per status", querystring: s.listQuery, response: { 200: s.listResponse } } }, async (req) => {
    const page = await c.list(req.actor, req.query);
    return { ...page, items: await withPartyNames(orgNames, page.items) };
  });
  r.get(`${base}/applications/:id`, { config: { access: "cert.read" }, schema: { tags, summary: "One application, its mark and the events you may take", params: s.idParams, response: { 200: s.applicationDetail } } }, async (req) => onePartyNames(orgNames, await c.get(req.actor, req.params.id)));
  r.get(`${base}/applications/:id/events`, { config: { access: "cert.read" }, schema: { tags, summary: "Every transition with actor, reason and evidence", params: s.idParams, response: { 200: z.object({ items: z.array(s.event) }) } } }, async (req) => ({
    items: await c.events(req.actor, req.params.id),
  }));
  r.post(`${base}/applications/:id/transitions`, { config: { access: "cert.act" }, schema: { tags, summary: "Take a lifecycle event (role and guard checked; see lifecycle.ts)", params: s.idParams, body: s.transitionBody, response: { 200: s.application } } }, async (req) => {
    const { event, ...input } = req.body;
    return c.transition(req.actor, req.params.id, event, input);
  });
  r.put(`${base}/applications/:id/self-assessment`, { config: { access: "cert.apply" }, schema: { tags, summary: "Save self-assessment answers (status, note, evidence) per requirement", params: s.idParams, body: s.selfAssessmentBody, response: { 200: z.object({ answered: z.number(), total: z.number() }) } } }, async (req) =>
    c.saveSelfAssessment(req.actor, req.params.id, req.body.items),
  );
  r.get(`${base}/applications/:id/self-assessment`, { config: { access: "cert.read" }, schema: { tags, summary: "The applicant's self-assessment", params: s.idParams, response: { 200: z.object({ items: z.array(s.selfAssessmentRow) }) } } }, async (req) => ({
    items: await c.selfAssessment(req.actor, req.params.id),
  }));
  r.put(`${base}/applications/:id/team`, { config: { access: "cert.cb_manage" }, schema: { tags, summary: "Assign the audit team (conflict-of-interest checked)", params: s.idParams, body: s.teamBody, response: { 200: z.object({ items: z.array(s.teamRow) }) } } }, async (req) => ({
    items: await c.assignTeam(req.actor, req.params.id, req.body.members),
  }));
  r.get(`${base}/applications/:id/team`, { config: { access: "cert.read" }, schema: { tags, summary: "The audit team", params: s.idParams, response: { 200: z.object({ items: z.array(s.teamRow) }) } } }, async (req) => ({ items: await c.team(req.actor, req.params.id) }));
  r.put(`${base}/applications/:id/audit-plan`, { config: { access: "cert.act" }, schema: { tags, summary: "Set the audit plan (document review, on-site or remote audit)", params: s.idParams, body: s.auditPlanBody, response: { 200: s.auditPlanBody } } }, async (req) =>
    c.setAuditPlan(req.actor, req.params.id, req.body),
  );
  r.put(`${base}/applications/:id/results`, { config: { access: "cert.act" }, schema: { tags, summary: "Record per-requirement audit results", params: s.idParams, body: s.resultsBody, response: { 200: z.object({ recorded: z.number() }) } } }, async (req) => {
    return c.recordResults(req.actor, req.params.id, req.body.items);
  });
  r.get(`${base}/applications/:id/results`, { config: { access: "cert.read" }, schema: { tags, summary: "Audit results per requirement", params: s.idParams, response: { 200: z.object({ items: z.array(s.resultRow) }) } } }, async (req) => ({
    items: await c.results(req.actor, req.params.id),
  }));
  r.get(`${base}/applications/:id/corrective-actions`, { config: { access: "cert.read" }, schema: { tags, summary: "Findings and their corrective actions", params: s.idParams, response: { 200: z.object({ items: z.array(s.correctiveAction) }) } } }, async (req) => ({
    items: await c.correctiveActions(req.actor, req.params.id),
  }));
  r.post(`${base}/applications/:id/corrective-actions/:caId/submit`, { config: { access: "cert.apply" }, schema: { tags, summary: "Answer a corrective action before its deadline", params: s.caParams, body: s.caSubmitBody, response: { 200: s.correctiveAction } } }, async (req) =>
    c.submitCorrectiveAction(req.actor, req.params.id, req.params.caId, req.body),
  );
  r.post(`${base}/applications/:id/corrective-actions/:caId/verify`, { config: { access: "cert.act" }, schema: { tags, summary: "Verify or return a submitted corrective action", params: s.caParams, body: s.caVerifyBody, response: { 200: s.correctiveAction } } }, async (req) =>
    c.verifyCorrectiveAction(req.actor, req.params.id, req.params.caId, req.body),
  );
  r.put(`${base}/applications/:id/agreement`, { config: { access: "cert.cb_manage" }, schema: { tags, summary: "Record the mark-use agreement and fee", params: s.idParams, body: s.agreementBody, response: { 200: s.agreementBody } } }, async (req) =>
    c.recordAgreement(req.actor, req.params.id, req.body),
  );

  // ------------------------------------------------------------------ marks and alarms
  r.get(`${base}/marks/:markNumber`, { config: { access: "public" }, schema: { tags, summary: "A mark as the public registry shows it", params: s.markParams, response: { 200: s.markView } } }, async (req) => c.getMark(req.params.markNumber));
  r.get(`${base}/alarms`, { config: { access: "cert.read" }, schema: { tags, summary: "Open alarms (authority: all; a body or merchant: its own)", response: { 200: z.object({ items: z.array(s.alarm) }) } } }, async (req) => {
    const a = req.actor;
    if (a.kind !== "user" && a.kind !== "token") throw forbidden();
    const q = a.orgKind === "authority" ? {} : a.orgKind === "certification_body" ? { cbOrgId: a.orgId } : a.orgKind === "merchant" ? { merchantOrgId: a.orgId } : undefined;
    if (!q) throw forbidden();
    return { items: await withPartyNames(orgNames, await timers.openAlarms(q)) };
  });
}
