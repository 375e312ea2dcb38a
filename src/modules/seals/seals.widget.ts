// The widget this server serves, pinned to this deployment's own root (docs/seals.md, "Pinning").
// `npm run build` (scripts/build-widget.ts) leaves one placeholder string literal where the
// pinned roots go; the server fills it from its key store when it first serves a seal, names the
// result by its content hash and computes the SRI of exactly those bytes. A build made with
// ECTRUST_WIDGET_PINNED (roots baked in at build time, e.g. for a CDN) is served unchanged.
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";

/** The string literal the template build carries instead of the pinned roots (ASCII, no quotes inside). */
export const PINNED_PLACEHOLDER = "@@ectrust-pinned-roots@@";

export interface Pinned {
  roots: string[];
  threshold: number;
  minVersion: number;
  logOrigin: string;
}

export interface BuiltManifest {
  entry: string;
  integrity: string;
  chunks: string[];
  /** true: the entry carries PINNED_PLACEHOLDER and is pinned when served */
  template?: boolean;
}

export interface ServedWidget {
  /** file name under /seal/v1/ */
  entry: string;
  /** SRI of the entry as served */
  integrity: string;
  /** base64 SHA-256 of the entry as served (the `widget` log entry) */
  sha256: string;
  /** every file servable under /seal/v1/: the entry and the lazy chunks */
  files: Map<string, Buffer>;
  /** what the served entry pins (undefined: baked in at build time) */
  pinned: Pinned | undefined;
}

/** Puts `pinned` into the template entry; exactly one placeholder literal, else it refuses. */
export function pinWidget(code: string, pinned: Pinned): string {
  const literals = [`"${PINNED_PLACEHOLDER}"`, `'${PINNED_PLACEHOLDER}'`, `\`${PINNED_PLACEHOLDER}\``];
  const counts = literals.map((l) => code.split(l).length - 1);
  const at = counts.indexOf(1);
  const literal = literals[at];
  if (literal === undefined || counts.reduce((a, b) => a + b, 0) !== 1) throw new Error("widget template: expected exactly one pinned-roots placeholder");
  // JSON text as a JS string literal (JSON.stringify output is a valid ES2019+ string literal)
  return code.replace(literal, () => JSON.stringify(JSON.stringify(pinned)));
}

const digest = (alg: "sha256" | "sha384", b: Buffer): string => createHash(alg).update(b).digest("base64");

/** Reads the build in `dir` and returns what to serve, pinned to `pinned` if it is a template. */
export async function loadWidget(dir: string, pinned: Pinned): Promise<ServedWidget> {
  const manifest = JSON.parse(await readFile(join(dir, "manifest.json"), "utf8")) as BuiltManifest;
  const files = new Map<string, Buffer>();
  for (const c of manifest.chunks) files.set(c, await readFile(join(dir, c)));
  const built = await readFile(join(dir, manifest.entry));
  if (!manifest.template) {
    files.set(manifest.entry, built);
    return { entry: manifest.entry, integrity: manifest.integrity, sha256: digest("sha256", built), files, pinned: undefined };
  }
  const code = Buffer.from(pinWidget(built.toString("utf8"), pinned), "utf8");
  const entry = `widget.${createHash("sha256").update(code).digest("hex").slice(0, 8).toUpperCase()}.js`;
  files.set(entry, code);
  return { entry, integrity: `sha384-${digest("sha384", code)}`, sha256: digest("sha256", code), files, pinned };
}
