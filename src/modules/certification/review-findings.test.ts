// Security review findings, each a regression test on a real database: a mark shown on another
// merchant's shop, a body acting after its accreditation ended, a suspended auditor still
// auditing, and an inventory workbook that repeats a row number to get past the row limit.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { Readable } from "node:stream";
import { after, before, test } from "node:test";
import ExcelJS from "exceljs";
import JSZip from "jszip";
import { eq } from "drizzle-orm";
import { AppError } from "../../platform/errors.ts";
import { certApplications } from "./certification.tables.ts";
import { MAX_INVENTORY_ROWS } from "./inventory.io.ts";
import { xlsxRecords } from "./inventory.service.ts";
import { accreditedBody, answerAll, buildActor, buildCertWorld, conformAll, driveToActive, type Body, type CertWorld } from "./testing.ts";

let w: CertWorld;
let body: Body;
const authority = buildActor("authority", "authority_admin");

before(async () => {
  w = await buildCertWorld();
  body = await accreditedBody(w);
});
after(async () => w.close());

async function refused(p: Promise<unknown>, code: AppError["code"]): Promise<void> {
  await assert.rejects(p, (e: unknown) => e instanceof AppError && e.code === code, `expected ${code}`);
}

/** Draft → document_review, audited by the body's lead (and its auditor, unless `leadOnly`). */
async function toDocumentReview(b: Body, merchant: ReturnType<typeof buildActor>, leadOnly = false): Promise<string> {
  const c = w.certification;
  const app = await c.apply(merchant, { scheme: "tw-pims", cbOrgId: b.admin.orgId, scope: "online shop" });
  await answerAll(w, merchant, app.id);
  await c.transition(merchant, app.id, "submit");
  await c.transition(b.admin, app.id, "start_intake");
  await c.assignTeam(b.admin, app.id, [{ auditorId: b.leadId, lead: true }, ...(leadOnly ? [] : [{ auditorId: b.auditorId, lead: false }])]);
  await c.transition(b.admin, app.id, "intake_accepted");
  return app.id;
}

/** Draft → decision_pending without findings. */
async function toDecision(b: Body, merchant: ReturnType<typeof buildActor>): Promise<string> {
  const c = w.certification;
  const app = { id: await toDocumentReview(b, merchant) };
  await c.transition(b.lead, app.id, "doc_review_done");
  await conformAll(w, b.lead, app.id);
  await c.transition(b.lead, app.id, "audit_done_no_findings");
  return app.id;
}

test("a merchant cannot put its mark on another merchant's shop (public certificate, shop page, report)", async () => {
  const victim = buildActor("merchant", "merchant_admin");
  const victimShop = { id: randomUUID(), orgId: victim.orgId, nameZh: "老字號商店", nameEn: "Famous Old Shop" };
  w.names.shops.set(victimShop.id, victimShop);
  const attacker = buildActor("merchant", "merchant_admin");
  const attackerShop = { id: randomUUID(), orgId: attacker.orgId, nameZh: "新店", nameEn: "New Shop" };
  w.names.shops.set(attackerShop.id, attackerShop);

  // the attacker names the victim's shop in its own application: refused
  await refused(w.certification.apply(attacker, { scheme: "tw-pims", cbOrgId: body.admin.orgId, scope: "online shop", shopId: victimShop.id }), "validation");
  await refused(w.certification.apply(attacker, { scheme: "tw-pims", cbOrgId: body.admin.orgId, scope: "online shop", shopId: randomUUID() }), "validation");
  // its own shop is accepted
  const appId = (await w.certification.apply(attacker, { scheme: "tw-pims", cbOrgId: body.admin.orgId, scope: "online shop", shopId: attackerShop.id })).id;
  // drive it to an active mark with the ordinary steps
  const c = w.certification;
  await answerAll(w, attacker, appId);
  await c.transition(attacker, appId, "submit");
  await c.transition(body.admin, appId, "start_intake");
  await c.assignTeam(body.admin, appId, [{ auditorId: body.leadId, lead: true }, { auditorId: body.auditorId, lead: false }]);
  await c.transition(body.admin, appId, "intake_accepted");
  await c.transition(body.lead, appId, "doc_review_done");
  await conformAll(w, body.lead, appId);
  await c.transition(body.lead, appId, "audit_done_no_findings");
  await c.transition(body.admin, appId, "grant", { reason: "committee: all requirements met" });
  await c.recordAgreement(body.admin, appId, { agreementSigned: true, feePaid: true });
  await c.transition(body.admin, appId, "activate");
  const markNumber = (await c.get(attacker, appId)).markNumber ?? "";
  // an application written before apply checked the shop may still name another merchant's:
  // what the public pages show must not follow it
  await w.database.db.update(certApplications).set({ shopId: victimShop.id }).where(eq(certApplications.id, appId));

  // the victim's public shop page must not list the attacker's mark
  const onVictim = await w.records.certificates.marksForShop(victimShop.id);
  assert.deepEqual(onVictim.map((m) => m.markNumber), [], "the victim's shop page lists a mark the victim does not hold");
  // the public certificate must not name the victim's shop as the holder
  const cert = await w.records.certificates.certificate(markNumber);
  assert.notEqual(cert.holder.shopId, victimShop.id);
  assert.notEqual(cert.holder.nameZh, victimShop.nameZh);
  // nor the audit report
  const html = await w.records.reports.html(attacker, appId);
  assert.ok(!html.includes(victimShop.nameZh), "the audit report names the victim as the applicant");
});

