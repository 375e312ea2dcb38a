// Evidence items on a real database: SHA-256 and validity from the stored file, one item linked
// to several requirements, expired items flagged and refused for new links, carried over to a
// renewal, and readable by the team through the link (not by an auditor off the team).
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import { after, before, test } from "node:test";
import { AppError } from "../../platform/errors.ts";
import { addMonths } from "./lifecycle.ts";
import { accreditedBody, buildActor, buildCertWorld, type Body, type CertWorld } from "./testing.ts";

let w: CertWorld;
let body: Body;
const merchant = buildActor("merchant", "merchant_admin");
const other = buildActor("merchant", "merchant_admin");
const pdf = Buffer.from("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n");

before(async () => {
  w = await buildCertWorld();
  body = await accreditedBody(w);
});
after(async () => w.close());

async function refused(p: Promise<unknown>, code: AppError["code"], field?: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => e instanceof AppError && e.code === code && (field === undefined || e.fields.some((f) => f.field === field)));
}
const upload = async (actor = merchant, name = "policy.pdf") => (await w.evidence.upload(actor, actor.orgId, { filename: name, stream: Readable.from([pdf]), declaredType: "application/pdf" })).id;
const audits = async (): Promise<number> => (await w.database.query<{ n: number }>("select count(*)::int as n from audit_log where action like 'certification.evidence%'")).rows[0]?.n ?? -1;

test("an evidence item shows the file's SHA-256 and validity; bad dates, duplicates and other organisations' files are refused", async () => {
  const ev = w.records.evidenceItems;
  const fileId = await upload();
  const item = await ev.register(merchant, { fileId, title: "個資保護政策 v3", effectiveFrom: "2027-01-01", expiresOn: "2028-01-01" });
  assert.equal(item.sha256, createHash("sha256").update(pdf).digest("hex"));
  assert.equal(item.expired, false);
  const n = await audits();
  await refused(ev.register(merchant, { fileId, title: "again", effectiveFrom: "2027-01-01", expiresOn: null }), "conflict");
  await refused(ev.register(merchant, { fileId: await upload(), title: "x", effectiveFrom: "2027-02-01", expiresOn: "2027-01-01" }), "validation", "expiresOn");
  await refused(ev.register(merchant, { fileId: await upload(other), title: "theirs", effectiveFrom: "2027-01-01", expiresOn: null }), "not_found");
  await refused(ev.register(body.admin, { fileId, title: "body", effectiveFrom: "2027-01-01", expiresOn: null }), "forbidden");
  await refused(ev.update(other, item.id, { title: "mine now" }), "not_found");
  assert.equal(await audits(), n);
  assert.equal((await ev.list(other, { limit: 10, offset: 0 })).total, 0);
});

test("one item serves several requirements; expired items are flagged and cannot be linked; renewal carries valid links over", async () => {
  const ev = w.records.evidenceItems;
  const c = w.certification;
  const policy = await ev.register(merchant, { fileId: await upload(), title: "Policy", effectiveFrom: "2027-01-01", expiresOn: null });
  const training = await ev.register(merchant, { fileId: await upload(), title: "Training record 2027", effectiveFrom: "2027-01-01", expiresOn: "2027-12-31" });
  const app = await c.apply(merchant, { scheme: "tw-pims", cbOrgId: body.admin.orgId, scope: "online shop" });
  const [r1, r2, r3] = (await w.schemes.current("tw-pims")).catalogue.requirements.map((r) => r.id);
  assert.ok(r1 && r2 && r3);
  const linked = await ev.link(merchant, app.id, [{ evidenceId: policy.id, requirementId: r1 }, { evidenceId: policy.id, requirementId: r2 }, { evidenceId: training.id, requirementId: r3 }]);
  assert.equal(linked.cycle, 1);
  await refused(ev.link(merchant, app.id, [{ evidenceId: policy.id, requirementId: "TW-PIMS.NOPE-99" }]), "validation", "links.0.requirementId");
  await refused(ev.link(other, app.id, [{ evidenceId: policy.id, requirementId: r1 }]), "not_found");
  await refused(ev.link(body.admin, app.id, [{ evidenceId: policy.id, requirementId: r1 }]), "forbidden");
  assert.equal((await ev.list(merchant, { limit: 10, offset: 0 })).items.find((i) => i.id === policy.id)?.uses, 2);

  // the team reads the linked file through the grant; an auditor off the team does not
  const outsider = buildActor("certification_body", "auditor", body.admin.orgId);
  await w.accreditation.addAuditor(body.admin, { name: "Off team", userId: outsider.userId, grade: "auditor", qualifications: [], trainingHours: 0 });
  await driveFrom(app.id);
  await w.evidence.get(body.lead, policy.fileId);
  await refused(w.evidence.get(outsider, policy.fileId), "not_found");

  // a year later the training record has expired: flagged, refused for new links
  w.clock.set(addMonths(w.clock.now(), 13));
  const links = await ev.links(body.lead, app.id);
  assert.equal(links.items.find((l) => l.evidence.id === training.id)?.evidence.expired, true);
  await refused(ev.link(merchant, app.id, [{ evidenceId: training.id, requirementId: r1 }]), "validation", "links.0.evidenceId");
  // the sweep raises one alarm for the expired item and tells both organisations; a second sweep does not repeat it
  const notices0 = w.notices.length;
  await w.timers.sweep();
  const alarms = (await w.timers.openAlarms({ merchantOrgId: merchant.orgId })).filter((a) => a.kind === "evidence_expired");
  assert.deepEqual(alarms.map((a) => [a.applicationId, a.dueAt.toISOString().slice(0, 10)]), [[app.id, "2027-12-31"]]);
  assert.deepEqual(w.notices.slice(notices0).filter((n) => n.vars.kind === "evidence_expired").map((n) => n.orgId).sort(), [merchant.orgId, body.admin.orgId].sort());
  await w.timers.sweep();
  assert.equal((await w.timers.openAlarms({ merchantOrgId: merchant.orgId })).filter((a) => a.kind === "evidence_expired").length, 1);

  // renewal window (8 to 4 months before the end of a 24-month mark): carry over
  w.clock.set(addMonths(w.clock.now(), 5));
  await c.transition(merchant, app.id, "renewal_submitted");
  const carried = await ev.carryOver(merchant, app.id);
  assert.deepEqual([carried.cycle, carried.carried], [2, 2]);
  assert.deepEqual(carried.skippedExpired, [{ evidenceId: training.id, requirementId: r3 }]);
  assert.equal((await ev.links(merchant, app.id)).items.length, 2);
  assert.equal((await ev.links(merchant, app.id, 1)).items.length, 3);
});

