/**
 * MLflow's model-registry search filter grammar (`filter_string` of registered-models/search and
 * model-versions/search). Behaviour and messages follow mlflow/utils/search_utils.py
 * (SearchModelUtils, SearchModelVersionUtils) plus the checks the SQL store adds
 * (mlflow/store/model_registry/sqlalchemy_store.py: _get_search_*_filter_*), as of MLflow 3.x.
 *
 * MLflow tokenizes with sqlparse; this is a small hand-written lexer using the same token shapes
 * (quoted strings, backtick names, numbers, words, operators) for the subset the grammar allows:
 * comparisons `<identifier> <comparator> <value>` separated by AND. Anything else is reported as
 * an invalid clause, so OR, NOT, parentheses, comments and `;` can never change the meaning.
 *
 * Deliberate differences from MLflow (all stricter or 400-instead-of-500):
 * - a blank filter is the same as no filter (MLflow: "Could not be parsed");
 * - every store-level rejection is INVALID_PARAMETER_VALUE (MLflow raises some without a code → 500);
 * - lists (`IN`, `NOT IN`) as MLflow 3: `name` for registered models, `name` and `run_id` for
 *   model versions; nested parentheses inside a list are rejected.
 * - error texts for malformed input can differ where they quote sqlparse's token grouping.
 */
import { invalidParameter } from './errors.js';
import { pythonRepr } from './page-token.js';

export type StringComparator = '=' | '!=' | 'LIKE' | 'ILIKE';
export type NumericComparator = '=' | '!=' | '<' | '<=' | '>' | '>=';
export type ListComparator = 'IN' | 'NOT IN';
export type FilterClause =
  | { kind: 'attribute'; key: 'name' | 'run_id' | 'source_path'; comparator: StringComparator; value: string }
  | { kind: 'attribute'; key: 'name' | 'run_id'; comparator: ListComparator; value: string[] }
  | { kind: 'attribute'; key: 'version_number'; comparator: NumericComparator; value: number }
  | { kind: 'tag'; key: string; comparator: StringComparator; value: string };

type TokKind = 'sq' | 'dq' | 'bt' | 'num' | 'word' | 'op' | 'punct' | 'paren' | 'other';
interface Tok { kind: TokKind; text: string; start: number; end: number }

// Token shapes copied from sqlparse's lexer (sqlparse/keywords.py SQL_REGEX), in its priority order.
// Quoted strings keep their raw text: MLflow only strips the outer quotes, it never unescapes
// (`'it''s'` filters on the literal text `it''s`).
const LEXER: ReadonlyArray<readonly [TokKind, RegExp]> = [
  ['bt', /`(?:``|[^`])*`/y],
  ['num', /-?(?:\d+(?:\.\d+)?E-?\d+|\d+\.\d*|\.\d+|\d+)(?![\p{L}_])/iuy],
  ['sq', /'(?:''|\\'|[^'])*'/y],
  ['dq', /"(?:""|\\"|[^"])*"/y],
  ['word', /[\p{L}\p{N}_][\p{L}\p{N}_$#]*/uy],
  ['op', /[<>=~!]+/y],
  ['punct', /[;,.]/y],
  ['other', /[^\s\w'"`]+|[\s\S]/uy], // never valid: reported as an invalid clause
];

function tokenize(src: string): Tok[] {
  const toks: Tok[] = [];
  let pos = 0;
  outer: while (pos < src.length) {
    const ws = /\s+/y;
    ws.lastIndex = pos;
    if (ws.exec(src)) { pos = ws.lastIndex; continue; }
    if (src[pos] === '(') {
      const end = matchParen(src, pos);
      if (end > 0) { toks.push({ kind: 'paren', text: src.slice(pos, end), start: pos, end }); pos = end; continue; }
    }
    for (const [kind, re] of LEXER) {
      re.lastIndex = pos;
      const m = re.exec(src);
      if (m) { toks.push({ kind, text: m[0], start: pos, end: re.lastIndex }); pos = re.lastIndex; continue outer; }
    }
  }
  return toks;
}

/** End offset (exclusive) of the parenthesis group opening at `open`, or -1 if unbalanced. */
function matchParen(src: string, open: number): number {
  const quoted = /'(?:''|\\'|[^'])*'|"(?:""|\\"|[^"])*"|`(?:``|[^`])*`/y;
  let depth = 0;
  for (let i = open; i < src.length; i++) {
    const c = src[i];
    if (c === "'" || c === '"' || c === '`') {
      quoted.lastIndex = i;
      if (!quoted.exec(src)) return -1;
      i = quoted.lastIndex - 1;
    } else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return i + 1;
  }
  return -1;
}

