/**
 * `order_by` parsing for registered-model and model-version search, following MLflow 3.x:
 * mlflow/utils/search_utils.py (SearchUtils._parse_order_by_string,
 * parse_order_by_for_search_registered_models, SearchModelVersionUtils.
 * parse_order_by_for_search_model_versions) and the SQL store's tie-breakers and duplicate check
 * (mlflow/store/model_registry/sqlalchemy_store.py: _parse_search_*_order_by).
 *
 * Each entry is `<key>` or `<key> ASC|DESC`. MLflow runs it through sqlparse then shlex; here a
 * regular expression accepts the same shapes: one dotted identifier whose parts are words,
 * `backtick` or "double-quoted" names, then optionally one direction word.
 */
import { invalidParameter } from './errors.js';
import { pythonRepr } from './page-token.js';
import { stripQuotes, trimBackticks } from './search-filter.js';

export interface OrderByClause { readonly key: string; readonly ascending: boolean }

const PART = String.raw`(?:[\p{L}\p{N}_][\p{L}\p{N}_$#]*|` + '`(?:``|[^`])*`' + String.raw`|"(?:""|\\"|[^"])*")`;
const CLAUSE = new RegExp(String.raw`^(${PART}(?:\.${PART})*)(?:\s+([\p{L}\p{N}_]+))?$`, 'u');

function couldNotParse(clause: string): Error {
  return invalidParameter(`Invalid order_by clause '${clause}'. Could not be parsed.`);
}

/** The key token (still raw when no direction is given, as in MLflow) and the direction. */
function splitClause(clause: string): { key: string; ascending: boolean } {
  const m = CLAUSE.exec(clause);
  if (!m) throw couldNotParse(clause);
  const key = m[1]!;
  const direction = m[2];
  // sqlparse lexes `timestamp` as a builtin type name: only the exact lowercase word is accepted,
  // and only ASC/DESC may follow it.
  if (key.toLowerCase() === 'timestamp' && (key !== 'timestamp' || (direction && !/^(asc|desc)$/i.test(direction)))) {
    throw couldNotParse(clause);
  }
  if (direction === undefined) return { key, ascending: true };
  if (!/^(asc|desc)$/i.test(direction)) throw invalidParameter(`Invalid ordering key in order_by clause '${clause}'.`);
  // MLflow replaces backticks with double quotes and lets shlex remove the quoting.
  const unquoted = shlexUnquote(key.replace(/`/g, '"'));
  if (unquoted === undefined) throw couldNotParse(clause);
  return { key: unquoted, ascending: direction.toLowerCase() === 'asc' };
}

/** POSIX shlex quote removal for one word made of bare and double-quoted segments. */
function shlexUnquote(word: string): string | undefined {
  let out = '';
  let inQuotes = false;
  for (let i = 0; i < word.length; i++) {
    const c = word[i]!;
    const next = word[i + 1];
    if (c === '"') inQuotes = !inQuotes;
    else if (c === '\\' && next !== undefined && (!inQuotes || '\\"$`\n'.includes(next))) out += word[++i];
    else out += c;
  }
  return inQuotes ? undefined : out;
}

function duplicateFields(orderBy: readonly string[]): Error {
  // MLflow raises this without an error code (a 500); a client mistake is a 400 here.
  return invalidParameter(`\`order_by\` contains duplicate fields: [${orderBy.map(pythonRepr).join(', ')}]`);
}

/**
 * Registered models: keys name, timestamp, last_updated_timestamp (both timestamps map to key
 * 'last_updated_timestamp'); ASC default; duplicate key → 400; creation_timestamp → 400 (as MLflow's
 * SQL store); tie-breaker name ASC appended when name absent. No `attribute.` prefix: the SQL store
 * compares the raw key with its allowed set.
 */
export function parseRegisteredModelOrderBy(orderBy: readonly string[] | undefined): OrderByClause[] {
  const clauses: OrderByClause[] = [];
  for (const entry of orderBy ?? []) {
    const { key, ascending } = splitClause(entry);
    if (key !== 'name' && key !== 'timestamp' && key !== 'last_updated_timestamp') {
      throw invalidParameter(`Invalid order by key '${key}' specified. Valid keys are '{'name', 'timestamp'}'`);
    }
    const field = key === 'name' ? 'name' : 'last_updated_timestamp';
    if (clauses.some((c) => c.key === field)) throw duplicateFields(orderBy ?? []);
    clauses.push({ key: field, ascending });
  }
  if (!clauses.some((c) => c.key === 'name')) clauses.push({ key: 'name', ascending: true });
  return clauses;
}

const MV_KEYS = new Set(['name', 'version_number', 'creation_timestamp', 'last_updated_timestamp']);
const MV_KEYS_REPR = "{'creation_timestamp', 'last_updated_timestamp', 'name', 'version_number'}";
const MV_DEFAULT = ['last_updated_timestamp DESC', 'name ASC', 'version_number DESC'];

/**
 * Model versions: keys name, version_number, creation_timestamp, last_updated_timestamp
 * (attribute. prefix allowed); default when empty: last_updated_timestamp DESC, name ASC,
 * version_number DESC; tie-breakers name ASC then version_number DESC appended when absent;
 * duplicates → 400.
 */
export function parseModelVersionOrderBy(orderBy: readonly string[] | undefined): OrderByClause[] {
  const entries = orderBy && orderBy.length > 0 ? orderBy : MV_DEFAULT;
  const clauses: OrderByClause[] = [];
  for (const entry of entries) {
    const split = splitClause(entry);
    // Identifier resolution as in MLflow 3.x SearchExperimentsUtils._get_identifier: split on the
    // first '.', then strip quotes and backticks from the key before checking it.
    const dot = split.key.indexOf('.');
    const entity = dot >= 0 ? split.key.slice(0, dot) : 'attribute';
    if (entity !== 'attribute' && entity !== 'tag' && entity !== 'tags') {
      throw invalidParameter(`Invalid entity type '${entity}'. Valid entity types are ('attribute', 'tag', 'tags')`);
    }
    const key = trimBackticks(stripQuotes(dot >= 0 ? split.key.slice(dot + 1) : split.key));
    if (!MV_KEYS.has(key)) {
      throw invalidParameter(
        entity === 'attribute'
          ? `Invalid attribute key '${key}' specified. Valid keys are '${MV_KEYS_REPR}'`
          : `Invalid order by key '${key}' specified. Valid keys are ${MV_KEYS_REPR}`,
      );
    }
    if (clauses.some((c) => c.key === key)) throw duplicateFields(entries);
    clauses.push({ key, ascending: split.ascending });
  }
  if (!clauses.some((c) => c.key === 'name')) clauses.push({ key: 'name', ascending: true });
  if (!clauses.some((c) => c.key === 'version_number')) clauses.push({ key: 'version_number', ascending: false });
  return clauses;
}
