// Review findings on the seals key store and service (each test failed before its fix):
// concurrent syncs of one shop, a crash between key creation and the first anchor, retiring or
// revoking the only usable key of a role, two status-list re-signs at once, a publication of the
// lists overtaken by a re-sign, and key-state changes at once.
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { systemActor } from "../../platform/actor.ts";
import { FixedClock } from "../../platform/clock.ts";
import { AppError } from "../../platform/errors.ts";
import { openDatabase } from "../../platform/db/database.ts";
import { testDatabase } from "../../platform/testing/db.ts";
import { nodeGunzip } from "./tlog/node-crypto.ts";
import { parseCompactJws } from "./verify/jws.ts";
import { decodeList, MAX_LIST_BYTES, readBit } from "./verify/status.ts";
import { createSealsService, statusSlot, type SealsHooks } from "./seals.service.ts";
import { fakeRegistry, fakeShop, type FakeShop } from "./seals.testing.ts";

async function setup() {
  const database = await testDatabase();
  const dataDir = await mkdtemp(join(tmpdir(), "ectrust-seals-review-"));
  const clock = new FixedClock("2026-11-27T00:00:00Z");
  const shops = new Map<string, FakeShop>();
  const masterKey = randomBytes(32);
  /** a service on the same database, folder and keys: another process (`db`: its own connection pool) */
  const service = (o: { db?: typeof database.db; logDelayMs?: number; hooks?: SealsHooks } = {}) =>
    createSealsService({ db: o.db ?? database.db, clock, masterKey, registry: fakeRegistry(shops), dataDir, publicUrl: "https://ectrust.example", logDelayMs: o.logDelayMs ?? 5, ...(o.hooks ? { hooks: o.hooks } : {}) });
  const svc = service();
  return {
    database, dataDir, clock, shops, svc, service,
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

test("revoking the only usable key of a role is refused, naming the rotate command, unless forced", async () => {
  const t = await setup();
  try {
    await t.svc.init();
    const actor = systemActor("test");
    const keyOf = async (role: string) => (await t.svc.keys.list()).find((k) => k.role === role && k.state === "active");
    const issuing = await keyOf("issuing");
    const status = await keyOf("status");
    assert.ok(issuing && status);
    const version = (await t.svc.keys.currentAnchor())?.version;
    // refused (it was revoked at once, and every issuance then failed: "No usable issuing key")
    await assert.rejects(t.svc.keys.changeState(actor, issuing.kid, "revoked", t.svc.appendLog), (e: Error) => {
      assert.match(e.message, /only usable issuing key/);
      assert.match(e.message, /ectrust keys rotate issuing --publish-days 0/);
      assert.match(e.message, new RegExp(`ectrust keys revoke ${issuing.kid} --force`));
      return e instanceof AppError && e.code === "invalid_transition";
    });
    await assert.rejects(t.svc.keys.changeState(actor, status.kid, "revoked", t.svc.appendLog), /only usable status key.*ectrust keys rotate status/);
    assert.equal((await keyOf("issuing"))?.kid, issuing.kid, "still active");
    assert.equal((await t.svc.keys.currentAnchor())?.version, version, "no anchor was signed");
    // a rotation whose key is not usable yet does not help; one that signs at once does
    await t.svc.keys.rotate(actor, "issuing", 7, t.svc.appendLog);
    await assert.rejects(t.svc.keys.changeState(actor, issuing.kid, "revoked", t.svc.appendLog), /usable from 2026-12-04T00:00:00\.000Z/);
    const next = await t.svc.keys.rotate(actor, "issuing", 0, t.svc.appendLog);
    assert.equal((await t.svc.keys.changeState(actor, issuing.kid, "revoked", t.svc.appendLog)).state, "revoked");
    assert.equal((await t.svc.keys.signer("issuing")).kid, next.kid);
    // forced: a compromised status key is revoked even though it is the only one
    assert.equal((await t.svc.keys.changeState(actor, status.kid, "revoked", t.svc.appendLog, { force: true })).state, "revoked");
    await assert.rejects(t.svc.keys.signer("status"), /No usable status key/);
  } finally {
    await t.done();
  }
});

/** Bit `index` of a signed status list (the JWT's encodedList). */
async function bitOf(jwt: string | undefined, index: number): Promise<boolean> {
  const subject = (parseCompactJws(jwt ?? "").payload.credentialSubject ?? {}) as { encodedList?: string };
  return readBit(await decodeList(subject.encodedList ?? "", nodeGunzip(MAX_LIST_BYTES)), index);
}

test("two status-list re-signs at once (server and worker): the newest list wins, in the database and on disk", async () => {
  const t = await setup();
  // on PostgreSQL the second "process" has its own connection pool; PGlite has one connection per process
  const other = t.database.url ? await openDatabase({ url: t.database.url, poolSize: 3 }) : undefined;
  const slow = t.service({ ...(other ? { db: other.db } : {}), logDelayMs: 400 }); // its log batches wait 400 ms
  try {
    await t.svc.init();
    const shop = fakeShop();
    t.shops.set(shop.id, shop);
    await t.svc.syncShop(shop.id);
    const [cred] = await t.svc.credentials(shop.id);
    assert.ok(cred);
    const { position } = statusSlot(cred.statusIndex);
    // The slow one reads the states (nothing revoked) and waits for its log; meanwhile the shop is
    // withdrawn and the fast one revokes and re-signs. Before the lock, the slow one stored and
    // wrote its older list last: the revocation was not in the current list.
    const resigning = slow.resignStatusLists();
    shop.identityStatus = "withdrawn";
    assert.equal((await t.svc.syncShop(shop.id)).IdentityConfirmed, "revoked");
    await resigning;
    assert.equal(await bitOf(await t.svc.statusList("revocation"), position), true, "the newest stored list lacks the revocation");
    assert.equal(await bitOf(await readFile(join(t.dataDir, "seals/pub/trust/status/r/1"), "utf8"), position), true, "the published list lacks the revocation");
    assert.deepEqual((await t.svc.verifyShop(shop.id)).map((v) => v.verdict.state), ["revoked"]);
  } finally {
    await slow.close();
    await other?.close();
    await t.done();
  }
});

/** A promise and the function that resolves it. */
function signal(): { promise: Promise<void>; fire: () => void } {
  let fire = (): void => undefined;
  const promise = new Promise<void>((resolve) => (fire = resolve));
  return { promise, fire };
}

test("publishAll (hourly job, init) overtaken by a re-sign: the newest list stays published", async () => {
  const t = await setup();
  // on PostgreSQL the publishing "process" has its own connection pool (the advisory lock); PGlite, the queue
  const other = t.database.url ? await openDatabase({ url: t.database.url, poolSize: 3 }) : undefined;
  const read = signal();
  const resume = signal();
  const waits = signal();
  // publishAll pauses between reading the newest lists and writing them; the other service says when its re-sign waits for the lock
  const publishing = t.service({ ...(other ? { db: other.db } : {}), hooks: { beforeListsWrite: () => (read.fire(), resume.promise) } });
  const resigning = t.service({ hooks: { listsLockWait: waits.fire } });
  try {
    await resigning.init();
    const shop = fakeShop();
    t.shops.set(shop.id, shop);
    await resigning.syncShop(shop.id);
    const [cred] = await resigning.credentials(shop.id);
    assert.ok(cred);
    const { position } = statusSlot(cred.statusIndex);
    const publication = publishing.publishAll();
    await read.promise; // it holds the lists without the revocation
    shop.identityStatus = "withdrawn";
    const sync = resigning.syncShop(shop.id); // revokes, re-signs and writes the lists
    // Before the lock, the re-sign ran to its end here and publishAll then wrote the older list over
    // it; now the re-sign waits until publishAll has written and let go.
    await Promise.race([sync, waits.promise]);
    resume.fire();
    await publication;
    assert.equal((await sync).IdentityConfirmed, "revoked");
    assert.equal(await bitOf(await readFile(join(t.dataDir, "seals/pub/trust/status/r/1"), "utf8"), position), true, "the published list lacks the revocation");
    assert.equal(await bitOf(await t.svc.statusList("revocation"), position), true);
  } finally {
    await publishing.close();
    await resigning.close();
    await other?.close();
    await t.done();
  }
});

test("key-state changes at once (two processes): a role keeps a usable key, and anchor versions follow each other", async () => {
  const t = await setup();
  const other = t.database.url ? await openDatabase({ url: t.database.url, poolSize: 3 }) : undefined;
  const second = t.service({ ...(other ? { db: other.db } : {}), logDelayMs: 50 }); // both changes' log entries share a batch
  try {
    await t.svc.init();
    const actor = systemActor("test");
    const usable = async (): Promise<string[]> => (await t.svc.keys.list()).filter((k) => k.role === "issuing" && k.state === "active").map((k) => k.kid);
    const [first] = await usable();
    assert.ok(first);
    const next = await t.svc.keys.rotate(actor, "issuing", 0, t.svc.appendLog);
    const version = async (): Promise<number> => (await t.svc.keys.currentAnchor())?.version ?? 0;
    const v0 = await version();
    // Retire one and revoke the other at once. Before, each locked only its own key: both passed the
    // check and no issuing key was left, or the second anchor insert failed on a duplicate version.
    const both = await Promise.allSettled([
      t.svc.keys.changeState(actor, first, "verify-only", t.svc.appendLog),
      second.keys.changeState(actor, next.kid, "revoked", second.appendLog),
    ]);
    const refused = both.filter((r) => r.status === "rejected").map((r) => r.reason as Error);
    assert.equal(refused.length, 1, `exactly one is refused: ${refused.map((e) => e.message).join("; ")}`);
    assert.ok(refused[0] instanceof AppError && refused[0].code === "invalid_transition" && /only usable issuing key/.test(refused[0].message), String(refused[0]?.stack));
    assert.equal((await usable()).length, 1, "an issuing key is still usable");
    assert.equal(await version(), v0 + 1);
    // Three changes that may all go ahead (two more usable keys, and a status rotation) all do, one anchor version each.
    const a = await t.svc.keys.rotate(actor, "issuing", 0, t.svc.appendLog);
    const b = await second.keys.rotate(actor, "issuing", 0, second.appendLog);
    const v1 = await version();
    const three = await Promise.allSettled([
      t.svc.keys.changeState(actor, a.kid, "verify-only", t.svc.appendLog),
      second.keys.changeState(actor, b.kid, "revoked", second.appendLog),
      second.keys.rotate(actor, "status", 0, second.appendLog),
    ]);
    assert.deepEqual(three.map((r) => (r.status === "rejected" ? (r.reason as Error).message.slice(0, 80) : "ok")), ["ok", "ok", "ok"]);
    assert.equal(await version(), v1 + 3);
    for (let v = 1; v <= v1 + 3; v++) assert.ok(await t.svc.keys.anchorVersion(v), `anchor version ${String(v)}`);
  } finally {
    await second.close();
    await other?.close();
    await t.done();
  }
});
