// Security review findings in the registry, on a real database (run it with
// ECTRUST_TEST_DB=postgres too: the race needs a pool of connections to show).
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, test } from "node:test";
import type { Actor } from "../../platform/actor.ts";
import { FixedClock } from "../../platform/clock.ts";
import type { Fetcher, FetchResponse } from "../../platform/net/fetcher.ts";
import { testDatabase, type TestDatabase } from "../../platform/testing/db.ts";
import { createRegistryService, type RegistryService } from "./registry.service.ts";
import { shopProfile } from "./testing.ts";

let database: TestDatabase;
let registry: RegistryService;
const clock = new FixedClock("2027-02-01T09:00:00Z");
const merchant = (): Extract<Actor, { kind: "user" }> => ({ kind: "user", userId: randomUUID(), orgId: randomUUID(), orgKind: "merchant", role: "merchant_admin" });

/** Serves every proof token, and holds each answer until `hold` callers have asked (so checks overlap). */
let hold = 1;
let waiting: (() => void)[] = [];
const fetcher: Fetcher = {
  async fetch(url) {
    const u = new URL(String(url));
    const token = u.pathname.split("/").at(-1) ?? "";
    await new Promise<void>((resolve) => {
      waiting.push(resolve);
      if (waiting.length >= hold) {
        for (const r of waiting) r();
        waiting = [];
      }
    });
    return { url: u.href, status: 200, headers: [], address: "203.0.113.7", tls: undefined, body: Buffer.from(token), truncated: false, redirects: [], elapsedMs: 1 } satisfies FetchResponse;
  },
  async probeTls() {
    return { offered: true, protocol: "TLSv1.3", error: undefined };
  },
  async txt() {
    return [];
  },
};

const profile = (ubn: string) => shopProfile({ ubn });

before(async () => {
  database = await testDatabase();
  registry = createRegistryService({
    db: database.db,
    clock,
    fetcher,
    mail: { enqueue: async () => undefined },
    evidence: { get: async () => { throw new Error("unused"); } },
    publicUrl: "https://ectrust.test/",
  });
});
after(async () => database.close());

test("two shops proving the same origin at the same moment: only one of them holds it", async () => {
  const a = merchant();
  const b = merchant();
  const shopA = await registry.createShop(a, profile("04595252"));
  const shopB = await registry.createShop(b, profile("22099131"));
  const oa = await registry.addOrigin(a, shopA.id, "https://contested.example");
  const ob = await registry.addOrigin(b, shopB.id, "https://contested.example");
  hold = 2;
  const results = await Promise.allSettled([registry.verifyOrigin(a, shopA.id, oa.id, "http"), registry.verifyOrigin(b, shopB.id, ob.id, "http")]);
  hold = 1;
  const proven = (await registry.listOrigins(a, shopA.id)).concat(await registry.listOrigins(b, shopB.id)).filter((o) => o.status === "proven");
  assert.equal(proven.length, 1, `both shops now hold https://contested.example (${results.map((r) => r.status).join(", ")})`);
});
