// Seals service on a real database (PGlite or PostgreSQL) with a registry double: key store,
// issuance from identity status, suspension, withdrawal, reissue on origin change, status lists,
// publication files, and server-side verification of what was issued.
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { systemActor } from "../../platform/actor.ts";
import { listAudit } from "../../platform/audit/audit.ts";
import { FixedClock } from "../../platform/clock.ts";
import { testDatabase } from "../../platform/testing/db.ts";
import { auditLog } from "./tlog/audit.ts";
import { FsLogStore } from "./tlog/fs-store.ts";
import { createSealsService, statusSlot } from "./seals.service.ts";
import { fakeRegistry, fakeShop, type FakeShop } from "./seals.testing.ts";
import { sealAnchors, sealCounters, sealKeys } from "./seals.tables.ts";

test("seals service: keys, issuance, suspension, reissue, withdrawal, lists, publication, verification", async () => {
  const database = await testDatabase();
  const dataDir = await mkdtemp(join(tmpdir(), "ectrust-seals-svc-"));
  const clock = new FixedClock("2026-11-27T00:00:00Z");
  const shops = new Map<string, FakeShop>();
  const masterKey = randomBytes(32);
  const svc = createSealsService({ db: database.db, clock, masterKey, registry: fakeRegistry(shops), dataDir, publicUrl: "https://ectrust.example", logDelayMs: 5 });
  try {
    await svc.init();
    await svc.init(); // idempotent
    const keyRows = await database.db.select().from(sealKeys);
    assert.deepEqual(keyRows.map((k) => k.role).sort(), ["issuing", "log", "root", "status"]);
    for (const k of keyRows) assert.doesNotMatch(k.sealedSeed, new RegExp(k.publicKey)); // sealed, not raw
    const anchor = await svc.keys.currentAnchor();
    assert.equal(anchor?.version, 1);

    const shop = fakeShop();
    shops.set(shop.id, shop);
    assert.deepEqual(await svc.syncShop(shop.id), { IdentityConfirmed: "issued", PrivacyMark: "not_wired" });
    assert.deepEqual(await svc.syncShop(shop.id), { IdentityConfirmed: "unchanged", PrivacyMark: "not_wired" });
    const v = await svc.verifyShop(shop.id, "https://shop.example");
    assert.equal(v.length, 1);
    assert.equal(v[0]?.verdict.state, "valid", JSON.stringify(v[0]?.verdict));
    assert.equal((await svc.verifyShop(shop.id, "https://evil.example"))[0]?.verdict.state, "wrong_origin");
    const [cred] = await svc.credentials(shop.id);
    assert.ok(cred);

    // publication files
    const index = JSON.parse(await readFile(join(dataDir, "seals/pub/trust/c", shop.id, "index.json"), "utf8")) as { marks: unknown[] };
    assert.equal(index.marks.length, 1);
    const jwks = JSON.parse(await readFile(join(dataDir, "seals/pub/trust/.well-known/jwks.json"), "utf8")) as { keys: { kid: string }[] };
    assert.equal(jwks.keys.length, 2);
    assert.ok((await svc.publisher.read("trust", "status/r/1"))?.cacheControl.includes("max-age=300"));
    assert.equal(await svc.publisher.read("trust", "../../../etc/passwd"), undefined);

    // lapsed → suspended (amber), confirmed again → unsuspended with the same credential
    shop.identityStatus = "lapsed";
    assert.equal((await svc.syncShop(shop.id)).IdentityConfirmed, "suspended");
    assert.equal((await svc.verifyShop(shop.id))[0]?.verdict.state, "suspended");
    shop.identityStatus = "confirmed";
    assert.equal((await svc.syncShop(shop.id)).IdentityConfirmed, "unsuspended");
    assert.equal((await svc.verifyShop(shop.id))[0]?.verdict.state, "valid");

    // a new origin → reissue with a new index; the old one is revoked as superseded
    shop.origins = ["https://shop.example", "https://www.shop.example"];
    assert.equal((await svc.syncShop(shop.id)).IdentityConfirmed, "reissued");
    const [cred2] = await svc.credentials(shop.id);
    assert.ok(cred2 && cred2.id !== cred.id && cred2.statusIndex !== cred.statusIndex);
    assert.deepEqual(cred2.origins, ["https://shop.example", "https://www.shop.example"]);

    // withdrawn → revoked (red), and the index is never reused
    shop.identityStatus = "withdrawn";
    assert.equal((await svc.syncShop(shop.id)).IdentityConfirmed, "revoked");
    assert.deepEqual((await svc.verifyShop(shop.id)).map((x) => x.verdict.state), ["revoked"]);
    const other = fakeShop();
    shops.set(other.id, other);
    await svc.syncShop(other.id);
    const [cred3] = await svc.credentials(other.id);
    assert.ok(cred3 && cred3.statusIndex > cred2.statusIndex);

    // key rotation: the new issuing key is published now, used only after the window
    const before = (await svc.keys.signer("issuing")).kid;
    const added = await svc.keys.rotate(systemActor("test"), "issuing", 7, svc.appendLog);
    assert.equal((await svc.keys.signer("issuing")).kid, before);
    clock.advance(8 * 86_400_000);
    assert.equal((await svc.keys.signer("issuing")).kid, added.kid);
    await svc.keys.changeState(systemActor("test"), before, "verify-only", svc.appendLog);
    assert.equal((await svc.keys.currentAnchor())?.version, 3);
    await svc.resignStatusLists();
    assert.equal((await svc.verifyShop(other.id))[0]?.verdict.state, "valid"); // signed by the retired key, still verifies
    // the next sync moves the shop to the current issuing key
    assert.equal((await svc.syncShop(other.id)).IdentityConfirmed, "reissued");

    const roots = await svc.keys.exportRoot(systemActor("test"));
    assert.equal(roots.length, 1);
    assert.equal(roots[0]?.seed.length, 43);

    // the log: every event is an entry, the folder audits clean, no personal data in entries
    await svc.close();
    const store = new FsLogStore(join(dataDir, "seals/log"));
    const doc = JSON.parse((await svc.keys.currentAnchor())?.document ?? "{}") as { payload: string };
    const payload = JSON.parse(Buffer.from(doc.payload, "base64url").toString("utf8")) as { log: { vkey: string } };
    const report = await auditLog(store, { vkey: payload.log.vkey });
    assert.ok(report.ok, report.problems.join("; "));
    assert.ok(report.size >= 15, `log size ${String(report.size)}`);
    for (const t of ["issue", "suspend", "unsuspend", "revoke", "status-list", "key-add", "key-retire", "anchor"]) assert.ok((report.entryTypes[t] ?? 0) > 0, t);
    for (const c of await svc.credentialHistory(shop.id)) assert.ok(!c.entry.includes("範例") && !c.entry.includes("12345675"), "no names or numbers in the log");
    const audit = await listAudit(database.db, { limit: 200 });
    assert.ok(audit.items.some((a) => a.action === "seals.key.export_root"));
    assert.ok(audit.items.some((a) => a.action === "seals.credential.revoke"));
  } finally {
    await svc.close();
    await database.close();
    await rm(dataDir, { recursive: true, force: true });
  }
});

