/**
 * The row-level work of the SQL run store (tracking-sql-runs.ts): writing params, metric points
 * and latest values, tags and inputs inside a caller's transaction, and hydrating a page of runs
 * with one batched query per kind of child row.
 */
import { randomUUID } from 'node:crypto';
import { sql, type Selectable } from 'kysely';
import type { Tag } from '../registry-store.js';
import type { DatasetInput, LifecycleStage, Metric, ParamChange, Run, RunInfo, RunStatus } from '../tracking-store.js';
import type { RunsTable } from './tracking-schema.js';
import { chunks, dedupeTags, groupBy, type Db } from './sql-store-base.js';

export type RunRow = Selectable<RunsTable>;

export async function upsertRunTags(db: Db, runId: string, tags: readonly Tag[]): Promise<void> {
  for (const part of chunks(dedupeTags(tags), 300)) {
    await db
      .insertInto('run_tags')
      .values(part.map((t) => ({ run_uuid: runId, key: t.key, value: t.value })))
      .onConflict((oc) => oc.columns(['run_uuid', 'key']).doUpdateSet((eb) => ({ value: eb.ref('excluded.value') })))
      .execute();
  }
}

/** Inserts new params; returns the ones that would change an existing value (then writes nothing). */
export async function insertParams(db: Db, runId: string, params: readonly Tag[]): Promise<ParamChange[]> {
  if (params.length === 0) return [];
  const existing = new Map<string, string>();
  for (const part of chunks(params.map((p) => p.key))) {
    const rows = await db.selectFrom('params').select(['key', 'value']).where('run_uuid', '=', runId).where('key', 'in', part).execute();
    for (const r of rows) existing.set(r.key, r.value);
  }
  const changes: ParamChange[] = [];
  const fresh = new Map<string, Tag>();
  for (const p of params) {
    const old = existing.get(p.key);
    if (old === undefined) fresh.set(p.key, p);
    else if (old !== p.value) changes.push({ key: p.key, oldValue: old, newValue: p.value });
  }
  if (changes.length > 0) return changes;
  for (const part of chunks([...fresh.values()], 300)) {
    await db
      .insertInto('params')
      .values(part.map((p) => ({ run_uuid: runId, key: p.key, value: p.value })))
      .onConflict((oc) => oc.doNothing())
      .execute();
  }
  return [];
}

/**
 * Appends history points (an identical point is logged once) and the points logged for a logged
 * model, and moves each key's latest value forward atomically: the conditional upsert only
 * replaces a latest value by a larger (step, timestamp, value).
 */
export async function insertMetrics(db: Db, runId: string, metrics: readonly Metric[]): Promise<void> {
  if (metrics.length === 0) return;
  type Point = ReturnType<typeof pointRow>;
  const points = new Map<string, Point>();
  const modelPoints = new Map<string, Point & { model_id: string; dataset_name: string | null; dataset_digest: string | null }>();
  for (const m of metrics) {
    const row = pointRow(runId, m);
    points.set(`${row.key}\u0000${row.timestamp}\u0000${row.step}\u0000${row.value}\u0000${row.is_nan}`, row);
    if (m.modelId) {
      const k = `${m.modelId}\u0000${row.key}\u0000${row.timestamp}\u0000${row.step}`;
      if (!modelPoints.has(k)) {
        modelPoints.set(k, { ...row, model_id: m.modelId, dataset_name: m.datasetName ?? null, dataset_digest: m.datasetDigest ?? null });
      }
    }
  }
  const rows = [...points.values()];
  for (const part of chunks(rows, 300)) {
    await db.insertInto('metrics').values(part).onConflict((oc) => oc.doNothing()).execute();
  }
  for (const part of chunks([...modelPoints.values()], 300)) {
    await db.insertInto('logged_model_metrics').values(part).onConflict((oc) => oc.doNothing()).execute();
  }
  const latest = new Map<string, (typeof rows)[number]>();
  for (const r of rows) {
    const prev = latest.get(r.key);
    if (!prev || isNewer(r, prev)) latest.set(r.key, r);
  }
  for (const part of chunks([...latest.values()], 300)) {
    await db
      .insertInto('latest_metrics')
      .values(part)
      .onConflict((oc) =>
        oc
          .columns(['run_uuid', 'key'])
          .doUpdateSet((eb) => ({
            value: eb.ref('excluded.value'),
            is_nan: eb.ref('excluded.is_nan'),
            timestamp: eb.ref('excluded.timestamp'),
            step: eb.ref('excluded.step'),
          }))
          .where(
            sql<boolean>`(excluded.step, excluded.timestamp, excluded.value) > (latest_metrics.step, latest_metrics.timestamp, latest_metrics.value)`,
          ),
      )
      .execute();
  }
}