test("the evidence a decision rests on stays linked: nothing changes while the decision is taken, nothing is unlinked after it", async () => {
  const ev = w.records.evidenceItems;
  const c = w.certification;
  const m2 = buildActor("merchant", "merchant_admin");
  const policy = await ev.register(m2, { fileId: await upload(m2), title: "Policy", effectiveFrom: "2027-01-01", expiresOn: null });
  const extra = await ev.register(m2, { fileId: await upload(m2), title: "Extra", effectiveFrom: "2027-01-01", expiresOn: null });
  const app = await c.apply(m2, { scheme: "tw-pims", cbOrgId: body.admin.orgId, scope: "online shop" });
  const reqs = (await w.schemes.current("tw-pims")).catalogue.requirements;
  const r1 = reqs[0]?.id ?? "";
  await ev.link(m2, app.id, [{ evidenceId: policy.id, requirementId: r1 }]);
  await c.saveSelfAssessment(m2, app.id, reqs.map((r) => ({ requirementId: r.id, status: "implemented" as const, note: "", evidenceIds: [] })));
  await c.transition(m2, app.id, "submit");
  await c.transition(body.admin, app.id, "start_intake");
  await c.assignTeam(body.admin, app.id, [{ auditorId: body.leadId, lead: true }]);
  await c.transition(body.admin, app.id, "intake_accepted");
  // during the audit the applicant may still add and withdraw evidence
  await ev.link(m2, app.id, [{ evidenceId: extra.id, requirementId: r1 }]);
  await ev.unlink(m2, app.id, { evidenceId: extra.id, requirementId: r1 });
  await c.transition(body.lead, app.id, "doc_review_done");
  await c.recordResults(body.lead, app.id, reqs.map((r) => ({ requirementId: r.id, result: "conforming" as const, note: "" })));
  await c.transition(body.lead, app.id, "audit_done_no_findings");
  await refused(ev.unlink(m2, app.id, { evidenceId: policy.id, requirementId: r1 }), "invalid_transition");
  await refused(ev.link(m2, app.id, [{ evidenceId: extra.id, requirementId: r1 }]), "invalid_transition");
  await c.transition(body.admin, app.id, "grant", { reason: "committee: conforming" });
  await c.recordAgreement(body.admin, app.id, { agreementSigned: true, feePaid: true });
  await c.transition(body.admin, app.id, "activate");
  await refused(ev.unlink(m2, app.id, { evidenceId: policy.id, requirementId: r1 }), "invalid_transition");
  await ev.link(m2, app.id, [{ evidenceId: extra.id, requirementId: r1 }]); // adding after the decision is recorded, not a change of it
  assert.deepEqual((await ev.links(m2, app.id)).items.map((l) => l.evidence.id).sort(), [policy.id, extra.id].sort());
});

/** Takes an applied application (answers already linked) to an active mark. */
async function driveFrom(appId: string): Promise<void> {
  const c = w.certification;
  const reqs = (await w.schemes.current("tw-pims")).catalogue.requirements;
  await c.saveSelfAssessment(merchant, appId, reqs.map((r) => ({ requirementId: r.id, status: "implemented" as const, note: "", evidenceIds: [] })));
  await c.transition(merchant, appId, "submit");
  await c.transition(body.admin, appId, "start_intake");
  await c.assignTeam(body.admin, appId, [{ auditorId: body.leadId, lead: true }]);
  await c.transition(body.admin, appId, "intake_accepted");
  await c.transition(body.lead, appId, "doc_review_done");
  await c.recordResults(body.lead, appId, reqs.map((r) => ({ requirementId: r.id, result: "conforming" as const, note: "" })));
  await c.transition(body.lead, appId, "audit_done_no_findings");
  await c.transition(body.admin, appId, "grant", { reason: "committee: conforming" });
  await c.recordAgreement(body.admin, appId, { agreementSigned: true, feePaid: true });
  await c.transition(body.admin, appId, "activate");
}

