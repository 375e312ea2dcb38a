import type { Command } from "commander";

/** Adds this module's commands to the `ectrust` program. */
export function registerPiiCommands(_program: Command): void {
  // The module's commands are registered here as they land.
}
