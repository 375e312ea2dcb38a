// Shapes of the registry API as the web app reads them (dates arrive as ISO strings).
export type IdentityStatus = "unconfirmed" | "pending" | "confirmed" | "lapsed" | "withdrawn";
export type SalesModel = "own_site" | "marketplace" | "both";
export type Sector = "online_shop" | "marketplace_operator" | "supplier" | "logistics" | "payment";

export interface Profile {
  legalNameZh: string;
  legalNameEn: string;
  ubn: string;
  representative: string;
  address: string;
  contactEmail: string;
  contactPhone: string;
  serviceChannel: string;
  salesModel: SalesModel;
  sector: Sector;
}

export interface Shop extends Profile {
  id: string;
  orgId: string;
  ubnCurrentRuleOnly: boolean;
  identityStatus: IdentityStatus;
  awaitingShop: boolean;
  statusChangedAt: string;
  confirmedAt: string | null;
  expiresAt: string | null;
  hasPendingChange?: boolean;
  /** review queue: other shops pending, confirmed or lapsed with this business number */
  sameUbnClaims?: number;
  /** the authority's view of one shop: every other shop stating its business number */
  sameUbn?: { id: string; legalNameZh: string; legalNameEn: string; identityStatus: IdentityStatus; statusChangedAt: string }[];
}

export interface Origin {
  id: string;
  origin: string;
  host: string;
  unicodeHost: string | null;
  status: "unproven" | "proven" | "failing" | "lapsed";
  method: "http" | "dns" | null;
  provenAt: string | null;
  proofExpiresAt: string | null;
  lastError: string | null;
  instructions: { http: { url: string; body: string; en: string; zh: string }; dns: { name: string; value: string; en: string; zh: string } };
  tls: { fingerprint256: string; issuer: string; validTo: string } | null;
}

export interface Doc {
  id: string;
  evidenceId: string;
  kind: "business_registration" | "representative_id" | "authorisation" | "other";
  note: string;
  addedAt: string;
}

export interface HistoryEvent {
  id: string;
  action: string;
  fromStatus: IdentityStatus;
  toStatus: IdentityStatus;
  reason: string;
  at: string;
}

export interface Change {
  id: string;
  proposed: Record<string, string>;
  previous: Record<string, string>;
  status: "pending" | "approved" | "rejected";
  reason: string;
  createdAt: string;
}

export interface PublicShop {
  id: string;
  legalNameZh: string;
  legalNameEn: string;
  ubn: string;
  representative: string;
  serviceChannel: string;
  salesModel: SalesModel;
  sector: Sector;
  identityStatus: IdentityStatus;
  confirmedAt: string | null;
  expiresAt: string | null;
}

export interface PublicShopPage extends PublicShop {
  origins: { origin: string; unicodeHost: string | null; provenAt: string | null; certificate: { fingerprint256: string; issuer: string; validTo: string } | null }[];
  extensions: Record<string, unknown>;
}
