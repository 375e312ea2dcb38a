import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtemp, rm, writeFile, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { base64, sha256, utf8 } from "./tlog/bytes.ts";
import { formatEntry, issueEntry } from "./tlog/entry.ts";
import { FsLogStore } from "./tlog/fs-store.ts";
import { auditLog } from "./tlog/audit.ts";
import { formatVkey } from "./tlog/note.ts";
import { Sequencer } from "./tlog/sequencer.ts";
import { buildCredential, signCredential } from "./verify/credential.ts";
import { thumbprint } from "./verify/jws.ts";
import { ISSUER, LOG_ORIGIN, NOW, REV_URL, SUS_URL, world } from "./verify/testkit.ts";
import { parseRootKey, verifyCredentialFile } from "./seals.cli.ts";

const repo = new URL("../../../", import.meta.url).pathname;

test("issue into a real log folder, verify the credential file, audit the folder", async () => {
  const w = await world();
  const dir = await mkdtemp(join(tmpdir(), "ectrust-seals-cli-"));
  try {
    const seq = await Sequencer.open({ store: new FsLogStore(dir), origin: LOG_ORIGIN, signer: w.log, maxBatch: 64, maxDelayMs: 5 });
    await Promise.all(Array.from({ length: 300 }, (_, i) => seq.append(utf8(`ectrust.example/entry/v1\ntype anchor\nversion ${i}\nanchor-sha256 AAAA\n`))));
    const jwt = await signCredential(buildCredential(w.credInput), ISSUER, w.issuing);
    const i = w.credInput;
    const entry = formatEntry(issueEntry({ cred: i.id, mark: i.mark.type, origins: i.origins, kid: await thumbprint(w.issuing.publicKey), validFrom: i.validFrom, validUntil: i.validUntil, jwtSha256: base64(await sha256(utf8(jwt))) }));
    const appended = await seq.append(entry);
    await Promise.all(Array.from({ length: 10 }, (_, k) => seq.append(utf8(`ectrust.example/entry/v1\ntype widget\npath /v1/w${k}.js\nsha256 AAAA\n`))));
    await seq.close();
    const file = {
      anchor: w.anchorDoc, jwt, entry: new TextDecoder().decode(entry),
      tlogProof: await seq.tlogProof(appended.index, appended.checkpoint),
      statusLists: { [REV_URL]: w.lists.get(REV_URL), [SUS_URL]: w.lists.get(SUS_URL) },
    };
    const root = await formatVkey("root.ectrust.example", w.root.publicKey);
    const v = await verifyCredentialFile(JSON.stringify(file), { roots: [root], offline: true, now: NOW, origin: "https://shop.example" });
    assert.equal(v.state, "valid", JSON.stringify(v));
    assert.equal((await verifyCredentialFile(JSON.stringify(file), { roots: [root], offline: true, now: NOW, origin: "https://evil.example" })).state, "wrong_origin");
    assert.equal((await verifyCredentialFile("{}", { roots: [root], offline: true, now: NOW })).state, "invalid");
    const { signer: stranger } = await (await import("./tlog/ed25519.ts")).generateSigner();
    assert.equal((await verifyCredentialFile(JSON.stringify(file), { roots: [await formatVkey("x", stranger.publicKey)], offline: true, now: NOW })).state, "invalid");
    const noLists = { ...file, statusLists: {} };
    assert.equal((await verifyCredentialFile(JSON.stringify(noLists), { roots: [root], offline: true, now: NOW })).state, "unavailable");
    assert.equal(await parseRootKey(root), (await parseRootKey(root)));
    await assert.rejects(parseRootKey("short"));

    const vkey = await formatVkey(LOG_ORIGIN, w.log.publicKey);
    const report = await auditLog(new FsLogStore(dir), { vkey });
    assert.equal(report.ok, true, report.problems.join("\n"));
    assert.equal(report.size, 311);
    assert.deepEqual(report.entryTypes, { anchor: 300, issue: 1, widget: 10 });

    // The commands as a user runs them (a program with only this module's commands, so that
    // the test does not depend on other modules): exit codes and JSON.
    await writeFile(join(dir, "cred.json"), JSON.stringify(file));
    const main = `import { Command } from "commander"; import { registerSealsCommands } from ${JSON.stringify(join(repo, "src/modules/seals/seals.cli.ts"))};
      const p = new Command("ectrust"); registerSealsCommands(p); await p.parseAsync(process.argv.slice(1), { from: "user" });`;
    const cli = (...args: string[]) => spawnSync(process.execPath, ["--input-type=module", "-e", main, "--", ...args], { encoding: "utf8", cwd: repo });
    const ok = cli("log", "verify", dir, "--vkey", vkey, "--json");
    assert.equal(ok.status, 0, ok.stderr + ok.stdout);
    assert.equal((JSON.parse(ok.stdout) as { size: number }).size, 311);
    const cred = cli("verify", join(dir, "cred.json"), "--root", root, "--offline", "--json");
    // Real time is used by the CLI: the status lists in the fixture may have expired, so
    // accept valid or unavailable, never invalid.
    assert.ok(["valid", "unavailable"].includes((JSON.parse(cred.stdout) as { state: string }).state), cred.stdout + cred.stderr);

    // Monitoring an origin, from the folder and over HTTP (loopback).
    const { monitorOrigin } = await import("./tlog/audit.ts");
    const { HttpLogStore } = await import("./tlog/http-store.ts");
    const hits = await monitorOrigin(new FsLogStore(dir), "https://www.shop.example", { vkey });
    assert.deepEqual(hits.hits.map((h) => [h.index, h.type]), [[300, "issue"]]);
    assert.equal((await monitorOrigin(new FsLogStore(dir), "https://www.shop.example", { from: 301 })).hits.length, 0);
    const { createServer } = await import("node:http");
    const server = createServer((req, res) => {
      void readFile(join(dir, (req.url ?? "/").slice(1))).then(
        (b) => res.writeHead(200).end(b),
        () => res.writeHead(404).end(),
      );
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    try {
      const port = (server.address() as import("node:net").AddressInfo).port;
      const http = new HttpLogStore(`http://127.0.0.1:${port}/`);
      assert.deepEqual((await monitorOrigin(http, "https://shop.example", { vkey })).hits.map((h) => h.index), [300]);
      assert.equal((await auditLog(http, { vkey })).ok, true);
      // Asynchronously: this process serves the log while the CLI reads it.
      const { execFile } = await import("node:child_process");
      const { promisify } = await import("node:util");
      const mon = await promisify(execFile)(process.execPath, ["--input-type=module", "-e", main, "--", "log", "monitor", "https://shop.example", "--log", `http://127.0.0.1:${port}`, "--json"], { cwd: repo, encoding: "utf8" });
      assert.equal((JSON.parse(mon.stdout) as { hits: unknown[] }).hits.length, 1, mon.stderr);
      await assert.rejects(http.write());
      await assert.rejects(http.writeCheckpoint());
      assert.equal(await new HttpLogStore(`http://127.0.0.1:${port}/nothing`).readCheckpoint(), undefined);
    } finally {
      server.close();
    }

    // Tampering: an entry changed in a bundle is found, and the CLI exits 1.
    const bundle = join(dir, "tile/entries/000");
    const data = await readFile(bundle);
    data[10] = (data[10] ?? 0) ^ 1;
    await writeFile(bundle, data);
    const bad = await auditLog(new FsLogStore(dir), { vkey });
    assert.equal(bad.ok, false);
    assert.ok(bad.problems.some((p) => p.includes("tile/0/000")), bad.problems.join("\n"));
    assert.equal(cli("log", "verify", dir).status, 1);
    const empty = await mkdtemp(join(tmpdir(), "ectrust-seals-empty-"));
    assert.equal((await auditLog(new FsLogStore(empty))).ok, false);
    await rm(empty, { recursive: true });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("ectrust seals demo writes a log and a credential that verify", async () => {
  const { writeDemo } = await import("./seals.cli.ts");
  const dir = await mkdtemp(join(tmpdir(), "ectrust-seals-demo-"));
  try {
    const d = await writeDemo(dir, new Date());
    const v = await verifyCredentialFile(await readFile(join(dir, "cred.json"), "utf8"), { roots: [d.rootVkey], offline: true, origin: "https://www.shop.example" });
    assert.equal(v.state, "valid", JSON.stringify(v));
    const report = await auditLog(new FsLogStore(join(dir, "log")), { vkey: d.logVkey });
    assert.equal(report.ok, true, report.problems.join("\n"));
    assert.deepEqual(report.entryTypes, { anchor: 1, "status-list": 2, issue: 1 });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
