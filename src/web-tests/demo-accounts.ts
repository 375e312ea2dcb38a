// Demo accounts the browser tests sign in with (from the demo data in src/demo.ts).
import { DEMO_PASSWORD, demoAccounts, type DemoAccount } from "../demo.ts";
import type { Role } from "../platform/auth/roles.ts";

function withMfa(role: Role): { email: string; password: string; totpSecret: string; displayName: string; organisation: string } {
  const account: DemoAccount | undefined = demoAccounts.find((a) => a.role === role);
  if (!account?.totpSecret) throw new Error(`the demo data has no ${role} with a TOTP secret`);
  return { email: account.email, password: DEMO_PASSWORD, totpSecret: account.totpSecret, displayName: account.displayName, organisation: account.organisation };
}

export const DEMO_AUTHORITY = withMfa("authority_admin");
export const DEMO_CB_ADMIN = withMfa("cb_admin");
