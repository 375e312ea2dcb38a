// `ectrust pii …` as an entry point of its own: what src/cli.ts does for `pii`, without the table
// of the other modules. `npm run build` bundles it into plain JavaScript (scripts/build-pii.ts),
// which bin/ectrust.js runs for `ectrust pii` while it is fresh.
import { rootProgram } from "../../cli.program.ts";
import { registerPiiCommands } from "./pii.cli.ts";

const program = rootProgram();
registerPiiCommands(program);
await program.parseAsync(process.argv);
