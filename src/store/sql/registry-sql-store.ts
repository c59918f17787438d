/**
 * The registry store over SQL, one implementation for SQLite and PostgreSQL. Pages are built with
 * one query for the rows plus one batched query each for tags, aliases and latest versions: never
 * one query per row.
 */
import type { Selectable } from 'kysely';
import {
  STAGES,
  type Alias,
  type ModelVersion,
  type ModelVersionStatus,
  type NewModelVersion,
  type Page,
  type RegisteredModel,
  type RegistryStore,
  type RegistrySearch,
  type Stage,
  type Tag,
} from '../registry-store.js';
import { fetchPage, orderByKeys, whereClauses, attributeColumn, type SearchColumns } from './search-sql.js';
import { dedupeTags, groupBy, SqlStoreBase, type Db } from './sql-store-base.js';
import type { ModelVersionsTable, RegisteredModelsTable } from './schema.js';

/** Soft-deleted versions keep their row (and number) in this stage, as MLflow's SQL store does. */
export const DELETED_STAGE = 'Deleted_Internal';

type ModelRow = Selectable<RegisteredModelsTable>;
type VersionRow = Selectable<ModelVersionsTable> & { name: string };

const MODEL_COLUMNS: SearchColumns = {
  attributes: { name: 'rm.name', last_updated_timestamp: 'rm.last_updated_time' },
  tag: { table: 'registered_model_tags', join: [['model_id', 'rm.id']] },
};

const VERSION_COLUMNS: SearchColumns = {
  attributes: {
    name: 'rm.name',
    run_id: 'mv.run_id',
    source_path: 'mv.source',
    version_number: 'mv.version',
    creation_timestamp: 'mv.creation_time',
    last_updated_timestamp: 'mv.last_updated_time',
  },
  tag: { table: 'model_version_tags', join: [['model_id', 'mv.model_id'], ['version', 'mv.version']] },
  // Any literal beyond what a version can be compares the same as the nearest bound, and the
  // database never sees a number outside its integer range.
  convert: { version_number: (v) => Math.max(-(2 ** 53), Math.min(2 ** 53, Number(v))) },
};

export class SqlRegistryStore extends SqlStoreBase implements RegistryStore {
  private async modelRow(db: Db, name: string): Promise<ModelRow | undefined> {
    return db.selectFrom('registered_models').selectAll().where('name', '=', name).executeTakeFirst();
  }

  // ---- registered models -------------------------------------------------------------------

  async createRegisteredModel(name: string, description: string | null, tags: readonly Tag[], now: number): Promise<RegisteredModel> {
    return this.tx(async (trx) => {
      const row = await trx
        .insertInto('registered_models')
        .values({ name, description, creation_time: now, last_updated_time: now, last_version: 0 })
        .returningAll()
        .executeTakeFirstOrThrow();
      if (tags.length > 0) {
        await trx
          .insertInto('registered_model_tags')
          .values(dedupeTags(tags).map((t) => ({ model_id: row.id, key: t.key, value: t.value })))
          .execute();
      }
      return (await this.hydrateModels(trx, [row]))[0] as RegisteredModel;
    });
  }

  async getRegisteredModel(name: string): Promise<RegisteredModel | undefined> {
    return this.guard(async () => {
      const row = await this.modelRow(this.db, name);
      return row ? (await this.hydrateModels(this.db, [row]))[0] : undefined;
    });
  }

  async renameRegisteredModel(name: string, newName: string, now: number): Promise<RegisteredModel | undefined> {
    return this.tx(async (trx) => {
      const row = await trx
        .updateTable('registered_models')
        .set({ name: newName, last_updated_time: now })
        .where('name', '=', name)
        .returningAll()
        .executeTakeFirst();
      if (!row) return undefined;
      // MLflow bumps every version's timestamp on rename (sqlalchemy_store.rename_registered_model).
      await trx.updateTable('model_versions').set({ last_updated_time: now }).where('model_id', '=', row.id).execute();
      return (await this.hydrateModels(trx, [row]))[0];
    });
  }

  async updateRegisteredModel(name: string, description: string | null, now: number): Promise<RegisteredModel | undefined> {
    return this.tx(async (trx) => {
      const row = await trx
        .updateTable('registered_models')
        .set({ description, last_updated_time: now })
        .where('name', '=', name)
        .returningAll()
        .executeTakeFirst();
      return row ? (await this.hydrateModels(trx, [row]))[0] : undefined;
    });
  }

