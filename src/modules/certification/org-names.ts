// Organisation names for certification responses. Names belong to the accounts module; this port
// is how certification reads them (server.ts passes accounts.orgNames), one lookup per response.
export interface OrgName {
  nameZh: string;
  nameEn: string;
}
export type OrgNames = (ids: readonly string[]) => Promise<Map<string, OrgName>>;

interface Parties {
  merchantOrgId: string;
  cbOrgId: string;
}
export interface PartyNames {
  merchantNameZh: string | null;
  merchantNameEn: string | null;
  cbNameZh: string | null;
  cbNameEn: string | null;
}
export interface BodyNames {
  cbNameZh: string | null;
  cbNameEn: string | null;
}

const partyNamesOf = <T extends Parties>(m: Map<string, OrgName>, r: T): T & PartyNames => {
  const merchant = m.get(r.merchantOrgId);
  const cb = m.get(r.cbOrgId);
  return { ...r, merchantNameZh: merchant?.nameZh ?? null, merchantNameEn: merchant?.nameEn ?? null, cbNameZh: cb?.nameZh ?? null, cbNameEn: cb?.nameEn ?? null };
};

/** Adds merchantNameZh/En and cbNameZh/En to rows naming an applicant and a body (null when the organisation is unknown). */
export async function withPartyNames<T extends Parties>(names: OrgNames, rows: readonly T[]): Promise<(T & PartyNames)[]> {
  const m = await names(rows.flatMap((r) => [r.merchantOrgId, r.cbOrgId]));
  return rows.map((r) => partyNamesOf(m, r));
}

/** The same for one record. */
export async function onePartyNames<T extends Parties>(names: OrgNames, row: T): Promise<T & PartyNames> {
  return partyNamesOf(await names([row.merchantOrgId, row.cbOrgId]), row);
}

/** Adds cbName* to rows naming a body. */
export async function withBodyNames<T extends { cbOrgId: string }>(names: OrgNames, rows: readonly T[]): Promise<(T & BodyNames)[]> {
  const m = await names(rows.map((r) => r.cbOrgId));
  return rows.map((r) => ({ ...r, cbNameZh: m.get(r.cbOrgId)?.nameZh ?? null, cbNameEn: m.get(r.cbOrgId)?.nameEn ?? null }));
}

/** Adds orgName* to rows naming one organisation (an auditor's declared conflicts). */
export async function withOrgNames<T extends { orgId: string }>(names: OrgNames, rows: readonly T[]): Promise<(T & { orgNameZh: string | null; orgNameEn: string | null })[]> {
  const m = await names(rows.map((r) => r.orgId));
  return rows.map((r) => ({ ...r, orgNameZh: m.get(r.orgId)?.nameZh ?? null, orgNameEn: m.get(r.orgId)?.nameEn ?? null }));
}