test("a body whose accreditation is suspended, withdrawn or expired cannot grant or activate marks", async () => {
  const b = await accreditedBody(w);
  const [acc] = await w.accreditation.listAccreditations(b.admin, {});
  assert.ok(acc);
  const m1 = buildActor("merchant", "merchant_admin");
  const m2 = buildActor("merchant", "merchant_admin");
  const app1 = await toDecision(b, m1);
  const app2 = await toDecision(b, m2);
  await w.certification.transition(b.admin, app2, "grant", { reason: "committee: all requirements met" });
  await w.certification.recordAgreement(b.admin, app2, { agreementSigned: true, feePaid: true });

  await w.accreditation.decideAccreditation(authority, acc.id, "suspend", { reason: "impartiality breach found" });
  await refused(w.certification.transition(b.admin, app1, "grant", { reason: "committee: all requirements met" }), "invalid_transition");
  await refused(w.certification.transition(b.admin, app2, "activate"), "invalid_transition");
  assert.equal((await w.certification.get(b.admin, app1)).status, "decision_pending");
  assert.equal((await w.certification.get(b.admin, app2)).status, "approved_pending_activation");

  // reinstated: the body decides again
  await w.accreditation.decideAccreditation(authority, acc.id, "reinstate", { reason: "corrective actions verified" });
  await w.certification.transition(b.admin, app1, "grant", { reason: "committee: all requirements met" });

  // expired: past the accreditation's validity (48 months in accreditedBody)
  const saved = w.clock.now();
  w.clock.set(new Date(saved.getTime() + 49 * 31 * 86_400_000));
  try {
    await refused(w.certification.transition(b.admin, app2, "activate"), "invalid_transition");
  } finally {
    w.clock.set(saved);
  }

  await w.accreditation.decideAccreditation(authority, acc.id, "withdraw", { reason: "accreditation withdrawn" });
  await refused(w.certification.transition(b.admin, app2, "activate"), "invalid_transition");
});

test("an auditor the body has suspended no longer acts on the audits it was assigned to", async () => {
  const b = await accreditedBody(w);
  const merchant = buildActor("merchant", "merchant_admin");
  const c = w.certification;
  const app = { id: await toDocumentReview(b, merchant) };
  await w.accreditation.updateAuditor(b.admin, b.leadId, { status: "suspended" });
  await refused(c.transition(b.lead, app.id, "doc_review_done"), "forbidden");
  await w.accreditation.updateAuditor(b.admin, b.auditorId, { status: "lapsed" });
  await refused(conformAll(w, b.auditor, app.id), "forbidden");
  assert.equal((await c.get(b.admin, app.id)).status, "document_review");
});

