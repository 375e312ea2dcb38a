// The widget's size budget (< 8 KB gzipped, issue 5) and a real-browser run on loopback
// origins: a confirmed origin embeds the seal and sees green; another origin is refused by
// frame-ancestors; tampered, unlogged, revoked and suspended seals show their states; an older
// status list replayed after a newer one is grey.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AddressInfo } from "node:net";
import { chromium } from "playwright-core";
import { createHash } from "node:crypto";
import { GZIP_BUDGET, buildWidget } from "./build-widget.ts";
import { runInNewContext } from "node:vm";
import { gzipSync } from "node:zlib";
import { loadWidget, pinWidget, PINNED_PLACEHOLDER } from "../src/modules/seals/seals.widget.ts";
import { credentialInput, issue, LOG_ORIGIN, NOW, signList, world } from "../src/modules/seals/verify/testkit.ts";
import type { SealBundle } from "../src/modules/seals/verify/seal.ts";
import { listHistory, SEEN, SEEN_MAX, type SeenStorage } from "../src/widget/history.ts";

const CHROMIUM = "/usr/bin/chromium";

async function listen(handler: Parameters<typeof createServer>[1]): Promise<[Server, string]> {
  const s = createServer(handler);
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  return [s, `http://127.0.0.1:${(s.address() as AddressInfo).port}`];
}

