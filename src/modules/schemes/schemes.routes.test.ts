import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { buildTestApp, Client, signedInClient, seedOrg, type SeededOrg, type TestApp } from "../../platform/testing/http.ts";
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

test("a draft version is the authority's only: the public and a merchant see published versions, and a scheme with only drafts not at all", async () => {
  const admin = await signedIn(authority.users.admin?.email ?? "", authority.users.admin?.totp);
  const merchant = await signedIn(shop.users.owner?.email ?? "");
  const logistics = readFileSync(`${catalogues}ec-logistics.yaml`, "utf8");
  const draft = logistics.replace("version: 0.1.0", "version: 0.2.0").replace("validityMonths: 36", "validityMonths: 24");
  const newScheme = logistics.replace("scheme: ec-logistics", "scheme: ec-couriers").replace("markPrefix: ECLOG", "markPrefix: ECCOU");
  assert.equal((await admin.post("/api/v1/schemes/import", { yaml: draft })).statusCode, 201);
  assert.equal((await admin.post("/api/v1/schemes/import", { yaml: newScheme })).statusCode, 201);

  type Listed = { scheme: string; current: string | null; versions: { version: string; status: string }[] };
  const seen = async (c: Client) => {
    const list = await c.get("/api/v1/schemes");
    assert.equal(list.statusCode, 200);
    const items = list.json<{ items: Listed[] }>().items;
    return {
      schemes: items.map((i) => i.scheme),
      logistics: items.find((i) => i.scheme === "ec-logistics")?.versions.map((v) => `${v.version} ${v.status}`),
      version: (await c.get("/api/v1/schemes/ec-logistics/versions/0.2.0")).statusCode,
      diff: (await c.get("/api/v1/schemes/ec-logistics/diff?from=0.1.0&to=0.2.0")).statusCode,
      newVersion: (await c.get("/api/v1/schemes/ec-couriers/versions/0.1.0")).statusCode,
      newCurrent: (await c.get("/api/v1/schemes/ec-couriers/current")).statusCode,
      published: (await c.get("/api/v1/schemes/ec-logistics/versions/0.1.0")).statusCode,
    };
  };
  const hidden = { schemes: ["ec-logistics", "ec-supplier", "tw-pims"], logistics: ["0.1.0 published"], version: 404, diff: 404, newVersion: 404, newCurrent: 404, published: 200 };
  assert.deepEqual(await seen(new Client(t.app)), hidden, "anonymous");
  assert.deepEqual(await seen(merchant), hidden, "a merchant");
  const draftBody = (await new Client(t.app).get("/api/v1/schemes/ec-logistics/versions/0.2.0")).body;
  assert.doesNotMatch(draftBody, /validityMonths/, "the 404 carries nothing of the draft");
  assert.deepEqual(await seen(admin), {
    schemes: ["ec-couriers", "ec-logistics", "ec-supplier", "tw-pims"],
    logistics: ["0.1.0 published", "0.2.0 draft"],
    version: 200,
    diff: 200,
    newVersion: 200,
    newCurrent: 404, // nothing published yet: applications cannot start on it
    published: 200,
  }, "the authority");

  assert.equal((await admin.post("/api/v1/schemes/ec-logistics/versions/0.2.0/publish")).statusCode, 200);
  const after = await seen(new Client(t.app));
  assert.deepEqual([after.logistics, after.version, after.diff, after.newVersion], [["0.1.0 published", "0.2.0 published"], 200, 200, 404], "published: public");
});

test("imports of one scheme at once are serialised: one is written, the others get 409, the versions only grow", async () => {
  const admin = await signedIn(authority.users.admin?.email ?? "", authority.users.admin?.totp);
  const supplier = readFileSync(`${catalogues}ec-supplier.yaml`, "utf8");
  const at = (v: string) => supplier.replace("version: 0.1.0", `version: ${v}`);
  const count = async (v: string) => (await t.database.query<{ n: number }>("select count(*)::int as n from scheme_versions where scheme = 'ec-supplier' and version = $1", [v])).rows[0]?.n;

  // the same version four times at once
  const same = await Promise.all(Array.from({ length: 4 }, () => admin.post("/api/v1/schemes/import", { yaml: at("1.0.0") })));
  assert.deepEqual(same.map((r) => r.statusCode).sort(), [201, 409, 409, 409], same.map((r) => r.body).join("\n"));
  for (const r of same.filter((x) => x.statusCode === 409)) assert.match(r.json<{ detail: string }>().detail, /ec-supplier 1\.0\.0 already exists/);
  assert.equal(await count("1.0.0"), 1);

  // four newer versions at once, the highest first: whichever order they are written in, no
  // version is stored after a higher one, and each one refused is refused as not newer
  const versions = ["1.0.4", "1.0.3", "1.0.2", "1.0.1"];
  const racing = await Promise.all(versions.map((v) => admin.post("/api/v1/schemes/import", { yaml: at(v) })));
  for (const r of racing) assert.ok(r.statusCode === 201 || (r.statusCode === 409 && /not older than/.test(r.body)), r.body);
  const written = (await t.database.query<{ version: string }>("select summary->>'version' as version from audit_log where action = 'scheme.imported' and summary->>'scheme' = 'ec-supplier' order by seq")).rows.map((r) => r.version);
  assert.deepEqual(written, [...written].sort(), "each version written after a lower one");
  assert.deepEqual(written.slice(1), versions.filter((_, i) => racing[i]?.statusCode === 201).sort());
  assert.ok(racing.some((r) => r.statusCode === 201));
});

test("two starts on one database load a bundled catalogue once, and neither fails", async () => {
  const dir = mkdtempSync(join(tmpdir(), "ectrust-schemes-"));
  try {
    writeFileSync(join(dir, "ec-warehouses.yaml"), readFileSync(`${catalogues}ec-logistics.yaml`, "utf8").replace("scheme: ec-logistics", "scheme: ec-warehouses").replace("markPrefix: ECLOG", "markPrefix: ECWHS"));
    const second = createSchemesService({ db: t.database.db, clock: t.clock });
    const loaded = await Promise.all([schemes.loadBundled(dir), second.loadBundled(dir), schemes.loadBundled(dir)]);
    assert.deepEqual(loaded.flat(), ["ec-warehouses@0.1.0"]);
    assert.equal((await t.database.query<{ n: number }>("select count(*)::int as n from scheme_versions where scheme = 'ec-warehouses'")).rows[0]?.n, 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
