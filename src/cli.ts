// The `ectrust` command. Each module adds its own commands through register*Commands.
import { Command } from "commander";
import { registerPlatformCommands } from "./platform/platform.cli.ts";
import { registerPiiCommands } from "./modules/pii/pii.cli.ts";
import { registerScannerCommands } from "./modules/scanner/scanner.cli.ts";
import { registerSealsCommands } from "./modules/seals/seals.cli.ts";
import { registerRegistryCommands } from "./modules/registry/registry.cli.ts"; // registry (issue 3)

const program = new Command("ectrust")
  .description("ectrust — the e-commerce trust programme platform")
  .showHelpAfterError()
  .configureHelp({ sortSubcommands: true });

registerPlatformCommands(program);
registerPiiCommands(program);
registerScannerCommands(program);
registerSealsCommands(program);
registerRegistryCommands(program);

await program.parseAsync(process.argv);
