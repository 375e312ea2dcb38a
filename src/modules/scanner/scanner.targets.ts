// The ScanTargets port on top of the registry service (its exported functions, never its tables).
import type { ScanTargets } from "./scanner.platform.ts";

/** The registry service functions the scanner uses. */
export interface RegistryForScanner {
  getShop(shopId: string): Promise<{ id: string; orgId: string; legalNameZh: string; contactEmail: string } | undefined>;
  listConfirmedOrigins(shopId: string): Promise<string[]>;
  search(q: { limit: number; offset: number }): Promise<{ items: { id: string }[]; nextOffset: number | null }>;
}

export function registryScanTargets(registry: RegistryForScanner): ScanTargets {
  return {
    async shop(shopId) {
      const s = await registry.getShop(shopId);
      return s ? { id: s.id, orgId: s.orgId, nameZh: s.legalNameZh, contactEmail: s.contactEmail } : undefined;
    },
    confirmedOrigins: (shopId) => registry.listConfirmedOrigins(shopId),
    async confirmedShops() {
      // The public search lists confirmed shops only; paged through to the end.
      const ids: string[] = [];
      for (let offset: number | null = 0; offset !== null; ) {
        const page: { items: { id: string }[]; nextOffset: number | null } = await registry.search({ limit: 100, offset });
        ids.push(...page.items.map((s) => s.id));
        offset = page.nextOffset;
      }
      return ids;
    },
  };
}

/** A double for tests: shops and their confirmed origins in memory. */
export function memoryScanTargets(shops: { id: string; orgId: string; nameZh?: string; contactEmail?: string; origins: string[]; confirmed?: boolean }[]): ScanTargets & { shops: typeof shops } {
  return {
    shops,
    shop: (id) => {
      const s = shops.find((x) => x.id === id);
      return Promise.resolve(s ? { id: s.id, orgId: s.orgId, nameZh: s.nameZh ?? "測試商店", contactEmail: s.contactEmail ?? "owner@shop.test" } : undefined);
    },
    confirmedOrigins: (id) => Promise.resolve(shops.find((x) => x.id === id && x.confirmed !== false)?.origins ?? []),
    confirmedShops: () => Promise.resolve(shops.filter((s) => s.confirmed !== false).map((s) => s.id)),
  };
}
