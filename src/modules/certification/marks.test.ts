// Marks as the public and other modules see them: the mark number format, the public certificate
// (no personal data), a shop's marks, and the seals module's hook firing on real lifecycle
// changes driven through the certification service.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, test } from "node:test";
import { AppError } from "../../platform/errors.ts";
import { sealsMarkHook } from "../seals/seals.marks.ts";
import { parseMarkNumber } from "./certificates.service.ts";
import { formatMarkNumber } from "./certification.service.ts";
import { addMonths } from "./lifecycle.ts";
import { accreditedBody, buildActor, buildCertWorld, conformAll, driveToActive, type Body, type CertWorld } from "./testing.ts";

let w: CertWorld;
let body: Body;
const merchant = buildActor("merchant", "merchant_admin");
const shopId = randomUUID();
/** shop syncs the seals hook queued, in order */
const queued: string[] = [];

before(async () => {
  const registry = {
    getShop: async (id: string) => (id === shopId ? { orgId: merchant.orgId } : undefined),
    getShopByOrg: async (orgId: string) => (orgId === merchant.orgId ? { id: shopId } : undefined),
  };
  w = await buildCertWorld(undefined, undefined, [sealsMarkHook(registry, async (id) => void queued.push(id))]);
  body = await accreditedBody(w);
  w.names.shops.set(shopId, { id: shopId, orgId: merchant.orgId, nameZh: "好好買網路商店", nameEn: "HaoHaoMai Online" });
  w.names.orgs.set(body.admin.orgId, { nameZh: "甲驗證公司", nameEn: "Alpha Certification" });
});
after(async () => w.close());

test("mark numbers: scheme prefix, 6-digit company number, 2-digit renewal counter", () => {
  assert.equal(formatMarkNumber("TWPIMS", 123, 2), "TWPIMS-000123-02");
  assert.deepEqual(parseMarkNumber("TWPIMS-000123-02"), { prefix: "TWPIMS", company: 123, counter: 2 });
  for (const bad of ["TWPIMS-000000-01", "TWPIMS-000123-00", "twpims-000123-01", "TWPIMS-12345-01", "TWPIMS-000123-1", "T-000123-01", "TWPIMS-000123-01 ", "TWPIMS_000123_01"]) {
    assert.equal(parseMarkNumber(bad), null, bad);
  }
});

test("the seals hook fires on activation, suspension, lifting and revocation through the real service", async () => {
  const c = w.certification;
  const appId = await driveToActive(w, body, merchant);
  assert.deepEqual(queued, [shopId], "activation queued a sync of the shop");
  await c.transition(body.admin, appId, "sanction_suspend", { reason: "breach of 2,000 records", level: 8, months: 3 });
  await c.transition(body.admin, appId, "suspension_lifted", { reason: "corrected and verified" });
  assert.equal(queued.length, 3, "suspension and lifting each queued a sync");
  const mark = (await c.get(merchant, appId)).mark;
  assert.ok(mark);

  // the public certificate: names, not ids or reasons
  const cert = await w.records.certificates.certificate(mark.markNumber);
  assert.match(cert.markNumber, /^TWPIMS-\d{6}-01$/);
  assert.deepEqual([cert.status, cert.holder.nameZh, cert.certificationBody.name, cert.scheme], ["active", "好好買網路商店", "甲驗證公司 Alpha Certification", "tw-pims"]);
  await c.transition(body.admin, appId, "sanction_caution", { reason: "late reply to a customer named 王小明", level: 1 });
  const cautioned = await w.records.certificates.certificate(mark.markNumber);
  assert.deepEqual(cautioned.notices.map((n) => n.kind), ["caution"]);
  assert.ok(!JSON.stringify(cautioned).includes("王小明"), "sanction reasons stay with the body");
  assert.ok(!JSON.stringify(cautioned).includes(merchant.orgId), "no internal organisation ids");
  assert.equal(queued.length, 3, "a caution does not change the mark's state: no sync");

  const listed = await w.records.certificates.marksForShop(shopId);
  assert.deepEqual(listed.map((m) => m.markNumber), [mark.markNumber]);
  assert.deepEqual(await w.records.certificates.marksForShop(randomUUID()), []);

  await c.transition(buildActor("authority", "authority_admin"), appId, "sanction_revoke", { reason: "repeated breach", level: 10 });
  assert.equal(queued.length, 4, "revocation queued a sync");
  assert.equal((await w.records.certificates.certificate(mark.markNumber)).status, "revoked");
});

test("unknown and malformed mark numbers are not found", async () => {
  for (const n of ["TWPIMS-999999-01", "TWPIMS-000000-01", "nonsense"]) {
    await assert.rejects(w.records.certificates.certificate(n), (e: unknown) => e instanceof AppError && e.code === "not_found");
  }
});

test("a holder's second mark of a scheme (after a revocation and the bar) continues the counter instead of reusing the number", async () => {
  const m = buildActor("merchant", "merchant_admin");
  const first = await driveToActive(w, body, m);
  const n1 = (await w.certification.get(m, first)).markNumber ?? "";
  await w.certification.transition(body.admin, first, "sanction_revoke", { reason: "repeated breach", level: 10 });
  w.clock.set(new Date(w.clock.now().getTime() + 400 * 86_400_000)); // past the 12-month bar
  const second = await driveToActive(w, body, m);
  const n2 = (await w.certification.get(m, second)).markNumber ?? "";
  assert.equal(n2, n1.replace(/-01$/, "-02"));
  assert.equal((await w.records.certificates.certificate(n1)).status, "revoked", "the old number still shows its revocation");
  assert.equal((await w.records.certificates.certificate(n2)).status, "active");

  // renewal replaces the number on the same mark: the old number answers 410 with the current one
  w.clock.set(addMonths((await w.certification.get(m, second)).validTo ?? new Date(), -6));
  await w.certification.transition(m, second, "renewal_submitted");
  await w.certification.assignTeam(body.admin, second, [{ auditorId: body.leadId, lead: true }]);
  await w.certification.transition(body.admin, second, "intake_accepted");
  await w.certification.transition(body.lead, second, "doc_review_done");
  await conformAll(w, body.lead, second);
  await w.certification.transition(body.lead, second, "audit_done_no_findings");
  await w.certification.transition(body.admin, second, "grant", { reason: "renewal: conforming" });
  const n3 = (await w.certification.get(m, second)).markNumber ?? "";
  assert.equal(n3, n1.replace(/-01$/, "-03"));
  await assert.rejects(w.records.certificates.certificate(n2), (e: unknown) => e instanceof AppError && e.code === "gone" && e.extra.currentMarkNumber === n3);
});
