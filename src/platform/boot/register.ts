// `node --import ./src/platform/boot/register.ts …`: the fast resolver (fast-resolve.ts) before the
// first module loads. scripts/test.ts starts every test file this way.
import { registerFastResolve } from "./fast-resolve.ts";

registerFastResolve();
