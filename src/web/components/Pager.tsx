// Keyset pagination: the API gives `nextBefore`; we keep the cursors we came through so
// "newer" can go back.
import { useState } from "react";
import { useTranslation } from "react-i18next";

export function useCursor(): { before: string | undefined; older: (next: string) => void; newer: () => void; reset: () => void; page: number } {
  const [stack, setStack] = useState<string[]>([]);
  return {
    before: stack.at(-1),
    older: (next) => {
      setStack((s) => [...s, next]);
    },
    newer: () => {
      setStack((s) => s.slice(0, -1));
    },
    reset: () => {
      setStack([]);
    },
    page: stack.length + 1,
  };
}

export function Pager({ cursor, nextBefore, label }: { cursor: ReturnType<typeof useCursor>; nextBefore: string | null | undefined; label: string }) {
  const { t } = useTranslation();
  if (cursor.page === 1 && !nextBefore) return null;
  return (
    <nav className="pager" aria-label={label}>
      <button type="button" className="button" disabled={cursor.page === 1} onClick={cursor.newer}>
        {t("common.newer")}
      </button>
      <span className="muted">{t("common.page", { page: cursor.page })}</span>
      <button
        type="button"
        className="button"
        disabled={!nextBefore}
        onClick={() => {
          if (nextBefore) cursor.older(nextBefore);
        }}
      >
        {t("common.older")}
      </button>
    </nav>
  );
}
