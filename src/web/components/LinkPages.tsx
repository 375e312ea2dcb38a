// The two ends of a page opened from a mailed link (a password reset, an address confirmation, an
// invitation): the link is missing or unreadable, or its work is done and signing in comes next.
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { Page } from "./Page.tsx";
import { Notice } from "./Problem.tsx";

/** The link in the address lacks its token (cut off by a mail client, copied in part). */
export function MissingLinkPage({ title, message, next }: { title: string; message: string; next?: { to: string; text: string } | undefined }) {
  return (
    <Page title={title} narrow>
      <div className="alert alert-error" role="alert">
        <p>{message}</p>
      </div>
      {next ? (
        <p>
          <Link to={next.to}>{next.text}</Link>
        </p>
      ) : null}
    </Page>
  );
}

/** The link has done its work: what happened, and the way to sign in. */
export function LinkDonePage({ title, children }: { title: string; children: ReactNode }) {
  const { t } = useTranslation();
  return (
    <Page title={title} narrow>
      <Notice tone="success">
        <p>{children}</p>
      </Notice>
      <p>
        <Link to="/sign-in" className="button primary">
          {t("signIn.submit")}
        </Link>
      </p>
    </Page>
  );
}
