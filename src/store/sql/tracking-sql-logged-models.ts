/**
 * MLflow 3 logged models over SQL: the model row, its tags, params and metrics (the run metric
 * points logged with its id). Deleting is a soft delete.
 */
import { sql, type Expression, type SqlBool, type Selectable } from 'kysely';
import type { Page, Tag } from '../registry-store.js';
import {
  LOGGED_MODEL_STATUSES,
  type LifecycleStage,
  type LoggedModel,
  type LoggedModelSearch,
  type LoggedModelStatus,
  type LoggedModelStore,
  type NewLoggedModel,
  type DatasetRef,
  type SortKey,
} from '../tracking-store.js';
import type { LoggedModelMetricsTable, LoggedModelsTable } from './tracking-schema.js';
import { attributeColumn, fetchPage, orderByKeys, whereClauses, type ChildTable, type SearchColumns } from './search-sql.js';
import { chunks, dedupeTags, groupBy, SqlStoreBase, type Db } from './sql-store-base.js';
import { toMetric } from './tracking-sql-run-rows.js';

type ModelRow = Selectable<LoggedModelsTable>;

const MODEL_ATTRIBUTES: Readonly<Record<string, string>> = {
  name: 'lm.name',
  model_id: 'lm.model_id',
  model_type: 'lm.model_type',
  status: 'lm.status',
  source_run_id: 'lm.source_run_id',
  creation_timestamp: 'lm.creation_timestamp_ms',
  last_updated_timestamp: 'lm.last_updated_timestamp_ms',
};

/** `dataset_name = … [AND dataset_digest = …]` for each dataset, ORed (a null digest matches metrics without one). */
function datasetCondition(eb: Parameters<NonNullable<ChildTable['where']>>[0], alias: string, datasets: readonly DatasetRef[]): Expression<SqlBool> {
  return eb.or(
    datasets.map((d) => {
      const conditions = [eb(sql.ref(`${alias}.dataset_name`), '=', d.name)];
      if (d.digest !== undefined) conditions.push(eb(sql.ref(`${alias}.dataset_digest`), d.digest === null ? 'is' : '=', d.digest));
      return eb.and(conditions);
    }),
  );
}

/**
 * The search columns of one query: with datasets, metric clauses compare only the metrics logged
 * against them (SqlAlchemyStore._apply_filter_string_datasets_search_logged_models).
 */
function modelColumns(datasets: readonly DatasetRef[]): SearchColumns {
  return {
    attributes: MODEL_ATTRIBUTES,
    tag: { table: 'logged_model_tags', join: [['model_id', 'lm.model_id']] },
    param: { table: 'logged_model_params', join: [['model_id', 'lm.model_id']] },
    metric: {
      table: 'logged_model_metrics',
      join: [['model_id', 'lm.model_id']],
      where: (eb) =>
        datasets.length === 0
          ? eb(sql.ref('kv.is_nan'), '=', 0)
          : eb.and([eb(sql.ref('kv.is_nan'), '=', 0), datasetCondition(eb, 'kv', datasets)]),
    },
    // `status = 'READY'` or `'LOGGED_MODEL_READY'` compares with the stored number.
    convert: { status: statusNumber },
  };
}

/** `status = 'READY'` or `'LOGGED_MODEL_READY'` compares with the stored number. */
function statusNumber(value: string | number): number {
  const name = String(value).toUpperCase();
  const i = LOGGED_MODEL_STATUSES.findIndex((s) => s === name || s === `LOGGED_MODEL_${name}`);
  return i >= 0 ? i : name === 'FAILED' ? 3 : -1;
}

