// The frame of every page: skip link, header with the main navigation, organisation switch,
// language switch and sign-out, and the <main> landmark. After each navigation, focus moves
// to the new page's h1 so screen-reader and keyboard users start at the top of the content.
import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, NavLink, Outlet, useLocation, useNavigate } from "react-router";
import { useRegistryText } from "../pages/registry/text.ts"; // registry (issue 3)
import { useSealText } from "../pages/seals/text.ts"; // seals (issue 5)
import { useCertText } from "../pages/certification/text.ts"; // certification (issue 4)
import { usePrivacyLinkLabel } from "../pages/privacy/PrivacyPage.tsx"; // scanner (issue 6): privacy notice link
import { useScannerText } from "../pages/scanner/text.ts"; // scanner (issue 6)
import { api } from "../api/client.ts";
import { afterStage, can, stagePath, useSession, useSignOut } from "../api/session.ts";
import type { Locale, Session, StageResponse } from "../api/types.ts";
import { changeLocale, currentLocale, savedLocale } from "../i18n/i18n.ts";
import { orgName } from "./format.ts";
import { ProblemAlert } from "./Problem.tsx";

export function Layout() {
  const { t } = useTranslation();
  const location = useLocation();
  const session = useSession();
  const first = useRef(true);

  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    const heading = document.querySelector<HTMLElement>("main h1");
    heading?.focus();
  }, [location.pathname]);

  // A browser that never chose a language takes the signed-in user's saved one.
  const userLocale = session.data?.user.locale;
  useEffect(() => {
    if (userLocale && !savedLocale() && userLocale !== currentLocale()) void changeLocale(userLocale);
  }, [userLocale]);

  const full = session.data?.stage === "full" ? session.data : undefined;
  const privacyLabel = usePrivacyLinkLabel(); // scanner (issue 6)
  return (
    <>
      <a className="skip-link" href="#main">
        {t("common.skipToContent")}
      </a>
      <header className="site-header">
        <div className="header-inner">
          <Link to="/" className="brand">
            <span className="brand-mark" aria-hidden="true" />
            <span>{t("common.appName")}</span>
            <span className="brand-sub">{t("common.programme")}</span>
          </Link>
          <div className="header-tools">
            <LanguageSwitch signedIn={!!full} />
            {full ? <UserMenu session={full} /> : null}
          </div>
        </div>
        {full ? <MainNav session={full} /> : session.isPending ? null : <PublicNav />}
      </header>
      <main id="main" tabIndex={-1}>
        <Outlet />
      </main>
      <footer className="site-footer">
        <p>{t("common.footer")}</p>
        <p><a href="/privacy">{privacyLabel}</a></p>{/* scanner (issue 6) */}
      </footer>
    </>
  );
}

function MainNav({ session }: { session: Session }) {
  const { t } = useTranslation();
  const { r: rt } = useRegistryText();
  const { s: sealText } = useSealText(); // seals (issue 5)
  const { c: ct } = useCertText(); // certification (issue 4)
  const { s: st } = useScannerText(); // scanner (issue 6)
  const links: Array<{ to: string; label: string; show: boolean }> = [
    { to: "/", label: t("nav.home"), show: true },
    { to: "/organisation", label: t("nav.organisation"), show: can(session, "org.read") },
    { to: "/organisations", label: t("nav.organisations"), show: can(session, "orgs.admin") },
    { to: "/audit", label: t("nav.audit"), show: can(session, "audit.read") },
    { to: "/outbox", label: t("nav.outbox"), show: can(session, "outbox.read") },
    // registry (issue 3)
    { to: "/registry/my-shop", label: rt.nav.myShop, show: can(session, "registry.read") && session.organisation.kind === "merchant" },
    { to: "/seals", label: sealText.nav.seal, show: can(session, "registry.read") && session.organisation.kind === "merchant" }, // seals (issue 5)
    { to: "/registry/review", label: rt.nav.review, show: can(session, "registry.review") },
    // scanner (issue 6)
    { to: "/scanner", label: st.nav.scanner, show: can(session, "scanner.read") && session.organisation.kind === "merchant" },
    { to: "/scanner/grades", label: st.nav.grades, show: can(session, "scanner.admin") },
    // certification (issue 4)
    { to: "/certification", label: session.organisation.kind === "merchant" ? ct.nav.myCert : ct.nav.pipeline, show: can(session, "cert.read") && session.organisation.kind !== "regulator" },
    { to: "/certification/accreditations", label: ct.nav.accreditations, show: can(session, "cert.accredit") || can(session, "cert.cb_manage") },
    { to: "/certification/auditors", label: ct.nav.auditors, show: can(session, "cert.cb_manage") },
    { to: "/certification/marks", label: ct.nav.marks, show: can(session, "cert.accredit") || can(session, "cert.cb_manage") },
    { to: "/certification/alarms", label: ct.nav.alarms, show: can(session, "cert.accredit") || can(session, "cert.cb_manage") },
    { to: "/certification/complaints", label: ct.complaint.nav, show: can(session, "cert.accredit") || can(session, "cert.cb_manage") || session.role === "merchant_admin" },
    { to: "/certification/change-reports", label: ct.changes.queue, show: can(session, "cert.cb_manage") },
    { to: "/schemes", label: ct.nav.schemes, show: can(session, "schemes.manage") },
    { to: "/registry", label: rt.nav.search, show: true },
    { to: "/account", label: t("nav.account"), show: true },
  ];
  // At phone width the links would wrap into many rows above the content: there they sit behind
  // a menu button (hidden at desktop width by the stylesheet, where the list always shows).
  // Open for the page it was opened on: choosing a page closes it.
  const { pathname } = useLocation();
  const [openOn, setOpenOn] = useState<string | null>(null);
  const open = openOn === pathname;
  const setOpen = (value: boolean): void => {
    setOpenOn(value ? pathname : null);
  };
  const toggle = useRef<HTMLButtonElement>(null);
  const current = links.find((l) => l.show && (l.to === "/" || l.to === "/registry" || l.to === "/certification" ? pathname === l.to : pathname.startsWith(l.to)));
  return (
    <nav
      className="main-nav"
      aria-label={t("nav.main")}
      onKeyDown={(e) => {
        if (e.key === "Escape" && open) {
          setOpen(false);
          toggle.current?.focus();
        }
      }}
    >
      <button
        ref={toggle}
        type="button"
        className="button subtle nav-toggle"
        aria-expanded={open}
        aria-controls="main-nav-links"
        onClick={() => {
          setOpen(!open);
        }}
      >
        <span aria-hidden="true" className="nav-toggle-icon" />
        {t("nav.menu")}
        {current ? <span className="nav-toggle-current">· {current.label}</span> : null}
      </button>
      <ul id="main-nav-links" className={open ? "open" : undefined}>
        {links
          .filter((l) => l.show)
          .map((l) => (
            <li key={l.to}>
              <NavLink to={l.to} end={l.to === "/" || l.to === "/registry" || l.to === "/certification" /* certification (issue 4) */}>
                {l.label}
              </NavLink>
            </li>
          ))}
      </ul>
    </nav>
  );
}

