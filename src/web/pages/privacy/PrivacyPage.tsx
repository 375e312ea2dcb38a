// /privacy: our privacy notice (PDPA Art. 8 para. 1) in the current language. The server sends
// the same words, both languages, inside #root for readers without JavaScript
// (src/modules/scanner/own-site.routes.ts); this page replaces them once the app mounts.
import { useTranslation } from "react-i18next";
import { privacyNoticeEn, privacyNoticeZh } from "../../../modules/scanner/own-site.notice.ts";
import { Page, Section } from "../../components/Page.tsx";

export function PrivacyPage() {
  const { i18n } = useTranslation();
  const n = i18n.language === "en" ? privacyNoticeEn : privacyNoticeZh;
  return (
    <Page title={n.title} intro={n.intro}>
      {n.sections.map((s) => (
        <Section key={s.item} title={s.heading}>
          {s.paragraphs.map((p) => (
            <p key={p}>{p}</p>
          ))}
        </Section>
      ))}
      <p className="muted">{n.updated}</p>
    </Page>
  );
}

/** The footer link's words (a full page load: the server answers /privacy with the text in HTML). */
export function usePrivacyLinkLabel(): string {
  const { i18n } = useTranslation();
  return i18n.language === "en" ? "Privacy policy" : "隱私權政策";
}
