// Stand-alone entry for the pii commands (`node src/modules/pii/pii.main.ts scan …`), used by the
// tests and benchmarks so that they depend on this module only. `ectrust pii …` is the same code.
import { Command } from "commander";
import { registerPiiCommands } from "./pii.cli.ts";

const program = new Command("ectrust").exitOverride((e) => { process.exit(e.exitCode === 0 ? 0 : 2); });
registerPiiCommands(program);
await program.parseAsync(["node", "ectrust", "pii", ...process.argv.slice(2)]);
