import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { Page } from "../components/Page.tsx";

export function NotFoundPage() {
  const { t } = useTranslation();
  return (
    <Page title={t("notFound.title")} intro={t("notFound.body")} narrow>
      <p>
        <Link to="/">{t("notFound.home")}</Link>
      </p>
    </Page>
  );
}

export function ForbiddenPage() {
  const { t } = useTranslation();
  return (
    <Page title={t("forbidden.title")} intro={t("forbidden.body")} narrow>
      <p>
        <Link to="/">{t("notFound.home")}</Link>
      </p>
    </Page>
  );
}
