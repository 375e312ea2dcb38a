// The door the platform will use: scan one origin, compare with its last scan, keep history,
// raise alerts — with per-host and overall concurrency limits. Storage and notification are
// ports (interfaces passed in); the platform supplies database- and mail-backed ones, tests use
// the in-memory versions below. Scheduling (job queue, cadence) stays outside: a job handler
// calls scanOrigin().
import type { Clock } from "../../platform/clock.ts";
import type { Fetcher } from "../../platform/net/fetcher.ts";
import { diffScans, type Alert, type ScanDiff } from "./diff.ts";
import { scan } from "./scan.ts";
import type { ScanResult } from "./scanner.types.ts";
import { parseTarget } from "./target.ts";

export interface ScanHistory {
  /** The last finished scan to compare with (`ref` as in append: the platform compares within the scan's shop only). */
  latest(origin: string, ref?: string): Promise<ScanResult | undefined>;
  /** `ref` is the caller's handle for this scan (the platform passes its scan row id). */
  append(origin: string, result: ScanResult, diff: ScanDiff | null, ref?: string): Promise<void>;
}

export interface ScanAlerts {
  /** Called only when there is something to say (grade drop, payment-script change, new certificate). */
  notify(origin: string, alerts: Alert[], result: ScanResult, ref?: string): Promise<void>;
}

export interface ScannerServiceDeps {
  fetcher: Fetcher;
  clock: Clock;
  history: ScanHistory;
  alerts: ScanAlerts;
  limits?: { perHost?: number; overall?: number };
  budgetMs?: number;
}

export interface ScanOriginOptions {
  paymentPages?: readonly string[];
  /** handed back to the history and alert ports */
  ref?: string;
}

/** A counting semaphore. */
class Gate {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly max: number;
  constructor(max: number) {
    this.max = max;
  }
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.max) await new Promise<void>((r) => this.waiting.push(r));
    this.active++;
    try {
      return await fn();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }
  get idle(): boolean {
    return this.active === 0 && this.waiting.length === 0;
  }
}

export function createScannerService(deps: ScannerServiceDeps): { scanOrigin(origin: string, o?: ScanOriginOptions): Promise<{ result: ScanResult; diff: ScanDiff | null }> } {
  const overall = new Gate(deps.limits?.overall ?? 8);
  const perHost = new Map<string, Gate>();
  const hostGate = (host: string): Gate => {
    let g = perHost.get(host);
    if (!g) {
      g = new Gate(deps.limits?.perHost ?? 1);
      perHost.set(host, g);
    }
    return g;
  };
  return {
    async scanOrigin(origin, o = {}) {
      const target = parseTarget(origin);
      const gate = hostGate(target.hostname);
      try {
        return await gate.run(() =>
          overall.run(async () => {
            const previous = await deps.history.latest(origin, o.ref);
            const result = await scan(target, { fetcher: deps.fetcher, clock: deps.clock, paymentPages: o.paymentPages ?? [], ...(previous ? { previous } : {}), ...(deps.budgetMs ? { budgetMs: deps.budgetMs } : {}) });
            const diff = previous ? diffScans(previous, result) : null;
            await deps.history.append(origin, result, diff, o.ref);
            if (diff && diff.alerts.length > 0) await deps.alerts.notify(origin, diff.alerts, result, o.ref);
            return { result, diff };
          }),
        );
      } finally {
        if (gate.idle) perHost.delete(target.hostname);
      }
    },
  };
}

/** In-memory ports for tests and the CLI. */
export function memoryHistory(): ScanHistory & { all: Map<string, ScanResult[]> } {
  const all = new Map<string, ScanResult[]>();
  return {
    all,
    latest: (origin) => Promise.resolve(all.get(origin)?.at(-1)),
    append: (origin, result) => {
      all.set(origin, [...(all.get(origin) ?? []), result]);
      return Promise.resolve();
    },
  };
}

export function memoryAlerts(): ScanAlerts & { sent: { origin: string; alerts: Alert[] }[] } {
  const sent: { origin: string; alerts: Alert[] }[] = [];
  return {
    sent,
    notify: (origin, alerts) => {
      sent.push({ origin, alerts });
      return Promise.resolve();
    },
  };
}