  async deleteRegisteredModel(name: string): Promise<boolean> {
    // Versions, tags and aliases go with it through ON DELETE CASCADE.
    return this.tx(async (trx) => {
      const row = await this.modelRow(trx, name);
      if (!row) return false;
      await trx.deleteFrom('registered_models').where('id', '=', row.id).execute();
      return true;
    });
  }

  async setRegisteredModelTag(name: string, tag: Tag): Promise<boolean> {
    return this.tx(async (trx) => {
      const row = await this.modelRow(trx, name);
      if (!row) return false;
      await trx
        .insertInto('registered_model_tags')
        .values({ model_id: row.id, key: tag.key, value: tag.value })
        .onConflict((oc) => oc.columns(['model_id', 'key']).doUpdateSet({ value: tag.value }))
        .execute();
      return true;
    });
  }

  async deleteRegisteredModelTag(name: string, key: string): Promise<boolean> {
    return this.tx(async (trx) => {
      const row = await this.modelRow(trx, name);
      if (!row) return false;
      await trx.deleteFrom('registered_model_tags').where('model_id', '=', row.id).where('key', '=', key).execute();
      return true;
    });
  }

  async searchRegisteredModels(query: RegistrySearch): Promise<Page<RegisteredModel>> {
    return this.guard(async () => {
      let q = whereClauses(this.db.selectFrom('registered_models as rm').selectAll('rm'), this.dialect, MODEL_COLUMNS, query.clauses);
      const excluded = query.excludeTaggedModels;
      if (excluded) {
        q = q.where((eb) =>
          eb.not(
            eb.exists(
              eb
                .selectFrom('registered_model_tags as p')
                .select('p.key')
                .whereRef('p.model_id', '=', 'rm.id')
                .where('p.key', '=', excluded.key)
                .where('p.value', '=', excluded.value),
            ),
          ),
        );
      }
      q = orderByKeys(q, query.orderBy, (k) => attributeColumn(MODEL_COLUMNS, k.key));
      const { rows, hasMore } = await fetchPage(q, query.offset, query.limit);
      return { items: await this.hydrateModels(this.db, rows), hasMore };
    });
  }

  // ---- model versions ----------------------------------------------------------------------

  async createModelVersion(name: string, fields: NewModelVersion, now: number): Promise<ModelVersion | undefined> {
    return this.tx(async (trx) => {
      // The counter update takes the row lock (PostgreSQL) or the write lock (SQLite) first, so
      // concurrent creators on any number of processes get distinct, gap-free numbers.
      const allocated = await trx
        .updateTable('registered_models')
        .set((eb) => ({ last_version: eb('last_version', '+', 1), last_updated_time: now }))
        .where('name', '=', name)
        .returning(['id', 'last_version'])
        .executeTakeFirst();
      if (!allocated) return undefined;
      const version = allocated.last_version;
      await trx
        .insertInto('model_versions')
        .values({
          model_id: allocated.id,
          version,
          creation_time: now,
          last_updated_time: now,
          description: fields.description,
          user_id: fields.userId,
          current_stage: 'None',
          source: fields.source,
          run_id: fields.runId,
          run_link: fields.runLink,
          status: fields.status,
          status_message: null,
          storage_location: fields.storageLocation,
          logged_model_id: fields.modelId,
        })
        .execute();
      if (fields.tags.length > 0) {
        await trx
          .insertInto('model_version_tags')
          .values(dedupeTags(fields.tags).map((t) => ({ model_id: allocated.id, version, key: t.key, value: t.value })))
          .execute();
      }
      return this.versionOf(trx, allocated.id, name, version);
    });
  }

  async getModelVersion(name: string, version: number): Promise<ModelVersion | undefined> {
    return this.guard(async () => {
      const row = await this.liveVersionRow(this.db, name, version);
      return row ? (await this.hydrateVersions(this.db, [row]))[0] : undefined;
    });
  }