test("an auditor who declares a conflict of interest with the applicant after being assigned takes no further part", async () => {
  const b = await accreditedBody(w);
  const merchant = buildActor("merchant", "merchant_admin");
  const c = w.certification;
  const app = { id: await toDocumentReview(b, merchant) };
  await w.accreditation.declareConflict(b.admin, b.auditorId, { orgId: merchant.orgId, reason: "former employee of the applicant" });
  await refused(conformAll(w, b.auditor, app.id), "forbidden");
  // still reads the application it was on
  assert.equal((await c.get(b.auditor, app.id)).status, "document_review");
  // the lead, without a conflict, goes on
  await c.transition(b.lead, app.id, "doc_review_done");
});

test("when the auditors of an audit in corrective action are suspended, the body assigns another team, which verifies", async () => {
  const b = await accreditedBody(w);
  const merchant = buildActor("merchant", "merchant_admin");
  const c = w.certification;
  const app = { id: await toDocumentReview(b, merchant, true) };
  await c.transition(b.lead, app.id, "doc_review_done");
  await conformAll(w, b.lead, app.id);
  await c.recordResults(b.lead, app.id, [{ requirementId: "TW-PIMS.DSR-02", result: "minor_nc", note: "replies take 25 days" }]);
  await c.transition(b.lead, app.id, "audit_done_with_findings");
  const [ca] = await c.correctiveActions(merchant, app.id);
  assert.ok(ca);
  await c.submitCorrectiveAction(merchant, app.id, ca.id, { owner: "DPO", response: "new SOP", evidenceIds: [] });
  await w.accreditation.updateAuditor(b.admin, b.leadId, { status: "suspended" });
  await refused(c.verifyCorrectiveAction(b.lead, app.id, ca.id, { accept: true, verification: "ok" }), "forbidden");
  // the body puts another lead auditor on it (b.auditor is made a lead for this)
  await w.accreditation.updateAuditor(b.admin, b.auditorId, { grade: "lead_auditor" });
  await c.assignTeam(b.admin, app.id, [{ auditorId: b.auditorId, lead: true }]);
  await c.verifyCorrectiveAction(b.auditor, app.id, ca.id, { accept: true, verification: "log shows 10-day replies" });
  await c.transition(b.auditor, app.id, "ca_accepted");
  assert.equal((await c.get(b.admin, app.id)).status, "decision_pending");
});

test("an inventory workbook that repeats a row number is still held to the row limit while it is read", async () => {
  const wb = new ExcelJS.Workbook();
  wb.addWorksheet("x").addRow(["a"]);
  const zip = await JSZip.loadAsync(Buffer.from(await wb.xlsx.writeBuffer()));
  const name = Object.keys(zip.files).find((n) => /worksheets\/sheet1\.xml$/.test(n));
  assert.ok(name);
  const xml = await zip.file(name)?.async("string");
  assert.ok(xml);
  // every row claims to be row 2: the row-number check never fires, the records pile up
  const rows = Array.from({ length: MAX_INVENTORY_ROWS + 500 }, () => `<row r="2"><c r="A2" t="inlineStr"><is><t>x</t></is></c></row>`).join("");
  zip.file(name, xml.replace(/<sheetData>[\s\S]*<\/sheetData>|<sheetData\/>/, `<sheetData>${rows}</sheetData>`));
  const bytes = await zip.generateAsync({ type: "nodebuffer", compression: "DEFLATE" });
  await assert.rejects(xlsxRecords(Readable.from([bytes])), (e: unknown) => e instanceof AppError && e.code === "validation" && /more than|repeated/.test(JSON.stringify(e.fields)));
});

test("driveToActive still works (control)", async () => {
  const merchant = buildActor("merchant", "merchant_admin");
  const id = await driveToActive(w, body, merchant);
  assert.equal((await w.certification.get(merchant, id)).status, "active");
});
