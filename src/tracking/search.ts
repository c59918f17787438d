/**
 * Search filters and order_by for experiments, runs and logged models, following MLflow 3.x
 * (mlflow/utils/search_utils.py: SearchUtils, SearchExperimentsUtils; mlflow/utils/
 * search_logged_model_utils.py) with its messages for the common mistakes.
 *
 * The grammar is `<identifier> <comparator> <value>` clauses joined by AND. Identifiers are
 * `[entity.]key`, where the key may be `backticked` or "double-quoted"; values are 'strings'
 * (quotes stripped, nothing unescaped, as in MLflow), numbers, or ('lists', 'of', 'strings') for
 * IN. OR, NOT, parentheses and anything else are rejected, so they can never change the meaning.
 *
 * Deliberately left out: run filters on `datasets.*` (400), sqlparse's tolerance of odd token
 * shapes. Every rejection is a 400 (MLflow lets some escape as 500).
 */
import { invalidParameter } from '../protocol/errors.js';
import { pythonRepr } from '../protocol/page-token.js';
import type { Comparator, SearchClause, SearchEntity, SortKey } from '../store/tracking-store.js';
import { parseClauses, parseList, readIdent, stripQuotes, tokenize, type RawClause, type Tok } from './search-lexer.js';

// ---- grammars -----------------------------------------------------------------------------------

interface Grammar {
  /** Entity prefix → entity. */
  readonly entities: Readonly<Record<string, SearchEntity>>;
  readonly entityError: (entity: string) => string;
  /** Attribute spelling → canonical key. */
  readonly attributes: Readonly<Record<string, string>>;
  readonly numeric: ReadonlySet<string>;
  /** Attributes that accept IN / NOT IN. */
  readonly lists: ReadonlySet<string>;
  readonly stringComparators: ReadonlySet<string>;
  readonly keyValueComparators: ReadonlySet<string>;
  readonly quoteInvalidClauses: boolean;
}

const NUMERIC_COMPARATORS = new Set(['=', '!=', '<', '<=', '>', '>=']);
const RUN_ENTITIES: Record<string, SearchEntity> = {
  metric: 'metric',
  metrics: 'metric',
  parameter: 'param',
  parameters: 'param',
  param: 'param',
  params: 'param',
  tag: 'tag',
  tags: 'tag',
  attribute: 'attribute',
  attributes: 'attribute',
  attr: 'attribute',
  run: 'attribute',
};

const RUNS: Grammar = {
  entities: RUN_ENTITIES,
  entityError: (e) =>
    e === 'dataset' || e === 'datasets'
      ? 'Searching runs by dataset is not supported by this server.'
      : `Invalid entity type '${e}'. Valid values are ['metric', 'parameter', 'tag', 'attribute', 'dataset']`,
  attributes: {
    run_id: 'run_id',
    run_name: 'run_name',
    'run name': 'run_name',
    'Run name': 'run_name',
    'Run Name': 'run_name',
    user_id: 'user_id',
    status: 'status',
    start_time: 'start_time',
    created: 'start_time',
    Created: 'start_time',
    end_time: 'end_time',
    artifact_uri: 'artifact_uri',
  },
  numeric: new Set(['start_time', 'end_time']),
  lists: new Set(['run_id']),
  stringComparators: new Set(['=', '!=', 'LIKE', 'ILIKE', 'IN', 'NOT IN']),
  keyValueComparators: new Set(['=', '!=', 'LIKE', 'ILIKE', 'IS NULL', 'IS NOT NULL']),
  quoteInvalidClauses: true,
};

const EXPERIMENTS: Grammar = {
  entities: { attribute: 'attribute', tag: 'tag', tags: 'tag' },
  entityError: (e) => `Invalid entity type '${e}'. Valid entity types are ('attribute', 'tag', 'tags')`,
  attributes: { name: 'name', experiment_id: 'experiment_id', creation_time: 'creation_time', last_update_time: 'last_update_time' },
  numeric: new Set(['creation_time', 'last_update_time']),
  lists: new Set(['experiment_id']),
  stringComparators: new Set(['=', '!=', 'LIKE', 'ILIKE', 'IN', 'NOT IN']),
  keyValueComparators: new Set(['=', '!=', 'LIKE', 'ILIKE', 'IS NULL', 'IS NOT NULL']),
  quoteInvalidClauses: false,
};

