// The signed-in session as the server sees it (GET /auth/session), cached by TanStack Query.
// `null` means nobody is signed in. Sign-in steps hand back a new CSRF token, which we keep.
import { useQuery, useQueryClient, type QueryClient } from "@tanstack/react-query";
import { roleHas, type Permission } from "../../platform/auth/roles.ts";
import { api, ApiError, setCsrfToken } from "./client.ts";
import type { Session, Stage, StageResponse } from "./types.ts";

export const sessionKey = ["session"] as const;

async function fetchSession(): Promise<Session | null> {
  try {
    // 204 (no body) when nobody is signed in: a signed-out page logs no failed request
    const session = (await api<Session | null | undefined>("GET", "/auth/session")) ?? null;
    setCsrfToken(session?.csrfToken);
    return session;
  } catch (e) {
    // an API token that is no longer valid, or an older server
    if (e instanceof ApiError && e.status === 401) {
      setCsrfToken(undefined);
      return null;
    }
    throw e;
  }
}

export function useSession() {
  return useQuery({ queryKey: sessionKey, queryFn: fetchSession, staleTime: 5 * 60_000, retry: 1 });
}

/** The session once it is fully signed in (for pages behind RequireSession). */
export function useFullSession(): Session {
  const { data } = useSession();
  if (!data) throw new Error("useFullSession used outside RequireSession");
  return data;
}

export function can(session: Session | null | undefined, permission: Permission): boolean {
  return !!session && session.stage === "full" && roleHas(session.role, permission);
}

/**
 * After a sign-in step: keep the new CSRF token, forget every cached answer of whoever used this
 * tab before (a session that ran out is not a sign-out, so nothing cleared the cache then), and
 * reload the session.
 */
export async function afterStage(queryClient: QueryClient, response: StageResponse): Promise<Stage> {
  setCsrfToken(response.csrfToken);
  queryClient.removeQueries({ predicate: (q) => q.queryKey[0] !== sessionKey[0] });
  await queryClient.invalidateQueries({ queryKey: sessionKey });
  return response.stage;
}

export async function signOut(queryClient: QueryClient, everywhere = false): Promise<void> {
  try {
    await api<undefined>("POST", everywhere ? "/auth/logout-everywhere" : "/auth/logout");
  } finally {
    setCsrfToken(undefined);
    queryClient.clear();
    queryClient.setQueryData(sessionKey, null);
  }
}

export function useSignOut(): (everywhere?: boolean) => Promise<void> {
  const queryClient = useQueryClient();
  return (everywhere = false) => signOut(queryClient, everywhere);
}

/** Where a sign-in stage leads. */
export function stagePath(stage: Stage): string {
  return stage === "mfa" ? "/sign-in/verify" : stage === "enrol" ? "/sign-in/enrol" : "/";
}

/** `path` with `?next=` for the in-app page to return to (left out when that is the home page). */
export function withNext(path: string, next: string | null): string {
  const safe = safeNext(next);
  return safe === "/" ? path : `${path}?next=${encodeURIComponent(safe)}`;
}

/**
 * Where a session at `stage` goes when it wanted `next`: that page once fully signed in, else the
 * sign-in step it stopped at, which keeps `next` so that the last step leads there.
 */
export function stageTarget(stage: Stage, next: string | null): string {
  return stage === "full" ? safeNext(next) : withNext(stagePath(stage), next);
}

/**
 * A safe in-app path from ?next= (never another origin). Browsers drop tabs and line breaks from
 * a URL before parsing it and read "\\" as "/", so "/<tab>/evil.example" would be "//evil.example":
 * control characters are refused too.
 */
export function safeNext(value: string | null): string {
  // eslint-disable-next-line no-control-regex
  return value && /^\/(?![/\\])/.test(value) && !/[\u0000-\u001f\u007f]/.test(value) ? value : "/";
}