  async updateModelVersion(name: string, version: number, description: string | null, now: number): Promise<ModelVersion | undefined> {
    return this.tx(async (trx) => {
      const row = await this.liveVersionRow(trx, name, version);
      if (!row) return undefined;
      await trx
        .updateTable('model_versions')
        .set({ description, last_updated_time: now })
        .where('model_id', '=', row.model_id)
        .where('version', '=', version)
        .execute();
      return this.versionOf(trx, row.model_id, name, version);
    });
  }

  async transitionModelVersionStage(
    name: string,
    version: number,
    stage: Stage,
    archiveExisting: boolean,
    now: number,
  ): Promise<ModelVersion | undefined> {
    return this.tx(async (trx) => {
      const row = await this.liveVersionRow(trx, name, version);
      if (!row) return undefined;
      if (archiveExisting) {
        await trx
          .updateTable('model_versions')
          .set({ current_stage: 'Archived', last_updated_time: now })
          .where('model_id', '=', row.model_id)
          .where('current_stage', '=', stage)
          .where('version', '!=', version)
          .execute();
      }
      await trx
        .updateTable('model_versions')
        .set({ current_stage: stage, last_updated_time: now })
        .where('model_id', '=', row.model_id)
        .where('version', '=', version)
        .execute();
      await trx.updateTable('registered_models').set({ last_updated_time: now }).where('id', '=', row.model_id).execute();
      return this.versionOf(trx, row.model_id, name, version);
    });
  }

  async deleteModelVersion(name: string, version: number, now: number): Promise<boolean> {
    return this.tx(async (trx) => {
      const row = await this.liveVersionRow(trx, name, version);
      if (!row) return false;
      // MLflow redacts a deleted version's fields and keeps the row so the number is never reused
      // (sqlalchemy_store.delete_model_version).
      await trx
        .updateTable('model_versions')
        .set({
          current_stage: DELETED_STAGE,
          description: null,
          user_id: null,
          status_message: null,
          source: 'REDACTED-SOURCE-PATH',
          run_id: 'REDACTED-RUN-ID',
          run_link: 'REDACTED-RUN-LINK',
          storage_location: null,
          last_updated_time: now,
        })
        .where('model_id', '=', row.model_id)
        .where('version', '=', version)
        .execute();
      await trx.deleteFrom('model_version_tags').where('model_id', '=', row.model_id).where('version', '=', version).execute();
      await trx.deleteFrom('registered_model_aliases').where('model_id', '=', row.model_id).where('version', '=', version).execute();
      await trx.updateTable('registered_models').set({ last_updated_time: now }).where('id', '=', row.model_id).execute();
      return true;
    });
  }

  async setModelVersionStatus(name: string, version: number, status: ModelVersionStatus, message: string | null, now: number): Promise<boolean> {
    return this.tx(async (trx) => {
      const row = await this.liveVersionRow(trx, name, version);
      if (!row) return false;
      await trx
        .updateTable('model_versions')
        .set({ status, status_message: message, last_updated_time: now })
        .where('model_id', '=', row.model_id)
        .where('version', '=', version)
        .execute();
      return true;
    });
  }

  async setModelVersionTag(name: string, version: number, tag: Tag): Promise<boolean> {
    return this.tx(async (trx) => {
      const row = await this.liveVersionRow(trx, name, version);
      if (!row) return false;
      await trx
        .insertInto('model_version_tags')
        .values({ model_id: row.model_id, version, key: tag.key, value: tag.value })
        .onConflict((oc) => oc.columns(['model_id', 'version', 'key']).doUpdateSet({ value: tag.value }))
        .execute();
      return true;
    });
  }

  async deleteModelVersionTag(name: string, version: number, key: string): Promise<boolean> {
    return this.tx(async (trx) => {
      const row = await this.liveVersionRow(trx, name, version);
      if (!row) return false;
      await trx
        .deleteFrom('model_version_tags')
        .where('model_id', '=', row.model_id)
        .where('version', '=', version)
        .where('key', '=', key)
        .execute();
      return true;
    });
  }

  async getLatestVersions(name: string, stages: readonly Stage[]): Promise<readonly ModelVersion[] | undefined> {
    return this.guard(async () => {
      const model = await this.modelRow(this.db, name);
      if (!model) return undefined;
      const latest = await this.latestVersionsOf(this.db, [model], stages);
      return latest.get(model.id) ?? [];
    });
  }

