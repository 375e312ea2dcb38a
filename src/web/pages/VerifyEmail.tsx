// Confirming a registered e-mail address from the mailed link: the link (from the fragment, never
// sent to a server by the browser) and the password chosen when registering. Nothing is sent
// until the person submits, so a mail scanner that opens the link confirms nothing.
import { useMutation } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { api, ApiError } from "../api/client.ts";
import { Field, formValues, SubmitButton } from "../components/Field.tsx";
import { useFragmentToken } from "../components/fragment.ts";
import { LinkDonePage, MissingLinkPage } from "../components/LinkPages.tsx";
import { Page } from "../components/Page.tsx";
import { fieldError, ProblemAlert } from "../components/Problem.tsx";

export function VerifyEmailPage() {
  const { t } = useTranslation();
  const token = useFragmentToken();
  const complete = useMutation({ mutationFn: (password: string) => api<undefined>("POST", "/auth/email-verification/complete", { token, password }) });

  if (!token) return <MissingLinkPage title={t("verify.title")} message={t("verify.missingToken")} next={{ to: "/sign-in", text: t("verify.requestNew") }} />;
  if (complete.isSuccess) return <LinkDonePage title={t("verify.title")}>{t("verify.done")}</LinkDonePage>;
  // a wrong password is said beside the field, in the page's language; anything else (an expired link) above the form
  const wrongPassword = complete.error instanceof ApiError && complete.error.code === "invalid_credentials";
  const gone = complete.error !== null && !wrongPassword;
  return (
    <Page title={t("verify.title")} intro={t("verify.intro")} narrow>
      <form
        className="card form"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          complete.mutate(formValues(e.currentTarget).password ?? "");
        }}
      >
        {wrongPassword ? null : <ProblemAlert error={complete.error} />}
        <Field name="password" type="password" label={t("common.password")} autoComplete="current-password" required error={wrongPassword ? t("verify.wrongPassword") : fieldError(complete.error, "password")} />
        <SubmitButton pending={complete.isPending}>{t("verify.submit")}</SubmitButton>
        <p className="form-links">{gone ? <Link to="/sign-in">{t("verify.requestNew")}</Link> : <Link to="/forgot-password">{t("verify.forgot")}</Link>}</p>
      </form>
    </Page>
  );
}
