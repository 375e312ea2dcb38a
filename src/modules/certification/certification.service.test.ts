// The certification service on a real database: one application through the whole lifecycle,
// a corrective-action round, renewal inside the window, sanctions, the reapplication bar, and
// every refusal writing nothing.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { AppError } from "../../platform/errors.ts";
import { addMonths } from "./lifecycle.ts";
import { accreditedBody, answerAll, buildActor, buildCertWorld, conformAll, driveToActive, type Body, type CertWorld } from "./testing.ts";

let w: CertWorld;
let body: Body;
const merchant = buildActor("merchant", "merchant_admin");
const DAY = 86_400_000;

async function refused(code: string, fn: () => Promise<unknown>): Promise<AppError> {
  const events = await rows("cert_events");
  const audit = await rows("audit_log");
  try {
    await fn();
  } catch (e) {
    assert.ok(e instanceof AppError, String(e));
    assert.equal(e.code, code, e.message);
    assert.equal(await rows("cert_events"), events, "a refused command writes no event");
    assert.equal(await rows("audit_log"), audit, "a refused command writes no audit row");
    return e;
  }
  assert.fail(`not refused (expected ${code})`);
}
async function rows(table: string): Promise<number> {
  return (await w.database.query<{ n: number }>(`select count(*)::int as n from ${table}`)).rows[0]?.n ?? -1;
}

before(async () => {
  w = await buildCertWorld();
  body = await accreditedBody(w);
});
after(async () => w.close());