// Words that can never start an identifier (sqlparse lexes them as keywords, not names).
const RESERVED = new Set(['AND', 'OR', 'NOT', 'IN', 'IS', 'NULL', 'LIKE', 'ILIKE', 'RLIKE', 'REGEXP', 'BETWEEN', 'ESCAPE']);
const WORD_COMPARATOR = /^(?:I?LIKE|RLIKE|REGEXP|IN)$/;

type Value = { kind: 'sq' | 'ident' | 'num' | 'paren'; raw: string };
interface Comparison { ident: string; identIsString: boolean; comparator: string; value: Value }

/** `part(.part)*` as the raw source slice, like sqlparse's dotted Identifier. */
function readIdent(src: string, toks: Tok[], i: number): { raw: string; next: number } | undefined {
  const first = toks[i];
  const nameLike = first?.kind === 'bt' || first?.kind === 'dq' || first?.kind === 'word';
  if (!first || !nameLike || RESERVED.has(first.text.toUpperCase())) return undefined;
  let j = i + 1;
  let end = first.end;
  while (toks[j]?.text === '.' && ['word', 'bt', 'dq', 'sq'].includes(toks[j + 1]?.kind ?? '')) {
    end = toks[j + 1]!.end;
    j += 2;
  }
  return { raw: src.slice(first.start, end), next: j };
}

function readComparator(toks: Tok[], j: number): { comparator: string; next: number } | undefined {
  if (toks[j]?.kind === 'op') return { comparator: toks[j]!.text, next: j + 1 };
  const word = (t: Tok | undefined): string => (t?.kind === 'word' ? t.text.toUpperCase() : '');
  const [first, second] = [word(toks[j]), word(toks[j + 1])];
  if (WORD_COMPARATOR.test(first)) return { comparator: first, next: j + 1 };
  if (first === 'NOT' && WORD_COMPARATOR.test(second)) return { comparator: `NOT ${second}`, next: j + 2 };
  return undefined;
}

/** Splits the filter into comparisons. As in MLflow, AND is a mere separator; any other token is an invalid clause. */
function parseStatement(filter: string): Comparison[] {
  const toks = tokenize(filter);
  const semi = toks.findIndex((t) => t.text === ';');
  if (semi >= 0 && semi < toks.length - 1) {
    throw invalidParameter(`Search filter contained multiple expression ${pythonRepr(filter)}. Provide AND-ed expression list.`);
  }
  const comparisons: Comparison[] = [];
  const invalid: string[] = [];
  for (let i = 0; i < toks.length; ) {
    const tok = toks[i]!;
    if (tok.kind === 'word' && tok.text.toUpperCase() === 'AND') { i++; continue; }
    const ident = tok.kind === 'sq' ? { raw: tok.text, next: i + 1 } : readIdent(filter, toks, i);
    const cmp = ident && readComparator(toks, ident.next);
    const v = cmp && toks[cmp.next];
    if (!ident || !cmp || !v) { invalid.push(ident?.raw ?? tok.text); i = ident?.next ?? i + 1; continue; }
    let value: Value | undefined;
    let next = cmp.next + 1;
    if (cmp.comparator.endsWith('IN')) {
      if (v.kind === 'paren') value = { kind: 'paren', raw: v.text };
    } else if (v.kind === 'sq' || v.kind === 'num' || v.kind === 'paren') {
      value = { kind: v.kind, raw: v.text };
    } else {
      const vi = readIdent(filter, toks, cmp.next);
      if (vi) { value = { kind: 'ident', raw: vi.raw }; next = vi.next; }
    }
    if (!value) { invalid.push(ident.raw); i = ident.next; continue; }
    comparisons.push({ ident: ident.raw, identIsString: tok.kind === 'sq', comparator: cmp.comparator, value });
    i = next;
  }
  if (invalid.length > 0) throw invalidParameter(`Invalid clause(s) in filter string: ${invalid.join(', ')}`);
  return comparisons;
}

interface Grammar {
  readonly attributes: readonly string[];
  readonly modelVersions: boolean;
  /** search_utils.py: SearchModelUtils / SearchModelVersionUtils.LIST_SUPPORTED_KEYS. */
  readonly listKeys: readonly string[];
}
const RM: Grammar = { attributes: ['name'], modelVersions: false, listKeys: ['name'] };
const MV: Grammar = { attributes: ['name', 'run_id', 'source_path', 'version_number'], modelVersions: true, listKeys: ['name', 'run_id'] };
const STRING_COMPARATORS = new Set(['=', '!=', 'LIKE', 'ILIKE']);
const NUMERIC_COMPARATORS = new Set(['=', '!=', '<', '<=', '>', '>=']);
function listNotSupported(g: Grammar): Error {
  const keys = `[${g.listKeys.map((k) => `'${k}'`).join(', ')}]`;
  return invalidParameter(`Only ${keys} attributes support comparison with a list of quoted string values.`);
}