const LOGGED_MODELS: Grammar = {
  entities: { attributes: 'attribute', metrics: 'metric', params: 'param', tags: 'tag' },
  entityError: (e) => `Invalid entity type: ${pythonRepr(e)}. Expected one of ['attributes', 'metrics', 'params', 'tags'].`,
  attributes: {
    name: 'name',
    model_id: 'model_id',
    model_type: 'model_type',
    status: 'status',
    source_run_id: 'source_run_id',
    creation_timestamp: 'creation_timestamp',
    creation_time: 'creation_timestamp',
    creation_timestamp_ms: 'creation_timestamp',
    last_updated_timestamp: 'last_updated_timestamp',
    last_updated_time: 'last_updated_timestamp',
    last_updated_timestamp_ms: 'last_updated_timestamp',
  },
  numeric: new Set(['creation_timestamp', 'last_updated_timestamp']),
  lists: new Set(['name', 'model_id', 'model_type', 'status', 'source_run_id']),
  stringComparators: new Set(['=', '!=', 'LIKE', 'ILIKE', 'IN', 'NOT IN']),
  keyValueComparators: new Set(['=', '!=', 'LIKE', 'ILIKE']),
  quoteInvalidClauses: true,
};

function setRepr(values: Iterable<string>): string {
  return `{${[...values].map((v) => `'${v}'`).join(', ')}}`;
}

function resolveIdentifier(raw: string, g: Grammar): { entity: SearchEntity; key: string } {
  const dot = raw.indexOf('.');
  let entity: SearchEntity = 'attribute';
  let key = raw;
  if (dot >= 0) {
    const prefix = stripQuotes(raw.slice(0, dot));
    const found = g.entities[prefix];
    if (!found) throw invalidParameter(g.entityError(prefix));
    entity = found;
    key = raw.slice(dot + 1);
  }
  key = stripQuotes(key);
  if (entity === 'attribute') {
    const canonical = g.attributes[key];
    if (!canonical) {
      throw invalidParameter(`Invalid attribute key '${key}' specified. Valid keys are '${setRepr(Object.keys(g.attributes))}'`);
    }
    key = canonical;
  }
  return { entity, key };
}

function comparatorError(comparator: string, valid: ReadonlySet<string>): Error {
  return invalidParameter(`Invalid comparator '${comparator}' not one of '${setRepr(valid)}'`);
}

function toClause(raw: RawClause, g: Grammar): SearchClause {
  const { entity, key } = resolveIdentifier(raw.ident, g);
  const comparator = raw.comparator.toUpperCase() as Comparator;
  const v = raw.value;
  const numeric = entity === 'metric' || (entity === 'attribute' && g.numeric.has(key));
  if (numeric) {
    if (!NUMERIC_COMPARATORS.has(comparator)) throw comparatorError(comparator, NUMERIC_COMPARATORS);
    if (v?.kind !== 'num') {
      throw invalidParameter(
        entity === 'metric'
          ? `Expected numeric value type for metric. Found ${v?.text ?? ''}`
          : `Expected numeric value type for numeric attribute: ${key}. Found ${v?.text ?? ''}`,
      );
    }
    return { entity, key, comparator, value: Number(v.text) };
  }
  if (entity === 'tag' || entity === 'param') {
    if (!g.keyValueComparators.has(comparator)) throw comparatorError(comparator, g.keyValueComparators);
    if (comparator === 'IS NULL' || comparator === 'IS NOT NULL') return { entity, key, comparator, value: null };
    if (v?.kind !== 'str' && v?.kind !== 'dq') {
      const noun = entity === 'param' ? 'parameter' : 'tag';
      throw invalidParameter(`Expected a quoted string value for ${noun} (e.g. 'my-value'). Got value ${v?.text ?? ''}`);
    }
    return { entity, key, comparator, value: stripQuotes(v.text) };
  }
  if (!g.stringComparators.has(comparator)) throw comparatorError(comparator, g.stringComparators);
  if (comparator === 'IN' || comparator === 'NOT IN') {
    if (!g.lists.has(key)) {
      throw invalidParameter(`Only ${pythonRepr([...g.lists].sort())} attributes support comparison with a list of quoted string values.`);
    }
    if (v?.kind !== 'paren') {
      throw invalidParameter(`Expected a list of quoted string values for attribute ${key}. Got value ${v?.text ?? ''}`);
    }
    return { entity, key, comparator, value: parseList(v.text) };
  }
  if (v?.kind !== 'str' && v?.kind !== 'dq') {
    throw invalidParameter(`Expected a quoted string value for attributes. Got value ${v?.text ?? ''}`);
  }
  return { entity, key, comparator, value: stripQuotes(v.text) };
}

