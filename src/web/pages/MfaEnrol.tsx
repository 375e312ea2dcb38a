// Setting up two-step verification: the secret as a QR code and as text, a first code to
// confirm, then the recovery codes, shown once, with an "I have saved them" step.
// Used at sign-in (stage "enrol", required for authority, certification and regulator roles)
// and from the account page by merchants who opt in.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { Navigate, useLocation, useNavigate, useSearchParams } from "react-router";
import { api, setCsrfToken } from "../api/client.ts";
import { safeNext, sessionKey, stageTarget, useSession, useSignOut, withNext } from "../api/session.ts";
import { Field, formValues, SubmitButton } from "../components/Field.tsx";
import { Page, Section } from "../components/Page.tsx";
import { fieldError, Notice, ProblemAlert } from "../components/Problem.tsx";
import { QrCode } from "../components/QrCode.tsx";
import { LoadError, Loading } from "../components/States.tsx";

interface EnrolStart {
  secret: string;
  otpauthUrl: string;
}
interface EnrolConfirm {
  recoveryCodes: string[];
  stage: "full";
  csrfToken: string;
}

export function MfaEnrolPage() {
  const { t } = useTranslation();
  const session = useSession();
  const location = useLocation();
  const atSignIn = location.pathname === "/sign-in/enrol";
  const [params] = useSearchParams();
  const next = params.get("next"); // the page asked for before signing in (made safe where used)
  const [recoveryCodes, setRecoveryCodes] = useState<string[] | undefined>(undefined);

  if (session.isPending) return <Loading />;
  if (!session.data) return <Navigate to={withNext("/sign-in", next)} replace />;
  if (recoveryCodes) return <RecoveryCodes codes={recoveryCodes} next={next} />;
  if (session.data.stage === "mfa") return <Navigate to={stageTarget("mfa", next)} replace />;
  if (session.data.user.mfaEnabled && session.data.stage === "full") return <Navigate to={atSignIn ? stageTarget("full", next) : "/account"} replace />;
  return (
    <Page title={t("enrol.title")} intro={atSignIn ? t("enrol.introRequired") : t("enrol.intro")}>
      <EnrolSteps onDone={setRecoveryCodes} atSignIn={atSignIn} next={next} />
    </Page>
  );
}

function groups(secret: string): string {
  return secret.replace(/(.{4})/g, "$1 ").trim();
}

function EnrolSteps({ onDone, atSignIn, next }: { onDone: (codes: string[]) => void; atSignIn: boolean; next: string | null }) {
  const { t } = useTranslation();
  const signOut = useSignOut();
  const navigate = useNavigate();
  // One enrolment secret per visit; the query de-duplicates the start call.
  const start = useQuery({
    queryKey: ["mfa-enrol-start"],
    queryFn: () => api<EnrolStart>("POST", "/auth/mfa/enrol/start", {}),
    staleTime: Infinity,
    gcTime: 0,
    retry: false,
  });
  const confirm = useMutation({
    mutationFn: (code: string) => api<EnrolConfirm>("POST", "/auth/mfa/enrol/confirm", { code }),
    onSuccess: (r) => {
      setCsrfToken(r.csrfToken);
      onDone(r.recoveryCodes);
    },
  });

  if (start.isPending) return <Loading />;
  if (start.isError) return <LoadError error={start.error} onRetry={() => void start.refetch()} />;
  return (
    <div className="stack">
      <Section title={t("enrol.step1")} id="enrol-step1">
        <p>{t("enrol.step1Body")}</p>
        <div className="enrol-secret">
          <QrCode text={start.data.otpauthUrl} label={t("enrol.qrLabel")} />
          <div>
            <p className="label">{t("enrol.secretLabel")}</p>
            <p>
              <code className="secret" data-testid="totp-secret" data-secret={start.data.secret}>
                {groups(start.data.secret)}
              </code>
            </p>
            <p className="hint">{t("enrol.secretHint")}</p>
          </div>
        </div>
      </Section>
      <Section title={t("enrol.step2")} id="enrol-step2">
        <form
          className="form"
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            confirm.mutate((formValues(e.currentTarget).code ?? "").replace(/\s/g, ""));
          }}
        >
          <ProblemAlert error={confirm.error} />
          <Field name="code" className="field-short" label={t("mfa.code")} hint={t("mfa.codeHint")} inputMode="numeric" autoComplete="one-time-code" pattern="[0-9]{6}" maxLength={6} required error={fieldError(confirm.error, "code")} />
          <SubmitButton pending={confirm.isPending}>{t("enrol.confirm")}</SubmitButton>
        </form>
      </Section>
      {atSignIn ? (
        <p>
          <button
            type="button"
            className="link-button"
            onClick={() => {
              void signOut().finally(() => void navigate(withNext("/sign-in", next)));
            }}
          >
            {t("mfa.cancel")}
          </button>
        </p>
      ) : null}
    </div>
  );
}

function RecoveryCodes({ codes, next }: { codes: string[]; next: string | null }) {
  const { t } = useTranslation();
  const [saved, setSaved] = useState(false);
  const [copied, setCopied] = useState(false);
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  // A text file of the codes, offered as a download (a blob: URL, released when the page goes).
  const [download] = useState(() => URL.createObjectURL(new Blob([`ectrust\n${codes.join("\n")}\n`], { type: "text/plain" })));
  useEffect(() => () => {
    URL.revokeObjectURL(download);
  }, [download]);
  return (
    <Page title={t("enrol.recoveryTitle")} intro={t("enrol.recoveryIntro")}>
      <Notice tone="success">{t("enrol.enabled")}</Notice>
      <div className="card">
        <ol className="recovery-codes" data-testid="recovery-codes">
          {codes.map((c) => (
            <li key={c}>
              <code>{c}</code>
            </li>
          ))}
        </ol>
        <p>
          <button
            type="button"
            className="button"
            onClick={() => {
              void navigator.clipboard.writeText(codes.join("\n")).then(() => {
                setCopied(true);
              });
            }}
          >
            {t("common.copy")}
          </button>{" "}
          <a className="button" href={download} download="ectrust-recovery-codes.txt">
            {t("enrol.download")}
          </a>{" "}
          <span role="status" className="muted">
            {copied ? t("common.copied") : ""}
          </span>
        </p>
        <div className="checkbox">
          <input
            id="saved-codes"
            type="checkbox"
            checked={saved}
            onChange={(e) => {
              setSaved(e.target.checked);
            }}
          />
          <label htmlFor="saved-codes">{t("enrol.savedCheck")}</label>
        </div>
        <button
          type="button"
          className="button primary"
          disabled={!saved}
          onClick={() => {
            void queryClient.invalidateQueries({ queryKey: sessionKey }).then(() => navigate(safeNext(next), { replace: true }));
          }}
        >
          {t("enrol.continue")}
        </button>
      </div>
    </Page>
  );
}
