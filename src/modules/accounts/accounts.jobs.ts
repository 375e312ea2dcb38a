// Accounts jobs: another door into the accounts service.
//   accounts.mail-link: a password-reset link, or a new address-confirmation link, for the account
//   an e-mail address someone typed belongs to. Every request stores one such job, account or not,
//   naming the account's id or none (never the typed address: the queue keeps jobs for days); the
//   job writes the link and its mail (or nothing). Running a job twice mails a second link, which is
//   harmless: each works once and expires.
//   accounts.purge-unconfirmed (daily): deletes self-registrations whose address was never confirmed,
//   UNCONFIRMED_PURGE_DAYS after their last link expired (accounts.service.ts). Idempotent.
import type { JobQueue } from "../../platform/jobs/queue.ts";
import type { AccountsService } from "./accounts.service.ts";

export const ACCOUNTS_JOBS = { link: "accounts.mail-link", purgeUnconfirmed: "accounts.purge-unconfirmed" } as const;

export const accountLinkKinds = ["password_reset", "email_verification"] as const;
export type AccountLinkKind = (typeof accountLinkKinds)[number];
/**
 * `userId`: the account the typed address belongs to, or null (no account: the job does nothing).
 * `email`: only in jobs queued before the account was looked up when asked; still worked.
 */
export type AccountLinkJob = { kind: AccountLinkKind; userId: string | null } | { kind: AccountLinkKind; email: string };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A stored payload checked before the service sees it; anything else fails the job. */
export function parseAccountLinkJob(data: unknown): AccountLinkJob {
  if (typeof data === "object" && data !== null && "kind" in data && accountLinkKinds.some((k) => k === data.kind)) {
    const kind = data.kind as AccountLinkKind;
    if ("userId" in data && (data.userId === null || (typeof data.userId === "string" && UUID.test(data.userId)))) return { kind, userId: data.userId };
    if ("email" in data && typeof data.email === "string" && data.email.length > 0 && data.email.length <= 254) return { kind, email: data.email };
  }
  throw new Error(`${ACCOUNTS_JOBS.link}: payload needs a kind (${accountLinkKinds.join(", ")}) and a user id (or null)`);
}

export function registerAccountsJobs(jobs: Pick<JobQueue, "register">, accounts: Pick<AccountsService, "sendAccountLink" | "purgeUnconfirmedRegistrations">): void {
  jobs.register<AccountLinkJob>(ACCOUNTS_JOBS.link, (data) => accounts.sendAccountLink(data), {
    parse: parseAccountLinkJob,
    retryLimit: 3,
    retryDelaySeconds: 30,
    concurrency: 2,
    timeoutSeconds: 60,
  });
  jobs.register(
    ACCOUNTS_JOBS.purgeUnconfirmed,
    async () => {
      await accounts.purgeUnconfirmedRegistrations();
    },
    // daily, UTC; a run missed while no process was up is made at the next start
    { cron: "41 3 * * *", retryLimit: 2, retryDelaySeconds: 600 },
  );
}
