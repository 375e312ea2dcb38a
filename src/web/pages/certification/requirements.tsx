// What the self-assessment and the audit workspace share: a requirement's cell (id, title,
// and on demand what the auditor checks and evidence examples) and per-requirement edits kept
// in the page until saved, seeded from what the server holds.
import { useState } from "react";
import type { Requirement } from "../schemes/types.ts";
import { useCertText } from "./text.ts";

export function RequirementCell({ req, details }: { req: Requirement; details?: boolean }) {
  const { c, locale } = useCertText();
  return (
    <>
      <strong>{req.id}</strong> {req.title[locale]}
      {details ? (
        <details>
          <summary>{c.audit.checks}</summary>
          <p className="small">{req.auditorChecks[locale] ?? req.auditorChecks.en}</p>
          {req.evidenceExamples.length ? (
            <p className="small muted">
              {c.audit.examples}: {req.evidenceExamples.join("; ")}
            </p>
          ) : null}
          <p className="small muted">{req.basis}</p>
        </details>
      ) : null}
    </>
  );
}

export interface RowEdits<T> {
  /** the row as edited, else as saved, else undefined (not answered) */
  get: (id: string) => T | undefined;
  set: (id: string, row: T) => void;
  /** gives every requirement without a row this one (a bulk answer the user then saves) */
  fillRest: (ids: readonly string[], row: T) => void;
  /** every row that has a value (saved or edited), for a whole-set save */
  all: (ids: readonly string[]) => Array<{ requirementId: string } & T>;
  dirty: boolean;
  reset: () => void;
}

export function useRowEdits<T>(saved: ReadonlyMap<string, T>): RowEdits<T> {
  const [edits, setEdits] = useState<ReadonlyMap<string, T>>(new Map());
  const get = (id: string): T | undefined => edits.get(id) ?? saved.get(id);
  return {
    get,
    set: (id, row) => {
      setEdits((m) => new Map(m).set(id, row));
    },
    fillRest: (ids, row) => {
      setEdits((m) => {
        const next = new Map(m);
        for (const id of ids) if (!next.has(id) && !saved.has(id)) next.set(id, row);
        return next;
      });
    },
    all: (ids) => ids.flatMap((id) => {
      const row = get(id);
      return row ? [{ requirementId: id, ...row }] : [];
    }),
    dirty: edits.size > 0,
    reset: () => {
      setEdits(new Map());
    },
  };
}

/** Options of a select, with an unanswered first entry. */
export function optionsOf<K extends string>(names: Record<K, string>, unanswered: string): Array<{ value: string; label: string }> {
  return [{ value: "", label: unanswered }, ...(Object.keys(names) as K[]).map((k) => ({ value: k, label: names[k] }))];
}
