// The certification API through HTTP: access rules per route, and for every endpoint that takes
// an object id, another organisation's users (another body, another merchant, an auditor not on
// the team) are refused and nothing is written.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { buildTestApp, signedInClient, seedOrg, type Client, type SeededOrg, type TestApp } from "../../platform/testing/http.ts";
import { schemesRoutes } from "../schemes/schemes.routes.ts";
import type { CertificationTimers } from "./certification.jobs.ts";
import { certificationRoutes } from "./certification.routes.ts";
import type { CertificationService } from "./certification.service.ts";
import { addMonths } from "./lifecycle.ts";
import { buildCertServices } from "./testing.ts";

let t: TestApp;
let cert: CertificationService;
let timers: CertificationTimers;
let authority: SeededOrg;
let cbA: SeededOrg;
let cbB: SeededOrg;
let shopA: SeededOrg;
let shopB: SeededOrg;
let requirementIds: string[] = [];
const B = "/api/v1/certification";

before(async () => {
  t = await buildTestApp({
    register: async (app, p) => {
      const services = await buildCertServices(p.database.db, p.clock);
      ({ certification: cert, timers, requirementIds } = services);
      const { schemes, accreditation } = services;
      await app.register(schemesRoutes, { schemes });
      await app.register(certificationRoutes, { certification: cert, accreditation, timers, orgNames: (ids) => p.accounts.orgNames(ids) });
    },
  });
  authority = await seedOrg(t.accounts, "authority", "Authority", [{ key: "admin", role: "authority_admin", mfa: true }]);
  cbA = await seedOrg(t.accounts, "certification_body", "Body A", [
    { key: "admin", role: "cb_admin", mfa: true },
    { key: "lead", role: "auditor", mfa: true },
    { key: "outsider", role: "auditor", mfa: true },
  ]);
  cbB = await seedOrg(t.accounts, "certification_body", "Body B", [{ key: "admin", role: "cb_admin", mfa: true }]);
  shopA = await seedOrg(t.accounts, "merchant", "Shop A", [{ key: "owner", role: "merchant_admin" }, { key: "staff", role: "merchant_staff" }]);
  shopB = await seedOrg(t.accounts, "merchant", "Shop B", [{ key: "owner", role: "merchant_admin" }]);
});
after(async () => t.close());

async function as(org: SeededOrg, key: string): Promise<Client> {
  const u = org.users[key];
  assert.ok(u);
  return signedInClient(t, u.email, u.totp);
}
async function auditRows(): Promise<number> {
  return (await t.database.query<{ n: number }>("select count(*)::int as n from audit_log")).rows[0]?.n ?? -1;
}
function ok(res: { statusCode: number; body: string }, status = 200): void {
  assert.equal(res.statusCode, status, res.body);
}

