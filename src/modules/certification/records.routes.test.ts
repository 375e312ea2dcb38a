// The certification records API through HTTP: the audit report page under the strict CSP and its
// workbook (readers: body, team, applicant — others refused), inventory input validation,
// the public complaint form and the public certificate. Bad input answers problem+json and
// writes nothing.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import ExcelJS from "exceljs";
import { buildTestApp, Client, seedOrg, signedInClient, type SeededOrg, type TestApp } from "../../platform/testing/http.ts";
import { certificationRoutes } from "./certification.routes.ts";
import type { AccreditationService } from "./accreditation.service.ts";
import type { CertificationService } from "./certification.service.ts";
import { createCertificationRecords } from "./records.ts";
import { certificationRecordsRoutes } from "./records.routes.ts";
import { buildActor, buildCertServices } from "./testing.ts";
import { createEvidenceService } from "../../platform/storage/evidence.service.ts";
import { createLocalStorage } from "../../platform/storage/storage.ts";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

let t: TestApp;
let cert: CertificationService;
let authority: SeededOrg;
let cb: SeededOrg;
let shop: SeededOrg;
let otherShop: SeededOrg;
let appId = "";
let markNumber = "";
let requirementIds: string[] = [];
const root = mkdtempSync(join(tmpdir(), "ectrust-records-http-"));
const B = "/api/v1/certification";

before(async () => {
  t = await buildTestApp({
    register: async (app, p) => {
      const services = await buildCertServices(p.database.db, p.clock);
      ({ certification: cert, requirementIds } = services);
      const { schemes, accreditation, timers } = services;
      const evidence = createEvidenceService({ db: p.database.db, clock: p.clock, storage: createLocalStorage(root), maxBytes: 1024 * 1024 });
      const directory = { organisation: async () => ({ nameZh: "測試", nameEn: "Test" }), shop: async () => undefined, shopOfOrg: async () => undefined };
      const records = createCertificationRecords({ db: p.database.db, clock: p.clock, certification: cert, schemes, evidence, directory, notifier: { prepare: async () => async () => undefined }, mail: { enqueue: async () => undefined } });
      await app.register(certificationRoutes, { certification: cert, accreditation, timers, orgNames: (ids) => p.accounts.orgNames(ids) });
      await app.register(certificationRecordsRoutes, { ...records, orgNames: (ids) => p.accounts.orgNames(ids) });
      Object.assign(world, { accreditation });
    },
  });
  authority = await seedOrg(t.accounts, "authority", "Authority", [{ key: "admin", role: "authority_admin", mfa: true }]);
  cb = await seedOrg(t.accounts, "certification_body", "Body", [
    { key: "admin", role: "cb_admin", mfa: true },
    { key: "lead", role: "auditor", mfa: true },
    { key: "outsider", role: "auditor", mfa: true },
  ]);
  shop = await seedOrg(t.accounts, "merchant", "Shop", [{ key: "owner", role: "merchant_admin" }]);
  otherShop = await seedOrg(t.accounts, "merchant", "Other shop", [{ key: "owner", role: "merchant_admin" }]);
  await driveToFindings();
});
after(async () => {
  await t.close();
  rmSync(root, { recursive: true, force: true });
});

const world: { accreditation?: AccreditationService } = {};
const actorOf = (org: SeededOrg, key: string, kind: "merchant" | "certification_body" | "authority", role: "merchant_admin" | "cb_admin" | "auditor" | "authority_admin") =>
  buildActor(kind, role, org.orgId, org.users[key]?.id ?? "");

/** Through the services: an application with one hostile minor finding, in corrective action. */
async function driveToFindings(): Promise<void> {
  const acc = world.accreditation;
  assert.ok(acc);
  const cbAdmin = actorOf(cb, "admin", "certification_body", "cb_admin");
  const lead = actorOf(cb, "lead", "certification_body", "auditor");
  const owner = actorOf(shop, "owner", "merchant", "merchant_admin");
  const authorityAdmin = actorOf(authority, "admin", "authority", "authority_admin");
  const a = await acc.applyForAccreditation(cbAdmin, { scheme: "tw-pims", scope: "all" });
  await acc.decideAccreditation(authorityAdmin, a.id, "start_assessment", { reason: "complete" });
  await acc.decideAccreditation(authorityAdmin, a.id, "accredit", { reason: "passed", validMonths: 48 });
  const l = await acc.addAuditor(cbAdmin, { name: "Lead <b>Auditor</b>", userId: lead.userId, grade: "lead_auditor", qualifications: [], trainingHours: 40 });
  await acc.addAuditor(cbAdmin, { name: "Outsider", userId: cb.users.outsider?.id, grade: "auditor", qualifications: [], trainingHours: 1 });
  appId = (await cert.apply(owner, { scheme: "tw-pims", cbOrgId: cb.orgId, scope: "www.shop.example" })).id;
  await cert.saveSelfAssessment(owner, appId, requirementIds.map((requirementId) => ({ requirementId, status: "implemented" as const, note: "", evidenceIds: [] })));
  await cert.transition(owner, appId, "submit");
  await cert.transition(cbAdmin, appId, "start_intake");
  await cert.assignTeam(cbAdmin, appId, [{ auditorId: l.id, lead: true }]);
  await cert.transition(cbAdmin, appId, "intake_accepted");
  await cert.transition(lead, appId, "doc_review_done");
  await cert.recordResults(lead, appId, requirementIds.map((requirementId, i) => (i === 0 ? { requirementId, result: "minor_nc" as const, note: "<script>alert(1)</script> policy not dated" } : { requirementId, result: "conforming" as const, note: "" })));
  await cert.transition(lead, appId, "audit_done_with_findings");
}

