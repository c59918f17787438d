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

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A tag or param value: JSON strings, and numbers and booleans as their JSON text. */
function scalarText(v: unknown, where: string): string {
  if (typeof v === 'string') {
    // PostgreSQL cannot store NUL in text, and no MLflow value needs one.
    if (v.includes('\u0000')) throw bad(`${where} contains a NUL character`);
    return v;
  }
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v === 'boolean') return String(v);
  throw bad(`${where} must be a string`);
}

function optionalString(obj: Record<string, unknown>, field: string): string | null {
  const v = obj[field];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string') throw bad(`'${field}' must be a string`);
  if (v.includes('\u0000')) throw bad(`'${field}' contains a NUL character`);
  return v;
}

/** `{"k": "v"}` or `[{"key": "k", "value": "v"}]`. */
function keyValues(v: unknown, field: string): Tag[] {
  if (v === undefined || v === null) return [];
  if (Array.isArray(v)) {
    return v.map((item, i) => {
      if (!isObject(item) || typeof item.key !== 'string') throw bad(`'${field}[${i}]' must be an object with 'key' and 'value'`);
      return { key: item.key, value: scalarText(item.value, `'${field}[${i}].value'`) };
    });
  }
  if (isObject(v)) return Object.entries(v).map(([key, value]) => ({ key, value: scalarText(value, `'${field}.${key}'`) }));
  throw bad(`'${field}' must be an object of key/value pairs or a list of {key, value}`);
}

function metricsOf(v: unknown, now: number): Metric[] {
  if (v === undefined || v === null) return [];
  const number = (x: unknown, where: string): number => {
    if (typeof x !== 'number' || !Number.isFinite(x)) throw bad(`${where} must be a number`);
    return x;
  };
  const integer = (x: unknown, where: string, fallback: number): number => {
    if (x === undefined || x === null) return fallback;
    if (typeof x !== 'number' || !Number.isSafeInteger(x)) throw bad(`${where} must be an integer`);
    return x;
  };
  if (Array.isArray(v)) {
    return v.map((item, i) => {
      if (!isObject(item) || typeof item.key !== 'string') throw bad(`'metrics[${i}]' must be an object with 'key' and 'value'`);
      return {
        key: item.key,
        value: number(item.value, `'metrics[${i}].value'`),
        timestamp: integer(item.timestamp, `'metrics[${i}].timestamp'`, now),
        step: integer(item.step, `'metrics[${i}].step'`, 0),
      };
    });
  }
  if (isObject(v)) {
    return Object.entries(v).map(([key, value]) => ({ key, value: number(value, `'metrics.${key}'`), timestamp: now, step: 0 }));
  }
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
  const unknown = Object.keys(raw).filter((k) => !FIELDS.includes(k));
  if (unknown.length > 0) {
    throw bad(`unknown field${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `'${k}'`).join(', ')} (known: ${FIELDS.join(', ')})`);
  }

  const description = optionalString(raw, 'description');
  validateDescription(description);
  const tags = keyValues(raw.tags, 'tags');
  for (const t of tags) validateTag(t.key, t.value);

  const aliasesRaw = raw.aliases ?? [];
  if (!Array.isArray(aliasesRaw) || aliasesRaw.some((a) => typeof a !== 'string')) throw bad("'aliases' must be a list of strings");
  const aliases = [...new Set(aliasesRaw as string[])];
  for (const a of aliases) {
    validateAliasName(a);
    validateAliasNotReserved(a);
  }

  const params = keyValues(raw.params, 'params').map((p, i) => validateParam(p, `params[${i}]`));
  const metrics = metricsOf(raw.metrics, now);
  metrics.forEach((m, i) => validateMetric(m, `metrics[${i}]`));
  validateBatchLimits(metrics.length, params, 0);

  const runId = optionalString(raw, 'run_id');
  if (runId !== null) validateRunId(runId);
  const experimentName = optionalString(raw, 'experiment_name');
  if (experimentName !== null) validateExperimentName(experimentName);
  if (runId !== null && experimentName !== null) {
    throw bad("give 'run_id' (files go to that run) or 'experiment_name' (a new run is created there), not both");
  }

  const artifactPathRaw = optionalString(raw, 'artifact_path');
  const artifactPath = artifactPathRaw === null ? DEFAULT_ARTIFACT_PATH : artifactPathRaw.replace(/\/+$/, '');
  if (artifactPath === '') throw bad("'artifact_path' must name a directory, e.g. 'model'");
  checkRelativePath(artifactPath, "'artifact_path'");

  return { description, tags, aliases, params, metrics, runId, experimentName, artifactPath };
}
