// End to end through the real flows, no doubles: the whole server (buildServer, job worker in
// process, the real registry, certification and seals services wired as in production), serving
// the *template* widget build that `npm run build` produces, so the root it pins is this fresh
// server's own (docs/seals.md, "Pinning"). A shop proves its origin over HTTPS (throwaway test CA,
// static resolver), the authority confirms it → IdentityConfirmed; a privacy mark is driven to
// active through the certification lifecycle → PrivacyMark; then sanction_suspend → amber,
// suspension_lifted → green, sanction_revoke → red, each with its log entry. Chromium opens the
// shop's page at https://shopa.test:<port> (host-resolver rule to 127.0.0.1) with the one-line
// embed snippet, and reads the seal's state.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import https from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { chromium, type Browser } from "playwright-core";
import { and, eq } from "drizzle-orm";
import { buildWidget } from "../../../scripts/build-widget.ts";
import { buildServer } from "../../server.ts";
import { auditLog as auditTrail } from "../../platform/audit/audit.tables.ts";
import { loadConfig } from "../../platform/config.ts";
import { createFetcher } from "../../platform/net/fetcher.ts";
import { staticResolver } from "../../platform/net/resolver.ts";
import { reservePort } from "../../platform/testing/server.ts";
import { testDatabase } from "../../platform/testing/db.ts";
import { accreditedBody, buildActor, driveToActive, type CertWorld } from "../certification/testing.ts";
import { makeHostPki } from "../registry/testing.ts";
import { auditLog, monitorOrigin } from "./tlog/audit.ts";
import { FsLogStore } from "./tlog/fs-store.ts";
import { embedSnippets, loaderScript } from "./seals.page.ts";
import { sealCredentials } from "./seals.tables.ts";

const CHROMIUM = "/usr/bin/chromium";

async function* pdf(): AsyncGenerator<Uint8Array> {
  yield Buffer.from("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n");
}

/** Polls until `read` returns something truthy (jobs run asynchronously in the worker); fails after 60 s. */
async function eventually<T>(what: string, read: () => Promise<T | undefined | false>): Promise<T> {
  for (let i = 0; i < 600; i++) {
    const v = await read();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`never happened: ${what}`);
}