async function as(org: SeededOrg, key: string): Promise<Client> {
  const u = org.users[key];
  assert.ok(u);
  return signedInClient(t, u.email, u.totp);
}
const count = async (table: string): Promise<number> => (await t.database.query<{ n: number }>(`select count(*)::int as n from ${table}`)).rows[0]?.n ?? -1;
const problem = (res: { statusCode: number; headers: Record<string, unknown> }, status: number): void => {
  assert.equal(res.statusCode, status);
  assert.match(String(res.headers["content-type"]), /application\/problem\+json/);
};

test("the audit report page: readers get a script-free page under the strict CSP, escaped; others are refused", async () => {
  const owner = await as(shop, "owner");
  const res = await owner.get(`${B}/applications/${appId}/report.html`);
  assert.equal(res.statusCode, 200, res.body);
  assert.match(String(res.headers["content-type"]), /text\/html/);
  const csp = String(res.headers["content-security-policy"]);
  assert.match(csp, /script-src 'self'/);
  assert.match(csp, /style-src 'self'/);
  assert.doesNotMatch(csp, /unsafe-inline/);
  assert.doesNotMatch(res.body, /<script|\sstyle=|\son\w+=/i);
  assert.match(res.body, /&lt;script&gt;alert\(1\)&lt;\/script&gt; policy not dated/);
  assert.match(res.body, /Lead &lt;b&gt;Auditor&lt;\/b&gt;/);
  assert.match(res.body, new RegExp(requirementIds[0] ?? "x"));
  assert.match(res.body, /<link rel="stylesheet" href="\/api\/v1\/certification\/report.css">/);
  const css = await owner.get(`${B}/report.css`);
  assert.match(String(css.headers["content-type"]), /text\/css/);

  assert.equal((await (await as(cb, "admin")).get(`${B}/applications/${appId}/report.html`)).statusCode, 200);
  assert.equal((await (await as(cb, "lead")).get(`${B}/applications/${appId}/report.html`)).statusCode, 200);
  problem(await (await as(cb, "outsider")).get(`${B}/applications/${appId}/report.html`), 404);
  problem(await (await as(otherShop, "owner")).get(`${B}/applications/${appId}/report.xlsx`), 404);
  problem(await (await as(authority, "admin")).get(`${B}/applications/${appId}/report.html`), 403);
  problem(await new Client(t.app).get(`${B}/applications/${appId}/report.html`), 401);
});

test("the audit report workbook: requirements × results, findings and corrective actions, team, decision", async () => {
  const res = await (await as(cb, "admin")).request("GET", `${B}/applications/${appId}/report.xlsx`);
  assert.equal(res.statusCode, 200);
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
  assert.deepEqual(wb.worksheets.map((s) => s.name), ["摘要 summary", "逐項結果 requirements", "矯正措施 corrective actions", "稽核小組 team", "決定 decision"]);
  assert.equal(wb.getWorksheet("逐項結果 requirements")?.rowCount, requirementIds.length + 1);
  const ca = wb.getWorksheet("矯正措施 corrective actions")?.getRow(2);
  assert.equal(ca?.getCell(1).value, requirementIds[0]);
  assert.equal(ca?.getCell(2).value, "minor");
});

test("inventory rows: unknown fields, bad codes and foreign callers are refused and write nothing", async () => {
  const owner = await as(shop, "owner");
  const row = { name: "Orders", purpose: "online sales", dataCategories: ["C001"], source: "customer", legalBasis: "contract", retention: "5 years", recordCount: 10, crossBorder: false };
  const n = await count("cert_inventory_items");
  problem(await owner.post(`${B}/applications/${appId}/inventory`, { ...row, extra: 1 }), 400);
  const bad = await owner.post(`${B}/applications/${appId}/inventory`, { ...row, dataCategories: ["X1"], legalBasis: "because", recordCount: -1 });
  problem(bad, 400);
  const fields = bad.json<{ errors?: { field: string }[] }>().errors?.map((e) => e.field) ?? [];
  assert.ok(["dataCategories.0", "legalBasis", "recordCount"].every((f) => fields.includes(f)), JSON.stringify(bad.json()));
  problem(await owner.post(`${B}/applications/${appId}/inventory`, { ...row, crossBorder: true }), 400);
  problem(await (await as(otherShop, "owner")).post(`${B}/applications/${appId}/inventory`, row), 404);
  problem(await owner.post(`${B}/applications/${appId}/inventory/import`, { mode: "replace" }), 400);
  assert.equal(await count("cert_inventory_items"), n);
  assert.equal((await owner.post(`${B}/applications/${appId}/inventory`, row)).statusCode, 201);
  const csv = await owner.get(`${B}/applications/${appId}/inventory/export?format=csv`);
  assert.match(String(csv.headers["content-type"]), /text\/csv/);
  assert.match(csv.body, /Orders/);
});

