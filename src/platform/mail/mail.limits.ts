// Limits shared by the mail API and the web app's outbox page. Kept free of imports, so that the
// browser bundle pulls in nothing else.
/** the most failed messages one "retry failed mail" call queues again */
export const MAIL_RETRY_MAX = 500;
