// The seals commands with malformed flags and arguments, as a user runs them (src/cli.ts): a
// clear one-line error and a non-zero exit, never a stack trace; and a malformed --threshold or
// --min-version must never make `ectrust verify` accept an anchor that no pinned root signed.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateSigner } from "./tlog/ed25519.ts";
import { formatVkey } from "./tlog/note.ts";
import { signAnchor } from "./verify/anchor.ts";
import { NOW, world } from "./verify/testkit.ts";
import { verifyCredentialFile } from "./seals.cli.ts";

const repo = new URL("../../../", import.meta.url).pathname;

test("verify: a NaN threshold or minimum version never accepts an anchor no pinned root signed", async () => {
  const w = await world();
  const { signer: stranger } = await generateSigner();
  const forged = await signAnchor(w.anchor, [stranger]); // same payload, signed by someone else
  const root = await formatVkey("root.ectrust.example", w.root.publicKey);
  const file = JSON.stringify({ anchor: forged, jwt: "x", tlogProof: "x", entry: "x" });
  const base = { roots: [root], offline: true, now: NOW };
  assert.equal((await verifyCredentialFile(file, base)).state, "invalid");
  for (const bad of [{ threshold: NaN }, { minVersion: NaN }, { threshold: 0.5 }]) {
    const v = await verifyCredentialFile(file, { ...base, ...bad }).catch((e: unknown) => ({ state: "refused", code: String(e) }));
    // before the fix: threshold NaN → "invalid" only later (jws_malformed), i.e. the anchor check passed
    if (v.state === "invalid") assert.equal((v as { code: string }).code, "anchor_signature", JSON.stringify({ bad, v }));
    else assert.equal(v.state, "refused");
  }
});

test("CLI: malformed flags and arguments give one line on stderr and a non-zero exit", async () => {
  const dir = await mkdtemp(join(tmpdir(), "ectrust-seals-flags-"));
  try {
    await writeFile(join(dir, "cred.json"), "{}");
    const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: join(dir, "data"), NODE_ENV: "development" };
    delete env.DATABASE_URL;
    const cli = (...args: string[]) => spawnSync(process.execPath, [join(repo, "src/cli.ts"), ...args], { encoding: "utf8", cwd: repo, env, timeout: 60_000 });
    const root = "A".repeat(43);
    const cases: string[][] = [
      ["verify", join(dir, "cred.json"), "--root", root, "--threshold", "abc"],
      ["verify", join(dir, "cred.json"), "--root", root, "--min-version", "v2"],
      ["verify", join(dir, "nope.json"), "--root", root],
      ["verify", join(dir, "cred.json"), "--root", "not-a-key"],
      ["verify", join(dir, "cred.json"), "--root", `x+${"f".repeat(8)}+${"A".repeat(100_000)}`],
      ["verify", "https://shop.example", "--root", root, "--server", "::nope"],
      ["log", "monitor", "https://shop.example", "--log", dir, "--from", "-1"],
      ["keys", "rotate", "bogus"],
      ["keys", "rotate", "issuing", "--publish-days", "abc"],
      ["keys", "rotate", "issuing", "--publish-days", "1e9"],
    ];
    for (const args of cases) {
      const r = cli(...args);
      const what = `${args.join(" ").slice(0, 200)}\n${r.stderr.slice(0, 2000)}`;
      assert.notEqual(r.status, 0, what);
      assert.notEqual(r.status, null, what);
      assert.doesNotMatch(r.stderr, /^\s+at /m, `stack trace for a user error: ${what}`);
      assert.match(r.stderr, /^error: .{1,300}\n/, what); // the usage may follow (showHelpAfterError), nothing else
      assert.ok(r.stderr.length < 3000, `error output too long: ${what}`);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
