// Findings of a security review of mask / protect / unprotect, keys and the CLI: each test failed on
// the code before its fix.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, linkSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { KeyError, loadKeyFile, parseKeyList } from "./keys.ts";
import { DecryptError, decryptToken, encryptValue, hmacToken, unprotectText } from "./operators.ts";
import { rewriteJobs } from "./files.ts";
import { protectFile, unprotectFile } from "./protect-files.ts";
import type { SkipNote } from "./pii.types.ts";

const cli = new URL("../../cli.ts", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "pii-review-"));
process.on("exit", () => { rmSync(dir, { recursive: true, force: true }); });
const ring = parseKeyList(`k1:${randomBytes(32).toString("base64")}`);

function run(args: string[], cwd = dir, env: Record<string, string> = {}): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [cli, "pii", ...args], { cwd, encoding: "utf8", env: { ...process.env, ...env }, timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test("a key written the wrong way round (key:id) is refused without printing the key", () => {
  const hex = randomBytes(32).toString("hex");
  const b64 = randomBytes(32).toString("base64");
  for (const s of [`${hex}:k1`, `${b64}:k1`]) {
    assert.throws(() => parseKeyList(s), (e: unknown) => e instanceof KeyError && !e.message.includes(s.slice(0, 16)));
  }
  const f = join(dir, "swapped.json");
  writeFileSync(f, JSON.stringify({ keys: [{ id: hex, key: "k1" }] }));
  assert.throws(() => loadKeyFile(f), (e: unknown) => e instanceof KeyError && !e.message.includes(hex.slice(0, 16)));
  // through the CLI too: the message goes to stderr, which CI logs keep
  writeFileSync(join(dir, "k.txt"), "手機 0912-345-678\n");
  const r = run(["protect", "k.txt", "--out-dir", "out-swapped"], dir, { ECTRUST_PII_KEY: `${hex}:k1` });
  assert.equal(r.code, 2);
  assert.ok(!r.err.includes(hex.slice(0, 16)), r.err);
});

test("a key ring with the same id twice is refused (a rotated key silently replaced the older one)", () => {
  const a = randomBytes(32).toString("base64"), b = randomBytes(32).toString("base64");
  assert.throws(() => parseKeyList(`k1:${a},k1:${b}`), KeyError);
});

test("a token whose text was altered does not authenticate, even where base64 ignores the change", () => {
  // iv (12) + tag (16) + 5 bytes of plaintext = 33 bytes: 44 base64url characters, no spare bits,
  // so one more character decodes to the same bytes
  const tok = encryptValue("TW_MOBILE", "09123", ring);
  const b64 = /:([A-Za-z0-9_-]+)\}\}$/.exec(tok)?.[1] ?? "";
  assert.equal(b64.length % 4, 0);
  const longer = tok.replace(/\}\}$/, "A}}");
  assert.throws(() => decryptToken(longer, ring), (e: unknown) => e instanceof DecryptError);
  assert.equal(unprotectText(`x ${longer} y`, ring).failed, 1);
  // 34 bytes: the last of 46 characters carries 4 unused bits; changing them changed nothing
  const tok2 = encryptValue("TW_MOBILE", "091234", ring);
  const last = tok2.charAt(tok2.length - 3);
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  const sibling = alphabet.charAt(alphabet.indexOf(last) ^ 1);
  const altered = `${tok2.slice(0, -3)}${sibling}}}`;
  assert.notEqual(altered, tok2);
  assert.throws(() => decryptToken(altered, ring), (e: unknown) => e instanceof DecryptError);
});

test("outputs of '..' and 'dir/..' stay inside --out-dir", async () => {
  const root = join(dir, "trav");
  mkdirSync(join(root, "work", "sub"), { recursive: true });
  writeFileSync(join(root, "sibling.txt"), "手機 0912-345-678\n");
  writeFileSync(join(root, "work", "a.txt"), "手機 0912-345-678\n");
  const outDir = join(root, "work", "out");
  for (const p of [`${root}/work/..`, `${root}/work/sub/../..`]) { // not join(): it would resolve the ".."
    const notes: SkipNote[] = [];
    const jobs = await rewriteJobs([p], outDir, notes);
    assert.ok(jobs.length > 0);
    for (const j of jobs) {
      const rel = relative(resolve(outDir), resolve(j.output));
      assert.ok(!rel.startsWith("..") && !rel.startsWith("/"), `${j.input} → ${j.output} is outside ${outDir}`);
    }
  }
  // and through the CLI, from a subfolder: nothing may be written next to the inputs
  const r = run(["mask", "..", "--out-dir", join(root, "elsewhere", "o")], join(root, "work"));
  assert.equal(r.code, 0, r.err);
  assert.ok(!existsSync(join(root, "elsewhere", "sibling.txt")), r.err);
  assert.ok(existsSync(join(root, "elsewhere", "o", "sibling.txt")), r.err);
});

