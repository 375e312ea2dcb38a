// Pieces the certification pages share: status badges, the catalogue of an application's
// scheme version, evidence upload and links, and the cache keys writes refresh.
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { api, upload } from "../../api/client.ts";
import { useFullSession } from "../../api/session.ts";
import type { SchemeSummary, SchemeVersion } from "../schemes/types.ts";
import { fill, useCertText } from "./text.ts";
import type { EvidenceFile, MarkStatus, Status } from "./types.ts";

const tone: Partial<Record<Status | MarkStatus, string>> = {
  active: "status-active",
  active_under_surveillance: "status-active",
  approved_pending_activation: "status-pending",
  corrective_action: "status-pending",
  decision_pending: "status-pending",
  suspended: "status-suspended",
  revoked: "status-rejected",
  rejected: "status-rejected",
};

export function StatusBadge({ status }: { status: Status }) {
  const { c } = useCertText();
  return <span className={`status ${tone[status] ?? ""}`}>{c.status[status]}</span>;
}

export function MarkBadge({ status }: { status: MarkStatus }) {
  const { c } = useCertText();
  return <span className={`status ${tone[status] ?? ""}`}>{c.markStatus[status]}</span>;
}

export const shortId = (id: string): string => id.slice(0, 8);

/** An organisation's name in the current locale, as the API sends it beside the id; a short id if unknown. */
export function useOrgName(): (id: string, zh: string | null | undefined, en: string | null | undefined) => string {
  const { c, locale } = useCertText();
  return (id, zh, en) => (locale === "en" ? en : zh) ?? fill(c.common.org, { id: shortId(id) });
}

export function OrgName({ id, zh, en }: { id: string; zh: string | null; en: string | null }) {
  return <>{useOrgName()(id, zh, en)}</>;
}

/**
 * A scheme's name in the current locale (from the public list of schemes, cached for long), for
 * the places that hold only its code ("tw-pims"); the code itself until the list has loaded.
 */
export function useSchemeTitle(): (scheme: string) => string {
  const { locale } = useCertText();
  const schemes = useQuery({ queryKey: ["schemes"], queryFn: () => api<{ items: SchemeSummary[] }>("GET", "/schemes"), staleTime: 60 * 60_000 });
  return (scheme) => schemes.data?.items.find((s) => s.scheme === scheme)?.title[locale] ?? scheme;
}

/** The catalogue version an application is assessed against (public, cached for long). */
export function useCatalogue(scheme: string | undefined, version: string | undefined) {
  return useQuery({
    queryKey: ["scheme-version", scheme, version],
    queryFn: () => api<SchemeVersion>("GET", `/schemes/${encodeURIComponent(scheme ?? "")}/versions/${encodeURIComponent(version ?? "")}`),
    enabled: !!scheme && !!version,
    staleTime: 60 * 60_000,
  });
}

/** Every query of one application, refreshed after a write on it. */
export function useRefreshApplication(id: string): () => Promise<void> {
  const queryClient = useQueryClient();
  return async () => {
    await queryClient.invalidateQueries({ queryKey: ["cert-app", id] });
    await queryClient.invalidateQueries({ queryKey: ["cert-list"] });
  };
}

/** Uploads one evidence file to the session's organisation (multipart: the one non-JSON write). */
export function useEvidenceUpload(): (file: File) => Promise<EvidenceFile> {
  const session = useFullSession();
  return async (file) => {
    const data = new FormData();
    data.set("file", file);
    // upload() sends the client's current CSRF token: the cached session's copy goes stale when
    // the server rotates the session (second factor set up from the account page).
    return upload<EvidenceFile>(`/organisations/${session.organisation.id}/evidence`, data);
  };
}

export function EvidenceLinks({ ids }: { ids: readonly string[] }) {
  const { c } = useCertText();
  if (ids.length === 0) return <span className="muted">{c.common.none}</span>;
  return (
    <>
      {ids.map((e, i) => (
        <span key={e}>
          {i > 0 ? ", " : ""}
          <a href={`/api/v1/evidence/${e}/download`} download>
            {c.common.download} {shortId(e)}
          </a>
        </span>
      ))}
    </>
  );
}

/** The file chosen in a form's `file` input, if any. */
export function chosenFile(form: HTMLFormElement): File | undefined {
  const input = form.elements.namedItem("file");
  return input instanceof HTMLInputElement ? (input.files?.[0] ?? undefined) : undefined;
}