describe("one application through its lifecycle", () => {
  let appId = "";
  test("apply: pinned to the current catalogue version; only with an accredited body", async () => {
    await refused("validation", () => w.certification.apply(merchant, { scheme: "tw-pims", cbOrgId: buildActor("certification_body", "cb_admin").orgId, scope: "x" }));
    await refused("forbidden", () => w.certification.apply(body.admin, { scheme: "tw-pims", cbOrgId: body.admin.orgId, scope: "x" }));
    const app = await w.certification.apply(merchant, { scheme: "tw-pims", cbOrgId: body.admin.orgId, scope: "online shop www.example.tw" });
    appId = app.id;
    assert.equal(app.status, "draft");
    assert.equal(app.schemeVersion, "0.1.0");
    await refused("conflict", () => w.certification.apply(merchant, { scheme: "tw-pims", cbOrgId: body.admin.orgId, scope: "again" }));
  });

  test("submit needs the whole self-assessment", async () => {
    await refused("invalid_transition", () => w.certification.transition(merchant, appId, "submit"));
    await refused("validation", () => w.certification.saveSelfAssessment(merchant, appId, [{ requirementId: "TW-PIMS.NOPE-01", status: "implemented", note: "", evidenceIds: [] }]));
    await answerAll(w, merchant, appId);
    await w.certification.transition(merchant, appId, "submit");
    await refused("invalid_transition", () => answerAll(w, merchant, appId));
  });

  test("team: conflict-of-interest check; wrong grade for lead; other body's auditors", async () => {
    await w.certification.transition(body.admin, appId, "start_intake");
    const conflicted = await w.accreditation.addAuditor(body.admin, { name: "Consultant", grade: "lead_auditor", qualifications: [], trainingHours: 8 });
    await w.accreditation.declareConflict(body.admin, conflicted.id, { orgId: merchant.orgId, reason: "consulted for this shop in 2026" });
    const before = await rows("cert_team");
    const e = await refused("conflict", () => w.certification.assignTeam(body.admin, appId, [{ auditorId: conflicted.id, lead: true }]));
    assert.match(e.message, /conflict of interest/);
    await refused("validation", () => w.certification.assignTeam(body.admin, appId, [{ auditorId: body.auditorId, lead: true }]));
    const other = await accreditedBody(w);
    await refused("validation", () => w.certification.assignTeam(body.admin, appId, [{ auditorId: other.leadId, lead: true }]));
    // an auditor not (yet) on the team does not see the application at all
    await refused("not_found", () => w.certification.assignTeam(body.lead, appId, [{ auditorId: body.leadId, lead: true }]));
    assert.equal(await rows("cert_team"), before);
    // intake cannot be accepted before a checked team exists
    await refused("invalid_transition", () => w.certification.transition(body.admin, appId, "intake_accepted"));
    await w.certification.assignTeam(body.admin, appId, [{ auditorId: body.leadId, lead: true }, { auditorId: body.auditorId, lead: false }]);
    await w.certification.transition(body.admin, appId, "intake_accepted");
  });

  test("audit: only the lead closes steps; results per requirement; findings become corrective actions", async () => {
    await refused("forbidden", () => w.certification.transition(merchant, appId, "doc_review_done"));
    await refused("forbidden", () => w.certification.transition(body.auditor, appId, "doc_review_done"));
    await w.certification.transition(body.lead, appId, "doc_review_done");
    await refused("forbidden", () => w.certification.recordResults(merchant, appId, [{ requirementId: "TW-PIMS.GOV-01", result: "conforming", note: "" }]));
    await conformAll(w, body.auditor, appId);
    await w.certification.recordResults(body.auditor, appId, [{ requirementId: "TW-PIMS.DSR-02", result: "minor_nc", note: "replies take 25 days" }]);
    await refused("invalid_transition", () => w.certification.transition(body.lead, appId, "audit_done_no_findings"));
    await w.certification.transition(body.lead, appId, "audit_done_with_findings");
    const [ca] = await w.certification.correctiveActions(merchant, appId);
    assert.ok(ca);
    assert.equal(ca.grade, "minor");
    assert.equal(ca.dueAt.getTime(), w.clock.now().getTime() + 90 * DAY);
  });

  test("corrective-action round: returned, re-findings with a new deadline, then verified", async () => {
    const [ca] = await w.certification.correctiveActions(merchant, appId);
    assert.ok(ca);
    await w.certification.submitCorrectiveAction(merchant, appId, ca.id, { owner: "DPO", response: "new SOP", evidenceIds: [] });
    await refused("forbidden", () => w.certification.verifyCorrectiveAction(merchant, appId, ca.id, { accept: true, verification: "" }));
    await w.certification.verifyCorrectiveAction(body.auditor, appId, ca.id, { accept: false, verification: "SOP not yet in use" });
    await refused("invalid_transition", () => w.certification.transition(body.auditor, appId, "ca_accepted"));
    w.clock.advance(10 * DAY);
    await w.certification.transition(body.auditor, appId, "ca_rejected", { reason: "re-finding: show the SOP in use" });
    const [again] = await w.certification.correctiveActions(merchant, appId);
    assert.equal(again?.dueAt.getTime(), w.clock.now().getTime() + 30 * DAY);
    await w.certification.submitCorrectiveAction(merchant, appId, ca.id, { owner: "DPO", response: "request log attached", evidenceIds: [] });
    await w.certification.verifyCorrectiveAction(body.lead, appId, ca.id, { accept: true, verification: "log shows 10-day replies" });
    await w.certification.transition(body.auditor, appId, "ca_accepted");
  });

  test("decision by someone not on the audit team; activation needs agreement and fee; mark number", async () => {
    // a body administrator who also audited this application may not decide
    const dual = buildActor("certification_body", "cb_admin", body.admin.orgId);
    const rec = await w.accreditation.addAuditor(body.admin, { name: "Dual", userId: dual.userId, grade: "auditor", qualifications: [], trainingHours: 1 });
    await w.database.query("insert into cert_team (application_id, auditor_id, user_id, lead, assigned_at) values ($1, $2, $3, false, now())", [appId, rec.id, dual.userId]);
    await refused("invalid_transition", () => w.certification.transition(dual, appId, "grant", { reason: "ok" }));
    await refused("invalid_transition", () => w.certification.transition(body.admin, appId, "grant", { reason: "" }));
    await w.certification.transition(body.admin, appId, "grant", { reason: "committee 2027-02: all requirements met" });
    await refused("invalid_transition", () => w.certification.transition(body.admin, appId, "activate"));
    await w.certification.recordAgreement(body.admin, appId, { agreementSigned: true, feePaid: true });
    const app = await w.certification.transition(body.admin, appId, "activate");
    assert.equal(app.status, "active");
    assert.equal(app.markNumber, "TWPIMS-000001-01");
    assert.equal(app.validTo?.getTime(), addMonths(app.validFrom ?? new Date(0), 24).getTime());
    const mark = await w.certification.getMark("TWPIMS-000001-01");
    assert.equal(mark.status, "active");
    assert.equal(mark.holderOrgId, merchant.orgId);
    assert.deepEqual((await w.certification.listMarksForOrg(merchant.orgId)).map((m) => m.markNumber), ["TWPIMS-000001-01"]);
    assert.deepEqual(w.markChanges.map((c) => [c.event, c.previous, c.mark.status]), [["activate", null, "active"]]);
  });

  test("renewal only inside the window; a renewed mark counts up and follows on", async () => {
    await refused("invalid_transition", () => w.certification.transition(merchant, appId, "renewal_submitted"));
    const app0 = await w.certification.get(merchant, appId);
    const validTo = app0.validTo ?? new Date(0);
    w.clock.set(addMonths(validTo, -7));
    await w.certification.transition(merchant, appId, "renewal_submitted");
    assert.equal((await w.certification.getMark("TWPIMS-000001-01")).status, "active", "the mark stays valid during renewal");
    await w.certification.assignTeam(body.admin, appId, [{ auditorId: body.leadId, lead: true }]);
    await w.certification.transition(body.admin, appId, "intake_accepted");
    await w.certification.transition(body.lead, appId, "doc_review_done");
    await conformAll(w, body.lead, appId);
    await w.certification.transition(body.lead, appId, "audit_done_no_findings");
    const renewed = await w.certification.transition(body.admin, appId, "grant", { reason: "renewal granted" });
    assert.equal(renewed.status, "active");
    assert.equal(renewed.markNumber, "TWPIMS-000001-02");
    assert.equal(renewed.validFrom?.getTime(), validTo.getTime());
    assert.equal(renewed.validTo?.getTime(), addMonths(validTo, 24).getTime());
  });

  test("sanctions: caution flag, suspension within its level, lifted, revoked; reapplication barred", async () => {
    await refused("invalid_transition", () => w.certification.transition(body.admin, appId, "sanction_caution", { reason: "late incident report", level: 9 }));
    await w.certification.transition(body.admin, appId, "sanction_caution", { reason: "late incident report", level: 2 });
    await refused("invalid_transition", () => w.certification.transition(body.admin, appId, "sanction_suspend", { reason: "breach", level: 8, months: 9 }));
    await w.certification.transition(body.admin, appId, "sanction_suspend", { reason: "breach of 2,000 records", level: 8, months: 3 });
    assert.equal((await w.certification.getMark("TWPIMS-000001-02")).status, "suspended");
    await w.certification.transition(body.admin, appId, "suspension_lifted", { reason: "corrective evidence verified" });
    const authority = buildActor("authority", "authority_admin");
    await w.certification.transition(authority, appId, "sanction_revoke", { reason: "repeated breach", level: 10 });
    assert.deepEqual(w.markChanges.slice(-3).map((c) => c.mark.status), ["suspended", "active", "revoked"]);
    await refused("conflict", () => w.certification.apply(merchant, { scheme: "tw-pims", cbOrgId: body.admin.orgId, scope: "again" }));
    w.clock.advance(366 * DAY);
    await w.certification.apply(merchant, { scheme: "tw-pims", cbOrgId: body.admin.orgId, scope: "again, after the bar" });
  });

  test("every transition is recorded with actor and reason, and in the audit trail", async () => {
    const events = await w.certification.events(merchant, appId);
    assert.equal(events.length, 18);
    assert.ok(events.every((e) => e.actorKind === "user"));
    const audit = await w.database.query<{ n: number }>("select count(*)::int as n from audit_log where object_id = $1 and action like 'certification.%'", [appId]);
    assert.ok((audit.rows[0]?.n ?? 0) >= events.length);
  });
});

