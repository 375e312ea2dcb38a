// Offset paging for list pages: one hook instead of a copy of the same state in every page.
// It asks the API for one row more than it shows, so "next" is only offered when a next page
// exists, and it starts again at the first page whenever the filters (the query key) change.
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useState } from "react";

export interface PagedList<T, Extra> {
  items: T[];
  /** what the API sent besides the rows (counts, totals), from the last page fetched */
  extra: Omit<Extra, "items"> | undefined;
  query: ReturnType<typeof useQuery<Extra & { items: T[] }>>;
  page: number;
  hasPrevious: boolean;
  hasNext: boolean;
  previous: () => void;
  next: () => void;
}

export function usePagedList<T, Extra extends { items: T[] } = { items: T[] }>(
  key: readonly unknown[],
  fetchPage: (page: { limit: number; offset: number }) => Promise<Extra>,
  pageSize = 25,
  enabled = true,
): PagedList<T, Extra> {
  const keyText = JSON.stringify(key);
  const [state, setState] = useState({ keyText, offset: 0 });
  const offset = state.keyText === keyText ? state.offset : 0;
  const query = useQuery({
    queryKey: [...key, { offset, pageSize }],
    queryFn: () => fetchPage({ limit: pageSize + 1, offset }),
    placeholderData: keepPreviousData,
    enabled,
  });
  const rows = query.data?.items ?? [];
  const { items: _items, ...extra } = query.data ?? { items: [] };
  return {
    items: rows.slice(0, pageSize),
    extra: query.data ? (extra as Omit<Extra, "items">) : undefined,
    query,
    page: offset / pageSize + 1,
    hasPrevious: offset > 0,
    hasNext: rows.length > pageSize,
    previous: () => {
      setState({ keyText, offset: Math.max(0, offset - pageSize) });
    },
    next: () => {
      setState({ keyText, offset: offset + pageSize });
    },
  };
}
