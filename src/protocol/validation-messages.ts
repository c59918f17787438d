/**
 * MLflow's validation message templates and the generic name checks behind them
 * (mlflow/utils/validation.py and the request-schema checks of mlflow/server/handlers.py), in one
 * place for the registry, tracking and the request decoder. Clients and MLflow's own tests match on
 * these texts, so they are byte-for-byte MLflow's; entity-specific rules live in
 * registry/validation.ts and tracking/validation.ts.
 */
import { invalidParameter } from './errors.js';

/** Appended by server/handlers.py: _validate_param_against_schema to every request-schema message. */
export const API_DOCS_HINT = ' See the API docs for more information about request parameters.';

/** validation.missing_value. */
export function missingValue(field: string): string {
  return `Missing value for required parameter '${field}'.`;
}

/**
 * validation.invalid_value: the value as `json.dumps(value, sort_keys=True, separators=(",", ":"))`.
 * `shown` replaces the rendering when the caller has the value's JSON text as Python would print it
 * (see json-source.ts: a `9.0` in the body is a float to MLflow).
 */
export function invalidValue(field: string, value: unknown, detail?: string, shown = compactJson(value)): string {
  return detail
    ? `Invalid value ${shown} for parameter '${field}' supplied: ${detail}`
    : `Invalid value ${shown} for parameter '${field}' supplied.`;
}

/** validation.exceeds_maximum_length. */
export function exceedsMaxLength(field: string, limit: number): string {
  return `'${field}' exceeds the maximum length of ${limit} characters`;
}

/** The request-schema "required" message (server/handlers.py: _validate_param_against_schema). */
export function requestMissing(field: string): Error {
  return invalidParameter(`${missingValue(field)}${API_DOCS_HINT}`);
}

/**
 * The request-schema type message (server/handlers.py: _validate_param_against_schema): the value,
 * then `type(value).__name__`. `shown` and `typeName` come from the raw JSON text when the decoder
 * has it; otherwise they are derived from the parsed value.
 */
export function requestWrongType(field: string, value: unknown, shown?: string, typeName = pythonTypeName(value)): Error {
  return invalidParameter(`${invalidValue(field, value, ` Hint: Value was of type '${typeName}'.`, shown)}${API_DOCS_HINT}`);
}

/** Python's `type(value).__name__` of a value decoded by json.loads. */
export function pythonTypeName(value: unknown): string {
  if (value === null) return 'NoneType';
  if (Array.isArray(value)) return 'list';
  switch (typeof value) {
    case 'string':
      return 'str';
    case 'boolean':
      return 'bool';
    case 'number':
      return Number.isInteger(value) ? 'int' : 'float';
    default:
      return 'dict';
  }
}

/** Compact, key-sorted JSON, as validation.invalid_value renders a value. */
export function compactJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/** Python's repr of a float (`1.0`, `1e+16`, `1.5e-05`, `nan`, `inf`). */
export function pythonFloat(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (Object.is(x, -0)) return '-0.0';
  const abs = Math.abs(x);
  if (abs !== 0 && (abs >= 1e16 || abs < 1e-4)) {
    return x.toExponential().replace(/e([+-])(\d)$/, 'e$10$2');
  }
  return Number.isInteger(x) ? x.toFixed(1) : String(x);
}

/** posixpath.normpath, for the "name must not resolve to another name" rule. */
export function posixNormpath(p: string): string {
  if (p === '') return '.';
  const initialSlashes = p.startsWith('/') ? (p.startsWith('//') && !p.startsWith('///') ? 2 : 1) : 0;
  const out: string[] = [];
  for (const comp of p.split('/')) {
    if (comp === '' || comp === '.') continue;
    if (comp !== '..' || (initialSlashes === 0 && out.length === 0) || (out.length > 0 && out[out.length - 1] === '..')) {
      out.push(comp);
    } else if (out.length > 0) {
      out.pop();
    }
  }
  const joined = '/'.repeat(initialSlashes) + out.join('/');
  return joined === '' ? '.' : joined;
}

/** validation.path_not_unique: names are sometimes used as paths and must not alias other names. */
export function pathNotUnique(name: string): boolean {
  const norm = posixNormpath(name);
  return norm !== name || norm === '.' || norm.startsWith('..') || norm.startsWith('/');
}

/** The detail of validation.bad_path_message; `resolved` is the normalised name as the caller quotes it. */
export function badPathMessage(resolved: string): string {
  return (
    'Names may be treated as files in certain cases, and must not resolve to other names' +
    ` when treated as such. This name would resolve to ${resolved}`
  );
}
