// The shop-details form (wizard step 1): legal identity, contact and how the shop sells.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { REGISTRY_LIMITS } from "../../../modules/registry/registry.limits.ts";
import { api } from "../../api/client.ts";
import { Field, formValues, SelectField, SubmitButton } from "../../components/Field.tsx";
import { fieldError, Notice, ProblemAlert } from "../../components/Problem.tsx";
import { useRegistryText } from "./text.ts";
import type { Profile, SalesModel, Sector, Shop } from "./types.ts";

const salesModels: SalesModel[] = ["own_site", "marketplace", "both"];
const sectors: Sector[] = ["online_shop", "marketplace_operator", "supplier", "logistics", "payment"];

export function ProfileForm({ shop, onSaved }: { shop: Shop | null; onSaved: () => void }) {
  const { r } = useRegistryText();
  const queryClient = useQueryClient();
  const save = useMutation({
    mutationFn: (body: Profile) =>
      shop ? api<{ shop: Shop; pendingChange: string | null }>("PATCH", `/registry/shops/${shop.id}`, body) : api<Shop>("POST", "/registry/shops", body).then((s) => ({ shop: s, pendingChange: null })),
    onSuccess: async (res) => {
      await queryClient.invalidateQueries({ queryKey: ["registry-my-shop"] });
      if (!res.pendingChange) onSaved();
    },
  });
  const text = (name: keyof Profile, label: string, max: number, type = "text", autoComplete?: string) => (
    <Field name={name} type={type} label={label} required maxLength={max} defaultValue={shop?.[name] ?? ""} autoComplete={autoComplete} error={fieldError(save.error, name)} />
  );
  return (
    <form
      className="form"
      noValidate
      aria-label={r.wizard.steps.profile}
      onSubmit={(e) => {
        e.preventDefault();
        const v = formValues(e.currentTarget);
        save.mutate({
          legalNameZh: v.legalNameZh ?? "",
          legalNameEn: v.legalNameEn ?? "",
          ubn: v.ubn ?? "",
          representative: v.representative ?? "",
          address: v.address ?? "",
          contactEmail: v.contactEmail ?? "",
          contactPhone: v.contactPhone ?? "",
          serviceChannel: v.serviceChannel ?? "",
          salesModel: (v.salesModel ?? "own_site") as SalesModel,
          sector: (v.sector ?? "online_shop") as Sector,
        });
      }}
    >
      {text("legalNameZh", r.shop.legalNameZh, REGISTRY_LIMITS.name, "text", "organization")}
      {text("legalNameEn", r.shop.legalNameEn, REGISTRY_LIMITS.name)}
      <Field name="ubn" label={r.shop.ubn} required inputMode="numeric" maxLength={8} defaultValue={shop?.ubn ?? ""} error={fieldError(save.error, "ubn")} hint={shop?.ubnCurrentRuleOnly ? r.shop.ubnLegacyNote : undefined} />
      {text("representative", r.shop.representative, REGISTRY_LIMITS.name)}
      {text("address", r.shop.address, REGISTRY_LIMITS.address, "text", "street-address")}
      {text("contactEmail", r.shop.contactEmail, 254, "email", "email")}
      {text("contactPhone", r.shop.contactPhone, REGISTRY_LIMITS.phone, "tel", "tel")}
      {text("serviceChannel", r.shop.serviceChannel, REGISTRY_LIMITS.channel)}
      <SelectField name="salesModel" label={r.shop.salesModel} defaultValue={shop?.salesModel ?? "own_site"} options={salesModels.map((m) => ({ value: m, label: r.salesModel[m] }))} />
      <SelectField name="sector" label={r.shop.sector} defaultValue={shop?.sector ?? "online_shop"} options={sectors.map((s) => ({ value: s, label: r.sector[s] }))} />
      <SubmitButton pending={save.isPending}>{r.wizard.saveProfile}</SubmitButton>
      {save.data?.pendingChange ? <Notice tone="info">{r.wizard.pendingChange}</Notice> : null}
      <ProblemAlert error={save.error} />
    </form>
  );
}
