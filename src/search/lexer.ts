/**
 * The lexical layer of every search filter: tokens shaped like sqlparse's (MLflow tokenizes with
 * sqlparse, mlflow/utils/search_utils.py) and the split of a filter into
 * `<identifier> <comparator> [<value>]` comparisons joined by AND. As in MLflow, AND is a mere
 * separator; anything else (OR, NOT, parentheses, comments, `;`) is collected as an invalid
 * clause, so it can never change the meaning.
 */
import { invalidParameter } from '../protocol/errors.js';
import { pythonRepr } from '../protocol/python-repr.js';

type TokKind = 'sq' | 'dq' | 'bt' | 'num' | 'word' | 'op' | 'punct' | 'paren' | 'other';
interface Tok {
  readonly kind: TokKind;
  readonly text: string;
  readonly start: number;
  readonly end: number;
}

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
    if (ws.exec(src)) {
      pos = ws.lastIndex;
      continue;
    }
    if (src[pos] === '(') {
      const end = matchParen(src, pos);
      if (end > 0) {
        toks.push({ kind: 'paren', text: src.slice(pos, end), start: pos, end });
        pos = end;
        continue;
      }
    }
    for (const [kind, re] of LEXER) {
      re.lastIndex = pos;
      const m = re.exec(src);
      if (m) {
        toks.push({ kind, text: m[0], start: pos, end: re.lastIndex });
        pos = re.lastIndex;
        continue outer;
      }
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

/** How a value was written: quoted string, name (word, `backtick` or "double-quoted"), number, (list). */
export interface RawValue {
  readonly kind: 'sq' | 'ident' | 'num' | 'paren';
  readonly raw: string;
}

export interface RawComparison {
  /** The identifier as written, e.g. ``tags.`my key` ``. */
  readonly ident: string;
  /** A quoted string stood where the identifier belongs. */
  readonly identIsString: boolean;
  /** Upper case; `IS NULL` / `IS NOT NULL` come without a value. */
  readonly comparator: string;
  readonly value: RawValue | undefined;
}

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

function readComparator(toks: Tok[], j: number, nullChecks: boolean): { comparator: string; next: number; unary: boolean } | undefined {
  if (toks[j]?.kind === 'op') return { comparator: toks[j]!.text, next: j + 1, unary: false };
  const word = (t: Tok | undefined): string => (t?.kind === 'word' ? t.text.toUpperCase() : '');
  const [first, second, third] = [word(toks[j]), word(toks[j + 1]), word(toks[j + 2])];
  if (WORD_COMPARATOR.test(first)) return { comparator: first, next: j + 1, unary: false };
  if (first === 'NOT' && WORD_COMPARATOR.test(second)) return { comparator: `NOT ${second}`, next: j + 2, unary: false };
  if (!nullChecks) return undefined;
  if (first === 'IS' && second === 'NULL') return { comparator: 'IS NULL', next: j + 2, unary: true };
  if (first === 'IS' && second === 'NOT' && third === 'NULL') return { comparator: 'IS NOT NULL', next: j + 3, unary: true };
  return undefined;
}

/**
 * How the entity's MLflow parser differs at this level (data in its grammar table):
 * `quoteInvalid` — the invalid-clause message quotes each token (the run and logged-model parsers
 * print token reprs, the registry's the bare tokens); `nullChecks` — `IS [NOT] NULL` is a
 * comparator (runs, experiments) rather than an invalid clause (registry).
 */
export interface SplitOptions {
  readonly quoteInvalid: boolean;
  readonly nullChecks: boolean;
}

/** Splits the filter into comparisons (SearchUtils._process_statement / _get_comparison). */
export function splitComparisons(filter: string, opts: SplitOptions): RawComparison[] {
  const toks = tokenize(filter);
  const semi = toks.findIndex((t) => t.text === ';');
  if (semi >= 0 && semi < toks.length - 1) {
    throw invalidParameter(`Search filter contained multiple expression ${pythonRepr(filter)}. Provide AND-ed expression list.`);
  }
  const comparisons: RawComparison[] = [];
  const invalid: string[] = [];
  for (let i = 0; i < toks.length; ) {
    const tok = toks[i]!;
    if (tok.kind === 'word' && tok.text.toUpperCase() === 'AND') {
      i++;
      continue;
    }
    const ident = tok.kind === 'sq' ? { raw: tok.text, next: i + 1 } : readIdent(filter, toks, i);
    const cmp = ident && readComparator(toks, ident.next, opts.nullChecks);
    if (ident && cmp?.unary) {
      comparisons.push({ ident: ident.raw, identIsString: tok.kind === 'sq', comparator: cmp.comparator, value: undefined });
      i = cmp.next;
      continue;
    }
    const v = cmp && toks[cmp.next];
    if (!ident || !cmp || !v) {
      invalid.push(ident?.raw ?? tok.text);
      i = ident?.next ?? i + 1;
      continue;
    }
    let value: RawValue | undefined;
    let next = cmp.next + 1;
    if (cmp.comparator.toUpperCase().endsWith('IN')) {
      if (v.kind === 'paren') value = { kind: 'paren', raw: v.text };
    } else if (v.kind === 'sq' || v.kind === 'num' || v.kind === 'paren') {
      value = { kind: v.kind, raw: v.text };
    } else {
      const vi = readIdent(filter, toks, cmp.next);
      if (vi) {
        value = { kind: 'ident', raw: vi.raw };
        next = vi.next;
      }
    }
    if (!value) {
      invalid.push(ident.raw);
      i = ident.next;
      continue;
    }
    comparisons.push({ ident: ident.raw, identIsString: tok.kind === 'sq', comparator: cmp.comparator.toUpperCase(), value });
    i = next;
  }
  if (invalid.length > 0) {
    const list = opts.quoteInvalid ? invalid.map((s) => `'${s}'`).join(', ') : invalid.join(', ');
    throw invalidParameter(`Invalid clause(s) in filter string: ${list}`);
  }
  return comparisons;
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

export const isQuoted = (v: string, q: string): boolean => v.length >= 2 && v.startsWith(q) && v.endsWith(q);
