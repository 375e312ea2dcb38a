// The `ectrust` command. Each module adds its own commands through register*Commands; only the
// module that owns the command given is loaded (cli.commands.ts).
import { rootProgram } from "./cli.program.ts";
import { modulesFor } from "./cli.commands.ts";
import { registerFastResolve } from "./platform/boot/fast-resolve.ts";
import { AppError, errorCatalogue } from "./platform/errors.ts";

// Before the command's module loads: it resolves hundreds of drizzle-orm's modules (fast-resolve.ts).
registerFastResolve();

const program = rootProgram();

for (const m of modulesFor(process.argv.slice(2))) (await m.load())(program);

/**
 * A user's mistake (a bad argument or file: UsageError; an invalid configuration: ConfigError; the
 * embedded database open in another process: DatabaseInUse; a refused operation: AppError below
 * 500) is one line on stderr and a non-zero exit, never a
 * stack trace. Anything else is a bug or an outage and keeps its stack.
 */
function userError(e: unknown): { message: string; exitCode: number } | undefined {
  if (!(e instanceof Error)) return undefined;
  if (e.name === "UsageError") return { message: `error: ${e.message}`, exitCode: 1 };
  if (e.name === "ConfigError") return { message: e.message, exitCode: 2 };
  if (e.name === "DatabaseInUse") return { message: `error: ${e.message}`, exitCode: 1 };
  if (e instanceof AppError && errorCatalogue[e.code].status < 500) return { message: `error: ${e.message}`, exitCode: 1 };
  return undefined;
}

try {
  await program.parseAsync(process.argv);
} catch (e) {
  const u = userError(e);
  if (!u) throw e;
  console.error(u.message);
  process.exitCode = u.exitCode;
}
