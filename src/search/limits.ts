/**
 * Bounds on the work one search request can ask for, enforced here for every entity. MLflow has
 * none; the limits are far above anything a real client sends (the MLflow UI and clients send a
 * handful of clauses and order_by terms), so only abusive input meets them, with a 400
 * INVALID_PARAMETER_VALUE in MLflow's error shape instead of a slow query.
 */
import { invalidParameter } from '../protocol/errors.js';

/** Comparisons in one filter (each is one SQL condition, often a sub-query). */
export const MAX_FILTER_CLAUSES = 100;
/** Characters in one filter, before it is tokenized. */
export const MAX_FILTER_LENGTH = 100_000;
/**
 * Characters in one compared value or LIKE pattern: the longest value MLflow stores (a tag value,
 * 8,000 characters: mlflow/utils/validation.py MAX_TAG_VAL_LENGTH) can still be matched exactly.
 */
export const MAX_VALUE_LENGTH = 8_000;
/**
 * Wildcards (`%` and `_`) in one LIKE/ILIKE pattern. Matching costs about the value's length times
 * the pattern's wildcards for every row compared: measured on PostgreSQL over 300 runs with
 * 8,000-character tag values, one pattern with 1,000 to 3,000 `%` held a connection for 4 to 11 s,
 * with 7,000 `_` for 3 s, and with 32 `%` for 30 ms. Real patterns (`%prod%`, `team_a_%`) have a
 * handful.
 */
export const MAX_PATTERN_WILDCARDS = 50;
/**
 * LIKE/ILIKE comparisons in one filter. Each one reads and matches the compared value of every
 * candidate row: measured on PostgreSQL over 300 runs with 8,000-character tag values, a filter of
 * 100 `tags.t LIKE '%a%'` clauses held a connection for 12.5 s, 25 clauses for 3.5 s, one for
 * 0.2 s. Equality comparisons use the indexes and stay under MAX_FILTER_CLAUSES.
 */
export const MAX_PATTERN_CLAUSES = 10;
/** Strings in one `IN (...)` list. */
export const MAX_LIST_VALUES = 1_000;
/** Terms in one order_by (each may be a correlated sub-query). */
export const MAX_ORDER_BY_TERMS = 20;

function tooMuch(what: string, got: number, max: number): Error {
  return invalidParameter(`Invalid search: ${what} is ${got}, more than the ${max} allowed.`);
}

export function checkFilterLength(filter: string): void {
  if (filter.length > MAX_FILTER_LENGTH) throw tooMuch('the length of the filter', filter.length, MAX_FILTER_LENGTH);
}

export function checkClauseCount<T>(clauses: T[]): T[] {
  if (clauses.length > MAX_FILTER_CLAUSES) throw tooMuch('the number of clauses in the filter', clauses.length, MAX_FILTER_CLAUSES);
  return clauses;
}

export function checkValueLength(value: string): string {
  if (value.length > MAX_VALUE_LENGTH) throw tooMuch('the length of a value in the filter', value.length, MAX_VALUE_LENGTH);
  return value;
}

/** A LIKE/ILIKE pattern with at most MAX_PATTERN_WILDCARDS wildcards (MLflow's LIKE has no escape character). */
export function checkPatternWildcards(pattern: string): string {
  let wildcards = 0;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern.charCodeAt(i);
    if (c === 0x25 || c === 0x5f) wildcards++;
  }
  if (wildcards > MAX_PATTERN_WILDCARDS) throw tooMuch('the number of wildcards (% and _) in a LIKE pattern', wildcards, MAX_PATTERN_WILDCARDS);
  return pattern;
}

export function checkPatternClauseCount<T extends { readonly comparator: string }>(clauses: T[]): T[] {
  const patterns = clauses.filter((c) => c.comparator === 'LIKE' || c.comparator === 'ILIKE').length;
  if (patterns > MAX_PATTERN_CLAUSES) throw tooMuch('the number of LIKE and ILIKE comparisons in the filter', patterns, MAX_PATTERN_CLAUSES);
  return clauses;
}

export function checkListLength<T>(values: T[]): T[] {
  if (values.length > MAX_LIST_VALUES) throw tooMuch('the number of values in a list', values.length, MAX_LIST_VALUES);
  return values;
}

export function checkOrderByCount<T>(terms: readonly T[]): readonly T[] {
  if (terms.length > MAX_ORDER_BY_TERMS) throw tooMuch('the number of order_by terms', terms.length, MAX_ORDER_BY_TERMS);
  return terms;
}
