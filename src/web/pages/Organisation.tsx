// One organisation: its details, members, pending invitations and API tokens. Your own
// organisation for everyone who may read it; any organisation for the authority.
import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { Link, Navigate, useParams } from "react-router";
import { api } from "../api/client.ts";
import { can, useFullSession } from "../api/session.ts";
import type { Organisation } from "../api/types.ts";
import { formatDateTime, orgName } from "../components/format.ts";
import { Page } from "../components/Page.tsx";
import { LoadError, Loading } from "../components/States.tsx";
import { currentLocale } from "../i18n/i18n.ts";
import { ApiTokens } from "./org/ApiTokens.tsx";
import { Invitations } from "./org/Invitations.tsx";
import { Members } from "./org/Members.tsx";

export function OwnOrganisationRedirect() {
  const session = useFullSession();
  return <Navigate to={`/organisations/${session.organisation.id}`} replace />;
}

export function OrganisationPage() {
  const { t } = useTranslation();
  const { orgId = "" } = useParams();
  const session = useFullSession();
  const locale = currentLocale();
  const org = useQuery({ queryKey: ["organisation", orgId], queryFn: () => api<Organisation>("GET", `/organisations/${encodeURIComponent(orgId)}`) });

  if (org.isPending) {
    return (
      <Page title={t("org.title")}>
        <Loading />
      </Page>
    );
  }
  if (org.isError) {
    return (
      <Page title={t("org.title")}>
        <LoadError error={org.error} onRetry={() => void org.refetch()} />
      </Page>
    );
  }
  const o = org.data;
  const own = o.id === session.organisation.id;
  const manage = can(session, "org.manage") && (own || can(session, "orgs.admin"));
  return (
    <Page
      title={orgName(o, locale)}
      intro={
        <>
          {locale === "en" ? o.nameZh : o.nameEn} · {t(`kinds.${o.kind}`)} · <span className={`status status-${o.status}`}>{t(`orgStatus.${o.status}`)}</span> · {t("org.since", { date: formatDateTime(o.createdAt, locale) })}
        </>
      }
      actions={
        can(session, "orgs.admin") ? (
          <Link to="/organisations" className="button">
            {t("org.allOrganisations")}
          </Link>
        ) : undefined
      }
    >
      <Members org={o} manage={manage} selfId={session.user.id} />
      {manage ? <Invitations org={o} /> : null}
      {manage ? <ApiTokens org={o} /> : null}
    </Page>
  );
}