function parseFilter(filter: string | undefined, g: Grammar): SearchClause[] {
  if (filter === undefined || filter.trim() === '') return [];
  return parseClauses(filter, g.quoteInvalidClauses).map((c) => toClause(c, g));
}

export const parseRunFilter = (filter: string | undefined) => parseFilter(filter, RUNS);
export const parseExperimentFilter = (filter: string | undefined) => parseFilter(filter, EXPERIMENTS);
export const parseLoggedModelFilter = (filter: string | undefined) => parseFilter(filter, LOGGED_MODELS);

// ---- order_by -----------------------------------------------------------------------------------

function parseOrderByClause(clause: string, g: Grammar): SortKey {
  const couldNotParse = () => invalidParameter(`Invalid order_by clause '${clause}'. Could not be parsed.`);
  const toks = tokenize(clause);
  const ident = readIdent(toks, 0);
  if (!ident) throw couldNotParse();
  let ascending = true;
  const rest = toks.slice(ident.next);
  if (rest.length > 1) throw couldNotParse();
  if (rest.length === 1) {
    const dir = (rest[0] as Tok).text.toLowerCase();
    if (dir !== 'asc' && dir !== 'desc') throw invalidParameter(`Invalid ordering key in order_by clause '${clause}'.`);
    ascending = dir === 'asc';
  }
  return { ...resolveIdentifier(ident.text, g), ascending };
}

function duplicateFields(orderBy: readonly string[]): Error {
  // MLflow raises this without an error code (a 500); a client mistake is a 400 here.
  return invalidParameter(`\`order_by\` contains duplicate fields: ${pythonRepr([...orderBy])}`);
}

/** Runs: the given keys, then `start_time DESC` (unless ordered by it) and `run_id ASC`. */
export function parseRunOrderBy(orderBy: readonly string[]): SortKey[] {
  const keys: SortKey[] = [];
  for (const clause of orderBy) {
    const k = parseOrderByClause(clause, RUNS);
    if (keys.some((o) => o.entity === k.entity && o.key === k.key)) throw duplicateFields(orderBy);
    keys.push(k);
  }
  if (!keys.some((k) => k.entity === 'attribute' && k.key === 'start_time')) {
    keys.push({ entity: 'attribute', key: 'start_time', ascending: false });
  }
  keys.push({ entity: 'attribute', key: 'run_id', ascending: true });
  return keys;
}

/** Experiments: `creation_time DESC, experiment_id ASC` by default; otherwise `experiment_id DESC` breaks ties. */
export function parseExperimentOrderBy(orderBy: readonly string[]): SortKey[] {
  const clauses = orderBy.length > 0 ? orderBy : ['creation_time DESC', 'experiment_id ASC'];
  const keys = clauses.map((c) => parseOrderByClause(c, EXPERIMENTS));
  for (const k of keys) {
    if (k.entity !== 'attribute') throw invalidParameter(`Invalid order_by entity: ${k.entity}`);
  }
  if (!keys.some((k) => k.key === 'experiment_id')) keys.push({ entity: 'attribute', key: 'experiment_id', ascending: false });
  return keys;
}

export interface LoggedModelOrderBy {
  readonly field_name: string;
  readonly ascending?: boolean;
  readonly dataset_name?: string;
  readonly dataset_digest?: string;
}

/** Logged models: attributes or `metrics.<key>`; then `creation_timestamp DESC` and `model_id ASC`. */
export function parseLoggedModelOrderBy(orderBy: readonly LoggedModelOrderBy[]): SortKey[] {
  const keys: SortKey[] = [];
  for (const ob of orderBy) {
    const field = ob.field_name;
    const ascending = ob.ascending ?? true;
    const dot = field.indexOf('.');
    if (dot >= 0) {
      if (field.slice(0, dot) !== 'metrics') {
        throw invalidParameter(`Invalid order by field name: ${field}. Only metrics are supported.`);
      }
      keys.push({ entity: 'metric', key: field.slice(dot + 1), ascending });
      continue;
    }
    const key = LOGGED_MODELS.attributes[field.trim()];
    if (!key) throw invalidParameter(`Invalid order by field name: ${field}`);
    keys.push({ entity: 'attribute', key, ascending });
  }
  if (!keys.some((k) => k.entity === 'attribute' && k.key === 'creation_timestamp')) {
    keys.push({ entity: 'attribute', key: 'creation_timestamp', ascending: false });
  }
  if (!keys.some((k) => k.entity === 'attribute' && k.key === 'model_id')) keys.push({ entity: 'attribute', key: 'model_id', ascending: true });
  return keys;
}
