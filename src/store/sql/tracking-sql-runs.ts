/**
 * Runs over SQL: run rows with tags, params, the metric history and each metric's latest value,
 * dataset and model inputs, model outputs (row-level work in tracking-sql-run-rows.ts). Writes of
 * one request are one transaction; searches are one query plus the batched hydration.
 */
import { sql } from 'kysely';
import type { Page, Tag } from '../registry-store.js';
import {
  RUN_NAME_TAG,
  type DatasetInput,
  type DatasetSummary,
  type LifecycleStage,
  type Metric,
  type ModelOutput,
  type NewRun,
  type ParamChange,
  type Run,
  type RunInfo,
  type RunInfoPatch,
  type RunSearch,
  type RunStore,
  type SortKey,
} from '../tracking-store.js';
import { stagesOf } from './tracking-sql-experiments.js';
import { attributeColumn, fetchPage, orderByKeys, whereClauses, type SearchColumns } from './search-sql.js';
import { dedupeTags, SqlStoreBase, type Db } from './sql-store-base.js';
import {
  hydrateRuns,
  insertInputs,
  insertMetrics,
  insertParams,
  parseTags,
  toMetric,
  toRunInfo,
  upsertRunTags,
  type RunRow,
} from './tracking-sql-run-rows.js';

const RUN_COLUMNS: SearchColumns = {
  attributes: {
    run_id: 'r.run_uuid',
    run_name: 'r.name',
    user_id: 'r.user_id',
    status: 'r.status',
    start_time: 'r.start_time',
    end_time: 'r.end_time',
    artifact_uri: 'r.artifact_uri',
    experiment_id: 'r.experiment_id',
  },
  tag: { table: 'run_tags', join: [['run_uuid', 'r.run_uuid']] },
  param: { table: 'params', join: [['run_uuid', 'r.run_uuid']] },
  // A run's metric is its latest value; NaN matches no comparison.
  metric: { table: 'latest_metrics', join: [['run_uuid', 'r.run_uuid']], where: (eb) => eb(sql.ref('kv.is_nan'), '=', 0) },
};