describe("timers", () => {
  test("renewal reminders at −8/−6/−4 months, once each; expiry at valid_to; alarms and mail", async () => {
    const shop = buildActor("merchant", "merchant_admin");
    const id = await driveToActive(w, body, shop);
    const app = await w.certification.get(shop, id);
    const validTo = app.validTo ?? new Date(0);
    w.clock.set(addMonths(validTo, -8));
    assert.equal((await w.timers.sweep()).alarms, 1);
    assert.equal((await w.timers.sweep()).alarms, 0, "idempotent");
    w.clock.set(addMonths(validTo, -6));
    await w.timers.sweep();
    w.clock.set(addMonths(validTo, -4));
    await w.timers.sweep();
    const kinds = (await w.timers.openAlarms({ merchantOrgId: shop.orgId })).map((a) => a.kind);
    assert.deepEqual(kinds, ["renewal_reminder_8", "renewal_reminder_6", "renewal_reminder_4"]);
    assert.ok(w.notices.some((n) => n.orgId === shop.orgId && n.vars.kind === "renewal_reminder"));
    assert.ok(w.notices.some((n) => n.orgId === body.admin.orgId));
    w.clock.set(validTo);
    const r = await w.timers.sweep();
    assert.deepEqual(r, { alarms: 1, transitions: 1, errors: 0 });
    assert.equal((await w.certification.get(shop, id)).status, "expired");
    assert.equal(w.markChanges.at(-1)?.mark.status, "expired");
  });

  test("a missed corrective-action deadline ends a P-Mark-style application", async () => {
    body = await accreditedBody(w);
    const shop = buildActor("merchant", "merchant_admin");
    const c = w.certification;
    const app = await c.apply(shop, { scheme: "tw-pims", cbOrgId: body.admin.orgId, scope: "shop" });
    await answerAll(w, shop, app.id);
    await c.transition(shop, app.id, "submit");
    await c.transition(body.admin, app.id, "start_intake");
    await c.assignTeam(body.admin, app.id, [{ auditorId: body.leadId, lead: true }]);
    await c.transition(body.admin, app.id, "intake_accepted");
    await c.transition(body.lead, app.id, "doc_review_done");
    await conformAll(w, body.lead, app.id);
    await c.recordResults(body.lead, app.id, [{ requirementId: "TW-PIMS.SEC-01", result: "major_nc", note: "shared admin account" }]);
    await c.transition(body.lead, app.id, "audit_done_with_findings");
    const [ca] = await c.correctiveActions(shop, app.id);
    assert.ok(ca);
    w.clock.set(new Date(ca.dueAt.getTime() + 1000));
    await refused("invalid_transition", () => c.submitCorrectiveAction(shop, app.id, ca.id, { owner: "IT", response: "late", evidenceIds: [] }));
    await w.timers.sweep();
    assert.equal((await c.get(shop, app.id)).status, "withdrawn");
    const alarms = await w.database.query<{ kind: string }>("select kind from cert_alarms where application_id = $1", [app.id]);
    assert.deepEqual(alarms.rows.map((a) => a.kind), ["ca_overdue"]);
  });
});
