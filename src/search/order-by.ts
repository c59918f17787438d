/**
 * The one `order_by` parser, following MLflow 3.x: mlflow/utils/search_utils.py
 * (SearchUtils._parse_order_by_string, parse_order_by_for_search_runs /
 * _registered_models, SearchModelVersionUtils.parse_order_by_for_search_model_versions,
 * SearchExperimentsUtils.parse_order_by_for_search_experiments) and the SQL stores' tie-breakers and
 * duplicate checks; logged models take `{field_name, ascending}` entries
 * (SqlAlchemyStore._apply_order_by_search_logged_models). What differs per entity is its table's
 * `orderBy` row (grammar.ts).
 *
 * Each string entry is `<key>` or `<key> ASC|DESC`. MLflow runs it through sqlparse then shlex; a
 * regular expression accepts the same shapes: one dotted identifier whose parts are words,
 * `backtick` or "double-quoted" names, then optionally one direction word.
 */
import { invalidParameter } from '../protocol/errors.js';
import { pythonRepr } from '../protocol/python-repr.js';
import type { DatasetRef, SortKey } from '../store/search-query.js';
import type { Grammar } from './grammar.js';
import { fill, invalidAttributeKey, resolveIdentifier, setRepr } from './filter.js';
import { stripQuotes, trimBackticks } from './lexer.js';
import { checkOrderByCount } from './limits.js';

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

/** One entry's key as the entity's table reads it. */
function resolveKey(g: Grammar, written: string): Omit<SortKey, 'ascending'> {
  const o = g.orderBy;
  if (o.rawKeys) {
    const key = o.rawKeys[written];
    if (!key) throw invalidParameter(fill(o.messages.invalidKey ?? '', { key: written }));
    return { entity: 'attribute', key };
  }
  if (o.attributes) {
    // Model versions: SearchModelVersionUtils resolves the prefix, then checks the bare key.
    const dot = written.indexOf('.');
    const prefix = dot >= 0 ? written.slice(0, dot) : 'attribute';
    if (!g.prefixes[prefix]) throw invalidParameter(fill(g.messages.unknownEntity, { entity: prefix }));
    const key = trimBackticks(stripQuotes(dot >= 0 ? written.slice(dot + 1) : written));
    if (!o.attributes[key]) {
      if (g.prefixes[prefix] === 'attribute') throw invalidAttributeKey(key, o.attributes);
      throw invalidParameter(fill(o.messages.invalidKey ?? '', { key, valid: setRepr(Object.keys(o.attributes)) }));
    }
    return { entity: 'attribute', key: o.attributes[key] };
  }
  const { entity, key } = resolveIdentifier(written, g);
  if (!o.entities.includes(entity)) throw invalidParameter(fill(o.messages.wrongEntity ?? '', { entity }));
  return { entity, key };
}

function duplicateFields(orderBy: readonly unknown[]): Error {
  // MLflow raises this without an error code (a 500); a client mistake is a 400 here.
  return invalidParameter(`\`order_by\` contains duplicate fields: ${pythonRepr([...orderBy])}`);
}

/** Appends the table's tie-breakers, so that pages are stable. */
function withTieBreakers(g: Grammar, keys: SortKey[]): SortKey[] {
  for (const t of g.orderBy.tieBreakers) {
    if (t.always || !keys.some((k) => k.entity === 'attribute' && k.key === t.key)) {
      keys.push({ entity: 'attribute', key: t.key, ascending: t.ascending });
    }
  }
  return keys;
}

/** `order_by` strings, completed with the entity's defaults and tie-breakers. */
export function parseOrderBy(g: Grammar, orderBy: readonly string[] | undefined): SortKey[] {
  const entries = checkOrderByCount(orderBy && orderBy.length > 0 ? orderBy : g.orderBy.defaults);
  const keys: SortKey[] = [];
  for (const entry of entries) {
    const { key: written, ascending } = splitClause(entry);
    const k = { ...resolveKey(g, written), ascending };
    if (g.orderBy.rejectDuplicates && keys.some((o) => o.entity === k.entity && o.key === k.key)) throw duplicateFields(entries);
    keys.push(k);
  }
  return withTieBreakers(g, keys);
}

/** A logged-model order_by entry: `{field_name, ascending, dataset_name, dataset_digest}`. */
export interface FieldOrderBy {
  readonly field: string;
  readonly ascending?: boolean;
  readonly dataset?: DatasetRef;
}

/** Logged models: attributes or `metrics.<key>` (optionally of one dataset); then the tie-breakers. */
export function parseFieldOrderBy(g: Grammar, orderBy: readonly FieldOrderBy[]): SortKey[] {
  const keys: SortKey[] = [];
  for (const ob of checkOrderByCount(orderBy)) {
    const ascending = ob.ascending ?? true;
    const dot = ob.field.indexOf('.');
    if (dot >= 0) {
      const entity = g.prefixes[ob.field.slice(0, dot)];
      if (!entity || !g.orderBy.entities.includes(entity) || entity === 'attribute') {
        throw invalidParameter(`Invalid order by field name: ${ob.field}. Only metrics are supported.`);
      }
      keys.push({ entity, key: ob.field.slice(dot + 1), ascending, ...(ob.dataset ? { dataset: ob.dataset } : {}) });
      continue;
    }
    const key = g.attributes[ob.field.trim()];
    if (!key) throw invalidParameter(`Invalid order by field name: ${ob.field}`);
    keys.push({ entity: 'attribute', key, ascending });
  }
  return withTieBreakers(g, keys);
}
