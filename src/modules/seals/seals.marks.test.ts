// The certification adapter: which mark counts, and the hook queues the right shop.
import { test } from "node:test";
import assert from "node:assert/strict";
import { certificationMarkPort, sealsMarkHook, type CertMark } from "./seals.marks.ts";

const SHOP = "0b5c1a6e-0000-4000-8000-000000000001";
const ORG = "0b5c1a6e-0000-4000-8000-0000000000aa";
const mark = (over: Partial<CertMark>): CertMark => ({ markNumber: "TWPIMS-000001-01", holderOrgId: ORG, shopId: SHOP, status: "active", validTo: new Date("2027-06-01T00:00:00Z"), ...over });

test("certification mark port and hook", async () => {
  let marks: CertMark[] = [];
  const registry = { getShop: (id: string) => Promise.resolve(id === SHOP ? { orgId: ORG } : undefined), getShopByOrg: (o: string) => Promise.resolve(o === ORG ? { id: SHOP } : undefined) };
  const port = certificationMarkPort({ listMarksForOrg: () => Promise.resolve(marks) }, registry);
  assert.equal(await port.currentMark(SHOP), undefined);
  marks = [mark({ status: "revoked", markNumber: "A" }), mark({ status: "suspended", markNumber: "B" })];
  assert.deepEqual(await port.currentMark(SHOP), { state: "suspended", number: "B", validUntil: new Date("2027-06-01T00:00:00Z") });
  marks.push(mark({ status: "active", markNumber: "C" }));
  assert.equal((await port.currentMark(SHOP))?.number, "C");
  marks = [mark({ shopId: "0b5c1a6e-0000-4000-8000-0000000000ff" })];
  assert.equal(await port.currentMark(SHOP), undefined, "a mark of another shop of the organisation does not count");
  assert.equal(await port.currentMark("0b5c1a6e-0000-4000-8000-000000000002"), undefined);

  const queued: string[] = [];
  const hook = sealsMarkHook(registry, (id) => { queued.push(id); return Promise.resolve(); });
  await hook({ mark: { shopId: null, holderOrgId: ORG } });
  await hook({ mark: { shopId: SHOP, holderOrgId: "x" } });
  await hook({ mark: { shopId: null, holderOrgId: "nobody" } });
  assert.deepEqual(queued, [SHOP, SHOP]);
});
