// After the grant, on a real database: change reports (filed by the holder, reviewed by the body)
// and consumer complaints (filed publicly, answered by the holder, determined by the body, a
// sanction through the lifecycle in the same transaction).
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, test } from "node:test";
import { AppError } from "../../platform/errors.ts";
import { accreditedBody, buildActor, buildCertWorld, driveToActive, type Body, type CertWorld } from "./testing.ts";

let w: CertWorld;
let body: Body;
let other: Body;
const merchant = buildActor("merchant", "merchant_admin");
const staff = buildActor("merchant", "merchant_staff", merchant.orgId);
const stranger = buildActor("merchant", "merchant_admin");
const authority = buildActor("authority", "authority_admin");
const anonymous = { kind: "anonymous" } as const;
let appId = "";
let markNumber = "";

before(async () => {
  w = await buildCertWorld();
  body = await accreditedBody(w);
  other = await accreditedBody(w);
  appId = await driveToActive(w, body, merchant);
  markNumber = (await w.certification.get(merchant, appId)).markNumber ?? "";
});
after(async () => w.close());

async function refused(p: Promise<unknown>, code: AppError["code"]): Promise<void> {
  await assert.rejects(p, (e: unknown) => e instanceof AppError && e.code === code);
}
const count = async (table: string): Promise<number> => (await w.database.query<{ n: number }>(`select count(*)::int as n from ${table}`)).rows[0]?.n ?? -1;
const change = { kind: "scope" as const, before: "online shop", after: "online shop and mobile app", effectiveOn: "2027-03-01", reason: "new app launched", evidenceIds: [] };

test("the holder files a change; the body accepts it (scope follows) or requires a re-audit (alarm)", async () => {
  const ch = w.records.changes;
  const events0 = await count("cert_events");
  const report = await ch.file(merchant, appId, change);
  assert.equal(report.status, "submitted");
  assert.equal((await count("cert_events")) - events0, 1, "the lifecycle's change_report event is recorded");
  assert.equal((await w.certification.get(merchant, appId)).status, "active");
  // refusals: staff, another merchant, the wrong body, no change at all, a decided report
  const n = await count("cert_change_reports");
  await refused(ch.file(staff, appId, change), "forbidden");
  await refused(ch.file(stranger, appId, change), "not_found");
  await refused(ch.file(merchant, appId, { ...change, after: change.before }), "validation");
  await refused(ch.review(other.admin, appId, report.id, { decision: "accept", note: "ok" }), "not_found");
  await refused(ch.review(merchant, appId, report.id, { decision: "accept", note: "ok" }), "forbidden");
  await refused(ch.review(body.admin, appId, randomUUID(), { decision: "accept", note: "ok" }), "not_found");
  assert.equal(await count("cert_change_reports"), n);
  const accepted = await ch.review(body.admin, appId, report.id, { decision: "accept", note: "scope extended; covered by the same PIMS" });
  assert.equal(accepted.status, "accepted");
  assert.equal((await w.certification.get(merchant, appId)).scope, "online shop and mobile app");
  await refused(ch.review(body.admin, appId, report.id, { decision: "require_reaudit", note: "again" }), "invalid_transition");

  const manager = await ch.file(merchant, appId, { ...change, kind: "pims_manager", before: "王大明", after: "李小華", reason: "staff change" });
  await ch.review(body.admin, appId, manager.id, { decision: "require_reaudit", note: "new manager: interview on site" });
  assert.ok((await w.timers.openAlarms({ cbOrgId: body.admin.orgId })).some((a) => a.kind === "change_reaudit" && a.applicationId === appId));
  assert.equal((await ch.list(body.admin, { status: "reaudit_required", limit: 10, offset: 0 })).length, 1);
  assert.equal((await ch.list(other.admin, { limit: 10, offset: 0 })).length, 0);
});

