/**
 * Reading tracking request messages the way MLflow's server does (server/handlers.py:
 * _get_request_message and the per-endpoint schemas): proto JSON scalars (doubles as numbers or
 * "NaN"/"Infinity" strings, int64 as numbers or decimal strings, enums by name or number),
 * `run_id` with the legacy `run_uuid` fallback, and MLflow's messages for missing or mistyped
 * fields.
 */
import { invalidParameter } from '../errors.js';
import { requestMissing, requestWrongType, type RequestMessage } from '../request.js';
import type { DatasetInput, Metric, ModelOutput, RunStatus, Tag, ViewType } from '../../store/tracking-store.js';

type Raw = Readonly<Record<string, unknown>>;

/** `run_id`, or the legacy `run_uuid` when run_id is absent (clients send both). */
export function runIdOf(msg: RequestMessage): string {
  const raw = msg.raw.run_id ?? msg.raw.run_uuid;
  const v = msg.fromQuery && Array.isArray(raw) ? raw[0] : raw;
  if (v === undefined || v === null || v === '') throw requestMissing('run_id');
  if (typeof v !== 'string') throw requestWrongType('run_id', v);
  return v;
}

/** A proto double: a JSON number, or a string ("NaN", "Infinity", "-Infinity", "1.5"). */
export function parseDouble(field: string, v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    const s = v.trim();
    if (s === 'NaN') return Number.NaN;
    if (s === 'Infinity') return Number.POSITIVE_INFINITY;
    if (s === '-Infinity') return Number.NEGATIVE_INFINITY;
    if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) return Number(s);
  }
  throw requestWrongType(field, v);
}

/** A proto int64: a JSON integer or a decimal string. */
export function parseInt64(field: string, v: unknown): number {
  if (typeof v === 'number' && Number.isSafeInteger(v)) return v;
  if (typeof v === 'string' && /^\s*[+-]?\d+\s*$/.test(v) && Number.isSafeInteger(Number(v))) return Number(v);
  throw requestWrongType(field, v);
}

/** A scalar field, the first value when a query string repeats it. */
function scalar(msg: RequestMessage, field: string): unknown {
  const v = msg.raw[field];
  return msg.fromQuery && Array.isArray(v) ? v[0] : v;
}

const VIEW_TYPES: readonly (ViewType | undefined)[] = [undefined, 'ACTIVE_ONLY', 'DELETED_ONLY', 'ALL'];

/** ViewType by name or number; absent means ACTIVE_ONLY. */
export function viewTypeOf(msg: RequestMessage, field: string): ViewType {
  const v = scalar(msg, field);
  if (v === undefined || v === null || v === '') return 'ACTIVE_ONLY';
  if (typeof v === 'string' && VIEW_TYPES.includes(v as ViewType)) return v as ViewType;
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : -1;
  const found = VIEW_TYPES[n];
  if (found) return found;
  throw requestWrongType(field, v);
}

const RUN_STATUSES: readonly (RunStatus | undefined)[] = [undefined, 'RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED'];

/** RunStatus by name or number. */
export function runStatusOf(msg: RequestMessage, field: string): RunStatus | undefined {
  const v = scalar(msg, field);
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string' && RUN_STATUSES.includes(v as RunStatus)) return v as RunStatus;
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : -1;
  const found = RUN_STATUSES[n];
  if (found) return found;
  throw requestWrongType(field, v);
}