export class SqlRunStore extends SqlStoreBase implements RunStore {
  async createRun(run: NewRun): Promise<Run> {
    return this.tx(async (trx, changes) => {
      const row = await trx
        .insertInto('runs')
        .values({
          run_uuid: run.runId,
          experiment_id: run.experimentId,
          name: run.runName,
          user_id: run.userId,
          status: 'RUNNING',
          start_time: run.startTime,
          end_time: null,
          deleted_time: null,
          artifact_uri: run.artifactUri,
          lifecycle_stage: 'active',
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      await upsertRunTags(trx, run.runId, run.tags);
      changes.push({
        action: 'run.create',
        resourceType: 'run',
        name: run.runId,
        after: { experiment_id: String(run.experimentId), run_name: run.runName, user_id: run.userId, artifact_uri: run.artifactUri },
      });
      return (await hydrateRuns(trx, [row]))[0] as Run;
    });
  }

  async getRun(runId: string): Promise<Run | undefined> {
    return this.guard(async () => {
      const row = await this.runRow(this.db, runId);
      return row ? (await hydrateRuns(this.db, [row]))[0] : undefined;
    });
  }

  async getRunInfo(runId: string): Promise<RunInfo | undefined> {
    return this.guard(async () => {
      const row = await this.runRow(this.db, runId);
      return row ? toRunInfo(row) : undefined;
    });
  }

  async updateRunInfo(runId: string, patch: RunInfoPatch): Promise<RunInfo | undefined> {
    return this.tx(async (trx, changes) => {
      const set: { status?: string; end_time?: number; name?: string } = {};
      if (patch.status !== undefined) set.status = patch.status;
      if (patch.endTime !== undefined) set.end_time = patch.endTime;
      if (patch.runName !== undefined) set.name = patch.runName;
      if (Object.keys(set).length > 0) await trx.updateTable('runs').set(set).where('run_uuid', '=', runId).execute();
      if (patch.runName !== undefined) await upsertRunTags(trx, runId, [{ key: RUN_NAME_TAG, value: patch.runName }]);
      const row = await this.runRow(trx, runId);
      if (!row) return undefined;
      changes.push({ action: 'run.update', resourceType: 'run', name: runId, after: { status: patch.status, end_time: patch.endTime, run_name: patch.runName } });
      return toRunInfo(row);
    });
  }

  async setRunLifecycle(runId: string, stage: LifecycleStage, now: number): Promise<boolean> {
    return this.tx(async (trx, changes) => {
      const res = await trx
        .updateTable('runs')
        .set({ lifecycle_stage: stage, deleted_time: stage === 'deleted' ? now : null })
        .where('run_uuid', '=', runId)
        .executeTakeFirst();
      if (Number(res.numUpdatedRows) === 0) return false;
      changes.push({ action: stage === 'deleted' ? 'run.delete' : 'run.restore', resourceType: 'run', name: runId, after: { lifecycle_stage: stage } });
      return true;
    });
  }

  async logBatch(runId: string, metrics: readonly Metric[], params: readonly Tag[], tags: readonly Tag[]): Promise<readonly ParamChange[]> {
    return this.tx(async (trx, changes) => {
      const conflicts = await insertParams(trx, runId, params);
      if (conflicts.length > 0) return conflicts;
      await insertMetrics(trx, runId, metrics);
      await upsertRunTags(trx, runId, tags);
      const runName = dedupeTags(tags).find((t) => t.key === RUN_NAME_TAG);
      if (runName) await trx.updateTable('runs').set({ name: runName.value }).where('run_uuid', '=', runId).execute();
      // One event per call, not per value: a batch of a thousand metrics is one thing a user did.
      // Params and tags are recorded whole (bounded by the batch limits); metrics by key and count.
      changes.push({
        action: 'run.log_batch',
        resourceType: 'run',
        name: runId,
        after: {
          params: dedupeTags(params),
          tags: dedupeTags(tags),
          metrics: { count: metrics.length, keys: [...new Set(metrics.map((m) => m.key))].sort() },
        },
      });
      return [];
    });
  }

  async deleteRunTag(runId: string, key: string): Promise<boolean> {
    return this.tx(async (trx, changes) => {
      const res = await trx.deleteFrom('run_tags').where('run_uuid', '=', runId).where('key', '=', key).executeTakeFirst();
      if (Number(res.numDeletedRows) === 0) return false;
      changes.push({ action: 'run.tag.delete', resourceType: 'run', name: runId, before: { key } });
      return true;
    });
  }

  async updateRunTag(runId: string, key: string, update: (old: string | undefined) => string): Promise<boolean> {
    return this.tx(async (trx, changes) => {
      if (!(await this.runRow(trx, runId))) return false;
      const old = await trx.selectFrom('run_tags').select('value').where('run_uuid', '=', runId).where('key', '=', key).executeTakeFirst();
      const value = update(old?.value);
      await upsertRunTags(trx, runId, [{ key, value }]);
      changes.push({ action: 'run.tag.set', resourceType: 'run', name: runId, before: old ? { key, value: old.value } : null, after: { key, value } });
      return true;
    });
  }

  async getMetricHistory(runId: string, key: string, offset: number, limit: number | undefined): Promise<Page<Metric>> {
    return this.guard(async () => {
      let q = this.db
        .selectFrom('metrics')
        .selectAll()
        .where('run_uuid', '=', runId)
        .where('key', '=', key)
        .orderBy('timestamp')
        .orderBy('step')
        .orderBy('is_nan')
        .orderBy('value')
        .offset(offset);
      if (limit !== undefined) q = q.limit(limit + 1);
      else if (this.dialect.unboundedLimit !== undefined) q = q.limit(this.dialect.unboundedLimit);
      const rows = await q.execute();
      const hasMore = limit !== undefined && rows.length > limit;
      return { items: (hasMore ? rows.slice(0, limit) : rows).map(toMetric), hasMore };
    });
  }

  async getMetricHistoryBulk(runIds: readonly string[], key: string, limit: number): Promise<Metric[]> {
    if (runIds.length === 0) return [];
    return this.guard(async () => {
      const rows = await this.db
        .selectFrom('metrics')
        .selectAll()
        .where('run_uuid', 'in', [...runIds])
        .where('key', '=', key)
        .orderBy('run_uuid')
        .orderBy('timestamp')
        .orderBy('step')
        .orderBy('is_nan')
        .orderBy('value')
        .limit(limit)
        .execute();
      return rows.map((r) => ({ ...toMetric(r), runId: r.run_uuid }));
    });
  }

  /**
   * MLflow's SqlAlchemyStore._sample_rows_with_window_functions: NTILE(maxResults) over the points
   * ordered by step, timestamp, value, is_nan; the first point of each bucket; then the last point
   * overall, appended or replacing the last sample so the answer never exceeds maxResults. The
   * database holds the points; at most about maxResults rows come back.
   */
  async sampleMetricHistory(runId: string, key: string, maxResults: number, steps?: { start: number; end: number }): Promise<Metric[]> {
    const n = Math.max(1, Math.trunc(maxResults));
    return this.guard(async () => {
      const [cValue, cIsNan, cTs, cStep, cKey, cRun] = ['value', 'is_nan', 'timestamp', 'step', 'key', 'run_uuid'].map((c) => sql.ref(c));
      const range = steps ? sql` AND ${cStep} >= ${steps.start} AND ${cStep} <= ${steps.end}` : sql``;
      const where = sql`${cRun} = ${runId} AND ${cKey} = ${key}${range}`;
      const order = sql`${cStep}, ${cTs}, ${cValue}, ${cIsNan}`;
      type Row = { value: number; is_nan: number; timestamp: number; step: number };
      const sampled = await sql<Row>`
        SELECT ${cValue}, ${cIsNan}, ${cTs}, ${cStep} FROM (
          SELECT ${cValue}, ${cIsNan}, ${cTs}, ${cStep},
                 ROW_NUMBER() OVER (PARTITION BY bucket ORDER BY ${order}) AS rn
          FROM (
            SELECT ${cValue}, ${cIsNan}, ${cTs}, ${cStep}, NTILE(${sql.lit(n)}) OVER (ORDER BY ${order}) AS bucket
            FROM metrics WHERE ${where}
          ) bucketed
        ) ranked
        WHERE rn = 1
        ORDER BY ${order}`.execute(this.db);
      const rows = [...sampled.rows];
      const last = (
        await sql<Row>`
        SELECT ${cValue}, ${cIsNan}, ${cTs}, ${cStep} FROM metrics WHERE ${where}
        ORDER BY ${cStep} DESC, ${cTs} DESC, ${cValue} DESC, ${cIsNan} DESC LIMIT 1`.execute(this.db)
      ).rows[0];
      const same = (a: Row, b: Row) =>
        Number(a.step) === Number(b.step) &&
        Number(a.timestamp) === Number(b.timestamp) &&
        Number(a.is_nan) === Number(b.is_nan) &&
        (Number(a.is_nan) === 1 || Number(a.value) === Number(b.value));
      const tail = rows[rows.length - 1];
      if (last && (!tail || !same(tail, last))) {
        if (rows.length >= n) rows[rows.length - 1] = last;
        else rows.push(last);
      }
      return rows.map((r) => ({ ...toMetric({ ...r, key }), runId }));
    });
  }

  /**
   * MLflow's SqlAlchemyStore._search_datasets: the datasets used by runs of the experiments, each
   * with the `mlflow.data.context` tag of its input (none when untagged), distinct. Input tags are
   * a JSON list per input here, so the context is read after the query; rows are fetched in pages
   * until `limit` distinct summaries are found.
   */
  async searchDatasetSummaries(experimentIds: readonly number[], limit: number): Promise<DatasetSummary[]> {
    if (experimentIds.length === 0) return [];
    return this.guard(async () => {
      const seen = new Map<string, DatasetSummary>();
      const page = 1000;
      for (let offset = 0; seen.size < limit; offset += page) {
        const rows = await this.db
          .selectFrom('datasets as d')
          .innerJoin('run_inputs as i', (j) => j.onRef('i.source_id', '=', 'd.dataset_uuid').on('i.source_type', '=', 'DATASET'))
          .select(['d.experiment_id', 'd.name', 'd.digest', 'i.tags'])
          .distinct()
          .where('d.experiment_id', 'in', [...experimentIds])
          .orderBy('d.experiment_id')
          .orderBy('d.name')
          .orderBy('d.digest')
          .orderBy('i.tags')
          .limit(page)
          .offset(offset)
          .execute();
        for (const r of rows) {
          const context = parseTags(r.tags).find((t) => t.key === 'mlflow.data.context')?.value ?? null;
          const summary = { experimentId: Number(r.experiment_id), name: r.name, digest: r.digest, context };
          const id = JSON.stringify([summary.experimentId, summary.name, summary.digest, context]);
          if (!seen.has(id) && seen.size < limit) seen.set(id, summary);
        }
        if (rows.length < page) break;
      }
      return [...seen.values()];
    });
  }

  async logInputs(runId: string, experimentId: number, datasets: readonly DatasetInput[], modelIds: readonly string[]): Promise<void> {
    await this.tx(async (trx, changes) => {
      await insertInputs(trx, runId, experimentId, datasets, modelIds);
      changes.push({
        action: 'run.log_inputs',
        resourceType: 'run',
        name: runId,
        after: { datasets: datasets.map((d) => ({ name: d.dataset.name, digest: d.dataset.digest })), model_ids: modelIds },
      });
    });
  }

  async logOutputs(runId: string, outputs: readonly ModelOutput[]): Promise<void> {
    if (outputs.length === 0) return;
    const unique = [...new Map(outputs.map((o) => [`${o.modelId}\u0000${o.step}`, o])).values()];
    await this.tx(async (trx, changes) => {
      await trx
        .insertInto('run_outputs')
        .values(unique.map((o) => ({ run_uuid: runId, model_id: o.modelId, step: o.step })))
        .onConflict((oc) => oc.doNothing())
        .execute();
      changes.push({ action: 'run.log_outputs', resourceType: 'run', name: runId, after: { models: unique.map((o) => ({ model_id: o.modelId, step: o.step })) } });
    });
  }

  async searchRuns(query: RunSearch): Promise<Page<Run>> {
    return this.guard(async () => {
      if (query.experimentIds.length === 0) return { items: [], hasMore: false };
      let q = this.db
        .selectFrom('runs as r')
        .selectAll('r')
        .where('r.experiment_id', 'in', [...query.experimentIds])
        .where('r.lifecycle_stage', 'in', stagesOf(query.viewType));
      q = whereClauses(q, this.dialect, RUN_COLUMNS, query.clauses);
      q = orderByKeys(q, query.orderBy, (k) => this.sortExpression(k));
      const { rows, hasMore } = await fetchPage(q, query.offset, query.limit);
      return { items: await hydrateRuns(this.db, rows), hasMore };
    });
  }

  // ---- helpers -----------------------------------------------------------------------------

  private sortExpression(k: SortKey) {
    switch (k.entity) {
      case 'attribute':
        return attributeColumn(RUN_COLUMNS, k.key);
      case 'metric':
        // NaN sorts with the missing values, after every number.
        return sql`(select case when lm.is_nan = 1 then null else lm.value end from latest_metrics lm where lm.run_uuid = r.run_uuid and lm.key = ${k.key})`;
      case 'param':
        return sql`(select p.value from params p where p.run_uuid = r.run_uuid and p.key = ${k.key})`;
      case 'tag':
        return sql`(select t.value from run_tags t where t.run_uuid = r.run_uuid and t.key = ${k.key})`;
    }
  }

  private async runRow(db: Db, runId: string): Promise<RunRow | undefined> {
    return db.selectFrom('runs').selectAll().where('run_uuid', '=', runId).executeTakeFirst();
  }
}