export class SqlLoggedModelStore extends SqlStoreBase implements LoggedModelStore {
  async createLoggedModel(m: NewLoggedModel): Promise<LoggedModel> {
    return this.tx(async (trx, changes) => {
      const row = await trx
        .insertInto('logged_models')
        .values({
          model_id: m.modelId,
          experiment_id: m.experimentId,
          name: m.name,
          artifact_location: m.artifactLocation,
          creation_timestamp_ms: m.now,
          last_updated_timestamp_ms: m.now,
          status: LOGGED_MODEL_STATUSES.indexOf('LOGGED_MODEL_PENDING'),
          status_message: null,
          model_type: m.modelType,
          source_run_id: m.sourceRunId,
          lifecycle_stage: 'active',
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      await this.upsert(trx, 'logged_model_tags', m.modelId, m.tags);
      await this.upsert(trx, 'logged_model_params', m.modelId, m.params);
      changes.push({
        action: 'logged_model.create',
        resourceType: 'logged_model',
        name: m.modelId,
        after: { name: m.name, experiment_id: String(m.experimentId), source_run_id: m.sourceRunId, model_type: m.modelType, tags: dedupeTags(m.tags), params: dedupeTags(m.params) },
      });
      return (await this.hydrate(trx, [row]))[0] as LoggedModel;
    });
  }

  async getLoggedModel(modelId: string, allowDeleted: boolean): Promise<LoggedModel | undefined> {
    return this.guard(async () => {
      const row = await this.modelRow(this.db, modelId, allowDeleted);
      return row ? (await this.hydrate(this.db, [row]))[0] : undefined;
    });
  }

  async finalizeLoggedModel(modelId: string, status: LoggedModelStatus, now: number): Promise<LoggedModel | undefined> {
    return this.tx(async (trx, changes) => {
      const row = await trx
        .updateTable('logged_models')
        .set({ status: LOGGED_MODEL_STATUSES.indexOf(status), last_updated_timestamp_ms: now })
        .where('model_id', '=', modelId)
        .returningAll()
        .executeTakeFirst();
      if (!row) return undefined;
      changes.push({ action: 'logged_model.finalize', resourceType: 'logged_model', name: modelId, after: { status } });
      return (await this.hydrate(trx, [row]))[0];
    });
  }

  async deleteLoggedModel(modelId: string, now: number): Promise<boolean> {
    return this.tx(async (trx, changes) => {
      const res = await trx
        .updateTable('logged_models')
        .set({ lifecycle_stage: 'deleted', last_updated_timestamp_ms: now })
        .where('model_id', '=', modelId)
        .executeTakeFirst();
      if (Number(res.numUpdatedRows) === 0) return false;
      changes.push({ action: 'logged_model.delete', resourceType: 'logged_model', name: modelId });
      return true;
    });
  }

  async setLoggedModelTags(modelId: string, tags: readonly Tag[]): Promise<boolean> {
    return this.tx(async (trx, changes) => {
      if (!(await this.exists(trx, modelId))) return false;
      await this.upsert(trx, 'logged_model_tags', modelId, tags);
      changes.push({ action: 'logged_model.tag.set', resourceType: 'logged_model', name: modelId, after: { tags: dedupeTags(tags) } });
      return true;
    });
  }

  async deleteLoggedModelTag(modelId: string, key: string): Promise<'ok' | 'no-model' | 'no-tag'> {
    return this.tx(async (trx, changes) => {
      if (!(await this.exists(trx, modelId))) return 'no-model';
      const res = await trx.deleteFrom('logged_model_tags').where('model_id', '=', modelId).where('key', '=', key).executeTakeFirst();
      if (Number(res.numDeletedRows) === 0) return 'no-tag';
      changes.push({ action: 'logged_model.tag.delete', resourceType: 'logged_model', name: modelId, before: { key } });
      return 'ok';
    });
  }

  async updateLoggedModelTag(modelId: string, key: string, update: (old: string | undefined) => string): Promise<boolean> {
    return this.tx(async (trx, changes) => {
      if (!(await this.exists(trx, modelId))) return false;
      const old = await trx
        .selectFrom('logged_model_tags')
        .select('value')
        .where('model_id', '=', modelId)
        .where('key', '=', key)
        .executeTakeFirst();
      const value = update(old?.value);
      await this.upsert(trx, 'logged_model_tags', modelId, [{ key, value }]);
      changes.push({ action: 'logged_model.tag.set', resourceType: 'logged_model', name: modelId, before: old ? { key, value: old.value } : null, after: { key, value } });
      return true;
    });
  }

  async logLoggedModelParams(modelId: string, params: readonly Tag[]): Promise<boolean> {
    return this.tx(async (trx, changes) => {
      if (!(await this.exists(trx, modelId))) return false;
      await this.upsert(trx, 'logged_model_params', modelId, params);
      changes.push({ action: 'logged_model.params.log', resourceType: 'logged_model', name: modelId, after: { params: dedupeTags(params) } });
      return true;
    });
  }

  async searchLoggedModels(query: LoggedModelSearch): Promise<Page<LoggedModel>> {
    return this.guard(async () => {
      if (query.experimentIds.length === 0) return { items: [], hasMore: false };
      let q = this.db
        .selectFrom('logged_models as lm')
        .selectAll('lm')
        .where('lm.experiment_id', 'in', [...query.experimentIds])
        .where('lm.lifecycle_stage', '!=', 'deleted');
      q = whereClauses(q, this.dialect, modelColumns(query.datasets), query.clauses);
      // With datasets but no metric clause: only models with a metric on one of them.
      if (query.datasets.length > 0 && !query.clauses.some((c) => c.entity === 'metric')) {
        q = q.where((eb) =>
          eb.exists(
            eb
              .selectFrom('logged_model_metrics as ds')
              .select(sql.lit(1).as('one'))
              .whereRef('ds.model_id', '=', 'lm.model_id')
              .where((db) => datasetCondition(db as never, 'ds', query.datasets)),
          ),
        );
      }
      q = orderByKeys(q, query.orderBy, (k) => this.sortExpression(k));
      const { rows, hasMore } = await fetchPage(q, query.offset, query.limit);
      return { items: await this.hydrate(this.db, rows), hasMore };
    });
  }

  // ---- helpers -----------------------------------------------------------------------------

  private sortExpression(k: SortKey) {
    if (k.entity === 'attribute') return attributeColumn({ attributes: MODEL_ATTRIBUTES }, k.key);
    // metrics.<key>: the model's most recent value of that metric, of the entry's dataset if it
    // names one (SqlAlchemyStore._apply_order_by_search_logged_models: latest by timestamp, step,
    // then run id).
    const name = k.dataset?.name ? sql` and mt.dataset_name = ${k.dataset.name}` : sql``;
    const digest = k.dataset?.digest ? sql` and mt.dataset_digest = ${k.dataset.digest}` : sql``;
    return sql`(select case when mt.is_nan = 1 then null else mt.value end from logged_model_metrics mt where mt.model_id = lm.model_id and mt.key = ${k.key}${name}${digest} order by mt.timestamp desc, mt.step desc, mt.run_uuid asc limit 1)`;
  }

  private async modelRow(db: Db, modelId: string, allowDeleted: boolean): Promise<ModelRow | undefined> {
    let q = db.selectFrom('logged_models').selectAll().where('model_id', '=', modelId);
    if (!allowDeleted) q = q.where('lifecycle_stage', '!=', 'deleted');
    return q.executeTakeFirst();
  }

  /** Whether the model exists (deleted ones included, as MLflow's _get_logged_model_record). */
  private async exists(db: Db, modelId: string): Promise<boolean> {
    return (await this.modelRow(db, modelId, true)) !== undefined;
  }

  private async upsert(db: Db, table: 'logged_model_tags' | 'logged_model_params', modelId: string, entries: readonly Tag[]): Promise<void> {
    for (const part of chunks(dedupeTags(entries), 300)) {
      await db
        .insertInto(table)
        .values(part.map((t) => ({ model_id: modelId, key: t.key, value: t.value })))
        .onConflict((oc) => oc.columns(['model_id', 'key']).doUpdateSet((eb) => ({ value: eb.ref('excluded.value') })))
        .execute();
    }
  }

  /** Tags, params and metrics for a page of models: three batched queries. */
  private async hydrate(db: Db, rows: readonly ModelRow[]): Promise<LoggedModel[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.model_id);
    const tags: { model_id: string; key: string; value: string }[] = [];
    const params: { model_id: string; key: string; value: string }[] = [];
    const metrics: Selectable<LoggedModelMetricsTable>[] = [];
    for (const part of chunks(ids)) {
      const [t, p, m] = await Promise.all([
        db.selectFrom('logged_model_tags').selectAll().where('model_id', 'in', part).orderBy('key').execute(),
        db.selectFrom('logged_model_params').selectAll().where('model_id', 'in', part).orderBy('key').execute(),
        db
          .selectFrom('logged_model_metrics')
          .selectAll()
          .where('model_id', 'in', part)
          .orderBy('key')
          .orderBy('timestamp')
          .orderBy('step')
          .execute(),
      ]);
      tags.push(...t);
      params.push(...p);
      metrics.push(...m);
    }
    const tagsOf = groupBy(tags, (x) => x.model_id);
    const paramsOf = groupBy(params, (x) => x.model_id);
    const metricsOf = groupBy(metrics, (x) => x.model_id);
    return rows.map((r) => ({
      modelId: r.model_id,
      experimentId: r.experiment_id,
      name: r.name,
      artifactLocation: r.artifact_location,
      creationTime: Number(r.creation_timestamp_ms),
      lastUpdatedTime: Number(r.last_updated_timestamp_ms),
      status: LOGGED_MODEL_STATUSES[r.status] ?? 'LOGGED_MODEL_STATUS_UNSPECIFIED',
      statusMessage: r.status_message,
      modelType: r.model_type,
      sourceRunId: r.source_run_id,
      lifecycleStage: r.lifecycle_stage as LifecycleStage,
      tags: (tagsOf.get(r.model_id) ?? []).map((x) => ({ key: x.key, value: x.value })),
      params: (paramsOf.get(r.model_id) ?? []).map((x) => ({ key: x.key, value: x.value })),
      metrics: (metricsOf.get(r.model_id) ?? []).map((x) => ({ ...toMetric(x), modelId: x.model_id, runId: x.run_uuid })),
    }));
  }
}