test("PrivacyMark through the certification port (a double): issued, suspended, revoked; never without identity", async () => {
  const database = await testDatabase();
  const dataDir = await mkdtemp(join(tmpdir(), "ectrust-seals-pm-"));
  const clock = new FixedClock("2026-11-27T00:00:00Z");
  const shop = fakeShop();
  const shops = new Map<string, FakeShop>([[shop.id, shop]]);
  let mark: { state: "active" | "suspended" | "ended"; number: string; validUntil: Date } | undefined = { state: "active", number: "TWPIMS-000001-01", validUntil: new Date("2027-06-01T00:00:00Z") };
  const svc = createSealsService({ db: database.db, clock, masterKey: randomBytes(32), registry: fakeRegistry(shops), marks: { currentMark: () => Promise.resolve(mark) }, dataDir, publicUrl: "https://ectrust.example", logDelayMs: 5 });
  try {
    await svc.init();
    assert.deepEqual(await svc.syncShop(shop.id), { IdentityConfirmed: "issued", PrivacyMark: "issued" });
    const states = async () => (await svc.verifyShop(shop.id)).map((v) => `${v.mark}:${v.verdict.state}`).sort();
    assert.deepEqual(await states(), ["IdentityConfirmed:valid", "PrivacyMark:valid"]);
    mark = { ...mark, state: "suspended" };
    assert.equal((await svc.syncShop(shop.id)).PrivacyMark, "suspended");
    assert.deepEqual(await states(), ["IdentityConfirmed:valid", "PrivacyMark:suspended"]);
    mark = undefined;
    assert.equal((await svc.syncShop(shop.id)).PrivacyMark, "revoked");
    mark = { state: "active", number: "TWPIMS-000001-02", validUntil: new Date("2027-06-01T00:00:00Z") };
    shop.identityStatus = "withdrawn";
    assert.deepEqual(await svc.syncShop(shop.id), { IdentityConfirmed: "revoked", PrivacyMark: "none" });
  } finally {
    await svc.close();
    await database.close();
    await rm(dataDir, { recursive: true, force: true });
  }
});

