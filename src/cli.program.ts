// The root `ectrust` command, shared by the whole CLI (cli.ts) and the pii commands' own entry
// point (modules/pii/pii.main.ts), so both describe and print help the same way.
import { Command } from "commander";

export function rootProgram(): Command {
  return new Command("ectrust")
    .description("ectrust — the e-commerce trust programme platform")
    .showHelpAfterError()
    .configureHelp({ sortSubcommands: true });
}
