import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, test } from "node:test";
import { buildTestApp, signedInClient, seedOrg, type Client, type SeededOrg, type TestApp } from "../../platform/testing/http.ts";
import { schemesRoutes } from "./schemes.routes.ts";
import { createSchemesService, type SchemesService } from "./schemes.service.ts";

let t: TestApp;
let schemes: SchemesService;
let authority: SeededOrg;
let shop: SeededOrg;
const catalogues = new URL("../../../catalogues/", import.meta.url).pathname;

before(async () => {
  t = await buildTestApp({
    register: async (app, p) => {
      schemes = createSchemesService({ db: p.database.db, clock: p.clock });
      await app.register(schemesRoutes, { schemes });
    },
  });
  authority = await seedOrg(t.accounts, "authority", "Authority", [{ key: "admin", role: "authority_admin", mfa: true }]);
  shop = await seedOrg(t.accounts, "merchant", "Shop", [{ key: "owner", role: "merchant_admin" }]);
  assert.deepEqual(await schemes.loadBundled(catalogues), ["ec-logistics@0.1.0", "ec-supplier@0.1.0", "tw-pims@0.1.0"]);
  assert.deepEqual(await schemes.loadBundled(catalogues), []);
});
after(async () => t.close());

const signedIn = (email: string, totp?: string): Promise<Client> => signedInClient(t, email, totp);

test("anyone reads schemes and versions; the OpenAPI document lists them", async () => {
  const res = await t.app.inject({ method: "GET", url: "/api/v1/schemes" });
  assert.equal(res.statusCode, 200);
  const items = res.json<{ items: { scheme: string; current: string }[] }>().items;
  assert.deepEqual(items.map((i) => [i.scheme, i.current]), [["ec-logistics", "0.1.0"], ["ec-supplier", "0.1.0"], ["tw-pims", "0.1.0"]]);
  const v = await t.app.inject({ method: "GET", url: "/api/v1/schemes/tw-pims/versions/0.1.0" });
  assert.equal(v.json<{ requirementCount: number }>().requirementCount, 52);
  assert.equal((await t.app.inject({ method: "GET", url: "/api/v1/schemes/tw-pims/versions/9.9.9" })).statusCode, 404);
  const doc = (await t.app.inject({ method: "GET", url: "/api/openapi.json" })).json<{ paths: Record<string, unknown> }>();
  assert.ok(doc.paths["/api/v1/schemes/{scheme}/diff"]);
});

test("the authority imports a new version as a draft, publishes it, and sees the difference", async () => {
  const admin = await signedIn(authority.users.admin?.email ?? "", authority.users.admin?.totp);
  const yaml = readFileSync(`${catalogues}tw-pims.yaml`, "utf8").replace("version: 0.1.0", "version: 0.2.0").replace("validityMonths: 24", "validityMonths: 36");
  const merchant = await signedIn(shop.users.owner?.email ?? "");
  assert.equal((await merchant.post("/api/v1/schemes/import", { yaml })).statusCode, 403);

  const imported = await admin.post("/api/v1/schemes/import", { yaml });
  assert.equal(imported.statusCode, 201, imported.body);
  assert.equal(imported.json<{ status: string }>().status, "draft");
  assert.equal((await schemes.current("tw-pims")).version, "0.1.0", "a draft is not what applications start on");
  assert.equal((await admin.post("/api/v1/schemes/import", { yaml })).statusCode, 409, "a version never changes");
  const older = await admin.post("/api/v1/schemes/import", { yaml: yaml.replace("version: 0.2.0", "version: 0.0.9") });
  assert.equal(older.statusCode, 409);

  assert.equal((await admin.post("/api/v1/schemes/tw-pims/versions/0.2.0/publish")).statusCode, 200);
  assert.equal((await admin.post("/api/v1/schemes/tw-pims/versions/0.2.0/publish")).statusCode, 409);
  assert.equal((await schemes.current("tw-pims")).version, "0.2.0");
  const diff = (await t.app.inject({ method: "GET", url: "/api/v1/schemes/tw-pims/diff?from=0.1.0&to=0.2.0" })).json<{ parameters: unknown[] }>();
  assert.deepEqual(diff.parameters, [{ path: "validityMonths", from: 24, to: 36 }]);
});

test("a bad catalogue is refused with every field named and nothing written", async () => {
  const admin = await signedIn(authority.users.admin?.email ?? "", authority.users.admin?.totp);
  const before = (await t.database.query<{ n: number }>("select count(*)::int as n from scheme_versions")).rows[0]?.n;
  const yaml = readFileSync(`${catalogues}ec-supplier.yaml`, "utf8").replace("version: 0.1.0", "version: 0.3.0").replace("id: EC-SUP.SEC-02", "id: EC-SUP.SEC-01");
  const res = await admin.post("/api/v1/schemes/import", { yaml });
  assert.equal(res.statusCode, 400);
  const p = res.json<{ errors: { field: string; message: string }[] }>();
  assert.ok(p.errors.some((e) => /duplicate requirement id EC-SUP.SEC-01/.test(e.message)));
  assert.equal((await t.database.query<{ n: number }>("select count(*)::int as n from scheme_versions")).rows[0]?.n, before);
});
