// Limits and closed value lists shared by the accounts API schemas and the web app. Kept free of
// zod so that importing them into the browser bundle pulls in nothing else.
export const LIMITS = { name: 200, email: 254, reason: 2000, tokenName: 100, pageMax: 100 } as const;
/** how long a mailed address-confirmation link works */
export const VERIFICATION_HOURS = 24;
/** days after its last link expired that an unconfirmed self-registration is deleted (accounts.purge-unconfirmed) */
export const UNCONFIRMED_PURGE_DAYS = 7;
export const ORG_STATUSES = ["pending", "active", "rejected", "suspended"] as const;
