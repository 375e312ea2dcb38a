// Test doubles for the seals module: a registry port over an in-memory map of shops.
import { randomUUID } from "node:crypto";
import type { SealsRegistryPort } from "./seals.service.ts";

export interface FakeShop { id: string; orgId: string; legalNameZh: string; legalNameEn: string; ubn: string; identityStatus: string; expiresAt: Date | null; confirmedAt?: Date | null; origins: string[] }

export function fakeRegistry(shops: Map<string, FakeShop>): SealsRegistryPort {
  return {
    getShop: (id) => Promise.resolve(shops.get(id)),
    listConfirmedOrigins: (id) => Promise.resolve(shops.get(id)?.identityStatus === "confirmed" ? (shops.get(id)?.origins ?? []) : []),
  };
}

export function fakeShop(over: Partial<FakeShop> = {}): FakeShop {
  return { id: randomUUID(), orgId: randomUUID(), legalNameZh: "範例商店股份有限公司", legalNameEn: "Example Shop Co.", ubn: "12345675", identityStatus: "confirmed", expiresAt: new Date("2027-11-01T00:00:00Z"), origins: ["https://shop.example"], ...over };
}