test("real flows: registry confirmation and the certification lifecycle drive the seal a fresh server pins and serves", { skip: !existsSync(CHROMIUM) && "no Chromium" }, async () => {
  const pki = makeHostPki(["shopa.test"]);
  const tokens = new Set<string>();
  let shopPage = "";
  const shopServer = https.createServer({ key: pki.key, cert: pki.cert }, (req, res) => {
    const m = /^\/\.well-known\/ectrust\/([A-Za-z0-9_-]+)$/.exec(req.url ?? "/");
    if (m && tokens.has(m[1] ?? "")) res.writeHead(200, { "content-type": "text/plain" }).end(`${m[1] ?? ""}\n`);
    else if (req.url === "/") res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(shopPage);
    else res.writeHead(404).end();
  });
  await new Promise<void>((r) => shopServer.listen(0, "127.0.0.1", r));
  const shopPort = (shopServer.address() as AddressInfo).port;
  const shopOrigin = `https://shopa.test:${String(shopPort)}`;

  const dir = await mkdtemp(join(tmpdir(), "ectrust-seals-flows-"));
  const reservation = await reservePort();
  const port = reservation.port;
  const sealOrigin = `http://127.0.0.1:${String(port)}`;
  const widgetDir = join(dir, "widget");
  const built = await buildWidget({ outdir: widgetDir }); // exactly what `npm run build` makes: a template
  assert.equal(built.template, true);
  const database = await testDatabase();
  const config = loadConfig({ PUBLIC_URL: sealOrigin, PORT: String(port), LOG_LEVEL: "silent", DATA_DIR: join(dir, "data") });
  const server = await buildServer({
    config, database, work: true, fastHashing: true, widgetDir, logger: pino({ level: "silent" }),
    registryFetcher: createFetcher({ resolver: staticResolver({ "shopa.test": ["127.0.0.1"] }), allowHosts: [`shopa.test:${String(shopPort)}`], ca: [pki.caCert] }),
  });
  let browser: Browser | undefined;
  try {
    const { registry, evidence, certification, accreditation, schemes, seals } = server.services;
    const app = await server.http();
    await reservation.release();
    await app.listen({ host: "127.0.0.1", port });

    // --- the registry's real confirmation flow ---
    const merchant = buildActor("merchant", "merchant_admin");
    const authority = buildActor("authority", "authority_admin");
    const shop = await registry.createShop(merchant, {
      legalNameZh: "好物網路商店股份有限公司", legalNameEn: "Good Things Online Ltd.", ubn: "04595252", representative: "王小明",
      address: "臺北市中正區重慶南路一段 122 號", contactEmail: "owner@shop-a.test", contactPhone: "+886 2 2311 1234",
      serviceChannel: "LINE @goodthings", salesModel: "both", sector: "online_shop",
    });
    const origin = await registry.addOrigin(merchant, shop.id, shopOrigin);
    tokens.add(origin.instructions.http.body);
    const proof = await registry.verifyOrigin(merchant, shop.id, origin.id, "http");
    assert.equal(proof.ok, true, JSON.stringify(proof));
    const file = await evidence.upload(merchant, merchant.orgId, { filename: "registration.pdf", stream: pdf(), declaredType: "application/pdf" });
    await registry.attachDocument(merchant, shop.id, { evidenceId: file.id, kind: "business_registration", note: "" });
    await registry.act(merchant, shop.id, "submit", "");
    assert.equal((await registry.act(authority, shop.id, "approve", "documents match the register")).identityStatus, "confirmed");

    const identity = await eventually("IdentityConfirmed issued", async () => (await seals.credentials(shop.id)).find((c) => c.mark === "IdentityConfirmed"));
    assert.deepEqual(identity.origins, [shopOrigin]);
    assert.equal(identity.state, "active");

    // --- a privacy mark through the real certification lifecycle ---
    const w = { certification, accreditation, schemes } as unknown as CertWorld;
    const body = await accreditedBody(w);
    const appId = await driveToActive(w, body, merchant);
    const privacy = await eventually("PrivacyMark issued", async () => (await seals.credentials(shop.id)).find((c) => c.mark === "PrivacyMark" && c.state === "active"));
    assert.deepEqual(privacy.origins, [shopOrigin]);

    // --- the seal in the browser, embedded with the merchant's one-line snippet ---
    shopPage = `<!doctype html><meta charset="utf-8"><title>Shop A</title><p>Good Things</p>${embedSnippets(sealOrigin, shop.id, loaderScript(sealOrigin)).script}`;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--host-resolver-rules=MAP shopa.test 127.0.0.1", "--ignore-certificate-errors"] });
    const sealState = async (): Promise<string | undefined> => {
      const page = await browser?.newPage(); // a new context each time: no cached status list
      assert.ok(page);
      try {
        await page.goto(`${shopOrigin}/`);
        const frame = await eventually("the seal iframe", () => Promise.resolve(page.frames().find((f) => f.url().startsWith(`${sealOrigin}/seal/s/`))));
        const box = await frame.waitForSelector("[data-state]", { timeout: 10_000 });
        return (await box.getAttribute("data-state")) ?? undefined;
      } finally {
        await page.context().close();
      }
    };
    assert.equal(await sealState(), "valid", "a fresh server's seal is green: the widget pins this server's root");

    // the credential's state, and the sync job done (lists re-signed and published after the row changes)
    const state = async (s: string) => eventually(`PrivacyMark ${s}`, async () => {
      const [row] = await database.db.select().from(sealCredentials).where(and(eq(sealCredentials.id, privacy.id)));
      const sync = (await server.jobs.stats()).find((q) => q.name === "seals.sync-shop");
      return row?.state === s && sync?.queued === 0 && sync.active === 0 ? row : undefined;
    }).catch(async (e: unknown) => {
      const rows = await database.db.select({ mark: sealCredentials.mark, state: sealCredentials.state, reason: sealCredentials.reason }).from(sealCredentials);
      throw new Error(`${String(e)}; credentials ${JSON.stringify(rows)}; failed jobs ${JSON.stringify(await server.jobs.failed("seals.sync-shop"))}; marks ${JSON.stringify(await certification.listMarksForOrg(merchant.orgId))}`);
    });
    // suspension → suspension list + amber
    await certification.transition(body.admin, appId, "sanction_suspend", { reason: "breach of 2,000 records", level: 8, months: 3 });
    await state("suspended");
    assert.equal(await sealState(), "suspended");
    // lifting → green
    await certification.transition(body.admin, appId, "suspension_lifted", { reason: "corrective evidence verified" });
    await state("active");
    assert.equal(await sealState(), "valid");
    // revocation → red
    await certification.transition(authority, appId, "sanction_revoke", { reason: "repeated breach", level: 10 });
    await state("revoked");
    assert.equal(await sealState(), "revoked");

    // --- the log has one entry per event, and every checkpoint is consistent ---
    const store = new FsLogStore(join(dir, "data", "seals", "log"));
    const report = await auditLog(store);
    assert.deepEqual(report.problems, []);
    assert.equal(report.entryTypes.issue, 2, "two credentials issued");
    assert.equal(report.entryTypes.suspend, 1);
    assert.equal(report.entryTypes.unsuspend, 1);
    assert.equal(report.entryTypes.revoke, 1);
    assert.equal(report.entryTypes.widget, 1, "the served widget build is logged once");
    const hits = await monitorOrigin(store, shopOrigin);
    assert.deepEqual(hits.hits.map((h) => h.type), ["issue", "issue"]);
    // the audit trail has every change
    const actions = (await database.db.select({ action: auditTrail.action }).from(auditTrail)).map((r) => r.action);
    for (const a of ["seals.credential.issue", "seals.credential.suspend", "seals.credential.unsuspend", "seals.credential.revoke", "seals.widget.release"]) assert.ok(actions.includes(a), a);
  } finally {
    await reservation.release();
    await browser?.close();
    await server.close();
    await database.close();
    shopServer.close();
    await rm(dir, { recursive: true, force: true });
  }
});
