// Second review of the registry: malformed input must be a 4xx, never a 500; notices must not
// make a legitimate step fail. Through HTTP (app.inject) on a real database, with the real mail
// template renderer behind the mail port (as in server.ts: enqueue renders).
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { Fetcher, FetchResponse } from "../../platform/net/fetcher.ts";
import { mailTemplates } from "../../platform/mail/mail.templates.ts";
import { createEvidenceService, type EvidenceService } from "../../platform/storage/evidence.service.ts";
import { createMemoryStorage } from "../../platform/storage/storage.ts";
import { buildTestApp, Client, seedOrg, TEST_PASSWORD, type SeededOrg, type TestApp } from "../../platform/testing/http.ts";
import { importBusinessRegister, mapStatus } from "./register-import.ts";
import { registryRoutes } from "./registry.routes.ts";
import { createRegistryService, type RegistryService } from "./registry.service.ts";
import { pdf, shopProfile } from "./testing.ts";

let t: TestApp;
let registry: RegistryService;
let evidence: EvidenceService;
let authority: SeededOrg;
let merchant: SeededOrg;

/** Serves every HTTP proof token. */
const fetcher: Fetcher = {
  async fetch(url) {
    const u = new URL(String(url));
    return { url: u.href, status: 200, headers: [], address: "203.0.113.7", tls: undefined, body: Buffer.from(u.pathname.split("/").at(-1) ?? ""), truncated: false, redirects: [], elapsedMs: 1 } satisfies FetchResponse;
  },
  async probeTls() {
    return { offered: true, protocol: "TLSv1.3", error: undefined };
  },
  async txt() {
    return [];
  },
};

const profile = shopProfile;

async function signIn(org: SeededOrg, key: string): Promise<Client> {
  const c = new Client(t.app);
  const u = org.users[key];
  assert.ok(u);
  t.clock.advance(31_000); // TOTP codes are single-use per step
  await c.signIn(u.email, TEST_PASSWORD, u.totp, Math.floor(t.clock.now().getTime() / 1000));
  return c;
}


before(async () => {
  t = await buildTestApp({
    register: async (app, partial) => {
      evidence = createEvidenceService({ db: partial.database.db, clock: partial.clock, storage: createMemoryStorage(), maxBytes: 1024 * 1024 });
      registry = createRegistryService({
        db: partial.database.db,
        clock: partial.clock,
        fetcher,
        // like the outbox: the message is rendered (and checked) when it is enqueued
        mail: { enqueue: async (_tx, m) => { mailTemplates.render(m.template, m.locale, m.vars); partial.mail.push(m); } },
        evidence,
        publicUrl: partial.config.publicUrl,
      });
      await app.register(registryRoutes, { registry });
    },
  });
  authority = await seedOrg(t.accounts, "authority", "Authority", [{ key: "admin", role: "authority_admin", mfa: true }]);
  merchant = await seedOrg(t.accounts, "merchant", "Shop", [{ key: "owner", role: "merchant_admin" }]);
});
after(async () => t.close());

test("a NUL character in text input is a 400, not a 500", async () => {
  const m = await signIn(merchant, "owner");
  for (const field of ["legalNameZh", "legalNameEn", "representative", "address", "serviceChannel"]) {
    const r = await m.post("/api/v1/registry/shops", profile({ [field]: "好物\u0000商店" }));
    assert.equal(r.statusCode, 400, `${field}: ${r.statusCode} ${r.body}`);
  }
  const anon = new Client(t.app);
  for (const q of ["好物\u0000", "shop\u0000.example"]) {
    const r = await anon.get(`/api/v1/registry/public/shops?q=${encodeURIComponent(q)}`);
    assert.equal(r.statusCode, 400, `q=${JSON.stringify(q)}: ${r.statusCode} ${r.body}`);
  }
});

let shopId = "";
test("the longest reason the API accepts does not break the step (the notice mail is bounded)", async () => {
  const m = await signIn(merchant, "owner");
  const created = await m.post("/api/v1/registry/shops", profile());
  assert.equal(created.statusCode, 201, created.body);
  shopId = created.json<{ id: string }>().id;
  const o = await m.post(`/api/v1/registry/shops/${shopId}/origins`, { origin: "https://shop.example" });
  assert.equal(o.statusCode, 201, o.body);
  const v = await m.post(`/api/v1/registry/shops/${shopId}/origins/${o.json<{ id: string }>().id}/verify`, { method: "http" });
  assert.equal(v.statusCode, 200, v.body);
  assert.equal(v.json<{ ok: boolean }>().ok, true, v.body);
  const file = await evidence.upload({ kind: "user", userId: merchant.users.owner?.id ?? "", orgId: merchant.orgId, orgKind: "merchant", role: "merchant_admin" }, merchant.orgId, { filename: "reg.pdf", stream: pdf(), declaredType: "application/pdf" });
  const d = await m.post(`/api/v1/registry/shops/${shopId}/documents`, { evidenceId: file.id, kind: "business_registration" });
  assert.equal(d.statusCode, 201, d.body);
  assert.equal((await m.post(`/api/v1/registry/shops/${shopId}/identity`, { action: "submit" })).statusCode, 200);

  const a = await signIn(authority, "admin");
  const nul = await a.post(`/api/v1/registry/shops/${shopId}/identity`, { action: "reject", reason: "bad\u0000file" });
  assert.equal(nul.statusCode, 400, nul.body);
  const reason = "請補件".repeat(666) + "。。"; // 2000 characters, the schema's maximum
  assert.equal(reason.length, 2000);
  const r = await a.post(`/api/v1/registry/shops/${shopId}/identity`, { action: "reject", reason });
  assert.equal(r.statusCode, 200, `${r.statusCode} ${r.body.slice(0, 300)}`);
  assert.equal(r.json<{ identityStatus: string }>().identityStatus, "unconfirmed");
});

test("a change request rejected with the longest reason the API accepts", async () => {
  const m = await signIn(merchant, "owner");
  const p = await m.patch(`/api/v1/registry/shops/${shopId}`, profile({ address: "臺北市大安區新生南路三段 1 號" }));
  assert.equal(p.statusCode, 200, p.body);
  const change = p.json<{ pendingChange: string | null }>().pendingChange;
  assert.ok(change, p.body);
  const a = await signIn(authority, "admin");
  const r = await a.post(`/api/v1/registry/changes/${change}/decision`, { decision: "reject", reason: "x".repeat(2000) });
  assert.equal(r.statusCode, 200, `${r.statusCode} ${r.body.slice(0, 300)}`);
});

test("the register importer: \"非營業中\" (not operating) is not read as active", () => {
  assert.notEqual(mapStatus("非營業中"), "active");
  assert.equal(mapStatus("營業中"), "active");
});

test("the register importer: a NUL in a field does not abort the import half-way", async () => {
  const dir = mkdtempSync(join(tmpdir(), "ectrust-register-"));
  try {
    const file = join(dir, "nul.csv");
    writeFileSync(file, "統一編號,公司名稱,公司狀況\n04595252,好物\u0000商店,核准設立\n22099131,乙商店,停業\n");
    const r = await importBusinessRegister({ db: t.database.db, clock: t.clock, file, batchSize: 1 });
    assert.equal(r.rows + r.skipped, 2);
    assert.equal((await registry.registerCheck("22099131")).status, "suspended");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
