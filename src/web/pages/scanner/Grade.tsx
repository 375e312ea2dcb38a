// A grade as a badge (its colour says good, middling or bad; the letter says it to everyone),
// and the public shop page's scan section (the registry's `scanGrade` extension).
import { formatDateTime } from "../../components/format.ts";
import { Section } from "../../components/Page.tsx";
import { Empty } from "../../components/States.tsx";
import { useScannerText } from "./text.ts";
import type { PublicGrade } from "./types.ts";

export function GradeBadge({ grade }: { grade: string | null }) {
  const { s } = useScannerText();
  if (!grade) return <span className="badge">{s.shop.notScanned}</span>;
  const tone = grade.startsWith("A") ? "status-active" : grade.startsWith("B") || grade.startsWith("C") ? "status-pending" : "status-failed";
  return (
<span className={`badge ${tone}`}>{grade}</span>
  );
}

function isPublicGrade(v: unknown): v is PublicGrade {
  return typeof v === "object" && v !== null && typeof (v as PublicGrade).grade === "string" && typeof (v as PublicGrade).scannedAt === "string";
}

/** Rendered by the registry's public shop page from `extensions.scanGrade` (null before a scan). */
export function PublicScanGrade({ value }: { value: unknown }) {
  const { s, locale } = useScannerText();
  return (
    <Section title={s.public.title} id="scanner-grade">
      {isPublicGrade(value) ? (
        <dl className="facts">
          <dt>{s.public.grade}</dt>
          <dd>
            <GradeBadge grade={value.grade} /> <span className="muted">({value.score})</span>
          </dd>
          <dt>{s.public.scannedAt}</dt>
          <dd>{formatDateTime(value.scannedAt, locale)}</dd>
        </dl>
      ) : (
        <Empty>{s.public.none}</Empty>
      )}
      <p className="muted">{s.public.note}</p>
    </Section>
  );
}
