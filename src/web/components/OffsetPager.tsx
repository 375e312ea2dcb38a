// Previous / next for a usePagedList list, named for the list it pages.
import { useTranslation } from "react-i18next";
import type { PagedList } from "./usePagedList.ts";

export function OffsetPager<T, X extends { items: T[] }>({ list, label, words }: { list: PagedList<T, X>; label: string; words: { previous: string; next: string } }) {
  const { t } = useTranslation();
  if (!list.hasPrevious && !list.hasNext) return null;
  return (
    <nav className="pager" aria-label={label}>
      <button type="button" className="button" disabled={!list.hasPrevious} onClick={list.previous}>
        {words.previous}
      </button>
      <span className="muted">{t("common.page", { page: list.page })}</span>
      <button type="button" className="button" disabled={!list.hasNext} onClick={list.next}>
        {words.next}
      </button>
    </nav>
  );
}
