/**
 * The one filter parser: `<identifier> <comparator> <value>` comparisons joined by AND, read with
 * the searched entity's grammar table (grammar.ts) into the stores' query language
 * (store/search-query.ts). Identifiers are `[entity.]key` (split on the first '.'); values are
 * 'strings' (outer quotes stripped, nothing unescaped, as in MLflow), numbers, or
 * ('lists', 'of', 'strings').
 *
 * Deliberate differences from MLflow (all stricter or 400-instead-of-500): a blank filter is the
 * same as no filter; every rejection is INVALID_PARAMETER_VALUE; the size of a query is bounded
 * (limits.ts).
 */
import { invalidParameter } from '../protocol/errors.js';
import { pythonRepr } from '../protocol/python-repr.js';
import type { Comparator, SearchClause, SearchEntity } from '../store/search-query.js';
import type { Grammar, ValueKind } from './grammar.js';
import { isQuoted, splitComparisons, stripQuotes, trimBackticks, type RawComparison, type RawValue } from './lexer.js';
import { checkClauseCount, checkFilterLength, checkListLength, checkPatternClauseCount, checkPatternWildcards, checkValueLength } from './limits.js';
import { parseStringList } from './string-list.js';

/** Fills MLflow's `%(name)s` / `%(name)r` placeholders. */
export function fill(template: string, vars: Readonly<Record<string, unknown>>): string {
  return template.replace(/%\((\w+)\)([sr])/g, (_, name: string, conv: string) =>
    conv === 'r' ? pythonRepr(vars[name]) : String(vars[name]),
  );
}

/** A Python set's repr, in the table's order. */
export function setRepr(values: Iterable<string>): string {
  return `{${[...values].map((v) => `'${v}'`).join(', ')}}`;
}

export function invalidAttributeKey(key: string, attributes: Readonly<Record<string, string>>): Error {
  return invalidParameter(`Invalid attribute key '${key}' specified. Valid keys are '${setRepr(Object.keys(attributes))}'`);
}

function listNotSupported(g: Grammar): Error {
  return invalidParameter(`Only ${pythonRepr([...g.lists].sort())} attributes support comparison with a list of quoted string values.`);
}

/** `[entity.]key` → entity and canonical key. */
export function resolveIdentifier(raw: string, g: Grammar): { entity: SearchEntity; key: string; prefix: string | undefined } {
  const dot = raw.indexOf('.');
  let entity: SearchEntity = 'attribute';
  let key = raw;
  let prefix: string | undefined;
  if (dot >= 0) {
    prefix = raw.slice(0, dot);
    if (!g.keyCheckedAsWritten) prefix = trimBackticks(stripQuotes(prefix));
    const refused = g.refusedPrefixes?.[prefix];
    if (refused) throw invalidParameter(refused);
    const found = g.prefixes[prefix];
    if (!found) throw invalidParameter(fill(g.messages.unknownEntity, { entity: prefix }));
    entity = found;
    key = raw.slice(dot + 1);
  }
  if (g.keyCheckedAsWritten && entity === 'attribute' && !g.attributes[key]) throw invalidAttributeKey(key, g.attributes);
  key = trimBackticks(stripQuotes(key));
  if (entity === 'attribute') {
    const canonical = g.attributes[key];
    if (!canonical) throw invalidAttributeKey(key, g.attributes);
    key = canonical;
  }
  return { entity, key, prefix };
}

function kindOf(g: Grammar, entity: SearchEntity, key: string, value: RawValue | undefined): ValueKind {
  if (entity === 'metric' || (entity === 'attribute' && g.numeric.has(key))) return 'numeric';
  if (entity === 'tag' || entity === 'param') return entity;
  return value?.kind === 'paren' ? 'list' : 'string';
}

function checkComparator(g: Grammar, kind: ValueKind, comparator: string, key: string): void {
  const valid = g.comparators[kind];
  if (!valid.has(comparator)) throw invalidParameter(fill(g.messages.comparator[kind], { comparator, key, valid: setRepr(valid) }));
}

/** A value still to be converted by Python's int() (model versions), after the comparator check. */
interface PendingInt {
  readonly pendingInt: string | number;
  readonly float: boolean;
}
type Resolved = string | number | readonly string[] | null | PendingInt;