test("the widget bundle is under 8 KB gzipped", async () => {
  const dir = await mkdtemp(join(tmpdir(), "ectrust-widget-"));
  try {
    const m = await buildWidget({ outdir: dir, pinned: { roots: [], threshold: 1, minVersion: 1, logOrigin: LOG_ORIGIN } });
    assert.ok(m.gzipBytes < GZIP_BUDGET, `widget is ${m.gzipBytes} B gzipped, budget ${GZIP_BUDGET}`);
    assert.match(m.integrity, /^sha384-/);
    assert.equal(m.chunks.length, 1, "only the lazy @noble/ed25519 chunk besides the entry");
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("a template build is pinned when served: the placeholder becomes the roots, named and SRI-hashed by the served bytes, still under budget", async () => {
  const dir = await mkdtemp(join(tmpdir(), "ectrust-widget-"));
  try {
    const m = await buildWidget({ outdir: dir });
    assert.equal(m.template, true);
    const raw = await readFile(join(dir, m.entry), "utf8");
    assert.equal(raw.split(PINNED_PLACEHOLDER).length, 2, "exactly one placeholder in the template");
    const pinned = { roots: ["MCowBQYDK2VwAyEA-root-a", "root-b"], threshold: 2, minVersion: 3, logOrigin: "seal.example/log" };
    const w = await loadWidget(dir, pinned);
    const code = w.files.get(w.entry);
    assert.ok(code);
    assert.match(w.entry, /^widget\.[A-Z0-9]{8}\.js$/);
    assert.notEqual(w.entry, m.entry);
    assert.equal(w.integrity, `sha384-${createHash("sha384").update(code).digest("base64")}`);
    assert.equal(w.sha256, createHash("sha256").update(code).digest("base64"));
    const text = code.toString("utf8");
    assert.ok(!text.includes(PINNED_PLACEHOLDER));
    assert.ok(text.includes(JSON.stringify(JSON.stringify(pinned))), "the pinned JSON is in the code as a string literal");
    for (const c of m.chunks) assert.ok(w.files.has(c), c);
    assert.ok(gzipSync(code, { level: 9 }).length < GZIP_BUDGET);
    // another root set: another file, another hash
    const other = await loadWidget(dir, { ...pinned, roots: ["root-c"] });
    assert.notEqual(other.entry, w.entry);
    assert.notEqual(other.integrity, w.integrity);
    // a baked build is served as built
    const baked = await buildWidget({ outdir: dir, pinned });
    const served = await loadWidget(dir, { ...pinned, roots: ["ignored"] });
    assert.equal(baked.template, false);
    assert.equal(served.entry, baked.entry);
    assert.equal(served.integrity, baked.integrity);
    assert.equal(served.pinned, undefined);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("pinWidget refuses code without exactly one placeholder, and escapes what it inserts", () => {
  const p = { roots: ['a"</script>\u2028'], threshold: 1, minVersion: 1, logOrigin: "x" };
  assert.throws(() => pinWidget("const a = 1;", p), /exactly one/);
  assert.throws(() => pinWidget(`f("${PINNED_PLACEHOLDER}", '${PINNED_PLACEHOLDER}')`, p), /exactly one/);
  assert.throws(() => pinWidget(`f("${PINNED_PLACEHOLDER}", "${PINNED_PLACEHOLDER}")`, p), /exactly one/);
  for (const q of ['"', "'", "`"]) {
    const out = pinWidget(`globalThis.r = JSON.parse(${q}${PINNED_PLACEHOLDER}${q});`, p);
    const g: { r?: unknown } = {};
    runInNewContext(out.replace("globalThis.r", "g.r"), { g, JSON });
    assert.deepEqual(g.r, p);
  }
});

/** localStorage as the widget sees it: a Map, or one that refuses (a sandboxed frame, a full quota). */
function storage(refuse = false): SeenStorage & { items: Map<string, string> } {
  const items = new Map<string, string>();
  return {
    items,
    getItem: (k) => { if (refuse) throw new DOMException("denied", "SecurityError"); return items.get(k) ?? null; },
    setItem: (k, v) => { if (refuse) throw new DOMException("full", "QuotaExceededError"); items.set(k, v); },
  };
}

test("the widget's list history: only forward, shared with other tabs, bounded, and held in memory without storage", () => {
  const s = storage();
  const a = listHistory(() => s);
  const b = listHistory(() => s); // another tab of the seal origin
  a.accepted("https://t.example/status/r/1", 2000);
  a.accepted("https://t.example/status/r/1", 1000); // an older one never moves it back
  assert.equal(b.newest("https://t.example/status/r/1"), 2000);
  b.accepted("https://t.example/status/r/1", 3000);
  assert.equal(a.newest("https://t.example/status/r/1"), 3000, "a newer list seen in another tab counts here");
  // bounded: many lists (every one the seal origin ever saw) keep the newest SEEN_MAX
  for (let i = 0; i < SEEN_MAX + 4; i++) a.accepted(`https://t.example/status/s/${String(i)}`, 10_000 + i);
  const kept = JSON.parse(s.items.get(SEEN) ?? "{}") as Record<string, number>;
  assert.equal(Object.keys(kept).length, SEEN_MAX);
  assert.equal(kept[`https://t.example/status/s/${String(SEEN_MAX + 3)}`], 10_000 + SEEN_MAX + 3);
  // a damaged entry is ignored, and storage that throws leaves the page's memory
  s.items.set(SEEN, "[1,2");
  assert.equal(a.newest("https://t.example/status/r/1"), 2000, "this page's own memory (it saw 2000; 3000 was the other tab's) survives a damaged entry");
  const sandboxed = listHistory(() => storage(true));
  sandboxed.accepted("https://t.example/status/r/1", 5);
  assert.equal(sandboxed.newest("https://t.example/status/r/1"), 5);
  assert.equal(sandboxed.newest("https://t.example/status/r/2"), undefined);
});

test("in Chromium: green on the confirmed origin, refused elsewhere, and each bad state", { skip: !existsSync(CHROMIUM) && "no Chromium" }, async () => {
  const w = await world();
  const dir = await mkdtemp(join(tmpdir(), "ectrust-widget-"));
  const pages = new Map<string, SealBundle[]>();
  const lists = new Map<string, string>();
  let shopOrigin = "";
  const served: string[] = [];
  const chunks = (): number => served.filter((u) => u.startsWith("/w/chunk.")).length;
  const [seal, sealOrigin] = await listen((req, res) => {
    const url = req.url ?? "/";
    void (async () => {
      if (url.startsWith("/s/")) {
        const bundles = pages.get(url.slice(3));
        if (!bundles) {
          res.writeHead(404).end();
          return;
        }
        const m = JSON.parse(await readFile(join(dir, "manifest.json"), "utf8")) as { entry: string; integrity: string };
        const data = JSON.stringify({ verifyUrl: `${sealOrigin}/verify`, anchor: w.anchorDoc, bundles }).replaceAll("<", "\\u003c");
        // "nocsp" plays a seal page that lost its frame-ancestors header: the in-frame check must catch it.
        const ancestors = url.endsWith("nocsp") ? "*" : shopOrigin;
        res.writeHead(200, {
          "content-type": "text/html; charset=utf-8",
          "content-security-policy": `frame-ancestors ${ancestors}; default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'`,
        });
        res.end(`<!doctype html><meta charset="utf-8"><div id="ectrust-seal"></div><script type="application/json" id="ectrust-seal-data">${data}</script><script type="module" src="/w/${m.entry}" integrity="${m.integrity}" crossorigin="anonymous"></script>`);
        return;
      }
      if (url.startsWith("/w/")) {
        served.push(url);
        res.writeHead(200, { "content-type": "text/javascript", "access-control-allow-origin": "*" });
        res.end(await readFile(join(dir, url.slice(3))));
        return;
      }
      const list = lists.get(`${sealOrigin}${url}`);
      if (list) res.writeHead(200, { "content-type": "application/vc+jwt" }).end(list);
      else res.writeHead(404).end();
    })();
  });
  const embed = (_req: unknown, res: import("node:http").ServerResponse, id = "good"): void => {
    res.writeHead(200, { "content-type": "text/html" }).end(`<!doctype html><iframe id="seal" src="${sealOrigin}/s/${id}" width="240" height="110"></iframe>`);
  };
  const [shop, shopUrl] = await listen((req, res) => {
    embed(req, res, (req.url ?? "/").slice(1) || "good");
  });
  const [other, otherUrl] = await listen((req, res) => {
    embed(req, res, (req.url ?? "/").slice(1) || "good");
  });
  shopOrigin = shopUrl;
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
  try {
    await buildWidget({ outdir: dir, pinned: { ...w.pinned, roots: [...w.pinned.roots], logOrigin: LOG_ORIGIN } });
    const rev = `${sealOrigin}/status/r/1`;
    const sus = `${sealOrigin}/status/s/1`;
    lists.set(rev, await signList(w, rev, "revocation", [3]));
    lists.set(sus, await signList(w, sus, "suspension", [4]));
    const cred = (n: number) =>
      credentialInput({
        id: `urn:uuid:0b5c1a6e-0000-4000-8000-00000000000${n}`,
        origins: [shopUrl],
        status: [
          { statusPurpose: "revocation", statusListIndex: n, statusListCredential: rev },
          { statusPurpose: "suspension", statusListIndex: n, statusListCredential: sus },
        ],
      });
    const good = await issue(w, cred(1));
    pages.set("good", [good]);
    pages.set("nocsp", [good]);
    pages.set("tampered", [{ ...good, jwt: good.jwt.replace(/.$/, (c) => (c === "A" ? "B" : "A")) }]);
    pages.set("unlogged", [{ ...(await issue(w, cred(2))), tlogProof: good.tlogProof }]);
    pages.set("revoked", [await issue(w, cred(3))]);
    pages.set("suspended", [await issue(w, cred(4))]);
    const stateAt = async (url: string, noWebCryptoEd25519 = false): Promise<string | undefined> => {
      const page = await browser.newPage();
      try {
        if (noWebCryptoEd25519) {
          // An older browser: WebCrypto without Ed25519, in every frame; the widget must fall back to @noble/ed25519.
          await page.addInitScript(() => {
            const subtle = crypto.subtle;
            const original = subtle.importKey.bind(subtle) as (...a: unknown[]) => Promise<CryptoKey>;
            Object.defineProperty(subtle, "importKey", {
              value: (...a: unknown[]) => ((a[2] as { name?: string } | undefined)?.name === "Ed25519" ? Promise.reject(new DOMException("no Ed25519", "NotSupportedError")) : original(...a)),
            });
          });
        }
        // the test world's lists are valid for one day around NOW: the widget's clock starts there
        await page.clock.install({ time: NOW });
        await page.goto(url);
        const frame = page.frames().find((f) => f.url().startsWith(`${sealOrigin}/s/`));
        if (!frame) return undefined;
        const box = await frame.waitForSelector("[data-state]", { timeout: 5000 }).catch(() => null);
        return (await box?.getAttribute("data-state")) ?? undefined;
      } finally {
        await page.close();
      }
    };
    assert.equal(await stateAt(`${shopUrl}/good`), "valid");
    assert.equal(await stateAt(`${otherUrl}/`), undefined, "frame-ancestors must refuse another origin");
    assert.equal(await stateAt(`${otherUrl}/nocsp`), "wrong_origin", "without frame-ancestors the widget's own origin check refuses");
    // Opened as a page of its own (a look-alike's popup or rel=noreferrer link): frame-ancestors does
    // not apply to a top-level page and there is no referrer, so nothing bound it to the shop.
    assert.equal(await stateAt(`${sealOrigin}/s/good`), "wrong_origin", "the seal page outside a frame is not green");
    assert.equal(chunks(), 0, "the @noble/ed25519 chunk is not loaded when WebCrypto has Ed25519");
    assert.equal(await stateAt(`${shopUrl}/good`, true), "valid", "the lazy @noble/ed25519 fallback verifies");
    assert.equal(chunks(), 1);
    assert.equal(await stateAt(`${shopUrl}/tampered`, true), "invalid");
    assert.equal(await stateAt(`${shopUrl}/tampered`), "invalid");
    assert.equal(await stateAt(`${shopUrl}/unlogged`), "invalid");
    assert.equal(await stateAt(`${shopUrl}/revoked`), "revoked");
    assert.equal(await stateAt(`${shopUrl}/suspended`), "suspended");

    // A page left open (a single-page shop, a tab restored from the back/forward cache): once the
    // list's ttl (5 min) has passed the widget checks again, so a revocation shows without a reload.
    pages.set("later", [await issue(w, cred(5))]);
    const page = await browser.newPage();
    try {
      await page.clock.install({ time: NOW });
      await page.goto(`${shopUrl}/later`);
      const frame = await (await page.waitForSelector("iframe")).contentFrame();
      assert.ok(frame);
      await frame.waitForSelector("[data-state=valid]", { timeout: 5000 });
      lists.set(rev, await signList(w, rev, "revocation", [3, 5]));
      await page.clock.fastForward("05:01");
      await frame.waitForSelector("[data-state=revoked]", { timeout: 5000 });
    } finally {
      await page.close();
    }

    // Replay: a CDN or an attacker serves an older list, signed and still valid, from before the
    // revocation of 6. The widget has seen the newer one, so the older is grey, never green: on the
    // open page's next check (memory) and after a reload (the seal origin's localStorage).
    pages.set("replay", [await issue(w, cred(6))]);
    const older = await signList(w, rev, "revocation", [3, 5], { validFrom: "2026-11-30T00:00:00Z" });
    lists.set(rev, await signList(w, rev, "revocation", [3, 5, 6], { validFrom: "2026-11-30T12:00:00Z" }));
    const replay = await browser.newPage();
    try {
      await replay.clock.install({ time: NOW });
      await replay.goto(`${shopUrl}/replay`);
      const frame = await (await replay.waitForSelector("iframe")).contentFrame();
      assert.ok(frame);
      await frame.waitForSelector("[data-state=revoked]", { timeout: 5000 });
      lists.set(rev, older);
      await replay.clock.fastForward("05:01");
      await frame.waitForSelector("[data-state=unavailable]", { timeout: 5000 });
      await replay.reload();
      const again = await (await replay.waitForSelector("iframe")).contentFrame();
      assert.equal(await (await again?.waitForSelector("[data-state]", { timeout: 5000 }))?.getAttribute("data-state"), "unavailable", "the replayed list after a reload");
    } finally {
      await replay.close();
    }
  } finally {
    await browser.close();
    for (const s of [seal, shop, other]) s.close();
    await rm(dir, { recursive: true, force: true });
  }
});
