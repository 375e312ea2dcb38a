// Which IP addresses the fetcher may connect to. Only globally routable unicast addresses
// pass; everything else is named so the error can say why (RFC 6890 special-purpose registries).
import { isIP } from "node:net";

export type AddressClass =
  | "public"
  | "unspecified"
  | "loopback"
  | "private"
  | "link-local"
  | "cgnat"
  | "multicast"
  | "broadcast"
  | "metadata"
  | "documentation"
  | "reserved";

type V4Range = readonly [base: string, prefix: number, cls: AddressClass];

// Order matters: the first match wins, so the more specific ranges come first.
const V4_RANGES: readonly V4Range[] = [
  ["169.254.169.254", 32, "metadata"], // AWS, GCP, Azure, OpenStack instance metadata
  ["100.100.100.200", 32, "metadata"], // Alibaba Cloud metadata
  ["168.63.129.16", 32, "metadata"], // Azure wire server (a public address, but never a shop)
  ["0.0.0.0", 8, "unspecified"],
  ["10.0.0.0", 8, "private"],
  ["100.64.0.0", 10, "cgnat"],
  ["127.0.0.0", 8, "loopback"],
  ["169.254.0.0", 16, "link-local"],
  ["172.16.0.0", 12, "private"],
  ["192.0.0.0", 24, "reserved"],
  ["192.0.2.0", 24, "documentation"],
  ["192.88.99.0", 24, "reserved"],
  ["192.168.0.0", 16, "private"],
  ["198.18.0.0", 15, "reserved"],
  ["198.51.100.0", 24, "documentation"],
  ["203.0.113.0", 24, "documentation"],
  ["224.0.0.0", 4, "multicast"],
  ["255.255.255.255", 32, "broadcast"],
  ["240.0.0.0", 4, "reserved"],
];

function v4ToInt(ip: string): number | undefined {
  const parts = ip.split(".");
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return undefined;
    const v = Number(p);
    if (v > 255) return undefined;
    n = n * 256 + v;
  }
  return n;
}

function classifyV4Int(n: number): AddressClass {
  for (const [base, prefix, cls] of V4_RANGES) {
    const b = v4ToInt(base) ?? 0;
    const size = 2 ** (32 - prefix);
    if (n >= b && n < b + size) return cls;
  }
  return "public";
}

/** Parses an IPv6 literal (no zone id) into eight 16-bit groups. */
export function parseV6(ip: string): number[] | undefined {
  if (isIP(ip) !== 6) return undefined;
  let s = ip.toLowerCase();
  // A trailing dotted quad (::ffff:1.2.3.4) becomes two groups.
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (dotted?.[1] !== undefined) {
    const n = v4ToInt(dotted[1]);
    if (n === undefined) return undefined;
    s = s.slice(0, -dotted[1].length) + `${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const [head, tail, ...rest] = s.split("::");
  if (rest.length > 0 || head === undefined) return undefined;
  const h = head === "" ? [] : head.split(":");
  const t = tail === undefined || tail === "" ? [] : tail.split(":");
  const fill = tail === undefined ? 0 : 8 - h.length - t.length;
  if (fill < 0) return undefined;
  const groups = [...h, ...Array<string>(fill).fill("0"), ...t].map((g) => parseInt(g, 16));
  return groups.length === 8 && groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? groups : undefined;
}

function embeddedV4(g: number[], hi: number, lo: number): number {
  return ((g[hi] ?? 0) * 65536 + (g[lo] ?? 0)) >>> 0;
}

function classifyV6(g: number[]): AddressClass {
  const [g0 = 0, g1 = 0, g2 = 0, g3 = 0, g4 = 0, g5 = 0, g6 = 0, g7 = 0] = g;
  const zeroTo = (i: number): boolean => g.slice(0, i).every((x) => x === 0);
  if (zeroTo(8)) return "unspecified";
  if (zeroTo(7) && g7 === 1) return "loopback";
  // IPv4-mapped ::ffff:a.b.c.d and IPv4-compatible ::a.b.c.d: judge the IPv4 inside.
  if (zeroTo(5) && g5 === 0xffff) return classifyV4Int(embeddedV4(g, 6, 7));
  if (zeroTo(6)) return classifyV4Int(embeddedV4(g, 6, 7)) === "public" ? "reserved" : classifyV4Int(embeddedV4(g, 6, 7));
  // IPv4/IPv6 translation 64:ff9b::/96 carries an IPv4 address; 64:ff9b:1::/48 is local use.
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0) return classifyV4Int(embeddedV4(g, 6, 7));
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 1) return "private";
  // 6to4 2002::/16 embeds an IPv4 address in groups 1–2.
  if (g0 === 0x2002) {
    const inner = classifyV4Int(embeddedV4(g, 1, 2));
    if (inner !== "public") return inner;
  }
  if (g0 === 0xfd00 && g1 === 0x0ec2 && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0 && g6 === 0 && g7 === 0x254) return "metadata";
  if (g0 >= 0xff00) return "multicast";
  if ((g0 & 0xffc0) === 0xfe80) return "link-local";
  if ((g0 & 0xffc0) === 0xfec0) return "private"; // deprecated site-local
  if ((g0 & 0xfe00) === 0xfc00) return "private"; // unique local fc00::/7
  if (g0 === 0x2001 && g1 === 0x0db8) return "documentation";
  if (g0 === 0x3fff && g1 < 0x1000) return "documentation"; // 3fff::/20
  if (g0 === 0x2001 && g1 === 0) return "reserved"; // Teredo tunnels to arbitrary IPv4
  if (g0 === 0x2001 && g1 < 0x200) return "reserved"; // IETF protocol assignments 2001::/23
  if (g0 === 0x0100 && g1 === 0 && g2 === 0 && g3 === 0) return "reserved"; // discard-only
  if ((g0 & 0xe000) !== 0x2000) return "reserved"; // outside global unicast 2000::/3
  return "public";
}

/**
 * Classifies an IP address literal. Returns undefined if `ip` is not a plain IPv4 or IPv6
 * literal (a zone id such as `fe80::1%eth0` counts as not plain).
 */
export function classifyAddress(ip: string): AddressClass | undefined {
  const bare = ip.startsWith("[") && ip.endsWith("]") ? ip.slice(1, -1) : ip;
  const family = isIP(bare);
  if (family === 4) {
    const n = v4ToInt(bare);
    return n === undefined ? undefined : classifyV4Int(n);
  }
  if (family === 6) {
    if (bare.includes("%")) return undefined;
    const g = parseV6(bare);
    return g === undefined ? undefined : classifyV6(g);
  }
  return undefined;
}

/** Canonical text of an IP literal, for allow-list comparison (IPv4-mapped IPv6 → IPv4). */
export function canonicalIp(ip: string): string {
  const bare = ip.startsWith("[") && ip.endsWith("]") ? ip.slice(1, -1) : ip;
  if (isIP(bare) !== 6) return bare;
  const g = parseV6(bare);
  if (g === undefined) return bare.toLowerCase();
  if (g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff) {
    const n = embeddedV4(g, 6, 7);
    return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");
  }
  return g.map((x) => x.toString(16)).join(":");
}
