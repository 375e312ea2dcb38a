// The `ectrust` command. Each module adds its own commands through register*Commands; only the
// module that owns the command given is loaded (cli.commands.ts).
import { rootProgram } from "./cli.program.ts";
import { modulesFor } from "./cli.commands.ts";
import { registerFastResolve } from "./platform/boot/fast-resolve.ts";

// Before the command's module loads: it resolves hundreds of drizzle-orm's modules (fast-resolve.ts).
registerFastResolve();

const program = rootProgram();

for (const m of modulesFor(process.argv.slice(2))) (await m.load())(program);

await program.parseAsync(process.argv);
