// Schemes: the authority imports catalogue versions (validated YAML), publishes them, and
// everyone reads the published ones (drafts only the roles that manage schemes). Other modules
// (certification) read through this service only.
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { and, asc, eq } from "drizzle-orm";
import type { Actor } from "../../platform/actor.ts";
import { systemActor } from "../../platform/actor.ts";
import { roleHas } from "../../platform/auth/roles.ts";
import { canonicalJson, appendAudit } from "../../platform/audit/audit.ts";
import type { Clock } from "../../platform/clock.ts";
import type { Db } from "../../platform/db/database.ts";
import { AppError, forbidden, notFound } from "../../platform/errors.ts";
import { compareVersions, diffCatalogues, parseCatalogue, type Catalogue, type CatalogueDiff } from "./catalogue.ts";
import { schemeVersions } from "./schemes.tables.ts";
import { lockForTransaction } from "../../platform/db/locks.ts";

export interface SchemeVersionSummary {
  scheme: string;
  version: string;
  status: "draft" | "published" | "retired";
  markPrefix: string;
  title: Catalogue["title"];
  requirementCount: number;
  sha256: string;
  createdAt: Date;
  publishedAt: Date | null;
}

export interface SchemeVersion extends SchemeVersionSummary {
  catalogue: Catalogue;
}

export interface SchemeSummary {
  scheme: string;
  title: Catalogue["title"];
  markPrefix: string;
  /** newest published version, or null if none is published yet */
  current: string | null;
  versions: SchemeVersionSummary[];
}

export interface SchemesDeps {
  db: Db;
  clock: Clock;
}

function authority(actor: Actor): void {
  if ((actor.kind !== "user" && actor.kind !== "token") || actor.orgKind !== "authority") {
    if (actor.kind !== "system") throw forbidden("Only the accreditation authority manages schemes.");
  }
}

/**
 * Who may see draft versions: the roles that manage schemes (the authority's administrators, by
 * session or API token) and the system. Everyone else sees published and retired versions only,
 * and a draft is "not found" to them, like a version that does not exist.
 */
function seesDrafts(viewer: Actor): boolean {
  if (viewer.kind === "system") return true;
  return (viewer.kind === "user" || viewer.kind === "token") && viewer.orgKind === "authority" && roleHas(viewer.role, "schemes.manage");
}

type Row = typeof schemeVersions.$inferSelect;

const visibleTo = (viewer: Actor) => (row: Row): boolean => row.status !== "draft" || seesDrafts(viewer);

/**
 * Serialises every write to one scheme's versions (imports, publication) across connections and
 * processes until the transaction ends: the checks "this version is new" and "no newer version
 * exists" then hold when the row is written. The unique index on (scheme, version) backs it up.
 */
async function lockScheme(tx: Db, scheme: string): Promise<void> {
  await lockForTransaction(tx, `scheme-versions:${scheme}`);
}

function toVersion(row: Row): SchemeVersion {
  return {
    scheme: row.scheme,
    version: row.version,
    status: row.status,
    markPrefix: row.markPrefix,
    title: row.content.title,
    requirementCount: row.content.requirements.length,
    sha256: row.sha256,
    createdAt: row.createdAt,
    publishedAt: row.publishedAt,
    catalogue: row.content,
  };
}

function summary(v: SchemeVersion): SchemeVersionSummary {
  const { catalogue: _c, ...s } = v;
  return s;
}

