/**
 * Row-level work of the registry SQL store: finding a model or a live version, and assembling
 * pages of rows into domain objects with one batched query per kind of child row (tags, aliases,
 * latest versions), never one query per row.
 */
import type { Selectable } from 'kysely';
import { STAGES, type Alias, type ModelVersion, type ModelVersionStatus, type RegisteredModel, type Stage, type Tag } from '../registry-store.js';
import { groupBy, type Db } from './sql-store-base.js';
import type { ModelVersionsTable, RegisteredModelsTable } from './schema.js';

/** Soft-deleted versions keep their row (and number) in this stage, as MLflow's SQL store does. */
export const DELETED_STAGE = 'Deleted_Internal';

export type ModelRow = Selectable<RegisteredModelsTable>;
export type VersionRow = Selectable<ModelVersionsTable> & { name: string };

export async function modelRow(db: Db, name: string): Promise<ModelRow | undefined> {
  return db.selectFrom('registered_models').selectAll().where('name', '=', name).executeTakeFirst();
}

/**
 * Runs `fn` on the live (not deleted) version, or returns undefined when the model or the version
 * does not exist: the first step of every write to one version.
 */
export async function withLiveVersion<T>(db: Db, name: string, version: number, fn: (row: VersionRow) => Promise<T>): Promise<T | undefined> {
  const row = await liveVersionRow(db, name, version);
  return row ? fn(row) : undefined;
}

export async function liveVersionRow(db: Db, name: string, version: number): Promise<VersionRow | undefined> {
  return db
    .selectFrom('model_versions as mv')
    .innerJoin('registered_models as rm', 'rm.id', 'mv.model_id')
    .selectAll('mv')
    .select('rm.name')
    .where('rm.name', '=', name)
    .where('mv.version', '=', version)
    .where('mv.current_stage', '!=', DELETED_STAGE)
    .executeTakeFirst();
}

export async function versionOf(db: Db, modelId: number, name: string, version: number): Promise<ModelVersion> {
  const row = await db
    .selectFrom('model_versions')
    .selectAll()
    .where('model_id', '=', modelId)
    .where('version', '=', version)
    .executeTakeFirstOrThrow();
  return (await hydrateVersions(db, [{ ...row, name }]))[0] as ModelVersion;
}

/** Tags and aliases for a page of versions, two queries whatever the page size. */
export async function hydrateVersions(db: Db, rows: readonly VersionRow[]): Promise<ModelVersion[]> {
  if (rows.length === 0) return [];
  const modelIds = [...new Set(rows.map((r) => r.model_id))];
  const versions = [...new Set(rows.map((r) => r.version))];
  const [tags, aliases] = await Promise.all([
    db
      .selectFrom('model_version_tags')
      .select(['model_id', 'version', 'key', 'value'])
      .where('model_id', 'in', modelIds)
      .where('version', 'in', versions)
      .orderBy('key')
      .execute(),
    db
      .selectFrom('registered_model_aliases')
      .select(['model_id', 'version', 'alias'])
      .where('model_id', 'in', modelIds)
      .where('version', 'in', versions)
      .orderBy('alias')
      .execute(),
  ]);
  const tagsOf = groupBy(tags, (t) => `${t.model_id}/${t.version}`);
  const aliasesOf = groupBy(aliases, (a) => `${a.model_id}/${a.version}`);
  return rows.map((r) => {
    const k = `${r.model_id}/${r.version}`;
    return toModelVersion(
      r,
      (tagsOf.get(k) ?? []).map((t) => ({ key: t.key, value: t.value })),
      (aliasesOf.get(k) ?? []).map((a) => a.alias),
    );
  });
}

/** The highest live version per stage for each model, in one grouped query plus one fetch. */
export async function latestVersionsOf(db: Db, models: readonly ModelRow[], stages: readonly Stage[]): Promise<Map<number, ModelVersion[]>> {
  const result = new Map<number, ModelVersion[]>();
  if (models.length === 0) return result;
  const ids = models.map((m) => m.id);
  let q = db
    .selectFrom('model_versions')
    .select(['model_id', 'current_stage'])
    .select((eb) => eb.fn.max('version').as('version'))
    .where('model_id', 'in', ids)
    .where('current_stage', '!=', DELETED_STAGE)
    .groupBy(['model_id', 'current_stage']);
  if (stages.length > 0) q = q.where('current_stage', 'in', [...stages]);
  const maxima = await q.execute();
  if (maxima.length === 0) return result;
  const rows = await db
    .selectFrom('model_versions as mv')
    .innerJoin('registered_models as rm', 'rm.id', 'mv.model_id')
    .selectAll('mv')
    .select('rm.name')
    .where((eb) => eb.or(maxima.map((m) => eb.and([eb('mv.model_id', '=', m.model_id), eb('mv.version', '=', Number(m.version))]))))
    .execute();
  const hydrated = await hydrateVersions(db, rows as VersionRow[]);
  const stageOrder = (s: string) => STAGES.indexOf(s as Stage);
  const order = hydrated.map((mv, i) => ({ mv, modelId: (rows[i] as VersionRow).model_id }));
  order.sort((a, b) => stageOrder(a.mv.currentStage) - stageOrder(b.mv.currentStage));
  for (const { mv, modelId } of order) {
    const list = result.get(modelId);
    if (list) list.push(mv);
    else result.set(modelId, [mv]);
  }
  return result;
}

/** Tags, aliases and latest versions for a page of registered models. */
export async function hydrateModels(db: Db, rows: readonly ModelRow[]): Promise<RegisteredModel[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const [tags, aliases, latest] = await Promise.all([
    db.selectFrom('registered_model_tags').selectAll().where('model_id', 'in', ids).orderBy('key').execute(),
    db.selectFrom('registered_model_aliases').selectAll().where('model_id', 'in', ids).orderBy('alias').execute(),
    latestVersionsOf(db, rows, []),
  ]);
  const tagsOf = groupBy(tags, (t) => t.model_id);
  const aliasesOf = groupBy(aliases, (a) => a.model_id);
  return rows.map((r) => ({
    name: r.name,
    creationTime: Number(r.creation_time),
    lastUpdatedTime: Number(r.last_updated_time),
    description: r.description,
    tags: (tagsOf.get(r.id) ?? []).map((t) => ({ key: t.key, value: t.value })),
    aliases: (aliasesOf.get(r.id) ?? []).map((a): Alias => ({ alias: a.alias, version: a.version })),
    latestVersions: latest.get(r.id) ?? [],
  }));
}

export function toModelVersion(r: VersionRow, tags: Tag[], aliases: string[]): ModelVersion {
  return {
    name: r.name,
    version: r.version,
    creationTime: Number(r.creation_time),
    lastUpdatedTime: Number(r.last_updated_time),
    description: r.description,
    userId: r.user_id,
    currentStage: r.current_stage as Stage,
    source: r.source,
    runId: r.run_id,
    runLink: r.run_link,
    status: r.status as ModelVersionStatus,
    statusMessage: r.status_message,
    storageLocation: r.storage_location,
    modelId: r.logged_model_id,
    tags,
    aliases,
  };
}
