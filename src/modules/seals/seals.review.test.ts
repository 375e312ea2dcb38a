// Review findings on the seals key store and service (each test failed before its fix):
// concurrent syncs of one shop, a crash between key creation and the first anchor, and
// retiring the only usable key of a role.
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { systemActor } from "../../platform/actor.ts";
import { FixedClock } from "../../platform/clock.ts";
import { testDatabase } from "../../platform/testing/db.ts";
import { createSealsService } from "./seals.service.ts";
import { fakeRegistry, fakeShop, type FakeShop } from "./seals.testing.ts";

async function setup() {
  const database = await testDatabase();
  const dataDir = await mkdtemp(join(tmpdir(), "ectrust-seals-review-"));
  const clock = new FixedClock("2026-11-27T00:00:00Z");
  const shops = new Map<string, FakeShop>();
  const svc = createSealsService({ db: database.db, clock, masterKey: randomBytes(32), registry: fakeRegistry(shops), dataDir, publicUrl: "https://ectrust.example", logDelayMs: 5 });
  return {
    database, dataDir, clock, shops, svc,
    async done() {
      await svc.close();
      await database.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

test("two syncs of one shop at once (hook job + hourly job) leave no credential behind when the shop is withdrawn", async () => {
  const t = await setup();
  try {
    await t.svc.init();
    const shop = fakeShop();
    t.shops.set(shop.id, shop);
    await Promise.all([t.svc.syncShop(shop.id), t.svc.syncShop(shop.id)]);
    // the next sync keeps one credential and supersedes any duplicate
    await t.svc.syncShop(shop.id);
    assert.equal((await t.svc.credentials(shop.id)).length, 1);
    assert.equal((await t.svc.verifyShop(shop.id)).length, 1);
    shop.origins = ["https://shop.example", "https://b.example"]; // two concurrent reissues
    await Promise.all([t.svc.syncShop(shop.id), t.svc.syncShop(shop.id)]);
    shop.identityStatus = "withdrawn";
    await t.svc.syncShop(shop.id);
    const live = (await t.svc.credentialHistory(shop.id)).filter((c) => c.state !== "revoked");
    assert.deepEqual(live.map((c) => c.id), [], "a withdrawn shop still has an unrevoked credential");
    for (const v of await t.svc.verifyShop(shop.id)) assert.notEqual(v.verdict.state, "valid");
  } finally {
    await t.done();
  }
});

test("a crash between key creation and the first anchor is repaired (init, then the hourly job)", async () => {
  const t = await setup();
  try {
    // The log folder cannot be created: keys are committed, the log append fails.
    await writeFile(join(t.dataDir, "seals"), "not a folder");
    await assert.rejects(t.svc.init());
    await t.svc.close();
    await rm(join(t.dataDir, "seals"));
    await t.svc.init();
    await t.svc.hourly();
    assert.equal(await t.svc.keys.currentAnchor(), undefined, "not while an init may still be on its way to anchor 1");
    t.clock.advance(11 * 60_000);
    await t.svc.hourly();
    assert.equal((await t.svc.keys.currentAnchor())?.version, 1, "keys exist but no trust anchor was ever signed");
  } finally {
    await t.done();
  }
});

test("retiring the only usable issuing key is refused (issuance would stop)", async () => {
  const t = await setup();
  try {
    await t.svc.init();
    const actor = systemActor("test");
    const issuing = (await t.svc.keys.list()).find((k) => k.role === "issuing");
    assert.ok(issuing);
    await assert.rejects(t.svc.keys.changeState(actor, issuing.kid, "verify-only", t.svc.appendLog), /only usable|rotate/i);
    // after a rotation whose window has not passed, the old key is still the only usable one
    await t.svc.keys.rotate(actor, "issuing", 7, t.svc.appendLog);
    await assert.rejects(t.svc.keys.changeState(actor, issuing.kid, "verify-only", t.svc.appendLog), /only usable|rotate/i);
    t.clock.advance(8 * 86_400_000);
    await t.svc.keys.changeState(actor, issuing.kid, "verify-only", t.svc.appendLog);
    const shop = fakeShop();
    t.shops.set(shop.id, shop);
    assert.equal((await t.svc.syncShop(shop.id)).IdentityConfirmed, "issued");
  } finally {
    await t.done();
  }
});
