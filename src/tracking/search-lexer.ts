/**
 * The lexical layer of the tracking search filters (search.ts): tokens shaped like sqlparse's
 * (quoted strings, backtick and double-quoted names, numbers, words, operators, parenthesised
 * lists) and the split of a filter into `<identifier> <comparator> [<value>]` clauses joined by
 * AND. Anything else is collected as an invalid clause.
 */
import { invalidParameter } from '../protocol/errors.js';

export type TokKind = 'str' | 'dq' | 'bt' | 'num' | 'word' | 'op' | 'dot' | 'paren' | 'other';
export interface Tok {
  readonly kind: TokKind;
  readonly text: string;
}

const LEXER: ReadonlyArray<readonly [TokKind, RegExp]> = [
  ['str', /'(?:''|\\.|[^'\\])*'/y],
  ['dq', /"(?:""|\\.|[^"\\])*"/y],
  ['bt', /`(?:``|[^`])*`/y],
  ['num', /[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?(?![\p{L}_])/uy],
  ['word', /[\p{L}_][\p{L}\p{N}_$#-]*/uy],
  ['op', /!=|<>|<=|>=|==|=|<|>/y],
  ['dot', /\./y],
];

export function tokenize(src: string): Tok[] {
  const toks: Tok[] = [];
  let pos = 0;
  outer: while (pos < src.length) {
    const ch = src[pos] as string;
    if (/\s/.test(ch)) {
      pos++;
      continue;
    }
    if (ch === '(') {
      const end = closingParen(src, pos);
      if (end > 0) {
        toks.push({ kind: 'paren', text: src.slice(pos, end) });
        pos = end;
        continue;
      }
    }
    for (const [kind, re] of LEXER) {
      re.lastIndex = pos;
      const m = re.exec(src);
      if (m) {
        toks.push({ kind, text: m[0] });
        pos = re.lastIndex;
        continue outer;
      }
    }
    toks.push({ kind: 'other', text: ch });
    pos++;
  }
  return toks;
}

function closingParen(src: string, open: number): number {
  let depth = 0;
  for (let i = open; i < src.length; i++) {
    const c = src[i];
    if (c === "'" || c === '"') {
      const close = src.indexOf(c, i + 1);
      if (close < 0) return -1;
      i = close;
    } else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return i + 1;
  }
  return -1;
}

export interface RawClause {
  readonly ident: string;
  readonly comparator: string;
  readonly value: Tok | undefined;
}

const IDENT_PART: ReadonlySet<TokKind> = new Set(['word', 'bt', 'dq']);

/** `part(.part)*` as written. */
export function readIdent(toks: readonly Tok[], i: number): { text: string; next: number } | undefined {
  const first = toks[i];
  if (!first || !IDENT_PART.has(first.kind) || isKeyword(first)) return undefined;
  let text = first.text;
  let j = i + 1;
  while (toks[j]?.kind === 'dot' && (IDENT_PART.has(toks[j + 1]?.kind as TokKind) || toks[j + 1]?.kind === 'str')) {
    text += `.${(toks[j + 1] as Tok).text}`;
    j += 2;
  }
  return { text, next: j };
}

const KEYWORDS = new Set(['AND', 'OR', 'NOT', 'IN', 'IS', 'NULL', 'LIKE', 'ILIKE']);
const isKeyword = (t: Tok | undefined) => t?.kind === 'word' && KEYWORDS.has(t.text.toUpperCase());
const upper = (t: Tok | undefined) => (t?.kind === 'word' ? t.text.toUpperCase() : '');

function readComparator(toks: readonly Tok[], j: number): { comparator: string; next: number; unary: boolean } | undefined {
  const t = toks[j];
  if (t?.kind === 'op') return { comparator: t.text === '<>' ? '!=' : t.text === '==' ? '=' : t.text, next: j + 1, unary: false };
  const w = upper(t);
  if (w === 'LIKE' || w === 'ILIKE' || w === 'IN') return { comparator: w, next: j + 1, unary: false };
  if (w === 'NOT' && upper(toks[j + 1]) === 'IN') return { comparator: 'NOT IN', next: j + 2, unary: false };
  if (w === 'IS' && upper(toks[j + 1]) === 'NULL') return { comparator: 'IS NULL', next: j + 2, unary: true };
  if (w === 'IS' && upper(toks[j + 1]) === 'NOT' && upper(toks[j + 2]) === 'NULL') {
    return { comparator: 'IS NOT NULL', next: j + 3, unary: true };
  }
  return undefined;
}

export function parseClauses(filter: string, quoteInvalid: boolean): RawClause[] {
  const toks = tokenize(filter);
  const clauses: RawClause[] = [];
  const invalid: string[] = [];
  for (let i = 0; i < toks.length; ) {
    const tok = toks[i] as Tok;
    if (upper(tok) === 'AND') {
      i++;
      continue;
    }
    const ident = readIdent(toks, i);
    const cmp = ident && readComparator(toks, ident.next);
    if (!ident || !cmp) {
      invalid.push(ident?.text ?? tok.text);
      i = ident?.next ?? i + 1;
      continue;
    }
    if (cmp.unary) {
      clauses.push({ ident: ident.text, comparator: cmp.comparator, value: undefined });
      i = cmp.next;
      continue;
    }
    const value = toks[cmp.next];
    if (!value || isKeyword(value) || value.kind === 'op' || value.kind === 'other' || value.kind === 'dot') {
      invalid.push(ident.text);
      i = cmp.next;
      continue;
    }
    // A dotted word value (`status = RUNNING.x`) is one identifier token in sqlparse.
    const asIdent = value.kind === 'word' ? readIdent(toks, cmp.next) : undefined;
    clauses.push({ ident: ident.text, comparator: cmp.comparator, value: asIdent ? { kind: 'word', text: asIdent.text } : value });
    i = asIdent ? asIdent.next : cmp.next + 1;
  }
  if (invalid.length > 0) {
    const list = quoteInvalid ? invalid.map((s) => `'${s}'`).join(', ') : invalid.join(', ');
    throw invalidParameter(`Invalid clause(s) in filter string: ${list}`);
  }
  return clauses;
}

const isQuoted = (v: string, q: string) => v.length >= 2 && v.startsWith(q) && v.endsWith(q);

export function stripQuotes(v: string): string {
  return isQuoted(v, "'") || isQuoted(v, '"') || isQuoted(v, '`') ? v.slice(1, -1) : v;
}

/** `('a', "b")` → ['a', 'b']; every element must be a quoted string. */
export function parseList(raw: string): string[] {
  const inner = raw.slice(1, -1);
  const items: string[] = [];
  const re = /\s*('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")\s*(,|$)/y;
  let pos = 0;
  while (pos < inner.length && !/^\s*$/.test(inner.slice(pos))) {
    re.lastIndex = pos;
    const m = re.exec(inner);
    if (!m) {
      throw invalidParameter(
        'While parsing a list in the query, expected a non-empty list of string values, but got ill-formed list.',
      );
    }
    items.push((m[1] as string).slice(1, -1));
    pos = re.lastIndex;
    if (m[2] === '') break;
  }
  if (items.length === 0) {
    throw invalidParameter('While parsing a list in the query, expected a non-empty list of string values, but got empty list');
  }
  return items;
}
