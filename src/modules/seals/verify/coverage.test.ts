// CI gate: the verification code must keep 100 % line, branch and function coverage
// (issue 5, "Bad input"). Runs the verify tests in a child node with coverage thresholds.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join, relative } from "node:path";

const here = fileURLToPath(new URL(".", import.meta.url));
const repo = fileURLToPath(new URL("../../../../", import.meta.url));

test("verify/ has 100 % branch coverage", () => {
  const files = readdirSync(here)
    .filter((f) => f.endsWith(".test.ts") && f !== "coverage.test.ts")
    .map((f) => relative(repo, join(here, f)));
  const r = spawnSync(
    process.execPath,
    [
      "--test",
      "--experimental-test-coverage",
      `--test-coverage-include=${relative(repo, here)}/**`,
      "--test-coverage-exclude=**/*.test.ts",
      "--test-coverage-exclude=**/testkit.ts",
      "--test-coverage-branches=100",
      "--test-coverage-lines=100",
      "--test-coverage-functions=100",
      "--test-reporter=spec",
      ...files,
    ],
    { cwd: repo, encoding: "utf8" },
  );
  assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`.split("\n").filter((l) => /coverage|%|fail|✖/.test(l)).join("\n"));
});