/** Tags, params, latest metrics, inputs and outputs for a page of runs: five batched queries. */
export async function hydrateRuns(db: Db, rows: readonly RunRow[]): Promise<Run[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.run_uuid);
  const tags: { run_uuid: string; key: string; value: string }[] = [];
  const params: { run_uuid: string; key: string; value: string }[] = [];
  const latest: { run_uuid: string; key: string; value: number; is_nan: number; timestamp: number; step: number }[] = [];
  const inputs: { run_uuid: string; source_type: string; source_id: string; tags: string | null }[] = [];
  const outputs: { run_uuid: string; model_id: string; step: number }[] = [];
  for (const part of chunks(ids)) {
    const [t, p, m, i, o] = await Promise.all([
      db.selectFrom('run_tags').select(['run_uuid', 'key', 'value']).where('run_uuid', 'in', part).orderBy('key').execute(),
      db.selectFrom('params').select(['run_uuid', 'key', 'value']).where('run_uuid', 'in', part).orderBy('key').execute(),
      db.selectFrom('latest_metrics').selectAll().where('run_uuid', 'in', part).orderBy('key').execute(),
      db
        .selectFrom('run_inputs')
        .select(['run_uuid', 'source_type', 'source_id', 'tags'])
        .where('run_uuid', 'in', part)
        .orderBy('source_type')
        .orderBy('source_id')
        .execute(),
      db.selectFrom('run_outputs').select(['run_uuid', 'model_id', 'step']).where('run_uuid', 'in', part).orderBy('step').orderBy('model_id').execute(),
    ]);
    tags.push(...t);
    params.push(...p);
    latest.push(...m);
    inputs.push(...i);
    outputs.push(...o);
  }
  const datasetIds = [...new Set(inputs.filter((i) => i.source_type === 'DATASET').map((i) => i.source_id))];
  const datasets = new Map<string, DatasetInput['dataset']>();
  for (const part of chunks(datasetIds)) {
    for (const d of await db.selectFrom('datasets').selectAll().where('dataset_uuid', 'in', part).execute()) {
      datasets.set(d.dataset_uuid, {
        name: d.name,
        digest: d.digest,
        sourceType: d.source_type,
        source: d.source,
        schema: d.schema,
        profile: d.profile,
      });
    }
  }
  const tagsOf = groupBy(tags, (x) => x.run_uuid);
  const paramsOf = groupBy(params, (x) => x.run_uuid);
  const latestOf = groupBy(latest, (x) => x.run_uuid);
  const inputsOf = groupBy(inputs, (x) => x.run_uuid);
  const outputsOf = groupBy(outputs, (x) => x.run_uuid);
  return rows.map((r) => {
    const runInputs = inputsOf.get(r.run_uuid) ?? [];
    return {
      info: toRunInfo(r),
      metrics: (latestOf.get(r.run_uuid) ?? []).map(toMetric),
      params: (paramsOf.get(r.run_uuid) ?? []).map((x) => ({ key: x.key, value: x.value })),
      tags: (tagsOf.get(r.run_uuid) ?? []).map((x) => ({ key: x.key, value: x.value })),
      datasetInputs: runInputs.flatMap((i) => {
        const dataset = i.source_type === 'DATASET' ? datasets.get(i.source_id) : undefined;
        return dataset ? [{ dataset, tags: parseTags(i.tags) }] : [];
      }),
      modelInputs: runInputs.filter((i) => i.source_type === 'MODEL').map((i) => i.source_id),
      modelOutputs: (outputsOf.get(r.run_uuid) ?? []).map((o) => ({ modelId: o.model_id, step: Number(o.step) })),
    };
  });
}

