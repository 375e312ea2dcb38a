// Status lists only move forward (docs/seals.md, departure 16): a verifier that remembers the
// newest list it accepted refuses an older one, so every version the service signs must be
// issued after the one before it, even within the same second or under a clock that stepped
// back (or another process's slower clock), or an old list could be replayed, and a new one
// would look replayed.
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FixedClock } from "../../platform/clock.ts";
import { testDatabase } from "../../platform/testing/db.ts";
import { nodeEd25519Verify, nodeGunzip } from "./tlog/node-crypto.ts";
import { verifySealFromRoots, type Verdict } from "./verify/seal.ts";
import { MAX_LIST_BYTES } from "./verify/status.ts";
import { createSealsService } from "./seals.service.ts";
import { fakeRegistry, fakeShop, type FakeShop } from "./seals.testing.ts";

test("list versions signed in the same millisecond, or after the clock stepped back, still move forward", async () => {
  const database = await testDatabase();
  const dataDir = await mkdtemp(join(tmpdir(), "ectrust-seals-rollback-"));
  const clock = new FixedClock("2026-11-27T00:00:00Z");
  const shops = new Map<string, FakeShop>();
  const svc = createSealsService({ db: database.db, clock, masterKey: randomBytes(32), registry: fakeRegistry(shops), dataDir, publicUrl: "https://ectrust.example", logDelayMs: 5 });
  try {
    await svc.init();
    clock.advance(2 * 3600_000); // the keys were made at the start: room to step back below
    const shop = fakeShop();
    shops.set(shop.id, shop);
    await svc.syncShop(shop.id);
    const [cred] = await svc.credentials(shop.id);
    assert.ok(cred);
    const anchor = (await svc.keys.currentAnchor())?.document ?? "";
    const roots = await svc.keys.roots();
    // one browser: it keeps the newest validFrom of each list it accepted, as the widget does
    const seen = new Map<string, number>();
    const statusHistory = { newest: (u: string) => seen.get(u), accepted: (u: string, t: number) => void seen.set(u, t) };
    const check = async (lists: Map<string, string>): Promise<Verdict> =>
      verifySealFromRoots({
        bundle: { jwt: cred.jwt, tlogProof: cred.tlogProof, entry: cred.entry }, anchor, pinned: { roots, threshold: 1, minVersion: 1 },
        logOrigin: svc.logOrigin, embedding: undefined, now: clock.now(), ed25519: nodeEd25519Verify, gunzip: nodeGunzip(MAX_LIST_BYTES), statusHistory,
        fetchStatusList: (url) => Promise.resolve(lists.get(url) ?? ""),
      });
    await svc.resignStatusLists(); // the hourly re-sign
    const before = await svc.statusLists();
    assert.equal((await check(before)).state, "valid");
    // revoked in the same instant as the lists it replaces (the clock does not move)
    shop.identityStatus = "withdrawn";
    await svc.syncShop(shop.id);
    const after = await svc.statusLists();
    assert.equal((await check(after)).state, "revoked");
    const replayed = await check(before);
    assert.equal(replayed.state, "unavailable", `the list from before the revocation is accepted again: ${JSON.stringify(replayed)}`);
    assert.equal(replayed.code, "status_rollback");
    // the clock steps back two minutes (NTP, or a worker on a host whose clock is slow): the next version is still newer
    clock.advance(-120_000);
    await svc.resignStatusLists();
    assert.equal((await check(await svc.statusLists())).state, "revoked", "a list signed after a clock step back looks replayed");
  } finally {
    await svc.close();
    await database.close();
    await rm(dataDir, { recursive: true, force: true });
  }
});