test("from accreditation to an audit in progress, with every foreign caller refused", async () => {
  const auth = await as(authority, "admin");
  const adminA = await as(cbA, "admin");
  const adminB = await as(cbB, "admin");
  const lead = await as(cbA, "lead");
  const outsider = await as(cbA, "outsider");
  const ownerA = await as(shopA, "owner");
  const staffA = await as(shopA, "staff");
  const ownerB = await as(shopB, "owner");

  // accreditation: a body applies, only the authority decides
  const accRes = await adminA.post(`${B}/accreditations`, { scheme: "tw-pims", scope: "online retail" });
  ok(accRes, 201);
  const accId = accRes.json<{ id: string }>().id;
  assert.equal((await adminA.post(`${B}/accreditations/${accId}/accredit`, { reason: "self-service" })).statusCode, 403);
  assert.equal((await auth.post(`${B}/accreditations/${accId}/accredit`, { reason: "skip assessment", validMonths: 36 })).statusCode, 409);
  ok(await auth.post(`${B}/accreditations/${accId}/start_assessment`, { reason: "documents complete" }));
  ok(await auth.post(`${B}/accreditations/${accId}/accredit`, { reason: "witnessed audit passed", validMonths: 36 }));

  // the body's name comes with the accreditation (for the merchant's choice of body), in both languages
  const offered = (await ownerA.get(`${B}/accreditations`)).json<{ items: { cbOrgId: string; cbNameZh: string | null; cbNameEn: string | null }[] }>().items;
  assert.deepEqual(offered.map((x) => [x.cbOrgId, x.cbNameZh, x.cbNameEn]), [[cbA.orgId, "Body A（測試）", "Body A"]]);

  // a merchant can only apply with an accredited body
  assert.equal((await ownerA.post(`${B}/applications`, { scheme: "tw-pims", cbOrgId: cbB.orgId, scope: "shop" })).statusCode, 400);
  assert.equal((await adminA.post(`${B}/applications`, { scheme: "tw-pims", cbOrgId: cbA.orgId, scope: "shop" })).statusCode, 403);
  const applied = await ownerA.post(`${B}/applications`, { scheme: "tw-pims", cbOrgId: cbA.orgId, scope: "www.shop-a.tw" });
  ok(applied, 201);
  const id = applied.json<{ id: string }>().id;

  // auditor register
  const leadRec = await adminA.post(`${B}/auditors`, { name: "Lead A", userId: cbA.users.lead?.id, grade: "lead_auditor", qualifications: ["PIMS LA"], trainingHours: 40 });
  ok(leadRec, 201);
  const leadId = leadRec.json<{ id: string }>().id;
  const outRec = await adminA.post(`${B}/auditors`, { name: "Outsider", userId: cbA.users.outsider?.id, grade: "lead_auditor", qualifications: [], trainingHours: 8 });
  const outsiderId = outRec.json<{ id: string }>().id;
  ok(await outsider.post(`${B}/auditors/${outsiderId}/conflicts`, { orgId: shopA.orgId, reason: "former employee of Shop A" }), 201);
  const outsiderRecord = (await adminA.get(`${B}/auditors/${outsiderId}`)).json<{ conflicts: { orgId: string; orgNameEn: string | null }[] }>();
  assert.deepEqual(outsiderRecord.conflicts.map((x) => [x.orgId, x.orgNameEn]), [[shopA.orgId, "Shop A"]], "a declared conflict names the organisation");
  assert.equal((await adminB.get(`${B}/auditors/${leadId}`)).statusCode, 404);
  assert.equal((await adminB.patch(`${B}/auditors/${leadId}`, { grade: "candidate" })).statusCode, 404);
  assert.equal((await adminB.post(`${B}/auditors/${leadId}/conflicts`, { orgId: shopB.orgId, reason: "not mine" })).statusCode, 404);
  assert.equal((await adminB.get(`${B}/bodies/${cbA.orgId}/auditors`)).statusCode, 404);

  // the self-assessment, by the applicant only
  const items = requirementIds.map((requirementId) => ({ requirementId, status: "implemented", note: "", evidenceIds: [] }));
  ok(await staffA.request("PUT", `${B}/applications/${id}/self-assessment`, { items }));
  assert.equal((await staffA.post(`${B}/applications/${id}/transitions`, { event: "submit" })).statusCode, 403, "staff cannot submit");
  ok(await ownerA.post(`${B}/applications/${id}/transitions`, { event: "submit" }));

  // every id-taking endpoint refuses foreign callers and writes nothing
  const before = await auditRows();
  const caId = "00000000-0000-4000-8000-000000000000";
  const probes: [string, string, unknown][] = [
    ["GET", `${B}/applications/${id}`, undefined],
    ["GET", `${B}/applications/${id}/events`, undefined],
    ["GET", `${B}/applications/${id}/self-assessment`, undefined],
    ["GET", `${B}/applications/${id}/team`, undefined],
    ["GET", `${B}/applications/${id}/results`, undefined],
    ["GET", `${B}/applications/${id}/corrective-actions`, undefined],
    ["POST", `${B}/applications/${id}/transitions`, { event: "start_intake" }],
    ["POST", `${B}/applications/${id}/transitions`, { event: "applicant_withdraws", reason: "not mine" }],
    ["PUT", `${B}/applications/${id}/self-assessment`, { items: items.slice(0, 1) }],
    ["PUT", `${B}/applications/${id}/team`, { members: [{ auditorId: leadId, lead: true }] }],
    ["PUT", `${B}/applications/${id}/audit-plan`, { mode: "remote" }],
    ["PUT", `${B}/applications/${id}/results`, { items: [{ requirementId: "TW-PIMS.GOV-01", result: "conforming" }] }],
    ["PUT", `${B}/applications/${id}/agreement`, { agreementSigned: true, feePaid: true }],
    ["POST", `${B}/applications/${id}/corrective-actions/${caId}/submit`, { owner: "x", response: "y" }],
    ["POST", `${B}/applications/${id}/corrective-actions/${caId}/verify`, { accept: true, verification: "z" }],
  ];
  for (const [who, client] of [["other body", adminB], ["other merchant", ownerB], ["auditor not on the team", outsider]] as const) {
    for (const [method, url, body] of probes) {
      const res = await client.request(method as "GET", url, body);
      assert.ok([403, 404].includes(res.statusCode), `${who} ${method} ${url}: ${res.statusCode} ${res.body}`);
    }
  }
  assert.equal(await auditRows(), before, "nothing written by refused calls");
  const listB = await adminB.get(`${B}/applications`);
  assert.deepEqual(listB.json<{ items: unknown[] }>().items, []);
  const listA = await adminA.get(`${B}/applications`);
  assert.equal(listA.json<{ countsByStatus: Record<string, number> }>().countsByStatus.submitted, 1);
  type Named = { merchantNameZh: string | null; merchantNameEn: string | null; cbNameZh: string | null; cbNameEn: string | null };
  const names = (x: Named) => [x.merchantNameZh, x.merchantNameEn, x.cbNameZh, x.cbNameEn];
  const expectedNames = ["Shop A（測試）", "Shop A", "Body A（測試）", "Body A"];
  assert.deepEqual(listA.json<{ items: Named[] }>().items.map(names), [expectedNames], "the pipeline names applicant and body");

  // intake, conflict-of-interest check, illegal transitions
  ok(await adminA.post(`${B}/applications/${id}/transitions`, { event: "start_intake" }));
  const illegal = await adminA.post(`${B}/applications/${id}/transitions`, { event: "activate" });
  assert.equal(illegal.statusCode, 409);
  assert.equal(illegal.json<{ type: string }>().type, "urn:ectrust:problem:invalid_transition");
  const coi = await adminA.request("PUT", `${B}/applications/${id}/team`, { members: [{ auditorId: outsiderId, lead: true }] });
  assert.equal(coi.statusCode, 409);
  assert.match(coi.body, /conflict of interest/);
  ok(await adminA.request("PUT", `${B}/applications/${id}/team`, { members: [{ auditorId: leadId, lead: true }] }));
  ok(await adminA.post(`${B}/applications/${id}/transitions`, { event: "intake_accepted" }));
  const past = await lead.request("PUT", `${B}/applications/${id}/audit-plan`, { mode: "onsite", onsiteOn: "2020-01-01" });
  assert.equal(past.statusCode, 400, "a date in the past");
  ok(await lead.request("PUT", `${B}/applications/${id}/audit-plan`, { mode: "onsite", onsiteOn: "2027-12-01", notes: "head office" }));
  const detail = await lead.get(`${B}/applications/${id}`);
  ok(detail);
  assert.deepEqual(detail.json<{ availableEvents: string[] }>().availableEvents, ["doc_review_done"]);
  assert.deepEqual(names(detail.json<Named>()), expectedNames, "the detail names applicant and body");
  ok(await lead.post(`${B}/applications/${id}/transitions`, { event: "doc_review_done" }));
  ok(await lead.request("PUT", `${B}/applications/${id}/results`, { items: requirementIds.map((requirementId) => ({ requirementId, result: "conforming" })) }));
  ok(await lead.post(`${B}/applications/${id}/transitions`, { event: "audit_done_no_findings" }));
  ok(await adminA.post(`${B}/applications/${id}/transitions`, { event: "grant", reason: "committee decision 12" }));
  ok(await adminA.request("PUT", `${B}/applications/${id}/agreement`, { agreementSigned: true, feePaid: true }));
  const active = await adminA.post(`${B}/applications/${id}/transitions`, { event: "activate" });
  ok(active);
  const markNumber = active.json<{ markNumber: string }>().markNumber;
  assert.equal(markNumber, "TWPIMS-000001-01");
  const pub = await t.app.inject({ method: "GET", url: `${B}/marks/${markNumber}` });
  ok(pub);
  assert.equal(pub.json<{ status: string }>().status, "active");
  assert.equal((await t.app.inject({ method: "GET", url: `${B}/marks/TWPIMS-999999-01` })).statusCode, 404);
  assert.equal((await cert.listMarksForOrg(shopA.orgId)).length, 1);

  // an alarm (the first renewal reminder) names both parties
  const validTo = new Date(active.json<{ validTo: string }>().validTo);
  t.clock.set(addMonths(validTo, -8));
  assert.equal((await timers.sweep()).alarms, 1);
  const alarms = (await (await as(cbA, "admin")).get(`${B}/alarms`)).json<{ items: (Named & { applicationId: string })[] }>().items;
  assert.deepEqual(alarms.map((x) => [x.applicationId, ...names(x)]), [[id, ...expectedNames]]);
});

test("OpenAPI lists the certification routes", async () => {
  const doc = (await t.app.inject({ method: "GET", url: "/api/openapi.json" })).json<{ paths: Record<string, unknown> }>();
  for (const p of ["/api/v1/certification/applications/{id}/transitions", "/api/v1/certification/marks/{markNumber}", "/api/v1/certification/accreditations/{id}/{action}"]) assert.ok(doc.paths[p], p);
});
