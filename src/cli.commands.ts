// Which module registers which top-level command of `ectrust`, and how to load it. The CLI loads
// only the module a command belongs to (`ectrust pii scan` never loads the scanner, the seals or
// the platform server, so a scan's memory is the scan's); help and unknown words load them all.
// cli.test.ts checks this table against what each module really registers.
import type { Command } from "commander";

export interface CommandModule {
  /** top-level command names the module registers */
  names: readonly string[];
  load: () => Promise<(program: Command) => void>;
}

export const commandModules: readonly CommandModule[] = [
  { names: ["serve", "start", "worker", "migrate", "demo", "audit"], load: async () => (await import("./platform/platform.cli.ts")).registerPlatformCommands },
  { names: ["pii"], load: async () => (await import("./modules/pii/pii.cli.ts")).registerPiiCommands },
  { names: ["scan"], load: async () => (await import("./modules/scanner/scanner.cli.ts")).registerScannerCommands },
  { names: ["seals", "verify", "log", "keys"], load: async () => (await import("./modules/seals/seals.cli.ts")).registerSealsCommands },
  { names: ["registry"], load: async () => (await import("./modules/registry/registry.cli.ts")).registerRegistryCommands }, // registry (issue 3)
];

/** The modules to load for these arguments (argv without node and the script). */
export function modulesFor(args: readonly string[]): readonly CommandModule[] {
  const first = args[0];
  const owner = commandModules.find((m) => first !== undefined && m.names.includes(first));
  return owner ? [owner] : commandModules;
}
