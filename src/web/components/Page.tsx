// A page: sets the document title and renders the one h1 that focus moves to after navigation.
import { useEffect, type ReactNode } from "react";
import { useTranslation } from "react-i18next";

export function Page({ title, intro, actions, children, narrow }: { title: string; intro?: ReactNode; actions?: ReactNode; children?: ReactNode; narrow?: boolean }) {
  const { t } = useTranslation();
  useEffect(() => {
    document.title = `${title} · ${t("common.appName")}`;
  }, [title, t]);
  return (
    <div className={narrow ? "page page-narrow" : "page"}>
      <div className="page-header">
        <div>
          <h1 tabIndex={-1}>{title}</h1>
          {intro ? <p className="lead">{intro}</p> : null}
        </div>
        {actions ? <div className="page-actions">{actions}</div> : null}
      </div>
      {children}
    </div>
  );
}

export function Section({ title, children, id }: { title: string; children: ReactNode; id?: string }) {
  return (
    // Not a landmark: a page has many cards; the tables inside are labelled by this heading.
    <section className="card">
      <h2 id={id ? `${id}-title` : undefined}>{title}</h2>
      {children}
    </section>
  );
}