test("a mark valid longer than 13 months: capped, kept across syncs as the clock moves, renewed in its last 30 days, reissued at once if the source shortens", async () => {
  const database = await testDatabase();
  const dataDir = await mkdtemp(join(tmpdir(), "ectrust-seals-cap-"));
  const clock = new FixedClock("2026-11-27T00:00:00Z");
  const DAY = 86_400_000;
  const shop = fakeShop({ expiresAt: new Date("2030-01-01T00:00:00Z") });
  const shops = new Map<string, FakeShop>([[shop.id, shop]]);
  let mark = { state: "active" as const, number: "TWPIMS-000001-01", validUntil: new Date("2028-11-27T00:00:00Z") };
  const svc = createSealsService({ db: database.db, clock, masterKey: randomBytes(32), registry: fakeRegistry(shops), marks: { currentMark: () => Promise.resolve(mark) }, dataDir, publicUrl: "https://ectrust.example", logDelayMs: 5 });
  try {
    await svc.init();
    assert.deepEqual(await svc.syncShop(shop.id), { IdentityConfirmed: "issued", PrivacyMark: "issued" });
    const first = (await svc.credentials(shop.id)).find((c) => c.mark === "PrivacyMark");
    assert.ok(first);
    assert.equal(first.validUntil.getTime(), clock.now().getTime() + 13 * 30 * DAY, "capped at 13 × 30 days");
    clock.advance(DAY);
    assert.deepEqual(await svc.syncShop(shop.id), { IdentityConfirmed: "unchanged", PrivacyMark: "unchanged" }, "the moving cap alone does not reissue");
    clock.advance((13 * 30 - 31) * DAY); // 30 days before the credential ends
    assert.equal((await svc.syncShop(shop.id)).PrivacyMark, "reissued");
    const renewed = (await svc.credentials(shop.id)).find((c) => c.mark === "PrivacyMark");
    assert.ok(renewed && renewed.validUntil > first.validUntil);
    mark = { ...mark, validUntil: new Date(clock.now().getTime() + 100 * DAY) };
    assert.equal((await svc.syncShop(shop.id)).PrivacyMark, "reissued", "a shorter source validity reissues");
    assert.equal((await svc.credentials(shop.id)).find((c) => c.mark === "PrivacyMark")?.validUntil.getTime(), mark.validUntil.getTime());
    assert.equal((await svc.syncShop(shop.id)).PrivacyMark, "unchanged");
  } finally {
    await svc.close();
    await database.close();
    await rm(dataDir, { recursive: true, force: true });
  }
});

