// The `ectrust` command. Each module adds its own commands through register*Commands; only the
// module that owns the command given is loaded (cli.commands.ts).
import { Command } from "commander";
import { modulesFor } from "./cli.commands.ts";

const program = new Command("ectrust")
  .description("ectrust — the e-commerce trust programme platform")
  .showHelpAfterError()
  .configureHelp({ sortSubcommands: true });

for (const m of modulesFor(process.argv.slice(2))) (await m.load())(program);

await program.parseAsync(process.argv);
