// In Chromium (Debian's /usr/bin/chromium, playwright-core): the real seals HTTP app on a
// loopback port, a widget built with that server's root pinned, and shop pages on other
// loopback ports. The confirmed origin shows green; the same snippet on another port is
// refused by frame-ancestors; a withdrawn shop shows red.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { chromium } from "playwright-core";
import { buildWidget } from "../../../scripts/build-widget.ts";
import { systemClock } from "../../platform/clock.ts";
import { loadConfig } from "../../platform/config.ts";
import { createHttpApp } from "../../platform/http/app.ts";
import { reservePort } from "../../platform/testing/server.ts";
import { testDatabase } from "../../platform/testing/db.ts";
import { verifyRemote } from "./seals.remote.ts";
import { sealsRoutes } from "./seals.routes.ts";
import { embedSnippets, loaderScript } from "./seals.page.ts";
import { createSealsService } from "./seals.service.ts";
import { fakeRegistry, fakeShop, type FakeShop } from "./seals.testing.ts";

const CHROMIUM = "/usr/bin/chromium";

async function listen(handler: Parameters<typeof createServer>[1]): Promise<[Server, string]> {
  const s = createServer(handler);
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  return [s, `http://127.0.0.1:${String((s.address() as AddressInfo).port)}`];
}

test("seal from the real server: green on the confirmed origin, refused elsewhere, red when withdrawn", { skip: !existsSync(CHROMIUM) && "no Chromium" }, async () => {
  const database = await testDatabase();
  const dir = await mkdtemp(join(tmpdir(), "ectrust-seals-browser-"));
  const reservation = await reservePort();
  const port = reservation.port;
  const sealOrigin = `http://127.0.0.1:${String(port)}`;
  const config = loadConfig({ PUBLIC_URL: sealOrigin, LOG_LEVEL: "silent", DATA_DIR: dir });
  const shops = new Map<string, FakeShop>();
  const seals = createSealsService({ db: database.db, clock: systemClock, masterKey: Buffer.alloc(32, 5), registry: fakeRegistry(shops), dataDir: dir, publicUrl: sealOrigin, logDelayMs: 5 });
  const app = await createHttpApp({ config, logger: pino({ level: "silent" }), engine: database.engine, version: "test", authenticator: { session: () => Promise.resolve(undefined), apiToken: () => Promise.resolve(undefined) }, globalRateLimit: 100_000 });
  const embed = (res: import("node:http").ServerResponse, shopId: string): void => {
    res.writeHead(200, { "content-type": "text/html" }).end(`<!doctype html><iframe id="seal" src="${sealOrigin}/seal/s/${shopId}" width="240" height="110"></iframe>`);
  };
  const [shopServer, shopUrl] = await listen((req, res) => {
    const path = (req.url ?? "/").slice(1);
    // the script snippet the merchant console hands out, exactly
    if (path.startsWith("loader/")) res.writeHead(200, { "content-type": "text/html" }).end(`<!doctype html><p>shop</p>${embedSnippets(sealOrigin, path.slice(7), loaderScript(sealOrigin)).script}`);
    else embed(res, path);
  });
  const [otherServer, otherUrl] = await listen((req, res) => {
    embed(res, (req.url ?? "/").slice(1));
  });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
  try {
    await seals.init();
    const widgetDir = join(dir, "widget");
    await buildWidget({ outdir: widgetDir, pinned: await seals.pinned() });
    await app.register(sealsRoutes, { seals, publicUrl: sealOrigin, widgetDir });
    await reservation.release();
    await app.listen({ port, host: "127.0.0.1" });

    const good = fakeShop({ origins: [shopUrl] });
    const gone = fakeShop({ origins: [shopUrl] });
    shops.set(good.id, good);
    shops.set(gone.id, gone);
    await seals.syncShop(good.id);
    await seals.syncShop(gone.id);
    gone.identityStatus = "withdrawn";
    await seals.syncShop(gone.id);

    const stateAt = async (url: string): Promise<string | undefined> => {
      const page = await browser.newPage();
      try {
        await page.goto(url);
        const frame = page.frames().find((f) => f.url().startsWith(`${sealOrigin}/seal/s/`));
        if (!frame) return undefined;
        const box = await frame.waitForSelector("[data-state]", { timeout: 8000 }).catch(() => null);
        return (await box?.getAttribute("data-state")) ?? undefined;
      } finally {
        await page.close();
      }
    };
    assert.equal(await stateAt(`${shopUrl}/${good.id}`), "valid");
    assert.equal(await stateAt(`${otherUrl}/${good.id}`), undefined, "frame-ancestors refuses another origin");
    assert.equal(await stateAt(`${shopUrl}/${gone.id}`), "revoked");

    // the loader injects the seal and sizes its frame to the seal's height (the widget's message)
    const page = await browser.newPage();
    try {
      await page.goto(`${shopUrl}/loader/${good.id}`);
      const frame = await page.waitForSelector("iframe");
      const inner = await frame.contentFrame();
      assert.ok(inner);
      await inner.waitForSelector("[data-state=valid]", { timeout: 8000 });
      const height = Number(await inner.evaluate("document.documentElement.scrollHeight"));
      assert.notEqual(height, 64, "the test needs a seal taller or shorter than the loader's first guess");
      await page.waitForFunction(`document.querySelector("iframe").getAttribute("height") === "${String(height)}"`, undefined, { timeout: 8000 });
    } finally {
      await page.close();
    }

    // `ectrust verify <shop id | origin>` against the same running server, with the pinned root
    const roots = (await seals.pinned()).roots;
    assert.deepEqual((await verifyRemote(good.id, sealOrigin, { roots, origin: shopUrl })).map((r) => r.verdict.state), ["valid"]);
    const byOrigin = await verifyRemote(shopUrl, sealOrigin, { roots });
    assert.deepEqual(byOrigin.map((r) => [r.shopId, r.verdict.state]).sort(), [[good.id, "valid"], [gone.id, "revoked"]].sort());
    const wrongRoot = await verifyRemote(good.id, sealOrigin, { roots: ["11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"] });
    assert.equal(wrongRoot[0]?.verdict.state, "invalid", "keys the server hands out are not trusted without the pinned root");
  } finally {
    await reservation.release();
    await browser.close();
    await app.close();
    shopServer.close();
    otherServer.close();
    await seals.close();
    await database.close();
    await rm(dir, { recursive: true, force: true });
  }
});