/** An optional string field that may also be absent as ''. */
function optionalStringAt(entry: Raw, field: string, path: string): string | undefined {
  const v = entry[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw requestWrongType(path, v);
  return v;
}

function requiredStringAt(entry: Raw, field: string, path: string): string {
  const v = optionalStringAt(entry, field, path);
  if (v === undefined || v === '') throw requestMissing(path);
  return v;
}

/** `[{key, value}]` with MLflow's per-entry paths (`params[0].key`); a missing value reads as ''. */
export function keyValuesOf(msg: RequestMessage, field: string): Tag[] {
  return msg.objects(field).map((entry, i) => ({
    key: requiredStringAt(entry, 'key', `${field}[${i}].key`),
    value: optionalStringAt(entry, 'value', `${field}[${i}].value`) ?? '',
  }));
}

/** The metrics of a log-batch request; key, value and timestamp are required. */
export function metricsOf(msg: RequestMessage, field = 'metrics'): Metric[] {
  const entries = msg.objects(field);
  entries.forEach((m, i) => {
    for (const f of ['key', 'value', 'timestamp']) {
      if (m[f] === undefined || m[f] === null || m[f] === '') throw requestMissing(`${field}[${i}].${f}`);
    }
  });
  return entries.map((m, i) => {
    const metric: Metric = {
      key: requiredStringAt(m, 'key', `${field}[${i}].key`),
      value: parseDouble(`${field}[${i}].value`, m.value),
      timestamp: parseInt64(`${field}[${i}].timestamp`, m.timestamp),
      step: m.step === undefined || m.step === null ? 0 : parseInt64(`${field}[${i}].step`, m.step),
      modelId: optionalStringAt(m, 'model_id', `${field}[${i}].model_id`) || null,
      datasetName: optionalStringAt(m, 'dataset_name', `${field}[${i}].dataset_name`) || null,
      datasetDigest: optionalStringAt(m, 'dataset_digest', `${field}[${i}].dataset_digest`) || null,
    };
    return metric;
  });
}

/** The single metric of a log-metric request (fields at the top level). */
export function metricOf(msg: RequestMessage): Metric {
  const key = msg.string('key');
  const rawValue = scalar(msg, 'value');
  if (rawValue === undefined || rawValue === null || rawValue === '') throw requestMissing('value');
  const value = parseDouble('value', rawValue);
  const rawTimestamp = scalar(msg, 'timestamp');
  if (rawTimestamp === undefined || rawTimestamp === null || rawTimestamp === '') throw requestMissing('timestamp');
  const timestamp = parseInt64('timestamp', rawTimestamp);
  const rawStep = scalar(msg, 'step');
  const step = rawStep === undefined || rawStep === null ? 0 : parseInt64('step', rawStep);
  return {
    key,
    value,
    timestamp,
    step,
    modelId: msg.optionalString('model_id') || null,
    datasetName: msg.optionalString('dataset_name') || null,
    datasetDigest: msg.optionalString('dataset_digest') || null,
  };
}

/** `datasets: [{tags: [...], dataset: {name, digest, source_type, source, schema, profile}}]`. */
export function datasetInputsOf(msg: RequestMessage): DatasetInput[] {
  return msg.objects('datasets').map((entry, i) => {
    const raw = entry.dataset;
    if (raw === undefined || raw === null) throw invalidParameter('Dataset cannot be None');
    if (typeof raw !== 'object' || Array.isArray(raw)) throw requestWrongType(`datasets[${i}].dataset`, raw);
    const d = raw as Raw;
    const path = (f: string) => `datasets[${i}].dataset.${f}`;
    const tagsRaw = entry.tags ?? [];
    if (!Array.isArray(tagsRaw)) throw requestWrongType(`datasets[${i}].tags`, tagsRaw);
    const tags = (tagsRaw as Raw[]).map((t, j) => {
      const key = optionalStringAt(t, 'key', `datasets[${i}].tags[${j}].key`);
      const value = optionalStringAt(t, 'value', `datasets[${i}].tags[${j}].value`);
      if (key === undefined) throw invalidParameter('InputTag key cannot be None');
      if (value === undefined) throw invalidParameter('InputTag value cannot be None');
      return { key, value };
    });
    const required = (f: string, label: string) => {
      const v = optionalStringAt(d, f, path(f));
      if (v === undefined) throw invalidParameter(`Dataset ${label} cannot be None`);
      return v;
    };
    return {
      tags,
      dataset: {
        name: required('name', 'name'),
        digest: required('digest', 'digest'),
        sourceType: required('source_type', 'source_type'),
        source: required('source', 'source'),
        schema: optionalStringAt(d, 'schema', path('schema')) ?? null,
        profile: optionalStringAt(d, 'profile', path('profile')) ?? null,
      },
    };
  });
}

/** `models: [{model_id, step?}]` of log-inputs and runs/outputs. */
export function modelRefsOf(msg: RequestMessage): ModelOutput[] {
  return msg.objects('models').map((entry, i) => ({
    modelId: requiredStringAt(entry, 'model_id', `models[${i}].model_id`),
    step: entry.step === undefined || entry.step === null ? 0 : parseInt64(`models[${i}].step`, entry.step),
  }));
}
