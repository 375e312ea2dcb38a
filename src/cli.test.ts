// The command table: every module registers exactly the top-level commands the table names for
// it (so a command is never routed to a module that lacks it), no two modules claim one name,
// and a known command loads its module alone while help and unknown words load every module.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { test } from "node:test";
import { Command } from "commander";
import { commandModules, modulesFor } from "./cli.commands.ts";

test("each module registers exactly the top-level commands the table names for it", async () => {
  const seen = new Set<string>();
  for (const m of commandModules) {
    const program = new Command("ectrust");
    (await m.load())(program);
    const registered = program.commands.map((c) => c.name()).sort();
    assert.deepEqual(registered, [...m.names].sort());
    for (const n of m.names) {
      assert.ok(!seen.has(n), `${n} is claimed twice`);
      seen.add(n);
    }
  }
});

test("a known command loads its module alone; help and unknown words load them all", () => {
  assert.deepEqual(modulesFor(["pii", "scan", "x.txt"]).map((m) => m.names[0]), ["pii"]);
  assert.deepEqual(modulesFor(["verify", "--json"]).map((m) => m.names[0]), ["seals"]);
  assert.equal(modulesFor([]).length, commandModules.length);
  assert.equal(modulesFor(["--help"]).length, commandModules.length);
  assert.equal(modulesFor(["no-such-command"]).length, commandModules.length);
});

test("ectrust --help lists the commands of every module, and an unknown command is an error", () => {
  const cli = join(import.meta.dirname, "cli.ts");
  const help = spawnSync(process.execPath, [cli, "--help"], { encoding: "utf8" });
  assert.equal(help.status, 0);
  for (const n of commandModules.flatMap((m) => m.names)) assert.match(help.stdout, new RegExp(`^  ${n}\\b`, "m"));
  const bad = spawnSync(process.execPath, [cli, "no-such-command"], { encoding: "utf8" });
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr, /unknown command 'no-such-command'/);
});
