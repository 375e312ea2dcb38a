// Demo certification data for `npm start` / `ectrust demo`: the Beta body accredited for TW-PIMS
// with its auditor as lead, "Taipei 3C Shopping" holding an active TWPIMS mark (self-assessment,
// inventory, results), and "Mountain & Sea Fresh Delivery" mid-audit (on-site, some results in).
// Through the services, so every step is audited like a real one. Idempotent: skipped when the
// Beta body already has a TW-PIMS accreditation. Alpha and shop 1 are left alone: the browser
// tests walk them from the start.
import type { Actor } from "../../platform/actor.ts";
import type { OrgKind, Role } from "../../platform/auth/roles.ts";
import type { Server } from "../../server.ts";
import type { InventoryItemInput } from "./inventory.io.ts";

const BETA = "Beta Certification Centre (demo)";
const ACTIVE_SHOP = "Taipei 3C Shopping (demo)";
const AUDIT_SHOP = "Mountain & Sea Fresh Delivery (demo)";

const inventory: InventoryItemInput[] = [
  {
    name: "訂單客戶資料 Order customers",
    purpose: "網路購物及其他電子商務服務 Online sales and delivery",
    purposeCodes: ["148"],
    dataCategories: ["C001", "C002"],
    source: "當事人於結帳頁提供 The customer at checkout",
    legalBasis: "contract",
    systems: ["電商平台 Shop platform", "ERP"],
    recipients: ["物流業者 Logistics provider", "金流業者 Payment provider"],
    retention: "交易完成後五年 5 years after the order",
    retentionMonths: 60,
    recordCount: 18_400,
    crossBorder: false,
    crossBorderCountries: [],
    notes: "",
  },
  {
    name: "會員行銷名單 Marketing list",
    purpose: "行銷 Marketing",
    purposeCodes: ["040"],
    dataCategories: ["C001"],
    source: "會員註冊時勾選同意 Opt-in at registration",
    legalBasis: "consent",
    systems: ["電子報服務 Newsletter service"],
    recipients: [],
    retention: "撤回同意為止 Until consent is withdrawn",
    retentionMonths: null,
    recordCount: 6_200,
    crossBorder: true,
    crossBorderCountries: ["US"],
    notes: "電子報服務商位於美國 The newsletter provider is in the US",
  },
];

export async function seedCertificationDemo(server: Server): Promise<string[]> {
  const { accounts, certification: c, accreditation, certificationRecords: records, schemes } = server.services;
  const actor = async (email: string, orgName: string, orgKind: OrgKind, role: Role): Promise<Extract<Actor, { kind: "user" }> | undefined> => {
    const [u, o] = await Promise.all([accounts.findUserByEmail(email), accounts.findOrganisationByName(orgName)]);
    return u && o ? { kind: "user", userId: u.id, orgId: o.id, orgKind, role } : undefined;
  };
  const authority = await actor("admin@authority.example", "E-commerce Privacy Mark Authority (demo)", "authority", "authority_admin");
  const admin = await actor("admin@cb-beta.example", BETA, "certification_body", "cb_admin");
  const lead = await actor("auditor@cb-beta.example", BETA, "certification_body", "auditor");
  const holder = await actor("owner@shop3.example", ACTIVE_SHOP, "merchant", "merchant_admin");
  const auditee = await actor("owner@shop4.example", AUDIT_SHOP, "merchant", "merchant_admin");
  if (!authority || !admin || !lead || !holder || !auditee) return [];
  if ((await accreditation.listAccreditations(admin, { cbOrgId: admin.orgId })).some((a) => a.scheme === "tw-pims")) return [];

  const acc = await accreditation.applyForAccreditation(admin, { scheme: "tw-pims", scope: "電子商務零售 E-commerce retail" });
  await accreditation.decideAccreditation(authority, acc.id, "start_assessment", { reason: "申請文件齊備 Documents complete" });
  await accreditation.decideAccreditation(authority, acc.id, "accredit", { reason: "見證稽核通過 Witnessed audit passed", validMonths: 48 });
  const auditor = await accreditation.addAuditor(admin, { name: "黃稽核 Huang", userId: lead.userId, grade: "lead_auditor", qualifications: ["TW-PIMS 主導稽核員 lead auditor", "ISO/IEC 27001 LA"], trainingHours: 56 });
  const requirements = (await schemes.current("tw-pims")).catalogue.requirements;

  const start = async (merchant: Extract<Actor, { kind: "user" }>, scope: string): Promise<string> => {
    const app = await c.apply(merchant, { scheme: "tw-pims", cbOrgId: admin.orgId, scope });
    await c.saveSelfAssessment(merchant, app.id, requirements.map((r) => ({ requirementId: r.id, status: "implemented" as const, note: "", evidenceIds: [] })));
    await c.transition(merchant, app.id, "submit");
    await c.transition(admin, app.id, "start_intake");
    await c.assignTeam(admin, app.id, [{ auditorId: auditor.id, lead: true }]);
    await c.transition(admin, app.id, "intake_accepted");
    await c.transition(lead, app.id, "doc_review_done");
    return app.id;
  };

  // an active mark
  const activeId = await start(holder, "www.taipei3c.example 網路商店與會員服務 online shop and membership");
  for (const row of inventory) await records.inventory.create(holder, activeId, row);
  await c.recordResults(lead, activeId, requirements.map((r) => ({ requirementId: r.id, result: "conforming" as const, note: "" })));
  await c.transition(lead, activeId, "audit_done_no_findings");
  await c.transition(admin, activeId, "grant", { reason: "審議會決議：全部要求符合 Committee: all requirements met" });
  await c.recordAgreement(admin, activeId, { agreementSigned: true, feePaid: true });
  await c.transition(admin, activeId, "activate");

  // mid-audit: on site, the first dozen requirements assessed
  const auditId = await start(auditee, "www.mountainsea.example 生鮮宅配 fresh-food delivery");
  await records.inventory.create(auditee, auditId, { ...inventory[0], name: "宅配收件人 Delivery recipients", recordCount: 42_000 } as InventoryItemInput);
  await c.recordResults(
    lead,
    auditId,
    requirements.slice(0, 12).map((r, i) => (i === 6 ? { requirementId: r.id, result: "minor_nc" as const, note: "個資清冊未列冷鏈物流業者 The inventory does not list the cold-chain carrier" } : { requirementId: r.id, result: "conforming" as const, note: "" })),
  );
  const mark = (await c.get(holder, activeId)).markNumber ?? "";
  return [`certification: ${ACTIVE_SHOP} holds ${mark}`, `certification: ${AUDIT_SHOP} is in its on-site audit`];
}
