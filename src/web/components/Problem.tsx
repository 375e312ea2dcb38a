// Shows an API problem (RFC 9457): its title and detail in the interface's language
// (problem-text.ts), in an alert that screen readers announce.
import { useTranslation } from "react-i18next";
import { ApiError } from "../api/client.ts";
import { problemWords, type Words } from "./problem-text.ts";

export function ProblemAlert({ error }: { error: unknown }) {
  const { t, i18n } = useTranslation();
  if (error === null || error === undefined) return null;
  const words = problemWords(error, i18n.language === "en" ? "en" : "zh-TW");
  const say = (w: Words): string => ("text" in w ? w.text : t(w.key, { ...w.values }));
  const title = say(words.title);
  const detail = words.detail ? say(words.detail) : undefined;
  return (
    <div className="alert alert-error" role="alert">
      <p className="alert-title">{title}</p>
      {detail && detail !== title ? <p>{detail}</p> : null}
      {words.requestId ? (
        <p className="muted small">
          {t("common.requestId")}: <code>{words.requestId}</code>
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
