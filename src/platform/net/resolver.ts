// DNS behind a small interface so tests can point the fetcher at a loopback DNS server and
// the registry can look up `_ectrust.<host>` TXT records through the same door.
import { promises as dnsPromises } from "node:dns";
import { NetError } from "./net.errors.ts";

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

export interface Resolver {
  /** A and AAAA answers for `hostname`; throws NetError("dns-failed") when there are none. */
  lookup(hostname: string): Promise<ResolvedAddress[]>;
  /** TXT records of `name`, each record's strings joined. Empty when the name has none. */
  txt(name: string): Promise<string[]>;
}

const NO_DATA = new Set(["ENODATA", "ENOTFOUND", "NOTFOUND", "ENONAME", "NXDOMAIN"]);

function codeOf(e: unknown): string {
  return typeof e === "object" && e !== null && "code" in e && typeof e.code === "string" ? e.code : "";
}

/**
 * Names reserved for documentation and examples (RFC 2606, RFC 6761 §6.4–6.5): `.example`,
 * `.invalid`, and example.com / .net / .org. They never name a real host, so they are never looked
 * up: the demo data's shops (`www.taipei3c.example`) then cost no DNS query, and nothing else either.
 */
export function isReservedExampleName(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/\.$/, "");
  return /(?:^|\.)(?:example|invalid)$/.test(h) || /(?:^|\.)example\.(?:com|net|org)$/.test(h);
}

/** The operating system's resolver (getaddrinfo for addresses, the configured servers for TXT). */
export const systemResolver: Resolver = {
  async lookup(hostname) {
    if (isReservedExampleName(hostname)) throw new NetError("dns-failed", `DNS: ${hostname} is a reserved example name (RFC 2606) and is not looked up`);
    try {
      const all = await dnsPromises.lookup(hostname, { all: true, order: "verbatim" });
      const out = all.flatMap((a): ResolvedAddress[] => (a.family === 4 || a.family === 6 ? [{ address: a.address, family: a.family }] : []));
      if (out.length === 0) throw new NetError("dns-failed", `DNS: ${hostname} has no address`);
      return out;
    } catch (e) {
      if (e instanceof NetError) throw e;
      throw new NetError("dns-failed", `DNS: cannot resolve ${hostname} (${codeOf(e) || "error"})`, { cause: e });
    }
  },
  async txt(name) {
    if (isReservedExampleName(name)) return [];
    try {
      return (await dnsPromises.resolveTxt(name)).map((chunks) => chunks.join(""));
    } catch (e) {
      if (NO_DATA.has(codeOf(e))) return [];
      throw new NetError("dns-failed", `DNS: TXT lookup of ${name} failed (${codeOf(e) || "error"})`, { cause: e });
    }
  },
};

/**
 * A resolver that asks the given DNS servers directly (`"127.0.0.1:5353"`, `"[::1]:53"`),
 * bypassing /etc/hosts. Tests use it with a dns2 server on loopback.
 */
export function dnsServerResolver(servers: string[], options: { timeoutMs?: number; tries?: number } = {}): Resolver {
  const r = new dnsPromises.Resolver({ timeout: options.timeoutMs ?? 2000, tries: options.tries ?? 2 });
  r.setServers(servers);
  const safe = async <T>(p: Promise<T[]>): Promise<T[]> => {
    try {
      return await p;
    } catch (e) {
      if (NO_DATA.has(codeOf(e))) return [];
      throw new NetError("dns-failed", `DNS: query failed (${codeOf(e) || "error"})`, { cause: e });
    }
  };
  return {
    async lookup(hostname) {
      const [v4, v6] = await Promise.all([safe(r.resolve4(hostname)), safe(r.resolve6(hostname))]);
      const out: ResolvedAddress[] = [
        ...v4.map((address) => ({ address, family: 4 as const })),
        ...v6.map((address) => ({ address, family: 6 as const })),
      ];
      if (out.length === 0) throw new NetError("dns-failed", `DNS: ${hostname} has no address`);
      return out;
    },
    async txt(name) {
      return (await safe(r.resolveTxt(name))).map((chunks) => chunks.join(""));
    },
  };
}

/** A fixed table, for unit tests that need no DNS at all. */
export function staticResolver(table: Record<string, string[]>, txt: Record<string, string[]> = {}): Resolver {
  return {
    lookup(hostname) {
      const list = table[hostname.toLowerCase()];
      if (list === undefined || list.length === 0) return Promise.reject(new NetError("dns-failed", `DNS: ${hostname} has no address`));
      return Promise.resolve(list.map((address) => ({ address, family: address.includes(":") ? (6 as const) : (4 as const) })));
    },
    txt(name) {
      return Promise.resolve(txt[name.toLowerCase()] ?? []);
    },
  };
}
