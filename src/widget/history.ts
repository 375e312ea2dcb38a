// The newest issuance (validFrom) of each status list this browser accepted (docs/seals.md,
// departure 16). Without it an older list, signed and still valid for up to 24 h (a CDN or an
// attacker replaying one from before a revocation), was shown green; with it the verifier refuses
// a list older than one it saw (`status_rollback`, grey). Kept in memory for the page's life and
// in the seal origin's localStorage across visits (partitioned per shop site where browsers
// partition third-party storage), at most SEEN_MAX lists, the newest kept.
import type { ListHistory } from "../modules/seals/verify/status.ts";

export const SEEN = "ectrust:seen";
export const SEEN_MAX = 16;

/** What the history uses of localStorage (a getter: merely reading `localStorage` can throw in a sandboxed frame). */
export interface SeenStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

export function listHistory(storage: () => SeenStorage): ListHistory {
  const inPage: Record<string, number> = {};
  const seen = (): Record<string, number> => {
    let all: Record<string, number> = {};
    try {
      const v = JSON.parse(storage().getItem(SEEN) ?? "{}") as unknown;
      if (v && typeof v === "object" && !Array.isArray(v)) all = v as Record<string, number>;
    } catch {
      // no storage or a damaged entry: this page's memory only
    }
    // another tab may have stored a newer one; a cleared or full storage must not lose ours
    for (const [url, t] of Object.entries(inPage)) if (!((all[url] ?? -Infinity) >= t)) all[url] = t;
    return all;
  };
  return {
    newest: (url) => seen()[url],
    accepted(url, validFrom) {
      const all = seen();
      if (!((all[url] ?? -Infinity) < validFrom)) return;
      inPage[url] = all[url] = validFrom;
      const kept = Object.entries(all).sort((a, b) => b[1] - a[1]).slice(0, SEEN_MAX);
      try {
        storage().setItem(SEEN, JSON.stringify(Object.fromEntries(kept)));
      } catch {
        // storage unavailable (a third-party or sandboxed frame) or full: memory still holds it
      }
    },
  };
}