/**
 * Registered-model search filter: attribute `name` only (=, !=, LIKE, ILIKE), tags with the same
 * comparators. Empty/undefined/blank → [].
 */
export function parseRegisteredModelFilter(filter: string | undefined): FilterClause[] {
  return parseFilter(filter, RM);
}

/** Model-version filter: name, run_id (incl. IN (...)), source_path, version_number (numeric), tags. */
export function parseModelVersionFilter(filter: string | undefined): FilterClause[] {
  return parseFilter(filter, MV);
}

function parseFilter(filter: string | undefined, g: Grammar): FilterClause[] {
  if (filter === undefined || filter.trim() === '') return [];
  // Same phases as MLflow so the first error reported is the same one: structure, then every
  // identifier/value, then the store's comparator checks.
  const parsed = parseStatement(filter).map((c) => {
    if (c.identIsString) throw invalidParameter(`Invalid comparison clause. Expected 'Identifier' found '${c.ident}'`);
    const { type, key } = resolveIdentifier(c.ident, g);
    return { type, key, comparator: c.comparator.toUpperCase(), value: resolveValue(type, key, c.value, g) };
  });
  return parsed.map(({ type, key, comparator, value }): FilterClause => {
    if (type === 'tag') {
      if (!STRING_COMPARATORS.has(comparator)) throw invalidParameter(`Invalid comparator for tag: ${comparator}`);
      return { kind: 'tag', key, comparator: comparator as StringComparator, value: value as string };
    }
    if (key === 'version_number') {
      if (!NUMERIC_COMPARATORS.has(comparator)) throw invalidParameter(`Invalid comparator for attribute ${key}: ${comparator}`);
      return { kind: 'attribute', key, comparator: comparator as NumericComparator, value: toVersionNumber(value) };
    }
    if (Array.isArray(value)) {
      if (comparator !== 'IN' && comparator !== 'NOT IN') throw invalidParameter(`Invalid comparator for attribute: ${comparator}`);
      return { kind: 'attribute', key: key as 'name' | 'run_id', comparator, value };
    }
    if (!STRING_COMPARATORS.has(comparator)) throw invalidParameter(`Invalid comparator for attribute: ${comparator}`);
    const stringKey = key as 'name' | 'run_id' | 'source_path';
    return { kind: 'attribute', key: stringKey, comparator: comparator as StringComparator, value: value as string };
  });
}

/** Split on the first '.'; attribute keys are validated before quotes are stripped (so `` `name` `` is rejected). */
function resolveIdentifier(raw: string, g: Grammar): { type: 'attribute' | 'tag'; key: string } {
  const dot = raw.indexOf('.');
  let type: 'attribute' | 'tag' = 'attribute';
  let key = raw;
  if (dot >= 0) {
    const entity = raw.slice(0, dot);
    key = raw.slice(dot + 1);
    if (entity !== 'attribute' && entity !== 'tag' && entity !== 'tags') {
      throw invalidParameter(`Invalid entity type '${entity}'. Valid entity types are ('attribute', 'tag', 'tags')`);
    }
    type = entity === 'attribute' ? 'attribute' : 'tag';
  }
  if (type === 'attribute' && !g.attributes.includes(key)) {
    const valid = `{${g.attributes.map((a) => `'${a}'`).join(', ')}}`; // a Python set's repr
    throw invalidParameter(`Invalid attribute key '${key}' specified. Valid keys are '${valid}'`);
  }
  return { type, key: trimBackticks(stripQuotes(key)) };
}

/** Numbers carry a marker so the store-level check can reject floats the way MLflow 3.x does. */
type Resolved = string | string[] | number | { float: number };

function resolveValue(type: 'attribute' | 'tag', key: string, v: Value, g: Grammar): Resolved {
  const quoted = v.kind === 'sq' || v.kind === 'ident';
  if (type === 'tag') {
    if (quoted) return stripQuotes(v.raw, true);
    throw invalidParameter(`Expected a quoted string value for tag (e.g. 'my-value'). Got value ${v.raw}`);
  }
  if (quoted) return stripQuotes(v.raw, true);
  if (v.kind === 'paren') {
    if (!g.listKeys.includes(key)) throw listNotSupported(g);
    return parseStringList(v.raw);
  }
  if (v.kind === 'num' && g.modelVersions) {
    const numeric = "{'creation_timestamp', 'last_updated_timestamp', 'version_number'}";
    if (key !== 'version_number') throw invalidParameter(`Only the '${numeric}' attributes support comparison with numeric values.`);
    return /^-?\d+$/.test(v.raw) ? Number(v.raw) : { float: Number(v.raw) };
  }
  throw invalidParameter(`Expected a quoted string value or a list of quoted string values for attributes. Got value ${v.raw}`);
}

