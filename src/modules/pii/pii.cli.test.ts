import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const cli = new URL("../../cli.ts", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "pii-cli-"));
process.on("exit", () => { rmSync(dir, { recursive: true, force: true }); });
const key = `k1:${randomBytes(32).toString("base64")}`;

function run(args: string[], env: Record<string, string> = {}): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [cli, "pii", ...args], { encoding: "utf8", env: { ...process.env, ...env }, timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const csv = join(dir, "orders.csv");
writeFileSync(csv, "姓名,手機,身分證字號\n陳志明,0912-345-678,A123456789\n林美玲,0987654321,F131104093\n");
writeFileSync(join(dir, "blob.bin"), Buffer.from([0, 1, 2, 3, 0, 0, 7, 8, 9]));

test("scan --format jsonl prints masked findings and a summary, never raw values", () => {
  const r = run(["scan", csv, join(dir, "blob.bin"), "--workers", "2"]);
  assert.equal(r.code, 0, r.err);
  const lines = r.out.trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
  const summary = lines.pop() as { summary: { findings: number; skipped: Array<{ reason: string }> } };
  assert.equal(summary.summary.findings, 6);
  assert.equal(summary.summary.skipped[0]?.reason, "binary");
  assert.deepEqual(Object.keys(lines[0] ?? {}).slice(0, 10), ["file", "type", "start", "end", "byteStart", "byteEnd", "line", "column", "score", "masked"]);
  assert.ok(!r.out.includes("A123456789") && !r.out.includes("陳志明"));
  const shown = run(["scan", csv, "--show-values", "--types", "TW_NATIONAL_ID"]);
  assert.ok(shown.out.includes("\"value\":\"A123456789\""));
});

test("scan --format json / csv / table", () => {
  const j = JSON.parse(run(["scan", csv, "--format", "json"]).out) as { findings: unknown[]; summary: unknown };
  assert.equal(j.findings.length, 6);
  const c = run(["scan", csv, "--format", "csv"]).out.trim().split("\n");
  assert.equal(c[0], "file,type,start,end,byteStart,byteEnd,line,column,score,masked,detail");
  assert.equal(c.length, 7);
  assert.match(run(["scan", csv, "--format", "table"]).out, /6 findings in 1 files/);
});

test("malformed flags: clear error and a non-zero exit", () => {
  for (const args of [
    ["scan", csv, "--min-score", "abc"], ["scan", csv, "--min-score", "1.5"], ["scan", csv, "--format", "xml"],
    ["scan", csv, "--types", "TW_NOPE"], ["scan", csv, "--workers", "0"], ["scan", csv, "--workers", "x"],
    ["scan", csv, "--pg-sample", "-1"], ["scan", "--postgres", "mysql://x"], ["scan", "--postgres", "::"],
    ["scan"], ["scan", join(dir, "missing.csv")], ["inventory", csv, "--format", "xlsx"],
    ["protect", csv, "--out-dir", join(dir, "p"), "--op", "rot13"], ["protect", csv],
    ["mask", csv, "--out-dir", join(dir, "m"), "--op", "keep-last", "--keep", "many"],
    // mask and protect rewrite files: a database flag is refused, not silently ignored
    ["mask", csv, "--out-dir", join(dir, "m"), "--postgres", "postgres://127.0.0.1/test"],
  ]) {
    const r = run(args);
    assert.notEqual(r.code, 0, args.join(" "));
    assert.ok(r.err.length > 0, args.join(" "));
  }
  // each command's help shows its own default operator
  assert.match(run(["mask", "--help"]).out, /default:\s+"mask"/);
  assert.match(run(["protect", "--help"]).out, /default:\s+"encrypt"/);
  const nokey = run(["protect", csv, "--out-dir", join(dir, "p"), "--key-env", "NO_SUCH_VAR"]);
  assert.equal(nokey.code, 2);
  assert.match(nokey.err, /no key/);
  const badkey = run(["protect", csv, "--out-dir", join(dir, "p")], { ECTRUST_PII_KEY: "k1:tooshort" });
  assert.equal(badkey.code, 2);
});

test("protect → unprotect restores the file; hmac and mask rewrite it", () => {
  const p = run(["protect", csv, "--out-dir", join(dir, "enc")], { ECTRUST_PII_KEY: key });
  assert.equal(p.code, 0, p.err);
  const enc = readFileSync(join(dir, "enc", "orders.csv"), "utf8");
  assert.ok(!enc.includes("A123456789") && enc.includes("{{pii:enc1:TW_NATIONAL_ID:k1:"));
  const u = run(["unprotect", join(dir, "enc", "orders.csv"), "--out-dir", join(dir, "dec")], { ECTRUST_PII_KEY: key });
  assert.equal(u.code, 0, u.err);
  assert.equal(readFileSync(join(dir, "dec", "orders.csv"), "utf8"), readFileSync(csv, "utf8"));
  const wrong = run(["unprotect", join(dir, "enc", "orders.csv"), "--out-dir", join(dir, "dec2")], { ECTRUST_PII_KEY: `k1:${randomBytes(32).toString("base64")}` });
  assert.equal(wrong.code, 4);
  run(["protect", csv, "--op", "hmac", "--out-dir", join(dir, "tok")], { ECTRUST_PII_KEY: key });
  assert.match(readFileSync(join(dir, "tok", "orders.csv"), "utf8"), /\{\{pii:tok:TW_MOBILE:[A-Za-z0-9_-]{22}\}\}/);
  run(["mask", csv, "--out-dir", join(dir, "mask")]);
  assert.equal(readFileSync(join(dir, "mask", "orders.csv"), "utf8").split("\n")[1], "陳○明,0912-***-678,A12****789");
});

test("inventory as CSV, JSON draft and XLSX", () => {
  const c = run(["inventory", csv]);
  assert.equal(c.code, 0, c.err);
  assert.match(c.out, /orders\.csv,姓名,PERSON_NAME_ZH,C001,辨識個人者,2,2,1,/);
  const j = JSON.parse(run(["inventory", csv, "--format", "json"]).out) as { draft: Array<{ field: string; personalDataCategories: string[] }> };
  assert.deepEqual(j.draft.map((d) => [d.field, d.personalDataCategories]).sort(), [["姓名", ["C001"]], ["手機", ["C001"]], ["身分證字號", ["C003"]]]);
  const x = join(dir, "inv.xlsx");
  assert.equal(run(["inventory", csv, "--format", "xlsx", "-o", x]).code, 0);
  assert.ok(statSync(x).size > 1000);
});

test("mask / protect / unprotect never overwrite an input, and keep same-named files of different folders apart", () => {
  const root = join(dir, "tree");
  mkdirSync(join(root, "a"), { recursive: true });
  mkdirSync(join(root, "b"), { recursive: true });
  writeFileSync(join(root, "a", "x.txt"), "手機 0912-345-678\n");
  writeFileSync(join(root, "b", "x.txt"), "手機 0922-111-222\n");
  // Folders as cp -r puts them: out/a/x.txt and out/b/x.txt, not one x.txt over the other.
  const both = run(["mask", join(root, "a"), join(root, "b"), "--out-dir", join(dir, "m2"), "--op", "keep-last", "--keep", "3"]);
  assert.equal(both.code, 0, both.err);
  assert.equal(readFileSync(join(dir, "m2", "a", "x.txt"), "utf8"), "手機 ****-***-678\n");
  assert.equal(readFileSync(join(dir, "m2", "b", "x.txt"), "utf8"), "手機 ****-***-222\n");
  // Two file arguments with one name: the second is refused, not written over the first.
  const files = run(["mask", join(root, "a", "x.txt"), join(root, "b", "x.txt"), "--out-dir", join(dir, "m3")]);
  assert.equal(files.code, 1);
  assert.match(files.err, /output-conflict: its output .*x\.txt is already that of .*a\/x\.txt/);
  assert.equal(readFileSync(join(dir, "m3", "x.txt"), "utf8"), "手機 0912-***-678\n");
  // A missing input, or an --out-dir that cannot be made (an existing file): exit 1, saying why.
  writeFileSync(join(dir, "not-a-dir"), "");
  for (const cmd of [["mask"], ["unprotect"]]) {
    const missing = run([...cmd, join(root, "nope.txt"), "--out-dir", join(dir, "m4")], { ECTRUST_PII_KEY: key });
    assert.equal(missing.code, 1, `${cmd[0] ?? ""}: ${missing.err}`);
    assert.match(missing.err, /nope\.txt: unreadable: ENOENT/);
    const blocked = run([...cmd, join(root, "a"), "--out-dir", join(dir, "not-a-dir")], { ECTRUST_PII_KEY: key });
    assert.equal(blocked.code, 1, `${cmd[0] ?? ""}: ${blocked.err}`);
    assert.match(blocked.err, /x\.txt: unreadable: .*ENOTDIR/);
  }
  // --out-dir where the inputs are: refused, and the input is untouched.
  for (const cmd of [["mask"], ["protect", "--op", "hmac"], ["unprotect"]]) {
    const self = run([...cmd, join(root, "a", "x.txt"), "--out-dir", join(root, "a")], { ECTRUST_PII_KEY: key });
    assert.equal(self.code, 1, `${cmd[0] ?? ""}: ${self.err}`);
    assert.match(self.err, /output-conflict: .*is an input file, and inputs are never overwritten/);
    assert.equal(readFileSync(join(root, "a", "x.txt"), "utf8"), "手機 0912-345-678\n");
  }
});

test("scan piped into a reader that stops early (| head) exits quietly with status 141", async () => {
  const big = join(dir, "many.log");
  writeFileSync(big, "手機 0912-345-678 身分證 A123456789\n".repeat(200_000));
  const child = spawn(process.execPath, [cli, "pii", "scan", big, "--no-progress"], { stdio: ["ignore", "pipe", "pipe"] });
  let err = "";
  child.stderr.on("data", (d: Buffer) => { err += d.toString(); });
  // Read the first chunk of output, then close the pipe as head does.
  const first = await new Promise<string>((resolve) => { child.stdout.once("data", (d: Buffer) => { resolve(d.toString()); }); });
  child.stdout.destroy();
  const code = await new Promise<number | null>((resolve) => { child.on("exit", (c) => { resolve(c); }); });
  assert.match(first, /^\{"file":/);
  assert.equal(code, 141, err);
  assert.doesNotMatch(err, /EPIPE|Error/);
});
