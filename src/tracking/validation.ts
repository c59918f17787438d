/**
 * Tracking input rules with MLflow's messages (mlflow/utils/validation.py and the request-schema
 * checks of mlflow/server/handlers.py), so that clients and MLflow's own tests that match on them
 * keep working.
 */
import { invalidParameter } from '../protocol/errors.js';
import {
  MAX_DATASET_DIGEST_SIZE,
  MAX_DATASET_NAME_SIZE,
  MAX_DATASET_PROFILE_SIZE,
  MAX_DATASET_SCHEMA_SIZE,
  MAX_DATASET_SOURCE_SIZE,
  MAX_ENTITIES_PER_BATCH,
  MAX_ENTITY_KEY_LENGTH,
  MAX_EXPERIMENT_NAME_LENGTH,
  MAX_EXPERIMENT_TAG_VAL_LENGTH,
  MAX_INPUT_TAG_KEY_SIZE,
  MAX_INPUT_TAG_VALUE_SIZE,
  MAX_METRICS_PER_BATCH,
  MAX_PARAMS_TAGS_PER_BATCH,
  MAX_PARAM_VAL_LENGTH,
  MAX_TAG_VAL_LENGTH,
} from '../protocol/limits.js';
import { pythonRepr } from '../protocol/python-repr.js';
import {
  badPathMessage,
  exceedsMaxLength,
  invalidValue,
  pathNotUnique,
  posixNormpath,
  pythonFloat,
} from '../protocol/validation-messages.js';
import type { Metric, Tag } from '../store/tracking-store.js';

export { MAX_ARTIFACT_LOCATION_LENGTH } from '../protocol/limits.js';

// ---- names and lengths (utils/validation.py) ---------------------------------------------------

const NAME_CHARS = /^[/\w.\- :]*$/u;
const BAD_CHARACTERS =
  'Names may only contain alphanumerics, underscores (_), dashes (-), periods (.), spaces ( ), colon(:) and slashes (/).';

/** validation._validate_param_name / _validate_tag_name / _validate_metric_name. */
export function validateEntityName(name: string, path: string): void {
  if (!NAME_CHARS.test(name)) throw invalidParameter(invalidValue(path, name, BAD_CHARACTERS));
  if (pathNotUnique(name)) throw invalidParameter(invalidValue(path, name, badPathMessage(pythonRepr(posixNormpath(name)))));
}

/** validation._validate_length_limit: over-long values are cut (MLflow's default, MLFLOW_TRUNCATE_LONG_VALUES). */
export function lengthLimit(entity: string, limit: number, value: string, truncate = false): string {
  if (value.length <= limit) return value;
  if (truncate) return value.slice(0, limit);
  throw invalidParameter(exceedsMaxLength(entity, limit));
}

/** JSON-path join as validation.append_to_json_path. */
function at(path: string, field: string): string {
  return path ? `${path}.${field}` : field;
}

/** validation._validate_param; returns the param with its value cut to 6000 characters. */
export function validateParam(p: Tag, path = ''): Tag {
  validateEntityName(p.key, at(path, 'key'));
  return {
    key: lengthLimit('Param key', MAX_ENTITY_KEY_LENGTH, p.key),
    value: lengthLimit('Param value', MAX_PARAM_VAL_LENGTH, p.value, true),
  };
}

/** validation._validate_tag; returns the tag with its value cut to 8000 characters. */
export function validateRunTag(t: Tag, path = ''): Tag {
  validateEntityName(t.key, at(path, 'key'));
  return {
    key: lengthLimit(at(path, 'key'), MAX_ENTITY_KEY_LENGTH, t.key),
    value: lengthLimit(at(path, 'value'), MAX_TAG_VAL_LENGTH, t.value, true),
  };
}

/** validation._validate_experiment_tag. */
export function validateExperimentTag(t: Tag): void {
  validateEntityName(t.key, 'key');
  lengthLimit('key', MAX_ENTITY_KEY_LENGTH, t.key);
  lengthLimit('value', MAX_EXPERIMENT_TAG_VAL_LENGTH, t.value);
}

/** validation._validate_metric. */
export function validateMetric(m: Metric, path = ''): void {
  validateEntityName(m.key, at(path, 'name'));
  if (m.timestamp < 0) {
    throw invalidParameter(
      invalidValue(
        at(path, 'timestamp'),
        m.timestamp,
        `metric '${m.key}' (value=${pythonFloat(m.value)}). Timestamp must be a nonnegative long (64-bit integer) `,
      ),
    );
  }
  lengthLimit('Metric name', MAX_ENTITY_KEY_LENGTH, m.key);
}