/** MLflow 3.x converts with Python's int(): floats are refused, strings must be integer literals. */
function toVersionNumber(value: Resolved): number {
  if (typeof value === 'number') return value;
  if (Array.isArray(value)) throw listNotSupported(MV);
  if (typeof value === 'object') {
    const f = value.float;
    const repr = Number.isInteger(f) && Math.abs(f) < 1e16 ? f.toFixed(1) : String(f);
    throw invalidParameter(`Invalid value for numeric attribute 'version_number': ${repr}`);
  }
  if (!/^\s*[+-]?\d+(?:_\d+)*\s*$/.test(value)) {
    throw invalidParameter(`Invalid value for numeric attribute 'version_number': ${pythonRepr(value)}`);
  }
  return Number(value.replace(/_/g, ''));
}

const ILL_FORMED = 'While parsing a list in the query, expected a non-empty list of string values, but got ill-formed list.';

/**
 * `('a', "b")` → ['a', 'b']. MLflow 3.x evaluates the parenthesis as a Python literal
 * (ast.literal_eval), so Python string syntax applies: escapes, adjacent-literal concatenation,
 * a trailing comma. Every element must be a string. (MLflow 2.x also dropped elements that were not
 * str.islower(); 3.x keeps them, and so do we.)
 */
function parseStringList(raw: string): string[] {
  const src = raw.slice(1, -1);
  if (/^\s*$/.test(src)) throw invalidParameter('While parsing a list in the query, expected a non-empty list of string values, but got empty list');
  const literal = String.raw`'(?:\\[\s\S]|[^'\\\n])*'|"(?:\\[\s\S]|[^"\\\n])*"`;
  const element = new RegExp(String.raw`\s*((?:(?:${literal})\s*)+)(,|$)`, 'y');
  const items: string[] = [];
  for (let pos = 0; !/^\s*$/.test(src.slice(pos)); ) {
    element.lastIndex = pos;
    const m = element.exec(src);
    if (!m) {
      const other = /\s*(?:[+-]?(?:\d[\d_]*\.?\d*|\.\d+)(?:e[+-]?\d+)?j?|True|False|None)\s*(?:,|$)/iy;
      other.lastIndex = pos;
      throw invalidParameter(other.test(src)
        ? `While parsing a list in the query, expected string value, punctuation, or whitespace, but got different type in list: ${raw}`
        : ILL_FORMED);
    }
    items.push([...m[1]!.matchAll(new RegExp(literal, 'g'))].map((l) => unescapePython(l[0].slice(1, -1))).join(''));
    pos = element.lastIndex;
    if (m[2] === '') break;
  }
  return items;
}

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  '\n': '', '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v',
};

function unescapePython(body: string): string {
  return body.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{1,3}|[\s\S])/g, (whole, esc: string) => {
    const simple = SIMPLE_ESCAPES[esc];
    if (simple !== undefined) return simple;
    if (/^[xuU]./.test(esc)) return String.fromCodePoint(parseInt(esc.slice(1), 16));
    if (/^[0-7]/.test(esc)) return String.fromCodePoint(parseInt(esc, 8));
    if (/^[xuUN]$/.test(esc)) throw invalidParameter(ILL_FORMED); // truncated escape: a SyntaxError in Python
    return whole; // Python keeps unknown escapes verbatim
  });
}

/** Remove one pair of surrounding single or double quotes (SearchUtils._strip_quotes). */
export function stripQuotes(value: string, expectQuoted = false): string {
  if (isQuoted(value, "'") || isQuoted(value, '"')) return value.slice(1, -1);
  if (expectQuoted) {
    throw invalidParameter(
      `Parameter value is either not quoted or unidentified quote types used for string value ${value}. Use either single or double quotes.`,
    );
  }
  return value;
}

/** Remove one pair of surrounding backticks (SearchUtils._trim_backticks). */
export function trimBackticks(value: string): string {
  return isQuoted(value, '`') ? value.slice(1, -1) : value;
}

const isQuoted = (v: string, q: string): boolean => v.length >= 2 && v.startsWith(q) && v.endsWith(q);
