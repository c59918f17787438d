/**
 * The `metadata` part of a native publish: what the new model version records besides its files.
 * Everything is checked here, before anything is created, so that bad input costs nothing.
 *
 *   {
 *     "description": "…",                          version description
 *     "tags": {"k": "v"} | [{"key": "k", "value": "v"}],   version tags
 *     "aliases": ["champion"],                      set once the version is READY
 *     "params": {"k": "v"} | [{key, value}],        logged on the run
 *     "metrics": {"k": 0.9} | [{key, value, step?, timestamp?}],
 *     "run_id": "…",                                an existing run instead of a new one
 *     "experiment_name": "…",                       experiment of the new run (default: Default)
 *     "artifact_path": "model"                      the model directory inside the run (default)
 *   }
 */
import { invalidParameter } from '../protocol/errors.js';
import { RequestMessage, type DecodeMessages } from '../protocol/request-message.js';
import type { Metric, Tag } from '../store/tracking-store.js';
import {
  validateAliasName,
  validateAliasNotReserved,
  validateDescription,
  validateTag,
} from '../registry/validation.js';
import { validateBatchLimits, validateExperimentName, validateMetric, validateParam, validateRunId } from '../tracking/validation.js';
import { checkRelativePath } from './file-names.js';

export const DEFAULT_ARTIFACT_PATH = 'model';
/** The metadata part is JSON of at most this many bytes. */
export const MAX_METADATA_BYTES = 1024 * 1024;

export interface PublishMetadata {
  readonly description: string | null;
  readonly tags: readonly Tag[];
  readonly aliases: readonly string[];
  readonly params: readonly Tag[];
  readonly metrics: readonly Metric[];
  readonly runId: string | null;
  readonly experimentName: string | null;
  readonly artifactPath: string;
}

const FIELDS = ['description', 'tags', 'aliases', 'params', 'metrics', 'run_id', 'experiment_name', 'artifact_path'];

function bad(message: string): Error {
  return invalidParameter(`Invalid metadata: ${message}`);
}

/** The metadata part's own wording for the request decoder's errors. */
const METADATA_MESSAGES: DecodeMessages = {
  missing: (path) => bad(`'${path}' is required`),
  wrongType: (path, _value, expected) => bad(`'${path}' must be ${expected}`),
  nul: (path) => bad(`'${path}' contains a NUL character`),
};

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A tag or param value: JSON strings, and numbers and booleans as their JSON text. */
function scalarText(msg: RequestMessage, field: string): string {
  const v = msg.optionalScalarText(field);
  if (v === undefined) throw msg.wrongType(field, undefined, 'a string');
  return v;
}

/** Every entry of a `[{key, ...}]` list must be an object with a string key. */
function checkEntries(list: readonly unknown[], field: string): void {
  list.forEach((item, i) => {
    if (!isObject(item) || typeof item.key !== 'string') throw bad(`'${field}[${i}]' must be an object with 'key' and 'value'`);
  });
}

/** `{"k": "v"}` or `[{"key": "k", "value": "v"}]`. */
function keyValues(msg: RequestMessage, field: string): Tag[] {
  const v = msg.raw[field];
  if (v === undefined || v === null) return [];
  if (Array.isArray(v)) {
    checkEntries(v, field);
    return msg.messages(field, { indexedPaths: true }).map((e) => ({ key: e.presentString('key'), value: scalarText(e, 'value') }));
  }
  const map = isObject(v) ? msg.message(field) : undefined;
  if (map) return map.fields().map((key) => ({ key, value: scalarText(map, key) }));
  throw bad(`'${field}' must be an object of key/value pairs or a list of {key, value}`);
}

function metricsOf(msg: RequestMessage, now: number): Metric[] {
  const v = msg.raw.metrics;
  if (v === undefined || v === null) return [];
  const number = (m: RequestMessage, field: string): number => {
    const x = m.optionalDouble(field);
    if (x === undefined) throw m.wrongType(field, x, 'a number');
    return x;
  };
  if (Array.isArray(v)) {
    checkEntries(v, 'metrics');
    return msg.messages('metrics', { indexedPaths: true }).map((m) => ({
      key: m.presentString('key'),
      value: number(m, 'value'),
      timestamp: m.optionalInt64('timestamp') ?? now,
      step: m.optionalInt64('step') ?? 0,
    }));
  }
  const map = isObject(v) ? msg.message('metrics') : undefined;
  if (map) return map.fields().map((key) => ({ key, value: number(map, key), timestamp: now, step: 0 }));
  throw bad(`'metrics' must be an object of name/number pairs or a list of {key, value, step?, timestamp?}`);
}

/** Parses and checks the metadata part; throws INVALID_PARAMETER_VALUE with the reason. */
export function parseMetadata(text: string, now: number): PublishMetadata {
  let raw: unknown;
  try {
    raw = text.trim() === '' ? {} : JSON.parse(text);
  } catch (err) {
    throw bad(`not valid JSON (${(err as Error).message})`);
  }
  if (!isObject(raw)) throw bad('it must be a JSON object');
  // The native format takes JSON numbers only, not proto JSON's numbers in strings.
  const msg = new RequestMessage(raw, false, { messages: METADATA_MESSAGES, jsonNumbersOnly: true });
  const unknown = msg.fields().filter((k) => !FIELDS.includes(k));
  if (unknown.length > 0) {
    throw bad(`unknown field${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `'${k}'`).join(', ')} (known: ${FIELDS.join(', ')})`);
  }

  const description = msg.optionalString('description') ?? null;
  validateDescription(description);
  const tags = keyValues(msg, 'tags');
  for (const t of tags) validateTag(t.key, t.value);

  const aliases = [...new Set(msg.strings('aliases'))];
  for (const a of aliases) {
    validateAliasName(a);
    validateAliasNotReserved(a);
  }

  const params = keyValues(msg, 'params').map((p, i) => validateParam(p, `params[${i}]`));
  const metrics = metricsOf(msg, now);
  metrics.forEach((m, i) => validateMetric(m, `metrics[${i}]`));
  validateBatchLimits(metrics.length, params, 0);

  const runId = msg.optionalString('run_id') ?? null;
  if (runId !== null) validateRunId(runId);
  const experimentName = msg.optionalString('experiment_name') ?? null;
  if (experimentName !== null) validateExperimentName(experimentName);
  if (runId !== null && experimentName !== null) {
    throw bad("give 'run_id' (files go to that run) or 'experiment_name' (a new run is created there), not both");
  }

  const artifactPathRaw = msg.optionalString('artifact_path') ?? null;
  const artifactPath = artifactPathRaw === null ? DEFAULT_ARTIFACT_PATH : artifactPathRaw.replace(/\/+$/, '');
  if (artifactPath === '') throw bad("'artifact_path' must name a directory, e.g. 'model'");
  checkRelativePath(artifactPath, "'artifact_path'");

  return { description, tags, aliases, params, metrics, runId, experimentName, artifactPath };
}
