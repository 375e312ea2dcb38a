// The start page after sign-in: your organisation and role, the tasks your role can do now,
// and the programme modules that are still being built (named, not faked; the section is left
// out when none is left for the role).
import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import type { Permission } from "../../platform/auth/roles.ts";
import { api, query } from "../api/client.ts";
import { can, useFullSession } from "../api/session.ts";
import type { Organisation, Page as ApiPage, Role } from "../api/types.ts";
import { orgName } from "../components/format.ts";
import { Page } from "../components/Page.tsx";
import { Notice } from "../components/Problem.tsx";
import { currentLocale } from "../i18n/i18n.ts";
import { useRegistryText } from "./registry/text.ts";
import { useSealText } from "./seals/text.ts"; // seals (issue 5)
import { useCertText } from "./certification/text.ts"; // certification (issue 4)
import { useScannerText } from "./scanner/text.ts"; // scanner (issue 6)

type Task = "organisations" | "organisation" | "audit" | "outbox" | "account";
const tasks: Array<{ key: Task; to: string; permission?: Permission }> = [
  { key: "organisations", to: "/organisations", permission: "orgs.admin" },
  { key: "organisation", to: "/organisation", permission: "org.read" },
  { key: "audit", to: "/audit", permission: "audit.read" },
  { key: "outbox", to: "/outbox", permission: "outbox.read" },
  { key: "account", to: "/account" },
];

type Module = "certification" | "seals" | "incidents" | "pii";
/** Modules of the programme each role will work in that have no pages yet (the scanner has its pages: a task tile). */
const modulesByRole: Record<Role, Module[]> = {
  authority_admin: ["certification", "seals", "incidents"],
  cb_admin: ["certification"],
  auditor: ["certification", "pii"],
  merchant_admin: ["certification", "seals", "pii"],
  merchant_staff: ["pii"],
  regulator: ["incidents"],
};

export function HomePage() {
  const { t } = useTranslation();
  const { r: rt } = useRegistryText();
  const { c: ct } = useCertText(); // certification (issue 4)
  const { s: st } = useSealText(); // seals (issue 5)
  const { s: sc } = useScannerText(); // scanner (issue 6)
  const session = useFullSession();
  const locale = currentLocale();
  const coming = modulesByRole[session.role].filter((m) => m !== "certification" /* certification (issue 4): has its pages */ && !(m === "seals" && session.organisation.kind === "merchant") /* seals (issue 5): the merchant's seal page */);
  return (
    <Page title={t("home.title", { name: session.user.displayName })} intro={t("home.intro", { org: orgName(session.organisation, locale), role: t(`roles.${session.role}`) })}>
      {session.organisation.status === "pending" ? <Notice tone="warning">{t("home.pendingOrg")}</Notice> : null}
      {session.organisation.status === "suspended" || session.organisation.status === "rejected" ? (
        <Notice tone="warning">{t("home.inactiveOrg", { status: t(`orgStatus.${session.organisation.status}`) })}</Notice>
      ) : null}
      {can(session, "orgs.admin") ? <PendingRegistrationsNotice /> : null}
      <section aria-labelledby="tasks-title">
        <h2 id="tasks-title">{t("home.tasks")}</h2>
        <ul className="tiles">
          {[
            ...tasks
              .filter((task) => !task.permission || can(session, task.permission))
              .map((task) => ({ to: task.to, title: t(`home.task.${task.key}`), body: t(`home.taskBody.${task.key}`) })),
            // registry (issue 3): its pages name themselves
            ...(can(session, "registry.read") && session.organisation.kind === "merchant" ? [{ to: "/registry/my-shop", title: rt.nav.myShop, body: t("home.moduleBody.registry") }] : []),
            ...(can(session, "registry.review") ? [{ to: "/registry/review", title: rt.nav.review, body: t("home.moduleBody.registry") }] : []),
            // certification (issue 4)
            ...(can(session, "cert.read") && session.organisation.kind !== "regulator" ? [{ to: "/certification", title: session.organisation.kind === "merchant" ? ct.nav.myCert : ct.nav.pipeline, body: session.organisation.kind === "merchant" ? ct.pipeline.introMerchant : ct.pipeline.intro }] : []),
            // seals (issue 5): the merchant's embed snippet
            ...(can(session, "registry.read") && session.organisation.kind === "merchant" ? [{ to: "/seals", title: st.nav.seal, body: st.page.intro }] : []),
            // scanner (issue 6): the merchant's websites, the authority's grade distribution
            ...(can(session, "scanner.read") && session.organisation.kind === "merchant" ? [{ to: "/scanner", title: sc.nav.scanner, body: sc.shop.intro }] : []),
            ...(can(session, "scanner.admin") ? [{ to: "/scanner/grades", title: sc.nav.grades, body: sc.dist.intro }] : []),
            { to: "/registry", title: rt.nav.search, body: rt.search.intro },
          ].map((tile) => (
            <li key={tile.to} className="tile">
              <Link to={tile.to}>
                <span className="tile-title">{tile.title}</span>
                <span className="tile-body">{tile.body}</span>
              </Link>
            </li>
          ))}
        </ul>
      </section>
      {coming.length > 0 ? (
        <section aria-labelledby="modules-title">
          <h2 id="modules-title">{t("home.modules")}</h2>
          <p className="muted">{t("home.modulesIntro")}</p>
          <ul className="tiles">
            {coming.map((m) => (
              <li key={m} className="tile tile-disabled">
                <div>
                  <span className="tile-title">
                    {t(`home.module.${m}`)} <span className="badge">{t("home.coming")}</span>
                  </span>
                  <span className="tile-body">{t(`home.moduleBody.${m}`)}</span>
                </div>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </Page>
  );
}

/** For the authority: how many merchant registrations wait for a decision (nothing when none). */
function PendingRegistrationsNotice() {
  const { t } = useTranslation();
  const pending = useQuery({
    queryKey: ["organisations", "pending"],
    queryFn: () => api<ApiPage<Organisation>>("GET", `/organisations${query({ kind: "merchant", status: "pending", limit: 100 })}`),
  });
  const count = pending.data?.items.length ?? 0;
  if (count === 0) return null;
  return (
    <Notice tone="warning">
      {t("home.pendingRegistrations", { count: pending.data?.nextBefore ? `${count}+` : String(count) })} <Link to="/organisations">{t("home.review")}</Link>
    </Notice>
  );
}
