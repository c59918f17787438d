/**
 * Experiments over SQL (mlflow/store/tracking/sqlalchemy_store.py semantics): integer ids with
 * the default experiment 0, soft delete that takes the experiment's runs along.
 */
import type { Selectable } from 'kysely';
import type { Page, Tag } from '../registry-store.js';
import {
  DEFAULT_EXPERIMENT_ID,
  DEFAULT_EXPERIMENT_NAME,
  type Experiment,
  type ExperimentSearch,
  type ExperimentStore,
  type LifecycleStage,
  type ViewType,
} from '../tracking-store.js';
import type { ExperimentsTable } from './tracking-schema.js';
import { attributeColumn, fetchPage, orderByKeys, whereClauses, type SearchColumns } from './search-sql.js';
import { dedupeTags, groupBy, SqlStoreBase, type Db } from './sql-store-base.js';

type ExperimentRow = Selectable<ExperimentsTable>;

const EXPERIMENT_COLUMNS: SearchColumns = {
  attributes: { name: 'e.name', experiment_id: 'e.experiment_id', creation_time: 'e.creation_time', last_update_time: 'e.last_update_time' },
  tag: { table: 'experiment_tags', join: [['experiment_id', 'e.experiment_id']] },
  // `experiment_id IN ('1', '2')` compares with the integer column.
  convert: { experiment_id: Number },
};

export function stagesOf(viewType: ViewType): LifecycleStage[] {
  return viewType === 'ACTIVE_ONLY' ? ['active'] : viewType === 'DELETED_ONLY' ? ['deleted'] : ['active', 'deleted'];
}

export class SqlExperimentStore extends SqlStoreBase implements ExperimentStore {
  async ensureDefaultExperiment(artifactLocation: string, now: number): Promise<void> {
    await this.guard(() =>
      this.db
        .insertInto('experiments')
        .values({
          experiment_id: DEFAULT_EXPERIMENT_ID,
          name: DEFAULT_EXPERIMENT_NAME,
          artifact_location: artifactLocation,
          lifecycle_stage: 'active',
          creation_time: now,
          last_update_time: now,
        })
        .onConflict((oc) => oc.doNothing())
        .execute(),
    );
  }

  async createExperiment(
    name: string,
    artifactLocation: string | null,
    tags: readonly Tag[],
    now: number,
    locate: (id: number) => string,
  ): Promise<number> {
    return this.tx(async (trx, changes) => {
      const { experiment_id: id } = await trx
        .insertInto('experiments')
        .values({
          name,
          artifact_location: artifactLocation ?? '',
          lifecycle_stage: 'active',
          creation_time: now,
          last_update_time: now,
        })
        .returning('experiment_id')
        .executeTakeFirstOrThrow();
      if (artifactLocation === null) {
        await trx.updateTable('experiments').set({ artifact_location: locate(id) }).where('experiment_id', '=', id).execute();
      }
      if (tags.length > 0) {
        await trx
          .insertInto('experiment_tags')
          .values(dedupeTags(tags).map((t) => ({ experiment_id: id, key: t.key, value: t.value })))
          .execute();
      }
      changes.push({ action: 'experiment.create', resourceType: 'experiment', name: String(id), after: { name, artifact_location: artifactLocation, tags: dedupeTags(tags) } });
      return id;
    });
  }

  async getExperiment(id: number): Promise<Experiment | undefined> {
    return this.guard(async () => {
      const row = await this.db.selectFrom('experiments').selectAll().where('experiment_id', '=', id).executeTakeFirst();
      return row ? (await this.hydrate(this.db, [row]))[0] : undefined;
    });
  }

  async getExperimentByName(name: string): Promise<Experiment | undefined> {
    return this.guard(async () => {
      const row = await this.db.selectFrom('experiments').selectAll().where('name', '=', name).executeTakeFirst();
      return row ? (await this.hydrate(this.db, [row]))[0] : undefined;
    });
  }