/**
 * For a visitor who is not signed in: the public services (a shopper checking a shop, filing a
 * complaint or following one up). Without it, a shopper who opens the site lands on the sign-in
 * page with no way to the shop lookup. The brand leads back to sign-in.
 */
function PublicNav() {
  const { t } = useTranslation();
  const { r: rt } = useRegistryText();
  const { c: ct } = useCertText();
  const links: Array<{ to: string; label: string }> = [
    { to: "/registry", label: rt.nav.search },
    { to: "/complaints/new", label: ct.complaint.title },
    { to: "/complaints/status", label: ct.complaint.statusTitle },
  ];
  return (
    <nav className="main-nav" aria-label={t("nav.public")}>
      <ul>
        {links.map((l) => (
          <li key={l.to}>
            <NavLink to={l.to} end={l.to === "/registry"}>
              {l.label}
            </NavLink>
          </li>
        ))}
      </ul>
    </nav>
  );
}

function LanguageSwitch({ signedIn }: { signedIn: boolean }) {
  const { t } = useTranslation();
  const other: Locale = currentLocale() === "en" ? "zh-TW" : "en";
  const onClick = (): void => {
    void changeLocale(other);
    // Remember it on the account too, so other browsers follow; the cookie alone is enough here.
    if (signedIn) void api("POST", "/auth/locale", { locale: other }).catch(() => undefined);
  };
  return (
    <button type="button" className="button subtle lang-switch" onClick={onClick} lang={other} aria-label={t("lang.switchTo", { lng: other })}>
      {t("lang.name", { lng: other })}
    </button>
  );
}

function UserMenu({ session }: { session: Session }) {
  const { t } = useTranslation();
  const signOut = useSignOut();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const locale = currentLocale();
  const [switchError, setSwitchError] = useState<unknown>(null);
  const onSwitch = (orgId: string): void => {
    setSwitchError(null);
    void api<StageResponse>("POST", "/auth/switch-organisation", { orgId })
      .then(async (r) => {
        // Everything cached belonged to the other organisation.
        queryClient.removeQueries({ predicate: (q) => q.queryKey[0] !== "session" });
        const stage = await afterStage(queryClient, r);
        await navigate(stagePath(stage));
      })
      .catch(setSwitchError);
  };
  return (
    <div className="user-menu">
      {session.memberships.length > 1 ? (
        <label className="org-switch">
          <span className="visually-hidden">{t("nav.switchOrg")}</span>
          <select
            value={session.organisation.id}
            onChange={(e) => {
              onSwitch(e.target.value);
            }}
          >
            {session.memberships.map((m) => (
              <option key={m.orgId} value={m.orgId}>
                {orgName({ nameZh: m.orgNameZh, nameEn: m.orgNameEn }, locale)} — {t(`roles.${m.role}`)}
              </option>
            ))}
          </select>
        </label>
      ) : (
        <span className="who">
          <span className="who-name">{session.user.displayName}</span>
          <span className="who-org">{orgName(session.organisation, locale)}</span>
        </span>
      )}
      <button
        type="button"
        className="button subtle"
        onClick={() => {
          void signOut().finally(() => void navigate("/sign-in"));
        }}
      >
        {t("nav.signOut")}
      </button>
      {switchError ? (
        <div className="switch-error">
          <ProblemAlert error={switchError} />
        </div>
      ) : null}
    </div>
  );
}
