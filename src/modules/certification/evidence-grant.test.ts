// The evidence read grant: the assigned body's administrator and the auditors on the team read
// the files an applicant linked to its application; nobody else gains anything.
import assert from "node:assert/strict";
import { Readable } from "node:stream";
import { after, before, test } from "node:test";
import { AppError } from "../../platform/errors.ts";
import { createEvidenceService, type EvidenceReadGrant, type EvidenceService } from "../../platform/storage/evidence.service.ts";
import { createMemoryStorage } from "../../platform/storage/storage.ts";
import { accreditedBody, answerAll, buildActor, buildCertWorld, type Body, type CertWorld } from "./testing.ts";

let w: CertWorld;
let body: Body;
let other: Body;
let evidence: EvidenceService;
const merchant = buildActor("merchant", "merchant_admin");
const grants: EvidenceReadGrant[] = [];

before(async () => {
  w = await buildCertWorld();
  body = await accreditedBody(w);
  other = await accreditedBody(w);
  evidence = createEvidenceService({ db: w.database.db, clock: w.clock, storage: createMemoryStorage(), maxBytes: 1024 * 1024, readGrants: grants });
  grants.push((actor, file) => w.certification.mayReadApplicantEvidence(actor, file));
});
after(async () => w.close());

async function notFound(fn: () => Promise<unknown>): Promise<void> {
  await assert.rejects(fn, (e) => e instanceof AppError && e.code === "not_found");
}

test("linked files of an open application: body admin and team read; others do not", async () => {
  const linked = await evidence.upload(merchant, merchant.orgId, { filename: "policy.txt", stream: Readable.from([Buffer.from("privacy policy v3\n")]) });
  const unlinked = await evidence.upload(merchant, merchant.orgId, { filename: "payroll.txt", stream: Readable.from([Buffer.from("not for auditors\n")]) });
  const app = await w.certification.apply(merchant, { scheme: "tw-pims", cbOrgId: body.admin.orgId, scope: "shop" });
  await answerAll(w, merchant, app.id);
  await w.certification.saveSelfAssessment(merchant, app.id, [{ requirementId: "TW-PIMS.GOV-01", status: "implemented", note: "see policy", evidenceIds: [linked.id] }]);
  // while the application is a draft, the body has nothing to read yet
  await notFound(() => evidence.get(body.admin, linked.id));
  await w.certification.transition(merchant, app.id, "submit");
  assert.equal((await evidence.get(body.admin, linked.id)).id, linked.id);
  await notFound(() => evidence.get(body.lead, linked.id)); // not on the team yet
  await w.certification.transition(body.admin, app.id, "start_intake");
  await w.certification.assignTeam(body.admin, app.id, [{ auditorId: body.leadId, lead: true }]);
  assert.equal((await evidence.download(body.lead, linked.id)).file.sha256, linked.sha256);
  await notFound(() => evidence.get(body.auditor, linked.id)); // same body, not on the team
  await notFound(() => evidence.get(body.lead, unlinked.id)); // not linked to the application
  await notFound(() => evidence.get(other.admin, linked.id)); // another body
  await notFound(() => evidence.get(buildActor("merchant", "merchant_admin"), linked.id)); // another merchant
  await assert.rejects(() => evidence.list(body.admin, merchant.orgId, { limit: 10 }), (e) => e instanceof AppError && e.code === "forbidden");
});
