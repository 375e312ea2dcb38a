// The publication folder (design note §5.1): files written atomically under `<dir>/trust/…`
// and served as-is under /trust/…, with the log folder (tlog-tiles layout, written by the
// Sequencer) served under /log/…. Each path class has its Cache-Control here, in one table.
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";

export interface PublishedFile {
  body: Buffer;
  contentType: string;
  cacheControl: string;
}

const IMMUTABLE = "public, max-age=31536000, immutable";
const STATUS = "public, max-age=300, stale-if-error=86400";

/** [pattern over the path below /trust/ or /log/, content type, cache-control], first match wins. */
const TRUST_RULES: readonly (readonly [RegExp, string, string])[] = [
  [/^\.well-known\/jwks\.json$/, "application/jwk-set+json", "public, max-age=3600"],
  [/^\.well-known\/jwt-vc-issuer$/, "application/json", "public, max-age=3600"],
  [/^\.well-known\/ectrust\/trust-anchor\.json$/, "application/json", "public, max-age=3600"],
  [/^\.well-known\/ectrust\/trust-anchor\/\d{1,9}\.json$/, "application/json", IMMUTABLE],
  [/^keys\/urn:ietf:params:oauth:jwk-thumbprint:sha-256:[A-Za-z0-9_-]{43}$/, "application/jwk+json", IMMUTABLE],
  [/^c\/[0-9a-f-]{36}\/index\.json$/, "application/json", "public, max-age=300"],
  [/^c\/[0-9a-f-]{36}\/[0-9a-f-]{36}\.jwt$/, "application/vc+jwt", IMMUTABLE],
  [/^c\/[0-9a-f-]{36}\/[0-9a-f-]{36}\.tlog-proof$/, "text/plain; charset=utf-8", IMMUTABLE],
  [/^status\/[rs]\/\d{1,6}$/, "application/vc+jwt", STATUS],
];
const LOG_RULES: readonly (readonly [RegExp, string, string])[] = [
  [/^checkpoint$/, "text/plain; charset=utf-8", "public, max-age=5"],
  [/^checkpoints\/\d{1,16}$/, "text/plain; charset=utf-8", IMMUTABLE],
  [/^tile\/(?:\d|entries)(?:\/x\d{3})*\/\d{3}(?:\.p\/\d{1,3})?$/, "application/octet-stream", IMMUTABLE],
];

export function createPublisher(o: { dir: string; logDir: string }) {
  return {
    dir: o.dir,
    /** Writes `trust/…` atomically; an immutable file that exists is left alone. */
    async write(rel: string, content: string, immutable = false): Promise<void> {
      const file = join(o.dir, rel);
      if (immutable && existsSync(file)) return;
      await mkdir(dirname(file), { recursive: true });
      // Unique per write, not per process: two writers in one process (two servers in a test,
      // or two jobs re-signing the same list) must not share a temporary file.
      const tmp = `${file}.tmp-${randomBytes(6).toString("hex")}`;
      await writeFile(tmp, content);
      await rename(tmp, file);
    },
    /** Nothing to copy: the log folder is served directly (see docs/seals.md). */
    async markLog(): Promise<void> {},
    /** The file for a request path below /trust/ or /log/, or undefined (also for anything not in the tables). */
    async read(area: "trust" | "log", rel: string): Promise<PublishedFile | undefined> {
      const rules = area === "trust" ? TRUST_RULES : LOG_RULES;
      const rule = rules.find(([re]) => re.test(rel));
      if (!rule) return undefined;
      const file = area === "trust" ? join(o.dir, "trust", rel) : join(o.logDir, rel);
      try {
        return { body: await readFile(file), contentType: rule[1], cacheControl: rule[2] };
      } catch {
        return undefined;
      }
    },
  };
}

export type Publisher = ReturnType<typeof createPublisher>;
