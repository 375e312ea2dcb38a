// PrivacyMark from the certification module, through its service only: the mark port
// (the shop's current mark) and the mark hook (queue a sync after a mark changed).
import type { SealsMarkPort } from "./seals.service.ts";

/** The part of a certification MarkView seals reads. */
export interface CertMark {
  markNumber: string;
  holderOrgId: string;
  shopId: string | null;
  status: "active" | "suspended" | "revoked" | "expired" | "withdrawn";
  validTo: Date | null;
  /** the start of the mark's current certification cycle (shown on the verification page) */
  validFrom?: Date | null;
}

export interface CertMarksSource {
  listMarksForOrg(orgId: string): Promise<CertMark[]>;
}

export interface ShopSource {
  getShop(shopId: string): Promise<{ orgId: string } | undefined>;
  getShopByOrg(orgId: string): Promise<{ id: string } | undefined>;
}

/** The current mark: an active one first, else a suspended one; anything else ends the credential. */
export function certificationMarkPort(certification: CertMarksSource, registry: ShopSource): SealsMarkPort {
  return {
    async currentMark(shopId) {
      const shop = await registry.getShop(shopId);
      if (!shop) return undefined;
      const marks = (await certification.listMarksForOrg(shop.orgId)).filter((m) => m.shopId === null || m.shopId === shopId);
      const m = marks.find((x) => x.status === "active" && x.validTo) ?? marks.find((x) => x.status === "suspended" && x.validTo);
      return m?.validTo ? { state: m.status === "active" ? "active" : "suspended", number: m.markNumber, validUntil: m.validTo, ...(m.validFrom ? { validFrom: m.validFrom } : {}) } : undefined;
    },
  };
}

/** The certification mark hook: after a mark changed, queue a sync of its shop. */
export function sealsMarkHook(registry: ShopSource, queue: (shopId: string) => Promise<unknown>) {
  return async (change: { mark: Pick<CertMark, "shopId" | "holderOrgId"> }): Promise<void> => {
    const shopId = change.mark.shopId ?? (await registry.getShopByOrg(change.mark.holderOrgId))?.id;
    if (shopId) await queue(shopId);
  };
}