test("status: list 1 full → list 2 (indices never reused); the hourly job re-signs every list for 24 h and the anchor before it expires", async () => {
  const database = await testDatabase();
  const dataDir = await mkdtemp(join(tmpdir(), "ectrust-seals-lists-"));
  const clock = new FixedClock("2026-11-27T00:00:00Z");
  const DAY = 86_400_000;
  const shops = new Map<string, FakeShop>();
  const svc = createSealsService({ db: database.db, clock, masterKey: randomBytes(32), registry: fakeRegistry(shops), dataDir, publicUrl: "https://ectrust.example", logDelayMs: 5 });
  try {
    await svc.init();
    // list 1 is almost full: the next index is its last slot
    await database.db.insert(sealCounters).values({ name: "status-index", next: 131_071 }).onConflictDoUpdate({ target: sealCounters.name, set: { next: 131_071 } });
    const last = fakeShop({ origins: ["https://last.example"] });
    const first2 = fakeShop({ origins: ["https://first2.example"] });
    for (const s of [last, first2]) {
      shops.set(s.id, s);
      await svc.syncShop(s.id);
    }
    const [a] = await svc.credentials(last.id);
    const [b] = await svc.credentials(first2.id);
    assert.ok(a && b);
    assert.equal(a.statusIndex, 131_071);
    assert.equal(b.statusIndex, 131_072);
    assert.deepEqual(statusSlot(131_071), { list: 1, position: 131_071 });
    assert.deepEqual(statusSlot(131_072), { list: 2, position: 0 });
    const payload = (jwt: string) => JSON.parse(Buffer.from(jwt.split(".")[1] ?? "", "base64url").toString()) as { credentialStatus: { statusListIndex: string | number; statusListCredential: string }[]; validFrom: string; validUntil: string };
    assert.deepEqual(payload(b.jwt).credentialStatus.map((c) => [String(c.statusListIndex), c.statusListCredential]), [["0", "https://ectrust.example/trust/status/r/2"], ["0", "https://ectrust.example/trust/status/s/2"]]);
    // withdrawing the list-2 shop sets bit 0 of revocation list 2 only; both verify as they should
    first2.identityStatus = "withdrawn";
    await svc.syncShop(first2.id);
    assert.deepEqual((await svc.verifyShop(last.id, "https://last.example")).map((v) => v.verdict.state), ["valid"]);
    assert.deepEqual((await svc.verifyShop(first2.id, "https://first2.example")).map((v) => v.verdict.state), ["revoked"]);
    const lists = await svc.statusLists();
    assert.deepEqual([...lists.keys()].sort(), ["r/1", "r/2", "s/1", "s/2"].map((p) => `https://ectrust.example/trust/status/${p}`));
    assert.ok((await readFile(join(dataDir, "seals", "pub", "trust", "status", "r", "2"), "utf8")).startsWith("ey"));
    // indices are never reused: a reissue takes a fresh one
    last.origins = ["https://last.example", "https://www.last.example"];
    await svc.syncShop(last.id);
    assert.equal((await svc.credentials(last.id))[0]?.statusIndex, 131_073);

    // hourly: every list re-signed with 24 h validity, the anchor left alone while far from expiry
    clock.advance(2 * 3600_000);
    assert.deepEqual(await svc.hourly(), { anchor: undefined, shops: 2 });
    for (const jwt of (await svc.statusLists()).values()) {
      const p = payload(jwt);
      assert.equal(p.validFrom, clock.now().toISOString().replace(".000", ""));
      assert.equal(new Date(p.validUntil).getTime() - new Date(p.validFrom).getTime(), DAY);
    }
    // 151 days later (the anchor lives 180): re-signed as the next version, logged
    const before = await svc.keys.currentAnchor();
    clock.advance(151 * DAY);
    const h = await svc.hourly();
    assert.equal(h.anchor, (before?.version ?? 0) + 1);
    assert.equal((await svc.keys.currentAnchor())?.version, h.anchor);
    assert.equal(await svc.hourly().then((x) => x.anchor), undefined, "once per window");
    const report = await auditLog(new FsLogStore(join(dataDir, "seals", "log")));
    assert.deepEqual(report.problems, []);
    assert.equal(report.entryTypes.anchor, 2);
  } finally {
    await svc.close();
    await database.close();
    await rm(dataDir, { recursive: true, force: true });
  }
});

test("two servers starting at once on an empty database create one key set and one anchor", async () => {
  const database = await testDatabase();
  const dataDir = await mkdtemp(join(tmpdir(), "ectrust-seals-init-"));
  const clock = new FixedClock("2026-11-27T00:00:00Z");
  const masterKey = randomBytes(32);
  const make = () => createSealsService({ db: database.db, clock, masterKey, registry: fakeRegistry(new Map()), dataDir, publicUrl: "https://ectrust.example", logDelayMs: 5 });
  const [a, b] = [make(), make()];
  try {
    // Both look before either writes: without the lock each created a key set of its own.
    await Promise.all([a.init(), b.init()]);
    const keyRows = await database.db.select().from(sealKeys);
    assert.deepEqual(keyRows.map((k) => k.role).sort(), ["issuing", "log", "root", "status"]);
    assert.equal((await database.db.select().from(sealAnchors)).length, 1);
    assert.equal((await a.keys.currentAnchor())?.version, 1);
  } finally {
    await a.close();
    await b.close();
    await database.close();
    await rm(dataDir, { recursive: true, force: true });
  }
});
