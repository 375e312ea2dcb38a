// registryScanTargets on the real registry service (a real database): the shop's facts come
// through getShop; an unconfirmed shop has no origins to scan and is not among confirmed shops.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, test } from "node:test";
import type { Actor } from "../../platform/actor.ts";
import { FixedClock } from "../../platform/clock.ts";
import { createFetcher } from "../../platform/net/fetcher.ts";
import { staticResolver } from "../../platform/net/resolver.ts";
import { testDatabase, type TestDatabase } from "../../platform/testing/db.ts";
import { createRegistryService } from "../registry/registry.service.ts";
import { registryScanTargets } from "./scanner.targets.ts";

let database: TestDatabase;
before(async () => {
  database = await testDatabase();
});
after(async () => {
  await (database as TestDatabase | undefined)?.close();
});

test("the registry adapter maps shops and lists only confirmed shops' origins", async () => {
  const registry = createRegistryService({
    db: database.db,
    clock: new FixedClock("2026-11-26T00:00:00Z"),
    fetcher: createFetcher({ resolver: staticResolver({}) }),
    mail: { enqueue: () => Promise.resolve() },
    evidence: { get: () => Promise.reject(new Error("not used")) },
    publicUrl: "http://localhost:3000",
  });
  const orgId = randomUUID();
  const actor: Actor = { kind: "user", userId: randomUUID(), orgId, orgKind: "merchant", role: "merchant_admin" };
  const shop = await registry.createShop(actor, {
    legalNameZh: "好物網路商店股份有限公司", legalNameEn: "Good Things Online Ltd.", ubn: "04595252", representative: "王小明",
    address: "臺北市中正區重慶南路一段 122 號", contactEmail: "owner@shop-a.test", contactPhone: "+886 2 2311 1234",
    serviceChannel: "LINE @goodthings", salesModel: "both", sector: "online_shop",
  });
  const targets = registryScanTargets(registry);
  assert.deepEqual(await targets.shop(shop.id), { id: shop.id, orgId, nameZh: "好物網路商店股份有限公司", contactEmail: "owner@shop-a.test" });
  assert.equal(await targets.shop(randomUUID()), undefined);
  assert.deepEqual(await targets.confirmedOrigins(shop.id), [], "an unconfirmed shop has nothing to scan");
  assert.deepEqual(await targets.confirmedShops(), []);
});
