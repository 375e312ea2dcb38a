// The status filter the certification lists share: kept in the address (?status=), so a
// reload or a shared link shows the same list, with an "all" choice unless a default is given.
import { useSearchParams } from "react-router";
import { SelectField } from "../../components/Field.tsx";
import { useCertText } from "./text.ts";

export function useStatusParam<S extends string>(allowed: readonly S[], fallback?: S): [S | undefined, (s: S | undefined) => void] {
  const [params, setParams] = useSearchParams();
  const value = allowed.find((s) => s === params.get("status")) ?? fallback;
  return [value, (s) => { setParams(s ? { status: s } : {}); }];
}

export function StatusFilter<S extends string>({ allowed, value, onChange, names, withAll = true }: { allowed: readonly S[]; value: S | undefined; onChange: (s: S | undefined) => void; names: Partial<Record<S, string>>; withAll?: boolean }) {
  const { c } = useCertText();
  return (
    <SelectField
      name="status"
      label={c.common.status}
      value={value ?? ""}
      onChange={(e) => { onChange(allowed.find((s) => s === e.currentTarget.value)); }}
      options={[...(withAll ? [{ value: "", label: c.pipeline.all }] : []), ...allowed.map((s) => ({ value: s, label: names[s] ?? s }))]}
    />
  );
}
