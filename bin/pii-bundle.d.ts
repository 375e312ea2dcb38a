/** See pii-bundle.js. */
export function freshPiiBundle(dir: string): URL | null;