test("a symlink planted in --out-dir is not written through", async () => {
  const root = join(dir, "sym");
  mkdirSync(join(root, "out"), { recursive: true });
  mkdirSync(join(root, "victim-dir"), { recursive: true });
  writeFileSync(join(root, "a.txt"), "手機 0912-345-678\n");
  writeFileSync(join(root, "victim.txt"), "precious\n");
  symlinkSync(join(root, "victim.txt"), join(root, "out", "a.txt"));
  const r = run(["mask", "a.txt", "--out-dir", "out"], root);
  assert.equal(readFileSync(join(root, "victim.txt"), "utf8"), "precious\n", r.err);
  // a symlinked folder inside --out-dir that leads out of it
  mkdirSync(join(root, "data"));
  writeFileSync(join(root, "data", "b.txt"), "手機 0912-345-678\n");
  mkdirSync(join(root, "out2"));
  symlinkSync(join(root, "victim-dir"), join(root, "out2", "data"));
  const r2 = run(["mask", "data", "--out-dir", "out2"], root);
  assert.ok(!existsSync(join(root, "victim-dir", "b.txt")), r2.err);
  assert.equal(r2.code, 1);
});

test("an output that is a hard link to an input is refused (it would truncate the input)", async () => {
  const root = join(dir, "hard");
  mkdirSync(join(root, "out"), { recursive: true });
  writeFileSync(join(root, "a.txt"), "手機 0912-345-678\n");
  linkSync(join(root, "a.txt"), join(root, "out", "a.txt"));
  const notes: SkipNote[] = [];
  const jobs = await rewriteJobs([join(root, "a.txt")], join(root, "out"), notes);
  assert.deepEqual(jobs, []);
  assert.equal(notes[0]?.reason, "output-conflict");
});

test("restored and protected copies are readable by their owner only", async () => {
  const root = join(dir, "perm");
  mkdirSync(root, { recursive: true });
  writeFileSync(join(root, "a.txt"), "手機 0912-345-678\n");
  const p = join(root, "out", "nested", "a.txt");
  await protectFile(join(root, "a.txt"), p, { kind: "encrypt", keys: ring }, {});
  assert.equal(statSync(p).mode & 0o077, 0, `protected copy mode ${(statSync(p).mode & 0o777).toString(8)}`);
  const u = join(root, "restored", "a.txt");
  const r = await unprotectFile(p, u, ring);
  assert.equal(r.replaced, 1);
  assert.equal(readFileSync(u, "utf8"), "手機 0912-345-678\n");
  assert.equal(statSync(u).mode & 0o077, 0, `restored copy mode ${(statSync(u).mode & 0o777).toString(8)}`);
  assert.equal(statSync(join(root, "restored")).mode & 0o077, 0);
});

test("mask / keep-last / hmac on JSON strings with \\u escapes: valid JSON, and the same token as the plain value", async () => {
  const root = join(dir, "esc");
  mkdirSync(root, { recursive: true });
  const f = join(root, "a.json");
  writeFileSync(f, '{"phone":"\\u0030912345678","name":"\\u9673\\u5fd7\\u660e","id":"A\\u0031\\u00323456789","plain":"0912345678"}\n');
  for (const op of [{ kind: "mask" }, { kind: "keep-last", n: 4 }, { kind: "redact" }, { kind: "hmac", keys: ring }] as const) {
    const out = join(root, `${op.kind}.json`);
    await protectFile(f, out, op, {});
    const text = readFileSync(out, "utf8");
    let j: Record<string, string>;
    try {
      j = JSON.parse(text) as Record<string, string>;
    } catch (e) {
      assert.fail(`${op.kind}: not JSON any more: ${text} (${String(e)})`);
    }
    if (op.kind === "mask") assert.deepEqual(j, { phone: "0912***678", name: "陳○明", id: "A12****789", plain: "0912***678" });
    if (op.kind === "keep-last") assert.ok(!text.includes("660e"), text); // no hex digits of 明 kept
    if (op.kind === "hmac") {
      assert.equal(j.phone, hmacToken("TW_MOBILE", "0912345678", ring));
      assert.equal(j.phone, j.plain);
    }
  }
  // encrypt still restores the file byte for byte
  const enc = join(root, "enc.json");
  await protectFile(f, enc, { kind: "encrypt", keys: ring }, {});
  assert.ok(!readFileSync(enc, "utf8").includes("5fd7"));
  await unprotectFile(enc, join(root, "dec.json"), ring);
  assert.equal(readFileSync(join(root, "dec.json"), "utf8"), readFileSync(f, "utf8"));
});

test("a rejected --postgres URL is not echoed (it may hold a password)", () => {
  for (const u of ["postgresq://shop:S3cretPw@db.example/shop", "postgres://shop:S3cretPw@[::1/shop"]) {
    const r = run(["scan", "--postgres", u]);
    assert.equal(r.code, 2);
    assert.match(r.err, /--postgres/);
    assert.ok(!r.err.includes("S3cretPw"), r.err);
  }
});

test("JSON keys that are personal data are not printed raw in `column` (nor in the inventory) without --show-values", () => {
  const f = join(dir, "keyed.json");
  writeFileSync(f, '{"users":{"chen.zhiming@example.com":{"mobile":"0912345678"}}}\n');
  const r = run(["scan", f]);
  assert.equal(r.code, 0, r.err);
  assert.ok(!r.out.includes("chen.zhiming@example.com"), r.out);
  assert.match(r.out, /"column":"users\.c\*+@example\.com\.mobile"/);
  const inv = run(["inventory", f, "--format", "json"]);
  assert.equal(inv.code, 0, inv.err);
  assert.ok(!inv.out.includes("chen.zhiming@example.com"), inv.out);
});
