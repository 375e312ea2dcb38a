// Shapes of the schemes API (src/modules/schemes/schemes.schema.ts) as the pages read them.
export interface Bilingual {
  "zh-TW": string;
  en: string;
}

export interface VersionSummary {
  scheme: string;
  version: string;
  status: "draft" | "published" | "retired";
  markPrefix: string;
  title: Bilingual;
  requirementCount: number;
  sha256: string;
  createdAt: string;
  publishedAt: string | null;
}

export interface SchemeSummary {
  scheme: string;
  title: Bilingual;
  markPrefix: string;
  current: string | null;
  versions: VersionSummary[];
}

export interface Requirement {
  id: string;
  domain: string;
  title: Bilingual;
  basis: string;
  auditorChecks: { "zh-TW"?: string; en: string };
  evidenceExamples: string[];
}

export interface SanctionStep {
  level: number;
  kind: "caution" | "recommendation" | "suspension" | "revocation";
  minMonths?: number;
  maxMonths?: number;
}

export interface Catalogue {
  scheme: string;
  version: string;
  title: Bilingual;
  markPrefix: string;
  parameters: {
    style: string;
    validityMonths: number;
    renewalWindow: { opensMonthsBefore: number; closesMonthsBefore: number };
    surveillance: { cadenceMonths: number | null; firstWithinMonths: number | null };
    correctiveAction: { initialDays: number; refindingDays: number; onTimeout: string };
    activationTimeoutDays: number;
    reapplicationBarMonths: number;
    sanctionLadder: SanctionStep[];
  } & Record<string, unknown>;
  domains: { id: string; title: Bilingual }[];
  requirements: Requirement[];
}

export interface SchemeVersion extends VersionSummary {
  catalogue: Catalogue;
}

export interface Diff {
  from: string;
  to: string;
  added: string[];
  removed: string[];
  changed: { id: string; fields: string[] }[];
  parameters: { path: string; from: unknown; to: unknown }[];
}
