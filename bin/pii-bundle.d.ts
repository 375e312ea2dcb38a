/** See pii-bundle.js. */
export function freshPiiBundle(dir: string): URL | null;
/** See pii-bundle.js. */
export function piiReexec(
  argv: readonly string[], execArgv: readonly string[], env: Record<string, string | undefined>, platform: string, canExec: boolean,
): { file: string; args: string[]; env: Record<string, string | undefined> } | null;
