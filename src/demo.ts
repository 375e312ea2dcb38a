// Demo data: the authority, two certification bodies with auditors, five merchants and a
// regulator, each with a known password; MFA roles get fixed TOTP secrets (printed, and in
// README.md). Idempotent: running it again changes nothing. Never for production.
import type { Role } from "./platform/auth/roles.ts";
import type { Server } from "./server.ts";
import { seedCertificationDemo } from "./modules/certification/certification.demo.ts"; // certification (issue 4)
import { seedRegistryDemo } from "./modules/registry/registry.demo.ts"; // registry (issue 3)

export const DEMO_PASSWORD = "ectrust-demo-2026";

export interface DemoAccount {
  email: string;
  displayName: string;
  role: Role;
  organisation: string;
  /** base32 TOTP secret for roles that must use MFA */
  totpSecret?: string;
}

interface DemoOrg {
  kind: "authority" | "certification_body" | "merchant" | "regulator";
  nameZh: string;
  nameEn: string;
  accounts: Omit<DemoAccount, "organisation">[];
}

// Fixed base32 secrets (RFC 4648 alphabet, 32 chars = 160 bits) so the demo is reproducible.
const DEMO_ORGS: DemoOrg[] = [
  {
    kind: "authority",
    nameZh: "電子商務隱私標章授證機構（示範）",
    nameEn: "E-commerce Privacy Mark Authority (demo)",
    accounts: [{ email: "admin@authority.example", displayName: "林主任 Lin (authority)", role: "authority_admin", totpSecret: "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP" }],
  },
  {
    kind: "certification_body",
    nameZh: "甲驗證股份有限公司（示範）",
    nameEn: "Alpha Certification Co. (demo)",
    accounts: [
      { email: "admin@cb-alpha.example", displayName: "陳經理 Chen (CB admin)", role: "cb_admin", totpSecret: "KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU" },
      { email: "auditor1@cb-alpha.example", displayName: "王稽核 Wang (lead auditor)", role: "auditor", totpSecret: "MFRGGZDFMZTWQ2LKMFRGGZDFMZTWQ2LK" },
      { email: "auditor2@cb-alpha.example", displayName: "張稽核 Chang (auditor)", role: "auditor", totpSecret: "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ" },
    ],
  },
  {
    kind: "certification_body",
    nameZh: "乙驗證中心（示範）",
    nameEn: "Beta Certification Centre (demo)",
    accounts: [
      { email: "admin@cb-beta.example", displayName: "李經理 Lee (CB admin)", role: "cb_admin", totpSecret: "ONSWG4TFOQYTEMZUONSWG4TFOQYTEMZU" },
      { email: "auditor@cb-beta.example", displayName: "黃稽核 Huang (auditor)", role: "auditor", totpSecret: "NBSWY3DPO5XXE3DENBSWY3DPO5XXE3DE" },
    ],
  },
  ...[
    ["好好買網路商店", "HaoHaoMai Online Shop"],
    ["小島手作市集", "Island Handmade Market"],
    ["台北3C購物", "Taipei 3C Shopping"],
    ["山海生鮮宅配", "Mountain & Sea Fresh Delivery"],
    ["書香網路書店", "Bookish Online Bookstore"],
  ].map(([zh, en], i): DemoOrg => ({
    kind: "merchant",
    nameZh: `${zh ?? ""}（示範）`,
    nameEn: `${en ?? ""} (demo)`,
    accounts: [
      { email: `owner@shop${i + 1}.example`, displayName: `Shop ${i + 1} owner`, role: "merchant_admin" },
      ...(i === 0 ? [{ email: "staff@shop1.example", displayName: "Shop 1 staff", role: "merchant_staff" as const }] : []),
    ],
  })),
  {
    kind: "regulator",
    nameZh: "個資主管機關（示範）",
    nameEn: "Personal Data Regulator (demo)",
    accounts: [{ email: "officer@regulator.example", displayName: "吳專員 Wu (regulator)", role: "regulator", totpSecret: "OBQXG43XN5ZGIZDFOBQXG43XN5ZGIZDF" }],
  },
];

export const demoAccounts: DemoAccount[] = DEMO_ORGS.flatMap((o) => o.accounts.map((a) => ({ ...a, organisation: o.nameEn })));

/**
 * Seeds the demo organisations and accounts; returns what it created (empty when all existed).
 * certification (issue 4): `{ certification: true }` adds a mark holder (with a confirmed registry
 * identity) and an audit in progress
 * (`ectrust start` / `ectrust demo`); test servers leave it out so browser tests start clean.
 */
export async function seedDemo(server: Server, options: { certification?: boolean } = {}): Promise<{ created: string[] }> {
  const { accounts } = server.services;
  const created: string[] = [];
  for (const o of DEMO_ORGS) {
    const org = (await accounts.findOrganisationByName(o.nameEn)) ?? (await accounts.seedOrganisation({ kind: o.kind, nameZh: o.nameZh, nameEn: o.nameEn }));
    for (const a of o.accounts) {
      if (await accounts.findUserByEmail(a.email)) continue;
      await accounts.seedUser({ orgId: org.id, role: a.role, email: a.email, displayName: a.displayName, password: DEMO_PASSWORD, ...(a.totpSecret ? { totpSecret: a.totpSecret } : {}) });
      created.push(a.email);
    }
  }
  // registry (issue 3): the mark holder's identity first, so that its application carries the shop
  if (options.certification) created.push(...(await seedRegistryDemo(server)));
  if (options.certification) created.push(...(await seedCertificationDemo(server))); // certification (issue 4)
  return { created };
}