function resolveValue(g: Grammar, entity: SearchEntity, kind: ValueKind, key: string, v: RawValue | undefined): Resolved {
  if (v === undefined) return null; // IS [NOT] NULL
  const quoted = v.kind === 'sq' || v.kind === 'ident';
  if (kind === 'tag' || kind === 'param') {
    if (quoted) return checkValueLength(stripQuotes(v.raw, true));
    const noun = kind === 'param' ? 'parameter' : 'tag';
    throw invalidParameter(`Expected a quoted string value for ${noun} (e.g. 'my-value'). Got value ${v.raw}`);
  }
  if (kind === 'numeric' && g.numericValue === 'number') {
    if (v.kind === 'num') return Number(v.raw);
    throw invalidParameter(
      entity === 'metric'
        ? `Expected numeric value type for metric. Found ${v.raw}`
        : `Expected numeric value type for numeric attribute: ${key}. Found ${v.raw}`,
    );
  }
  if (v.kind === 'paren') {
    if (kind !== 'list' || !g.lists.includes(key)) throw listNotSupported(g);
    return checkListLength(parseStringList(v.raw)).map(checkValueLength);
  }
  if (kind === 'numeric') {
    if (v.kind === 'num') return { pendingInt: Number(v.raw), float: !/^-?\d+$/.test(v.raw) };
    return { pendingInt: checkValueLength(stripQuotes(v.raw, true)), float: false };
  }
  if (v.kind === 'num') throw invalidParameter(fill(g.messages.numberForString, { value: v.raw }));
  if (v.kind === 'ident' && g.messages.unquotedString && !isQuoted(v.raw, "'") && !isQuoted(v.raw, '"')) {
    throw invalidParameter(fill(g.messages.unquotedString, { value: v.raw }));
  }
  return checkValueLength(stripQuotes(v.raw, true));
}

/** MLflow 3.x converts with Python's int(): floats are refused, strings must be integer literals. */
function toInt(key: string, value: PendingInt): number {
  const v = value.pendingInt;
  if (typeof v === 'number') {
    if (!value.float) return v;
    const repr = Number.isInteger(v) && Math.abs(v) < 1e16 ? v.toFixed(1) : String(v);
    throw invalidParameter(`Invalid value for numeric attribute '${key}': ${repr}`);
  }
  if (!/^\s*[+-]?\d+(?:_\d+)*\s*$/.test(v)) throw invalidParameter(`Invalid value for numeric attribute '${key}': ${pythonRepr(v)}`);
  return Number(v.replace(/_/g, ''));
}

interface Staged {
  readonly entity: SearchEntity;
  readonly key: string;
  readonly kind: ValueKind;
  readonly comparator: Comparator;
  readonly value: Resolved;
}

function stage(g: Grammar, raw: RawComparison): Staged {
  if (raw.identIsString) throw invalidParameter(`Invalid comparison clause. Expected 'Identifier' found '${raw.ident}'`);
  const { entity, key } = resolveIdentifier(raw.ident, g);
  const comparator = (g.comparatorAliases[raw.comparator] ?? raw.comparator) as Comparator;
  const kind = kindOf(g, entity, key, raw.value);
  if (g.comparatorFirst) checkComparator(g, kind, comparator, key);
  return { entity, key, kind, comparator, value: resolveValue(g, entity, kind, key, raw.value) };
}

/** Parses a filter with the entity's grammar; empty, blank or undefined → []. */
export function parseFilter(g: Grammar, filter: string | undefined): SearchClause[] {
  if (filter === undefined || filter.trim() === '') return [];
  checkFilterLength(filter);
  // Same phases as MLflow so the first error reported is the same one: structure, then every
  // identifier/value (with the comparator first where MLflow's parser checks it), then the
  // registry store's comparator checks.
  const staged = checkClauseCount(splitComparisons(filter, g.split)).map((raw) => stage(g, raw));
  return checkPatternClauseCount(staged).map((s): SearchClause => {
    if (!g.comparatorFirst) checkComparator(g, s.kind, s.comparator, s.key);
    const value = s.value !== null && typeof s.value === 'object' && 'pendingInt' in s.value ? toInt(s.key, s.value) : s.value;
    if ((s.comparator === 'LIKE' || s.comparator === 'ILIKE') && typeof value === 'string') checkPatternWildcards(value);
    return { entity: s.entity, key: s.key, comparator: s.comparator, value: value as SearchClause['value'] };
  });
}
