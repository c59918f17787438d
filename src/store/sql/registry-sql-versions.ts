/**
 * Model versions over SQL: numbers allocated atomically from the model's counter, soft delete that
 * keeps the number taken, stage transitions, tags, latest versions and search. Every write to one
 * version starts from its live row (withLiveVersion).
 */
import type { ModelVersion, ModelVersionStatus, NewModelVersion, Page, RegistrySearch, Stage, Tag } from '../registry-store.js';
import {
  DELETED_STAGE,
  hydrateVersions,
  latestVersionsOf,
  liveVersionRow,
  modelRow,
  versionOf,
  withLiveVersion,
} from './registry-sql-rows.js';
import { attributeColumn, fetchPage, orderByKeys, whereClauses, type SearchColumns } from './search-sql.js';
import { dedupeTags, SqlStoreBase, type Db } from './sql-store-base.js';

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

/** A version's tag as a change's `before` value: null when it was not set. */
async function versionTag(trx: Db, modelId: number, version: number, key: string): Promise<Tag | null> {
  const row = await trx
    .selectFrom('model_version_tags')
    .select(['key', 'value'])
    .where('model_id', '=', modelId)
    .where('version', '=', version)
    .where('key', '=', key)
    .executeTakeFirst();
  return row ?? null;
}

export class SqlModelVersionStore extends SqlStoreBase {
  async createModelVersion(name: string, fields: NewModelVersion, now: number): Promise<ModelVersion | undefined> {
    return this.tx(async (trx, changes) => {
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
      changes.push({
        action: 'model_version.create',
        resourceType: 'model_version',
        name,
        version: String(version),
        after: {
          name,
          version: String(version),
          source: fields.source,
          run_id: fields.runId,
          run_link: fields.runLink,
          description: fields.description,
          user_id: fields.userId,
          tags: dedupeTags(fields.tags),
          status: fields.status,
          model_id: fields.modelId,
        },
      });
      return versionOf(trx, allocated.id, name, version);
    });
  }

  async getModelVersion(name: string, version: number): Promise<ModelVersion | undefined> {
    return this.guard(async () => {
      const row = await liveVersionRow(this.db, name, version);
      return row ? (await hydrateVersions(this.db, [row]))[0] : undefined;
    });
  }

  async updateModelVersion(name: string, version: number, description: string | null, now: number): Promise<ModelVersion | undefined> {
    return this.tx((trx, changes) =>
      withLiveVersion(trx, name, version, async (row) => {
        await trx
          .updateTable('model_versions')
          .set({ description, last_updated_time: now })
          .where('model_id', '=', row.model_id)
          .where('version', '=', version)
          .execute();
        changes.push({
          action: 'model_version.update',
          resourceType: 'model_version',
          name,
          version: String(version),
          before: { description: row.description },
          after: { description },
        });
        return versionOf(trx, row.model_id, name, version);
      }),
    );
  }

  async transitionModelVersionStage(
    name: string,
    version: number,
    stage: Stage,
    archiveExisting: boolean,
    now: number,
  ): Promise<ModelVersion | undefined> {
    return this.tx((trx, changes) =>
      withLiveVersion(trx, name, version, async (row) => {
        let archived: string[] = [];
        if (archiveExisting) {
          const moved = await trx
            .updateTable('model_versions')
            .set({ current_stage: 'Archived', last_updated_time: now })
            .where('model_id', '=', row.model_id)
            .where('current_stage', '=', stage)
            .where('version', '!=', version)
            .returning('version')
            .execute();
          archived = moved.map((m) => String(m.version));
        }
        await trx
          .updateTable('model_versions')
          .set({ current_stage: stage, last_updated_time: now })
          .where('model_id', '=', row.model_id)
          .where('version', '=', version)
          .execute();
        await trx.updateTable('registered_models').set({ last_updated_time: now }).where('id', '=', row.model_id).execute();
        changes.push({
          action: 'model_version.stage.transition',
          resourceType: 'model_version',
          name,
          version: String(version),
          before: { stage: row.current_stage },
          after: { stage, archived_versions: archived },
        });
        return versionOf(trx, row.model_id, name, version);
      }),
    );
  }

  async deleteModelVersion(name: string, version: number, now: number): Promise<boolean> {
    return this.tx(async (trx, changes) => {
      const done = await withLiveVersion(trx, name, version, async (row) => {
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
        const aliases = await trx
          .deleteFrom('registered_model_aliases')
          .where('model_id', '=', row.model_id)
          .where('version', '=', version)
          .returning('alias')
          .execute();
        await trx.updateTable('registered_models').set({ last_updated_time: now }).where('id', '=', row.model_id).execute();
        changes.push({
          action: 'model_version.delete',
          resourceType: 'model_version',
          name,
          version: String(version),
          before: { aliases: aliases.map((a) => a.alias).sort(), stage: row.current_stage, source: row.source, run_id: row.run_id },
        });
        return true;
      });
      return done ?? false;
    });
  }

  async setModelVersionStatus(name: string, version: number, status: ModelVersionStatus, message: string | null, now: number): Promise<boolean> {
    return this.tx(async (trx, changes) => {
      const done = await withLiveVersion(trx, name, version, async (row) => {
        await trx
          .updateTable('model_versions')
          .set({ status, status_message: message, last_updated_time: now })
          .where('model_id', '=', row.model_id)
          .where('version', '=', version)
          .execute();
        changes.push({
          action: 'model_version.status.set',
          resourceType: 'model_version',
          name,
          version: String(version),
          before: { status: row.status },
          after: { status, status_message: message },
        });
        return true;
      });
      return done ?? false;
    });
  }

  async setModelVersionTag(name: string, version: number, tag: Tag): Promise<boolean> {
    return this.tx(async (trx, changes) => {
      const done = await withLiveVersion(trx, name, version, async (row) => {
        const before = this.journaling ? await versionTag(trx, row.model_id, version, tag.key) : null;
        await trx
          .insertInto('model_version_tags')
          .values({ model_id: row.model_id, version, key: tag.key, value: tag.value })
          .onConflict((oc) => oc.columns(['model_id', 'version', 'key']).doUpdateSet({ value: tag.value }))
          .execute();
        changes.push({
          action: 'model_version.tag.set',
          resourceType: 'model_version',
          name,
          version: String(version),
          before,
          after: { key: tag.key, value: tag.value },
        });
        return true;
      });
      return done ?? false;
    });
  }

  async deleteModelVersionTag(name: string, version: number, key: string): Promise<boolean> {
    return this.tx(async (trx, changes) => {
      const done = await withLiveVersion(trx, name, version, async (row) => {
        const before = this.journaling ? await versionTag(trx, row.model_id, version, key) : null;
        await trx
          .deleteFrom('model_version_tags')
          .where('model_id', '=', row.model_id)
          .where('version', '=', version)
          .where('key', '=', key)
          .execute();
        changes.push({ action: 'model_version.tag.delete', resourceType: 'model_version', name, version: String(version), before });
        return true;
      });
      return done ?? false;
    });
  }

  async getLatestVersions(name: string, stages: readonly Stage[]): Promise<readonly ModelVersion[] | undefined> {
    return this.guard(async () => {
      const model = await modelRow(this.db, name);
      if (!model) return undefined;
      const latest = await latestVersionsOf(this.db, [model], stages);
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
      q = orderByKeys(q, query.orderBy, (k) => attributeColumn(VERSION_COLUMNS, k.key), false);
      const { rows, hasMore } = await fetchPage(q, query.offset, query.limit);
      return { items: await hydrateVersions(this.db, rows), hasMore };
    });
  }
}