const RUN_ID = /^[a-zA-Z0-9][\w-]{0,255}$/;

/** validation._validate_run_id (log-batch, log-inputs). */
export function validateRunId(runId: string): void {
  if (!RUN_ID.test(runId)) throw invalidParameter(invalidValue('run_id', runId));
}

function batchLimit(entity: string, limit: number, length: number): void {
  if (length > limit) {
    throw invalidParameter(
      `A batch logging request can contain at most ${limit} ${entity}. Got ${length} ${entity}. ` +
        `Please split up ${entity} across multiple requests and try again.`,
    );
  }
}

/** validation._validate_batch_log_limits and _validate_param_keys_unique. */
export function validateBatchLimits(metrics: number, params: readonly Tag[], tags: number): void {
  batchLimit('metrics', MAX_METRICS_PER_BATCH, metrics);
  batchLimit('params', MAX_PARAMS_TAGS_PER_BATCH, params.length);
  batchLimit('tags', MAX_PARAMS_TAGS_PER_BATCH, tags);
  batchLimit('metrics, params, and tags', MAX_ENTITIES_PER_BATCH, metrics + params.length + tags);
  const seen = new Set<string>();
  const dupes: string[] = [];
  for (const p of params) {
    if (seen.has(p.key)) dupes.push(p.key);
    seen.add(p.key);
  }
  if (dupes.length > 0) {
    throw invalidParameter(
      `Duplicate parameter keys have been submitted: ${pythonRepr(dupes)}. Please ensure the request contains only one ` +
        'param value per param key.',
    );
  }
}

/** validation._validate_experiment_name. */
export function validateExperimentName(name: string): void {
  if (name === '') throw invalidParameter("Invalid experiment name: ''");
  if (name.length > MAX_EXPERIMENT_NAME_LENGTH) throw invalidParameter(exceedsMaxLength('name', MAX_EXPERIMENT_NAME_LENGTH));
}

/** validation._parse_experiment_id: Python's int() of the string. */
export function parseExperimentId(raw: string): number {
  const trimmed = raw.trim();
  if (!/^[+-]?\d+(?:_\d+)*$/.test(trimmed) || !Number.isSafeInteger(Number(trimmed.replace(/_/g, '')))) {
    throw invalidParameter(`Invalid experiment ID '${raw}'. Experiment ID must be a valid integer.`);
  }
  return Number(trimmed.replace(/_/g, ''));
}

const LOGGED_MODEL_NAME_BAD_CHARS = ['/', ':', '.', '%', '"', "'"];

/** validation._validate_logged_model_name. */
export function validateLoggedModelName(name: string): void {
  if (name === '' || LOGGED_MODEL_NAME_BAD_CHARS.some((c) => name.includes(c))) {
    throw invalidParameter(
      `Invalid model name (${pythonRepr(name)}) provided. Model name must be a non-empty string and cannot contain the ` +
        `following characters: ('/', ':', '.', '%', '"', "'")`,
    );
  }
}

/** validation._validate_dataset and _validate_input_tag. */
export function validateDatasetInput(d: { tags: readonly Tag[]; dataset: Record<string, string | null> }): void {
  const ds = d.dataset;
  for (const [field, label] of [
    ['name', 'name'],
    ['digest', 'digest'],
    ['sourceType', 'source_type'],
    ['source', 'source'],
  ] as const) {
    if (ds[field] === null || ds[field] === undefined) throw invalidParameter(`Dataset ${label} cannot be None`);
  }
  const limits: ReadonlyArray<readonly [string, string, number]> = [
    ['name', 'name', MAX_DATASET_NAME_SIZE],
    ['digest', 'digest', MAX_DATASET_DIGEST_SIZE],
    ['source', 'source', MAX_DATASET_SOURCE_SIZE],
    ['schema', 'schema', MAX_DATASET_SCHEMA_SIZE],
    ['profile', 'profile', MAX_DATASET_PROFILE_SIZE],
  ];
  for (const [field, label, limit] of limits) {
    const v = ds[field];
    if (typeof v === 'string' && v.length > limit) throw invalidParameter(exceedsMaxLength(label, limit));
  }
  for (const t of d.tags) {
    if (t.key.length > MAX_INPUT_TAG_KEY_SIZE) throw invalidParameter(exceedsMaxLength('key', MAX_INPUT_TAG_KEY_SIZE));
    if (t.value.length > MAX_INPUT_TAG_VALUE_SIZE) throw invalidParameter(exceedsMaxLength('value', MAX_INPUT_TAG_VALUE_SIZE));
  }
}
