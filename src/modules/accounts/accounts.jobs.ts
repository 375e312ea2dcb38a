// Accounts jobs: another door into the accounts service.
//   accounts.mail-link: a password-reset link, or a new address-confirmation link, for an e-mail
//   address someone typed. The request only stores this job, whether or not the address has an
//   account, so its answer and its time say nothing about which addresses do; the job looks the
//   address up and writes the link and its mail (or nothing). Running a job twice mails a second
//   link, which is harmless: each works once and expires.
import type { JobQueue } from "../../platform/jobs/queue.ts";
import type { AccountsService } from "./accounts.service.ts";

export const ACCOUNTS_JOBS = { link: "accounts.mail-link" } as const;

export const accountLinkKinds = ["password_reset", "email_verification"] as const;
export type AccountLinkKind = (typeof accountLinkKinds)[number];
export interface AccountLinkJob {
  kind: AccountLinkKind;
  email: string;
}

/** A stored payload checked before the service sees it; anything else fails the job. */
export function parseAccountLinkJob(data: unknown): AccountLinkJob {
  if (typeof data === "object" && data !== null && "kind" in data && "email" in data) {
    const { kind, email } = data;
    if (accountLinkKinds.some((k) => k === kind) && typeof email === "string" && email.length > 0 && email.length <= 254) {
      return { kind: kind as AccountLinkKind, email };
    }
  }
  throw new Error(`${ACCOUNTS_JOBS.link}: payload needs a kind (${accountLinkKinds.join(", ")}) and an e-mail address`);
}

export function registerAccountsJobs(jobs: Pick<JobQueue, "register">, accounts: Pick<AccountsService, "sendAccountLink">): void {
  jobs.register<AccountLinkJob>(ACCOUNTS_JOBS.link, (data) => accounts.sendAccountLink(data), {
    parse: parseAccountLinkJob,
    retryLimit: 3,
    retryDelaySeconds: 30,
    concurrency: 2,
    timeoutSeconds: 60,
  });
}
