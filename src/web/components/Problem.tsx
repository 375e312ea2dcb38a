// Shows an API problem (RFC 9457): its title and detail, in an alert that screen readers announce.
import { useTranslation } from "react-i18next";
import { ApiError } from "../api/client.ts";

export function ProblemAlert({ error }: { error: unknown }) {
  const { t } = useTranslation();
  if (error === null || error === undefined) return null;
  const problem = error instanceof ApiError ? error.problem : undefined;
  const title = problem?.title ?? t("errors.generic");
  const detail = problem ? problem.detail : error instanceof Error ? error.message : undefined;
  return (
    <div className="alert alert-error" role="alert">
      <p className="alert-title">{title}</p>
      {detail && detail !== title ? <p>{detail}</p> : null}
      {problem?.requestId ? (
        <p className="muted small">
          {t("common.requestId")}: <code>{problem.requestId}</code>
        </p>
      ) : null}
    </div>
  );
}

/** The API's message for one form field, if the last error named it. */
export function fieldError(error: unknown, field: string): string | undefined {
  return error instanceof ApiError ? error.fieldMessage(field) : undefined;
}

export function Notice({ children, tone = "info" }: { children: React.ReactNode; tone?: "info" | "success" | "warning" }) {
  return (
    <div className={`alert alert-${tone}`} role="status">
      {children}
    </div>
  );
}
