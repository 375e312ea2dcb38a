// Watched origins as a table (origin → its page, grade, score, last scan, and optionally the next
// scheduled scan) with the loading, error and empty states of the query behind it. The merchant's
// list and the authority's list across all shops show the same rows.
import { Link } from "react-router";
import { DataTable, QueryState, type Column } from "../../components/DataTable.tsx";
import { formatDateTime } from "../../components/format.ts";
import { GradeBadge } from "./Grade.tsx";
import { useScannerText } from "./text.ts";
import type { WatchedOrigin } from "./types.ts";

interface QueryLike {
  isPending: boolean;
  isError: boolean;
  error: unknown;
  refetch: () => unknown;
}

export function OriginsTable({ query, rows, label, empty, withNextScan = false }: { query: QueryLike; rows: readonly WatchedOrigin[] | undefined; label: string; empty: string; withNextScan?: boolean }) {
  const { s, locale } = useScannerText();
  const columns: Column<WatchedOrigin>[] = [
    { header: s.dist.origins, cell: (o) => <Link to={`/scanner/origins/${o.id}`}>{o.origin}</Link> },
    { header: s.origin.grade, cell: (o) => <GradeBadge grade={o.lastGrade} /> },
    { header: s.origin.score, cell: (o) => o.lastScore ?? "—" },
    { header: s.origin.scannedAt, cell: (o) => formatDateTime(o.lastScannedAt, locale) },
    ...(withNextScan ? [{ header: s.origin.nextScan, cell: (o: WatchedOrigin) => formatDateTime(o.nextScanAt, locale) }] : []),
  ];
  return (
    <QueryState query={query} isEmpty={rows?.length === 0} empty={empty}>
      <DataTable label={label} columns={columns} rows={rows ?? []} rowKey={(o) => o.id} />
    </QueryState>
  );
}