  async searchModelVersions(query: RegistrySearch): Promise<Page<ModelVersion>> {
    return this.guard(async () => {
      let q = this.db
        .selectFrom('model_versions as mv')
        .innerJoin('registered_models as rm', 'rm.id', 'mv.model_id')
        .selectAll('mv')
        .select('rm.name')
        .where('mv.current_stage', '!=', DELETED_STAGE);
      q = whereClauses(q, this.dialect, VERSION_COLUMNS, query.clauses);
      const excluded = query.excludeTaggedModels;
      if (excluded) {
        // As MLflow: a model any of whose versions is tagged so is left out entirely.
        // Uncorrelated, so the database evaluates it once per query, not once per row.
        q = q.where((eb) =>
          eb(
            'mv.model_id',
            'not in',
            eb
              .selectFrom('model_version_tags as p')
              .select('p.model_id')
              .where('p.key', '=', excluded.key)
              .where('p.value', '=', excluded.value),
          ),
        );
      }
      q = orderByKeys(q, query.orderBy, (k) => attributeColumn(VERSION_COLUMNS, k.key));
      const { rows, hasMore } = await fetchPage(q, query.offset, query.limit);
      return { items: await this.hydrateVersions(this.db, rows), hasMore };
    });
  }

  // ---- aliases -----------------------------------------------------------------------------

  async setAlias(name: string, alias: string, version: number): Promise<'ok' | 'no-model' | 'no-version'> {
    return this.tx(async (trx) => {
      const model = await this.modelRow(trx, name);
      if (!model) return 'no-model';
      const target = await this.liveVersionRow(trx, name, version);
      if (!target) return 'no-version';
      await trx
        .insertInto('registered_model_aliases')
        .values({ model_id: model.id, alias, version })
        .onConflict((oc) => oc.columns(['model_id', 'alias']).doUpdateSet({ version }))
        .execute();
      return 'ok';
    });
  }

  async deleteAlias(name: string, alias: string): Promise<boolean> {
    return this.tx(async (trx) => {
      const model = await this.modelRow(trx, name);
      if (!model) return false;
      await trx.deleteFrom('registered_model_aliases').where('model_id', '=', model.id).where('alias', '=', alias).execute();
      return true;
    });
  }

  async getAliasVersion(name: string, alias: string): Promise<{ version: number | undefined } | undefined> {
    return this.guard(async () => {
      const model = await this.modelRow(this.db, name);
      if (!model) return undefined;
      const row = await this.db
        .selectFrom('registered_model_aliases')
        .select('version')
        .where('model_id', '=', model.id)
        .where('alias', '=', alias)
        .executeTakeFirst();
      return { version: row?.version };
    });
  }

  // ---- helpers -----------------------------------------------------------------------------

  private async liveVersionRow(db: Db, name: string, version: number): Promise<VersionRow | undefined> {
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

  private async versionOf(db: Db, modelId: number, name: string, version: number): Promise<ModelVersion> {
    const row = await db
      .selectFrom('model_versions')
      .selectAll()
      .where('model_id', '=', modelId)
      .where('version', '=', version)
      .executeTakeFirstOrThrow();
    return (await this.hydrateVersions(db, [{ ...row, name }]))[0] as ModelVersion;
  }

  /** Tags and aliases for a page of versions, two queries whatever the page size. */
  private async hydrateVersions(db: Db, rows: readonly VersionRow[]): Promise<ModelVersion[]> {
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
  private async latestVersionsOf(db: Db, models: readonly ModelRow[], stages: readonly Stage[]): Promise<Map<number, ModelVersion[]>> {
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
    const hydrated = await this.hydrateVersions(db, rows as VersionRow[]);
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
  private async hydrateModels(db: Db, rows: readonly ModelRow[]): Promise<RegisteredModel[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id);
    const [tags, aliases, latest] = await Promise.all([
      db.selectFrom('registered_model_tags').selectAll().where('model_id', 'in', ids).orderBy('key').execute(),
      db.selectFrom('registered_model_aliases').selectAll().where('model_id', 'in', ids).orderBy('alias').execute(),
      this.latestVersionsOf(db, rows, []),
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
}

function toModelVersion(r: VersionRow, tags: Tag[], aliases: string[]): ModelVersion {
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
