// Content-Security-Policy parsing as MDN HTTP Observatory 1.4.8 reads it (re-expressed, not
// copied): a list of policies (header values, then <meta> ones) becomes one directive → sources
// map. Later policies only narrow earlier ones. Throws on what the peer calls an invalid policy.

export const DUPLICATE_WARNINGS = "_duplicate_key_warnings";
const SHORTEST_POLICY = "img-src".length - 1;
const META_FORBIDDEN = ["frame-ancestors", "report-uri", "sandbox"];
const MAY_REPEAT = new Set(["report-uri", "report-to"]);
const collate = new Intl.Collator("en").compare;

interface Source {
  source: string;
  index: number;
  keep: boolean;
}

export type CspMap = Map<string, Set<string>>;

export class CspParseError extends Error {}

function pathPartMatch(a: string, b: string): boolean {
  if (a.length === 0) return true;
  if (a === "/" && b.length === 0) return true;
  const exact = !a.endsWith("/");
  const la = a.split("/");
  const lb = b.split("/");
  if (la.length > lb.length) return false;
  if (exact && la.length !== lb.length) return false;
  if (!exact) la.pop();
  for (let i = 0; i < la.length; i++) {
    // decodeURIComponent throws URIError on a malformed escape: the policy is then invalid.
    if (decodeURIComponent(la[i] ?? "") !== decodeURIComponent(lb[i] ?? "")) return false;
  }
  return true;
}

export function parseCsp(list: string[]): CspMap {
  const policies = list.map((s) => s.replace(/[\r\n]/g, "").trim());
  if (policies.length === 0) return new Map();
  for (const p of policies) {
    if (p.length < SHORTEST_POLICY) throw new CspParseError(`policy too short: ${p.slice(0, 40)}`);
  }
  const csp = new Map<string, Source[]>();
  const duplicates = new Set<string>();
  policies.forEach((policy, index) => {
    const seen = new Set<string>();
    for (const entry of policy.split(";")) {
      const [first, ...rest] = entry.trim().split(/\s+/);
      if (!first) continue;
      const directive = first.toLowerCase();
      if (seen.has(directive)) {
        if (MAY_REPEAT.has(directive)) duplicates.add(directive);
        else throw new CspParseError(`duplicate directive ${directive}`);
      } else seen.add(directive);
      const keep = index === 0;
      const values: Source[] = rest.map((s) => ({ source: s.trim().toLocaleLowerCase(), index, keep }));
      if (values.length === 0 && directive.endsWith("-src")) values.push({ source: "'none'", index, keep });
      const all = index === 0 ? [...values] : [...(csp.get(directive) ?? []), ...values];
      all.sort((x, y) => collate(x.source, y.source));
      for (let i = 1; i < all.length; i++) {
        const cur = all[i];
        const prev = all[i - 1];
        if (!cur || !prev) continue;
        if (cur.index === prev.index && cur.source.startsWith(prev.source)) cur.keep = false;
        if (cur.index !== prev.index && pathPartMatch(prev.source, cur.source)) cur.keep = true;
      }
      csp.set(directive, all.filter((s) => s.keep));
      if (index === 0 && list.length > 1) for (const s of csp.get(directive) ?? []) s.keep = false;
    }
  });
  const out: CspMap = new Map(
    [...csp.entries()].map(([d, sources]) => [d, sources.length > 0 ? new Set(sources.map((s) => s.source)) : new Set(["'none'"])]),
  );
  if (duplicates.size > 0) out.set(DUPLICATE_WARNINGS, duplicates);
  return out;
}

export function parseCspMeta(list: string[]): CspMap {
  const m = parseCsp(list);
  for (const d of META_FORBIDDEN) m.delete(d);
  return m;
}