test("the public complaint form and certificate: no account, validated, rate-limited input; nothing written on bad input", async () => {
  const anon = new Client(t.app);
  // a mark to complain about: grant and activate the application (services)
  const cbAdmin = actorOf(cb, "admin", "certification_body", "cb_admin");
  const lead = actorOf(cb, "lead", "certification_body", "auditor");
  const owner = actorOf(shop, "owner", "merchant", "merchant_admin");
  for (const ca of await cert.correctiveActions(owner, appId)) {
    await cert.submitCorrectiveAction(owner, appId, ca.id, { owner: "DPO", response: "dated and signed", evidenceIds: [] });
    await cert.verifyCorrectiveAction(lead, appId, ca.id, { accept: true, verification: "seen" });
  }
  await cert.transition(lead, appId, "ca_accepted");
  await cert.transition(cbAdmin, appId, "grant", { reason: "committee: corrected" });
  await cert.recordAgreement(cbAdmin, appId, { agreementSigned: true, feePaid: true });
  await cert.transition(cbAdmin, appId, "activate");
  markNumber = (await cert.get(owner, appId)).markNumber ?? "";

  const good = { markNumber, category: "excess_collection", description: "The checkout asks for my national ID number for a T-shirt.", name: "Chen", email: "chen@example.com", consent: true };
  const n = await count("cert_complaints");
  problem(await anon.post(`${B}/public/complaints`, { ...good, consent: false }), 400);
  problem(await anon.post(`${B}/public/complaints`, { ...good, email: "not-an-email" }), 400);
  problem(await anon.post(`${B}/public/complaints`, { ...good, description: "short" }), 400);
  problem(await anon.post(`${B}/public/complaints`, { ...good, markNumber: "TWPIMS-1" }), 400);
  problem(await anon.post(`${B}/public/complaints`, { ...good, admin: true }), 400);
  assert.equal(await count("cert_complaints"), n);
  const filed = await anon.post(`${B}/public/complaints`, good);
  assert.equal(filed.statusCode, 201, filed.body);
  assert.match(filed.json<{ reference: string }>().reference, /^C-/);
  const status = await anon.get(`${B}/public/complaints/${filed.json<{ reference: string }>().reference}`);
  assert.equal(status.statusCode, 200, status.body);
  assert.equal(status.json<{ status: string }>().status, "received");
  assert.ok(!status.body.includes("chen@example.com") && !status.body.includes("T-shirt"), "status only: no contact, no description");
  problem(await anon.get(`${B}/public/complaints/C-00000000`), 404);
  // the body's queue and the complaint itself name the holder and the body
  const bodyAdmin = await as(cb, "admin");
  const queue = (await bodyAdmin.get(`${B}/complaints`)).json<{ items: { reference: string; merchantNameEn: string | null; cbNameZh: string | null }[] }>().items;
  const mine = queue.find((x) => x.reference === filed.json<{ reference: string }>().reference);
  assert.deepEqual([mine?.merchantNameEn, mine?.cbNameZh], ["Shop", "Body（測試）"]);
  problem(await anon.get(`${B}/public/complaints/not-a-reference`), 400);

  const certRes = await anon.get(`${B}/certificates/${markNumber}`);
  assert.equal(certRes.statusCode, 200, certRes.body);
  assert.equal(certRes.json<{ status: string }>().status, "active");
  assert.ok(!certRes.body.includes(shop.orgId));
  problem(await anon.get(`${B}/certificates/not-a-mark`), 400);
  problem(await anon.get(`${B}/certificates/TWPIMS-999999-01`), 404);
});


test("incident reports through HTTP: dates must be ISO instants; only the holder reports", async () => {
  const owner = await as(shop, "owner");
  const good = { title: "Wrong recipient", occurredAt: new Date(t.clock.now().getTime() - 7_200_000).toISOString(), discoveredAt: new Date(t.clock.now().getTime() - 3_600_000).toISOString(), recordsAffected: 3, specialData: false, text: "Three invoices mailed to the wrong customer." };
  const n = await count("cert_incidents");
  problem(await owner.post(`${B}/applications/${appId}/incidents`, { ...good, discoveredAt: "yesterday" }), 400);
  problem(await owner.post(`${B}/applications/${appId}/incidents`, { ...good, recordsAffected: -1 }), 400);
  problem(await (await as(otherShop, "owner")).post(`${B}/applications/${appId}/incidents`, good), 404);
  assert.equal(await count("cert_incidents"), n);
  const res = await owner.post(`${B}/applications/${appId}/incidents`, good);
  assert.equal(res.statusCode, 201, res.body);
  assert.equal(res.json<{ stage: string }>().stage, "quick");
});