test("a complaint: filed publicly, answered by the holder, upheld with a suspension through the lifecycle", async () => {
  const cp = w.records.complaints;
  const receipt = await cp.file(anonymous, { markNumber, category: "unwanted_marketing", description: "I unsubscribed in March and still get SMS every week.", name: "陳小姐", email: "chen@example.com" });
  assert.match(receipt.reference, /^C-[0-9A-HJKMNP-TV-Z]{8}$/);
  // the complainant gets a receipt; the body's and the holder's administrators a notice
  assert.deepEqual(w.mails.map((m) => [m.to, m.template, m.vars.stage, m.vars.reference]), [["chen@example.com", "certification.complaint_receipt", "filed", receipt.reference]]);
  assert.deepEqual(w.notices.filter((n) => n.template === "certification.complaint_notice").map((n) => n.orgId).sort(), [body.admin.orgId, merchant.orgId].sort());
  // no mark, or a mark number that does not exist: refused, nothing written
  const n = await count("cert_complaints");
  await refused(cp.file(anonymous, { markNumber: "TWPIMS-999999-01", category: "other", description: "x".repeat(30), name: "x", email: "x@example.com" }), "validation");
  assert.equal(await count("cert_complaints"), n);

  const [c] = (await cp.list(body.admin, { limit: 10, offset: 0 })).items;
  assert.ok(c);
  assert.equal(c.complainantEmail, "chen@example.com", "the body sees the contact");
  const holderView = await cp.get(merchant, c.id);
  assert.equal(holderView.complainantEmail, null, "the holder does not");
  assert.equal(holderView.complainantName, null);
  await refused(cp.get(stranger, c.id), "not_found");
  await refused(cp.get(other.admin, c.id), "not_found");
  assert.equal((await cp.list(other.admin, { limit: 10, offset: 0 })).total, 0);

  await refused(cp.respond(staff, c.id, "we will check"), "forbidden");
  await cp.respond(merchant, c.id, "The opt-out list did not reach our SMS vendor; fixed on 2027-01-10.");
  // a dismissal cannot carry a sanction; a merchant cannot determine; a wrong level is refused by the lifecycle guard and nothing is written
  await refused(cp.determine(body.admin, c.id, { outcome: "dismissed", determination: "no", sanction: { event: "sanction_caution", level: 1 } }), "validation");
  await refused(cp.determine(merchant, c.id, { outcome: "dismissed", determination: "not our fault" }), "forbidden");
  const events0 = await count("cert_events");
  await refused(cp.determine(body.admin, c.id, { outcome: "upheld", determination: "marketing after opt-out", sanction: { event: "sanction_suspend", level: 1, months: 3 } }), "invalid_transition");
  assert.equal((await cp.get(body.admin, c.id)).status, "responded", "the refused sanction left the complaint undetermined");
  assert.equal(await count("cert_events"), events0);

  const hooks0 = w.markChanges.length;
  const decided = await cp.determine(body.admin, c.id, { outcome: "upheld", determination: "marketing after opt-out, 4 weeks", sanction: { event: "sanction_suspend", level: 8, months: 3 } });
  assert.deepEqual([decided.status, decided.sanctionEvent], ["upheld", "sanction_suspend"]);
  const app = await w.certification.get(merchant, appId);
  assert.equal(app.status, "suspended");
  const [last] = (await w.certification.events(body.admin, appId)).slice(-1);
  assert.match(last?.reason ?? "", new RegExp(`complaint ${receipt.reference}`));
  assert.equal(w.markChanges.length - hooks0, 1, "the mark hook ran after the commit");
  await refused(cp.determine(authority, c.id, { outcome: "dismissed", determination: "again" }), "invalid_transition");

  // a suspended mark still takes complaints; the authority may determine them
  const second = await cp.file(anonymous, { markNumber, category: "data_breach", description: "My order details were visible to another customer.", name: "林先生", email: "lin@example.com" });
  const [c2] = (await cp.list(authority, { status: "received", limit: 10, offset: 0 })).items;
  assert.equal(c2?.reference, second.reference);
  await cp.determine(authority, c2.id, { outcome: "dismissed", determination: "not substantiated" });
});

test("incident reports: quick (late ones flagged with an alarm), confirmed, prevention, closed by the body; in order, by the right people", async () => {
  const inc = w.records.incidents;
  // the mark was suspended by the complaint above; a suspended holder still reports
  const now = w.clock.now();
  const hours = (h: number): Date => new Date(now.getTime() - h * 3_600_000);
  const base = { title: "訂單匯出檔誤寄 Order export sent to the wrong vendor", occurredAt: hours(100), recordsAffected: 1_200, specialData: false, text: "Export of 1,200 orders e-mailed to the wrong logistics vendor; recalled and deleted." };
  const onTime = await inc.report(merchant, appId, { ...base, discoveredAt: hours(2) });
  assert.deepEqual([onTime.stage, onTime.lateQuickReport], ["quick", false]);
  assert.ok(w.notices.some((n) => n.template === "certification.incident_notice" && n.orgId === body.admin.orgId));
  const late = await inc.report(merchant, appId, { ...base, discoveredAt: hours(73) });
  assert.equal(late.lateQuickReport, true, "tw-pims asks for the quick report within 72 hours of discovery");
  assert.ok((await w.timers.openAlarms({ cbOrgId: body.admin.orgId })).some((a) => a.kind === "incident_late_report"));

  const n = await count("cert_incidents");
  await refused(inc.report(staff, appId, { ...base, discoveredAt: hours(1) }), "forbidden");
  await refused(inc.report(stranger, appId, { ...base, discoveredAt: hours(1) }), "not_found");
  await refused(inc.report(merchant, appId, { ...base, discoveredAt: new Date(now.getTime() + 3_600_000) }), "validation");
  await refused(inc.report(merchant, appId, { ...base, occurredAt: hours(1), discoveredAt: hours(2) }), "validation");
  assert.equal(await count("cert_incidents"), n);

  await refused(inc.followUp(merchant, onTime.id, { stage: "prevention", text: "skipping the confirmed report" }), "invalid_transition");
  await refused(inc.close(body.admin, onTime.id, "too early"), "invalid_transition");
  await inc.followUp(merchant, onTime.id, { stage: "confirmed", text: "Confirmed: 1,200 orders, names and addresses." });
  await inc.followUp(merchant, onTime.id, { stage: "prevention", text: "Vendor address book locked; exports need a second person." });
  await refused(inc.close(other.admin, onTime.id, "not mine"), "not_found");
  await refused(inc.close(merchant, onTime.id, "self-closing"), "forbidden");
  const closed = await inc.close(body.admin, onTime.id, "Measures verified at a special audit; caution level 1 considered and not issued.");
  assert.deepEqual([closed.stage, closed.reports.map((r) => r.stage)], ["closed", ["quick", "confirmed", "prevention"]]);
  assert.equal((await inc.list(body.admin, { open: true, limit: 10, offset: 0 })).length, 1);
  assert.equal((await inc.list(other.admin, { limit: 10, offset: 0 })).length, 0);
  assert.equal((await inc.listForApplication(merchant, appId)).length, 2);
});
