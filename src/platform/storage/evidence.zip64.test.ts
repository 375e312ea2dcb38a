// End to end over HTTP: a personal-data inventory exported as XLSX and rewritten as ZIP64 (the
// layouts "always ZIP64" writers such as Info-ZIP `zip -fz` produce) uploads through the evidence
// route with its type detected, and imports back as the same inventory; a ZIP64 document with
// macros is refused at upload.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { createCertificationRecords } from "../../modules/certification/records.ts";
import { certificationRecordsRoutes } from "../../modules/certification/records.routes.ts";
import { buildActor, buildCertServices } from "../../modules/certification/testing.ts";
import { platformRoutes } from "../platform.routes.ts";
import { buildTestApp, seedOrg, signedInClient, type Client, type SeededOrg, type TestApp } from "../testing/http.ts";
import { createEvidenceService } from "./evidence.service.ts";
import { createLocalStorage } from "./storage.ts";
import { patched, toZip64, zipOf } from "../zip.testing.ts";

const XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const B = "/api/v1/certification";
const root = mkdtempSync(join(tmpdir(), "ectrust-evidence-zip64-"));
let t: TestApp;
let shop: SeededOrg;
let owner: Client;
let appId = "";

before(async () => {
  t = await buildTestApp({
    register: async (app, p) => {
      const { schemes, certification, accreditation } = await buildCertServices(p.database.db, p.clock);
      const evidence = createEvidenceService({ db: p.database.db, clock: p.clock, storage: createLocalStorage(root), maxBytes: 1024 * 1024 });
      const directory = { organisation: async () => ({ nameZh: "測試", nameEn: "Test" }), shop: async () => undefined, shopOfOrg: async () => undefined };
      const records = createCertificationRecords({ db: p.database.db, clock: p.clock, certification, schemes, evidence, directory, notifier: { prepare: async () => async () => undefined }, mail: { enqueue: async () => undefined } });
      await app.register(platformRoutes, { database: p.database, mail: {} as never, evidence, jobs: {} as never, evidenceMaxBytes: 1024 * 1024 });
      await app.register(certificationRecordsRoutes, { ...records, orgNames: (ids) => p.accounts.orgNames(ids) });
      // an accredited body and the shop's application, through the services
      const cbAdmin = buildActor("certification_body", "cb_admin");
      const authority = buildActor("authority", "authority_admin");
      const acc = await accreditation.applyForAccreditation(cbAdmin, { scheme: "tw-pims", scope: "all" });
      await accreditation.decideAccreditation(authority, acc.id, "start_assessment", { reason: "complete" });
      await accreditation.decideAccreditation(authority, acc.id, "accredit", { reason: "passed", validMonths: 48 });
      shop = await seedOrg(p.accounts, "merchant", "Shop", [{ key: "owner", role: "merchant_admin" }]);
      const merchant = buildActor("merchant", "merchant_admin", shop.orgId, shop.users.owner?.id);
      appId = (await certification.apply(merchant, { scheme: "tw-pims", cbOrgId: cbAdmin.orgId, scope: "www.shop.example" })).id;
    },
  });
  owner = await signedInClient(t, shop.users.owner?.email ?? "");
});
after(async () => {
  await t.close();
  rmSync(root, { recursive: true, force: true });
});

const multipart = (filename: string, type: string, bytes: Buffer): Buffer =>
  Buffer.concat([Buffer.from(`--XyZ\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: ${type}\r\n\r\n`), bytes, Buffer.from("\r\n--XyZ--\r\n")]);
const upload = (filename: string, type: string, bytes: Buffer) =>
  owner.request("POST", `/api/v1/organisations/${shop.orgId}/evidence`, multipart(filename, type, bytes), { "content-type": "multipart/form-data; boundary=XyZ" });

test("a ZIP64 inventory workbook uploads as XLSX through the evidence route and imports as the same inventory", async () => {
  const row = {
    name: "訂單客戶資料 Order customers", purpose: "網路購物及其他電子商務服務", purposeCodes: ["148"], dataCategories: ["C001", "C002"], source: "當事人提供",
    legalBasis: "contract", systems: ["ERP"], recipients: ["黑貓宅急便"], retention: "五年", retentionMonths: 60, recordCount: 123, crossBorder: false, crossBorderCountries: [], notes: "",
  };
  assert.equal((await owner.post(`${B}/applications/${appId}/inventory`, row)).statusCode, 201);
  const exported = await owner.get(`${B}/applications/${appId}/inventory/export?format=xlsx`);
  assert.equal(exported.statusCode, 200, exported.body);
  const rowsOf = async (): Promise<unknown[]> => (await owner.get(`${B}/applications/${appId}/inventory?limit=10&offset=0`)).json<{ items: Record<string, unknown>[] }>().items.map(({ id: _i, createdAt: _c, updatedAt: _u, updatedBy: _b, origin: _o, ...r }) => r);
  const expected = await rowsOf();
  assert.equal(expected.length, 1);
  for (const layout of ["ones", "values"] as const) {
    const up = await upload(`inventory-${layout}.xlsx`, XLSX, toZip64(exported.rawPayload, layout).bytes);
    assert.equal(up.statusCode, 201, `${layout}: ${up.body}`);
    const file = up.json<{ id: string; mediaType: string }>();
    assert.equal(file.mediaType, XLSX);
    const imported = await owner.post(`${B}/applications/${appId}/inventory/import`, { evidenceId: file.id, mode: "replace" });
    assert.equal(imported.statusCode, 200, `${layout}: ${imported.body}`);
    assert.deepEqual(imported.json<{ kind: string; rows: number; written: number }>(), { kind: "register", rows: 1, written: 1, replaced: 1, dryRun: false });
    assert.deepEqual(await rowsOf(), expected, layout);
  }
});

test("a ZIP64 document with macros, or with a hostile ZIP64 structure, is refused at upload with its reason", async () => {
  const types = (main: string): string => `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override PartName="/word/document.xml" ContentType="${main}"/></Types>`;
  const docm = toZip64(zipOf([{ name: "[Content_Types].xml", data: types("application/vnd.ms-word.document.macroEnabled.main+xml") }, { name: "word/document.xml", data: "<w:document/>" }, { name: "word/vbaProject.bin", data: "macro" }]));
  const docx = toZip64(zipOf([{ name: "[Content_Types].xml", data: types("application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml") }, { name: "word/document.xml", data: "<w:document/>" }]), "values");
  const cases: [string, Buffer, RegExp][] = [
    ["macros", docm.bytes, /macros are not accepted/],
    ["locator pointing outside the file", patched(docx, (b) => { b.writeBigUInt64LE(1n << 62n, docx.locator + 8); }), /damaged .*locator does not point to a ZIP64 end-of-directory record/],
    ["end record and ZIP64 record disagree", patched(docx, (b) => { b.writeUInt32LE(0, docx.end + 16); }), /damaged .*end-of-directory record and its ZIP64 record disagree/],
  ];
  for (const [what, bytes, reason] of cases) {
    const res = await upload("policy.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", bytes);
    assert.equal(res.statusCode, 415, `${what}: ${res.body}`);
    assert.match(res.json<{ detail: string }>().detail, reason, what);
  }
  assert.equal((await upload("policy.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", docx.bytes)).statusCode, 201, "the same document unpatched");
});
