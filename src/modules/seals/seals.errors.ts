// The seals commands' user-facing error: src/cli.ts prints it as one line, without a stack trace.

/**
 * A mistake in what the user typed (an argument, a flag, a file that is not there), or a server
 * that answered with something we refuse to read: src/cli.ts prints its message and exits 1.
 */
export class UsageError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "UsageError";
  }
}
