import type { OrgKind, Role } from "./auth/roles.ts";

/** Who is doing something: a signed-in user, an API token, the system (jobs), or the public. */
export type Actor =
  | { kind: "user"; userId: string; orgId: string; orgKind: OrgKind; role: Role; requestId?: string }
  | { kind: "token"; tokenId: string; userId?: undefined; orgId: string; orgKind: OrgKind; role: Role; requestId?: string }
  | { kind: "system"; name: string; userId?: undefined; orgId?: undefined; requestId?: string }
  | { kind: "anonymous"; userId?: undefined; orgId?: undefined; requestId?: string };

export const systemActor = (name: string): Actor => ({ kind: "system", name });
