// An origin removed from a shop leaves its seal at once, not at the next hourly job. The whole
// server (buildServer: real registry and seals wired as in production, the job worker in process)
// on a clock that never moves: the shop proves two origins over HTTPS (throwaway CA, static
// resolver), is confirmed, and removes one; the re-sync is queued in the removal's transaction,
// so the next check refuses the removed origin and the seal page no longer lets it frame the seal.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import https from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { buildServer } from "../../server.ts";
import { FixedClock } from "../../platform/clock.ts";
import { loadConfig } from "../../platform/config.ts";
import { createFetcher } from "../../platform/net/fetcher.ts";
import { staticResolver } from "../../platform/net/resolver.ts";
import { testDatabase } from "../../platform/testing/db.ts";
import { buildActor } from "../certification/testing.ts";
import { makeHostPki } from "../registry/testing.ts";

async function* pdf(): AsyncGenerator<Uint8Array> {
  yield Buffer.from("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n");
}

/** Polls until `read` returns something truthy (the sync runs in the job worker); fails after 30 s of wall time. */
async function eventually<T>(what: string, read: () => Promise<T | undefined | false>): Promise<T> {
  for (let i = 0; i < 300; i++) {
    const v = await read();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`never happened: ${what}`);
}

test("removing an origin re-syncs the seal at once: the next check refuses that origin, with the clock standing still", async () => {
  const pki = makeHostPki(["shopa.test", "shopb.test"]);
  const tokens = new Set<string>();
  const shopServer = https.createServer({ key: pki.key, cert: pki.cert }, (req, res) => {
    const m = /^\/\.well-known\/ectrust\/([A-Za-z0-9_-]+)$/.exec(req.url ?? "/");
    if (m && tokens.has(m[1] ?? "")) res.writeHead(200, { "content-type": "text/plain" }).end(`${m[1] ?? ""}\n`);
    else res.writeHead(404).end();
  });
  await new Promise<void>((r) => shopServer.listen(0, "127.0.0.1", r));
  const port = String((shopServer.address() as AddressInfo).port);
  const [a, b] = [`https://shopa.test:${port}`, `https://shopb.test:${port}`];
  const dir = await mkdtemp(join(tmpdir(), "ectrust-seals-origins-"));
  const database = await testDatabase();
  const clock = new FixedClock(new Date()); // never advanced: the hourly job cannot be what re-syncs
  const server = await buildServer({
    config: loadConfig({ PUBLIC_URL: "http://127.0.0.1:3999", LOG_LEVEL: "silent", DATA_DIR: join(dir, "data") }),
    database, clock, work: true, fastHashing: true, logger: pino({ level: "silent" }),
    registryFetcher: createFetcher({ resolver: staticResolver({ "shopa.test": ["127.0.0.1"], "shopb.test": ["127.0.0.1"] }), allowHosts: [`shopa.test:${port}`, `shopb.test:${port}`], ca: [pki.caCert] }),
  });
  try {
    // No hourly re-sync in this test (cron 17 * * * *, and a missed run caught up once on start):
    // only the removal may bring the seal in line.
    await server.jobs.unschedule("seals.hourly");
    const hourlyRuns = async (): Promise<number> => {
      const q = (await server.jobs.stats()).find((x) => x.name === "seals.hourly");
      return (q?.queued ?? 0) + (q?.active ?? 0) + (q?.completed ?? 0) + (q?.failed ?? 0);
    };
    const { registry, evidence, seals } = server.services;
    const merchant = buildActor("merchant", "merchant_admin");
    const shop = await registry.createShop(merchant, {
      legalNameZh: "好物網路商店股份有限公司", legalNameEn: "Good Things Online Ltd.", ubn: "04595252", representative: "王小明",
      address: "臺北市中正區重慶南路一段 122 號", contactEmail: "owner@shop-a.test", contactPhone: "+886 2 2311 1234",
      serviceChannel: "LINE @goodthings", salesModel: "both", sector: "online_shop",
    });
    const origins = [];
    for (const o of [a, b]) {
      const added = await registry.addOrigin(merchant, shop.id, o);
      tokens.add(added.instructions.http.body);
      assert.equal((await registry.verifyOrigin(merchant, shop.id, added.id, "http")).ok, true, o);
      origins.push(added);
    }
    const file = await evidence.upload(merchant, merchant.orgId, { filename: "registration.pdf", stream: pdf(), declaredType: "application/pdf" });
    await registry.attachDocument(merchant, shop.id, { evidenceId: file.id, kind: "business_registration", note: "" });
    await registry.act(merchant, shop.id, "submit", "");
    assert.equal((await registry.act(buildActor("authority", "authority_admin"), shop.id, "approve", "documents match the register")).identityStatus, "confirmed");
    // submit and approve each queued a sync: both are done before the removal
    const syncsPending = async (): Promise<number> => {
      const q = (await server.jobs.stats()).find((x) => x.name === "seals.sync-shop");
      return (q?.queued ?? 0) + (q?.active ?? 0);
    };
    await eventually("IdentityConfirmed for both origins", async () => (await syncsPending()) === 0 && (await seals.credentials(shop.id)).find((c) => c.origins.length === 2));
    const stateOn = async (origin: string): Promise<string[]> => (await seals.verifyShop(shop.id, origin)).filter((v) => v.verdict.state !== "revoked").map((v) => v.verdict.state);
    assert.deepEqual(await stateOn(b), ["valid"]);

    await registry.removeOrigin(merchant, shop.id, origins[1]?.id ?? "");
    // Before, nothing re-synced until the hourly job (cron 17 * * * *): this waited in vain.
    await eventually(`the seal refuses ${b} after its removal`, async () => (await stateOn(b)).join() === "wrong_origin");
    assert.deepEqual(await stateOn(a), ["valid"], "still valid on the origin that stays");
    assert.equal(await hourlyRuns(), 0, "the hourly job did not run: the removal's own sync did this");
    const page = await (await server.http()).inject({ method: "GET", url: `/seal/s/${shop.id}` });
    assert.ok(String(page.headers["content-security-policy"]).startsWith(`frame-ancestors ${a}; `), "the removed origin may no longer frame the seal");
  } finally {
    await server.close();
    await database.close();
    shopServer.close();
    await rm(dir, { recursive: true, force: true });
  }
});