export function createSchemesService(deps: SchemesDeps) {
  const { db, clock } = deps;

  async function rows(scheme?: string): Promise<Row[]> {
    const q = db.select().from(schemeVersions);
    const all = await (scheme ? q.where(eq(schemeVersions.scheme, scheme)) : q).orderBy(asc(schemeVersions.scheme));
    return all.sort((a, b) => (a.scheme === b.scheme ? compareVersions(a.version, b.version) : a.scheme < b.scheme ? -1 : 1));
  }

  async function getRow(scheme: string, version: string): Promise<Row> {
    const [row] = await db.select().from(schemeVersions).where(and(eq(schemeVersions.scheme, scheme), eq(schemeVersions.version, version)));
    if (!row) throw notFound(`Scheme ${scheme} version ${version}`);
    return row;
  }

  async function importCatalogue(actor: Actor, yamlText: string, options: { publish?: boolean; ifSchemeAbsent?: boolean; fileName?: string } = {}): Promise<SchemeVersionSummary | null> {
    authority(actor);
    const catalogue = parseCatalogue(yamlText, options.fileName);
    const sha256 = createHash("sha256").update(canonicalJson(catalogue)).digest("hex");
    return db.transaction(async (tx) => {
      await lockScheme(tx, catalogue.scheme);
      if (options.ifSchemeAbsent === true) {
        const [any] = await tx.select({ id: schemeVersions.id }).from(schemeVersions).where(eq(schemeVersions.scheme, catalogue.scheme)).limit(1);
        if (any) return null;
      }
      const [existing] = await tx.select({ id: schemeVersions.id }).from(schemeVersions).where(and(eq(schemeVersions.scheme, catalogue.scheme), eq(schemeVersions.version, catalogue.version)));
      if (existing) throw new AppError("conflict", `${catalogue.scheme} ${catalogue.version} already exists; publish a new version number instead of changing it.`);
      const newer = (await tx.select({ version: schemeVersions.version }).from(schemeVersions).where(eq(schemeVersions.scheme, catalogue.scheme))).find((r) => compareVersions(r.version, catalogue.version) >= 0);
      if (newer) throw new AppError("conflict", `${catalogue.scheme} already has the version ${newer.version}, which is not older than ${catalogue.version}.`);
      const now = clock.now();
      const publish = options.publish === true;
      const [row] = await tx
        .insert(schemeVersions)
        .values({ scheme: catalogue.scheme, version: catalogue.version, status: publish ? "published" : "draft", markPrefix: catalogue.markPrefix, content: catalogue, sha256, createdAt: now, createdBy: actor.userId ?? null, publishedAt: publish ? now : null })
        .onConflictDoNothing()
        .returning();
      // only a writer that skipped the lock gets here (the unique index stopped it)
      if (!row) throw new AppError("conflict", `${catalogue.scheme} ${catalogue.version} was imported at the same time by another request.`);
      await appendAudit(tx, clock, actor, { action: publish ? "scheme.published" : "scheme.imported", objectType: "scheme_version", objectId: row.id, summary: { scheme: row.scheme, version: row.version, requirements: catalogue.requirements.length, sha256 } });
      return summary(toVersion(row));
    });
  }

  return {
    /** Imports a catalogue as a draft (the authority), or published (bundled catalogues, the bench). */
    async importCatalogue(actor: Actor, yamlText: string, options: { publish?: boolean } = {}): Promise<SchemeVersionSummary> {
      const imported = await importCatalogue(actor, yamlText, options);
      if (!imported) throw new AppError("internal", "scheme version not written");
      return imported;
    },

    async publish(actor: Actor, scheme: string, version: string): Promise<SchemeVersionSummary> {
      authority(actor);
      return db.transaction(async (tx) => {
        await lockScheme(tx, scheme);
        const [row] = await tx.select().from(schemeVersions).where(and(eq(schemeVersions.scheme, scheme), eq(schemeVersions.version, version))).for("update");
        if (!row) throw notFound(`Scheme ${scheme} version ${version}`);
        if (row.status !== "draft") throw new AppError("invalid_transition", `${scheme} ${version} is ${row.status}, not a draft.`);
        const [updated] = await tx.update(schemeVersions).set({ status: "published", publishedAt: clock.now() }).where(eq(schemeVersions.id, row.id)).returning();
        if (!updated) throw new AppError("internal", "scheme version not updated");
        await appendAudit(tx, clock, actor, { action: "scheme.published", objectType: "scheme_version", objectId: row.id, summary: { scheme, version } });
        return summary(toVersion(updated));
      });
    },

    /** Every scheme with the versions `viewer` may see; a scheme with only drafts is left out for the public. */
    async list(viewer: Actor): Promise<SchemeSummary[]> {
      const all = (await rows()).filter(visibleTo(viewer)).map(toVersion);
      const byScheme = new Map<string, SchemeVersion[]>();
      for (const v of all) byScheme.set(v.scheme, [...(byScheme.get(v.scheme) ?? []), v]);
      return [...byScheme.entries()].map(([scheme, versions]) => {
        const latest = versions[versions.length - 1] as SchemeVersion;
        const published = versions.filter((v) => v.status === "published");
        return { scheme, title: latest.title, markPrefix: latest.markPrefix, current: published[published.length - 1]?.version ?? null, versions: versions.map(summary) };
      });
    },

    /** A version for other modules (the version an application pinned), whatever its status. */
    async getVersion(scheme: string, version: string): Promise<SchemeVersion> {
      return toVersion(await getRow(scheme, version));
    },

    /** A version as `viewer` may see it: a draft is not found unless the viewer manages schemes. */
    async readVersion(viewer: Actor, scheme: string, version: string): Promise<SchemeVersion> {
      const row = await getRow(scheme, version);
      if (!visibleTo(viewer)(row)) throw notFound(`Scheme ${scheme} version ${version}`);
      return toVersion(row);
    },

    /** The newest published version; what new applications start on. */
    async current(scheme: string): Promise<SchemeVersion> {
      const published = (await rows(scheme)).filter((r) => r.status === "published");
      const row = published[published.length - 1];
      if (!row) throw notFound(`A published version of scheme ${scheme}`);
      return toVersion(row);
    },

    async diff(viewer: Actor, scheme: string, from: string, to: string): Promise<CatalogueDiff> {
      const [a, b] = await Promise.all([getRow(scheme, from), getRow(scheme, to)]);
      for (const row of [a, b]) if (!visibleTo(viewer)(row)) throw notFound(`Scheme ${scheme} version ${row.version}`);
      return diffCatalogues(a.content, b.content);
    },

    /**
     * Loads every catalogues/*.yaml whose scheme is not yet stored, published (start-up and tests).
     * The "not yet stored" check runs under the scheme's lock, so processes starting together on one
     * database load each scheme once and none fails.
     */
    async loadBundled(dir: string): Promise<string[]> {
      const loaded: string[] = [];
      for (const f of readdirSync(dir).filter((n) => n.endsWith(".yaml")).sort()) {
        const v = await importCatalogue(systemActor("schemes.bundled"), readFileSync(join(dir, f), "utf8"), { publish: true, ifSchemeAbsent: true, fileName: f });
        if (v) loaded.push(`${v.scheme}@${v.version}`);
      }
      return loaded;
    },
  };
}

export type SchemesService = ReturnType<typeof createSchemesService>;
