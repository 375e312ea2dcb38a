// A labelled, focusable, scrollable table (the markup every list page needs) and the
// loading / error / empty states of the query behind it, in one place.
import type { ReactNode } from "react";
import { Empty, LoadError, Loading } from "./States.tsx";

export interface Column<T> {
  header: string;
  cell: (row: T) => ReactNode;
  className?: string;
}

export function DataTable<T>({ label, columns, rows, rowKey, dense = false }: { label: string; columns: ReadonlyArray<Column<T>>; rows: readonly T[]; rowKey: (row: T) => string; dense?: boolean }) {
  return (
    <div className="table-wrap" role="region" aria-label={label} tabIndex={0}>
      <table className={dense ? "dense" : undefined}>
        <thead>
          <tr>
            {columns.map((col) => (
              <th key={col.header} scope="col" className={col.className}>
                {col.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={rowKey(row)}>
              {columns.map((col) => (
                <td key={col.header} className={col.className}>
                  {col.cell(row)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

interface QueryLike {
  isPending: boolean;
  isError: boolean;
  error: unknown;
  refetch: () => unknown;
}

/** Loading, error or empty for a query; the children once there is something to show. */
export function QueryState({ query, empty, isEmpty, children }: { query: QueryLike; empty: ReactNode; isEmpty: boolean; children: ReactNode }) {
  if (query.isPending) return <Loading />;
  if (query.isError) return <LoadError error={query.error} onRetry={() => void query.refetch()} />;
  if (isEmpty) return <Empty>{empty}</Empty>;
  return <>{children}</>;
}