/** Dataset inputs (datasets shared per experiment by name and digest) and model inputs, each once. */
export async function insertInputs(
  db: Db,
  runId: string,
  experimentId: number,
  datasets: readonly DatasetInput[],
  modelIds: readonly string[],
): Promise<void> {
  // The first occurrence of a (name, digest) pair wins, as in MLflow.
  const firsts: DatasetInput[] = [];
  const seen = new Set<string>();
  for (const d of datasets) {
    const k = `${d.dataset.name}\u0000${d.dataset.digest}`;
    if (!seen.has(k)) {
      seen.add(k);
      firsts.push(d);
    }
  }
  const ids = new Map<string, string>();
  for (const part of chunks(firsts, 200)) {
    const existing = await db
      .selectFrom('datasets')
      .select(['dataset_uuid', 'name', 'digest'])
      .where('experiment_id', '=', experimentId)
      .where('name', 'in', part.map((d) => d.dataset.name))
      .execute();
    for (const e of existing) ids.set(`${e.name}\u0000${e.digest}`, e.dataset_uuid);
  }
  for (const d of firsts) {
    const k = `${d.dataset.name}\u0000${d.dataset.digest}`;
    let id = ids.get(k);
    if (!id) {
      id = randomUUID().replace(/-/g, '');
      await db
        .insertInto('datasets')
        .values({
          dataset_uuid: id,
          experiment_id: experimentId,
          name: d.dataset.name,
          digest: d.dataset.digest,
          source_type: d.dataset.sourceType,
          source: d.dataset.source,
          schema: d.dataset.schema,
          profile: d.dataset.profile,
        })
        .execute();
      ids.set(k, id);
    }
    await db
      .insertInto('run_inputs')
      .values({
        run_uuid: runId,
        source_type: 'DATASET',
        source_id: id,
        tags: JSON.stringify(d.tags.map((t) => ({ key: t.key, value: t.value }))),
      })
      .onConflict((oc) => oc.doNothing())
      .execute();
  }
  const models = [...new Set(modelIds)];
  if (models.length > 0) {
    await db
      .insertInto('run_inputs')
      .values(models.map((m) => ({ run_uuid: runId, source_type: 'MODEL', source_id: m, tags: null })))
      .onConflict((oc) => oc.doNothing())
      .execute();
  }
}

function pointRow(runId: string, m: Metric) {
  return { run_uuid: runId, key: m.key, ...metricColumns(m.value), timestamp: m.timestamp, step: m.step };
}

function isNewer(a: { step: number; timestamp: number; value: number }, b: { step: number; timestamp: number; value: number }): boolean {
  if (a.step !== b.step) return a.step > b.step;
  if (a.timestamp !== b.timestamp) return a.timestamp > b.timestamp;
  return a.value > b.value;
}

export function parseTags(text: string | null): Tag[] {
  if (!text) return [];
  try {
    const parsed: unknown = JSON.parse(text);
    return Array.isArray(parsed) ? (parsed as Tag[]) : [];
  } catch {
    return [];
  }
}

export function toRunInfo(r: RunRow): RunInfo {
  return {
    runId: r.run_uuid,
    experimentId: r.experiment_id,
    runName: r.name,
    userId: r.user_id,
    status: r.status as RunStatus,
    startTime: r.start_time === null ? null : Number(r.start_time),
    endTime: r.end_time === null ? null : Number(r.end_time),
    artifactUri: r.artifact_uri,
    lifecycleStage: r.lifecycle_stage as LifecycleStage,
  };
}

export function toMetric(r: {
  key: string;
  value: number;
  is_nan: number;
  timestamp: number;
  step: number;
  dataset_name?: string | null;
  dataset_digest?: string | null;
}): Metric {
  return {
    key: r.key,
    value: metricValue(r),
    timestamp: Number(r.timestamp),
    step: Number(r.step),
    datasetName: r.dataset_name ?? null,
    datasetDigest: r.dataset_digest ?? null,
  };
}

/** NaN is stored as 0 with is_nan = 1 (SQLite binds NaN as NULL). */
export function metricColumns(value: number): { value: number; is_nan: number } {
  return Number.isNaN(value) ? { value: 0, is_nan: 1 } : { value, is_nan: 0 };
}

export function metricValue(row: { value: number; is_nan: number }): number {
  return row.is_nan ? Number.NaN : Number(row.value);
}