  async renameExperiment(id: number, newName: string, now: number): Promise<boolean> {
    return this.tx(async (trx, changes) => {
      const before = this.journaling ? await trx.selectFrom('experiments').select('name').where('experiment_id', '=', id).executeTakeFirst() : undefined;
      const res = await trx
        .updateTable('experiments')
        .set({ name: newName, last_update_time: now })
        .where('experiment_id', '=', id)
        .executeTakeFirst();
      if (Number(res.numUpdatedRows) === 0) return false;
      changes.push({ action: 'experiment.rename', resourceType: 'experiment', name: String(id), before: { name: before?.name ?? null }, after: { name: newName } });
      return true;
    });
  }

  async setExperimentLifecycle(id: number, stage: LifecycleStage, now: number): Promise<boolean> {
    return this.tx(async (trx, changes) => {
      const res = await trx
        .updateTable('experiments')
        .set({ lifecycle_stage: stage, last_update_time: now })
        .where('experiment_id', '=', id)
        .executeTakeFirst();
      if (Number(res.numUpdatedRows) === 0) return false;
      changes.push({ action: stage === 'deleted' ? 'experiment.delete' : 'experiment.restore', resourceType: 'experiment', name: String(id), after: { lifecycle_stage: stage } });
      await trx
        .updateTable('runs')
        .set({ lifecycle_stage: stage, deleted_time: stage === 'deleted' ? now : null })
        .where('experiment_id', '=', id)
        .execute();
      return true;
    });
  }

  async setExperimentTag(id: number, tag: Tag): Promise<boolean> {
    return this.tx(async (trx, changes) => {
      const found = await trx.selectFrom('experiments').select('experiment_id').where('experiment_id', '=', id).executeTakeFirst();
      if (!found) return false;
      await trx
        .insertInto('experiment_tags')
        .values({ experiment_id: id, key: tag.key, value: tag.value })
        .onConflict((oc) => oc.columns(['experiment_id', 'key']).doUpdateSet({ value: tag.value }))
        .execute();
      changes.push({ action: 'experiment.tag.set', resourceType: 'experiment', name: String(id), after: { key: tag.key, value: tag.value } });
      return true;
    });
  }

  async deleteExperimentTag(id: number, key: string): Promise<boolean> {
    return this.tx(async (trx, changes) => {
      const res = await trx.deleteFrom('experiment_tags').where('experiment_id', '=', id).where('key', '=', key).executeTakeFirst();
      if (Number(res.numDeletedRows) === 0) return false;
      changes.push({ action: 'experiment.tag.delete', resourceType: 'experiment', name: String(id), before: { key } });
      return true;
    });
  }

  async searchExperiments(query: ExperimentSearch): Promise<Page<Experiment>> {
    return this.guard(async () => {
      let q = this.db.selectFrom('experiments as e').selectAll('e').where('e.lifecycle_stage', 'in', stagesOf(query.viewType));
      q = whereClauses(q, this.dialect, EXPERIMENT_COLUMNS, query.clauses);
      q = orderByKeys(q, query.orderBy, (k) => attributeColumn(EXPERIMENT_COLUMNS, k.key));
      const { rows, hasMore } = await fetchPage(q, query.offset, query.limit);
      return { items: await this.hydrate(this.db, rows), hasMore };
    });
  }

  private async hydrate(db: Db, rows: readonly ExperimentRow[]): Promise<Experiment[]> {
    if (rows.length === 0) return [];
    const tags = await db
      .selectFrom('experiment_tags')
      .select(['experiment_id', 'key', 'value'])
      .where('experiment_id', 'in', rows.map((r) => r.experiment_id))
      .orderBy('key')
      .execute();
    const tagsOf = groupBy(tags, (t) => t.experiment_id);
    return rows.map((r) => ({
      id: r.experiment_id,
      name: r.name,
      artifactLocation: r.artifact_location,
      lifecycleStage: r.lifecycle_stage as LifecycleStage,
      creationTime: Number(r.creation_time),
      lastUpdateTime: Number(r.last_update_time),
      tags: (tagsOf.get(r.experiment_id) ?? []).map((t) => ({ key: t.key, value: t.value })),
    }));
  }
}
