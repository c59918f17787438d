/**
 * The tracking request fields that need more than one primitive, read the way MLflow's server does
 * (server/handlers.py: _get_request_message and the per-endpoint schemas): `run_id` with the legacy
 * `run_uuid` fallback, the enums by name or number, and the nested metric, dataset and model lists
 * with MLflow's per-entry paths (`metrics[0].value`). Each is a thin reader over RequestMessage.
 */
import { invalidParameter } from '../errors.js';
import type { RequestMessage } from '../request-message.js';
import type { DatasetInput, Metric, ModelOutput, RunStatus, Tag, ViewType } from '../../store/tracking-store.js';

/** `run_id`, or the legacy `run_uuid` when run_id is absent (clients send both). */
export function runIdOf(msg: RequestMessage): string {
  return msg.string(msg.has('run_id') || !msg.has('run_uuid') ? 'run_id' : 'run_uuid', 'run_id');
}

/** `tags` / `params` of tracking requests: entries named `tags[0].key`, a non-empty key required. */
export function keyValuesOf(msg: RequestMessage, field: string): Tag[] {
  return msg.keyValues(field, { indexedPaths: true });
}

const VIEW_TYPES: readonly (ViewType | undefined)[] = [undefined, 'ACTIVE_ONLY', 'DELETED_ONLY', 'ALL'];

/** ViewType by name or number; absent (or '') means ACTIVE_ONLY. */
export function viewTypeOf(msg: RequestMessage, field: string): ViewType {
  if (msg.scalar(field) === '') return 'ACTIVE_ONLY';
  return msg.enum(field, VIEW_TYPES) ?? 'ACTIVE_ONLY';
}

const RUN_STATUSES: readonly (RunStatus | undefined)[] = [undefined, 'RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED'];

/** RunStatus by name or number. */
export function runStatusOf(msg: RequestMessage, field: string): RunStatus | undefined {
  return msg.enum(field, RUN_STATUSES);
}

/** A metric's fields, at the top level (log-metric) or in a list entry (log-batch). */
function metricFields(m: RequestMessage): Metric {
  return {
    key: m.string('key'),
    value: m.double('value'),
    timestamp: m.int64('timestamp'),
    step: m.optionalInt64('step') ?? 0,
    modelId: m.optionalString('model_id') || null,
    datasetName: m.optionalString('dataset_name') || null,
    datasetDigest: m.optionalString('dataset_digest') || null,
  };
}

/** The metrics of a log-batch request; key, value and timestamp are checked present in every entry first. */
export function metricsOf(msg: RequestMessage, field = 'metrics'): Metric[] {
  const entries = msg.messages(field, { indexedPaths: true });
  for (const m of entries) {
    for (const f of ['key', 'value', 'timestamp']) {
      if (!m.has(f) || m.scalar(f) === '') throw m.missing(f);
    }
  }
  return entries.map(metricFields);
}

/** The single metric of a log-metric request (fields at the top level). */
export function metricOf(msg: RequestMessage): Metric {
  return metricFields(msg);
}

/** `datasets: [{tags: [...], dataset: {name, digest, source_type, source, schema, profile}}]`. */
export function datasetInputsOf(msg: RequestMessage): DatasetInput[] {
  return msg.messages('datasets', { indexedPaths: true }).map((entry) => {
    const d = entry.message('dataset');
    if (d === undefined) throw invalidParameter('Dataset cannot be None');
    const tags = entry.messages('tags', { indexedPaths: true }).map((t) => {
      const key = t.optionalString('key');
      const value = t.optionalString('value');
      if (key === undefined) throw invalidParameter('InputTag key cannot be None');
      if (value === undefined) throw invalidParameter('InputTag value cannot be None');
      return { key, value };
    });
    const required = (f: string) => {
      const v = d.optionalString(f);
      if (v === undefined) throw invalidParameter(`Dataset ${f} cannot be None`);
      return v;
    };
    return {
      tags,
      dataset: {
        name: required('name'),
        digest: required('digest'),
        sourceType: required('source_type'),
        source: required('source'),
        schema: d.optionalString('schema') ?? null,
        profile: d.optionalString('profile') ?? null,
      },
    };
  });
}

/** `models: [{model_id, step?}]` of log-inputs and runs/outputs. */
export function modelRefsOf(msg: RequestMessage): ModelOutput[] {
  return msg.messages('models', { indexedPaths: true }).map((entry) => ({
    modelId: entry.string('model_id'),
    step: entry.optionalInt64('step') ?? 0,
  }));
}
