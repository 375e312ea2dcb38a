// The demo authority account the browser tests sign in with (from the demo data in src/demo.ts).
import { DEMO_PASSWORD, demoAccounts } from "../demo.ts";

const authority = demoAccounts.find((a) => a.role === "authority_admin");
if (!authority?.totpSecret) throw new Error("the demo data has no authority administrator with a TOTP secret");

export const DEMO_AUTHORITY = { email: authority.email, password: DEMO_PASSWORD, totpSecret: authority.totpSecret, displayName: authority.displayName };
