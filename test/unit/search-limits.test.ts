import { describe, expect, it } from 'vitest';
import { expectInvalid } from './expect-invalid.js';
import { parseFilter } from '../../src/search/filter.js';
import { EXPERIMENTS, MODEL_VERSIONS, REGISTERED_MODELS, RUNS } from '../../src/search/grammar.js';
import {
  MAX_FILTER_CLAUSES,
  MAX_FILTER_LENGTH,
  MAX_LIST_VALUES,
  MAX_ORDER_BY_TERMS,
  MAX_VALUE_LENGTH,
} from '../../src/search/limits.js';
import { parseFieldOrderBy, parseOrderBy } from '../../src/search/order-by.js';
import { LOGGED_MODELS } from '../../src/search/grammar.js';

const clauses = (n: number) => Array.from({ length: n }, (_, i) => `tags.k${i} = 'v'`).join(' AND ');

describe('search limits', () => {
  it(`accepts ${MAX_FILTER_CLAUSES} clauses and refuses one more`, () => {
    expect(parseFilter(RUNS, clauses(MAX_FILTER_CLAUSES))).toHaveLength(MAX_FILTER_CLAUSES);
    expectInvalid(
      () => parseFilter(REGISTERED_MODELS, clauses(MAX_FILTER_CLAUSES + 1)),
      `Invalid search: the number of clauses in the filter is ${MAX_FILTER_CLAUSES + 1}, more than the ${MAX_FILTER_CLAUSES} allowed.`,
    );
  });

  it(`accepts values of ${MAX_VALUE_LENGTH} characters and refuses longer ones, in comparisons and lists`, () => {
    const longest = 'x'.repeat(MAX_VALUE_LENGTH);
    expect(parseFilter(MODEL_VERSIONS, `tags.k LIKE '${longest}'`)[0]?.value).toBe(longest);
    const message = `Invalid search: the length of a value in the filter is ${MAX_VALUE_LENGTH + 1}, more than the ${MAX_VALUE_LENGTH} allowed.`;
    expectInvalid(() => parseFilter(MODEL_VERSIONS, `name LIKE '${longest}x'`), message);
    expectInvalid(() => parseFilter(EXPERIMENTS, `tags.k = '${longest}x'`), message);
    expectInvalid(() => parseFilter(RUNS, `run_id IN ('a', '${longest}x')`), message);
  });

  it(`accepts lists of ${MAX_LIST_VALUES} values and refuses longer ones`, () => {
    const list = (n: number) => `run_id IN (${Array.from({ length: n }, (_, i) => `'r${i}'`).join(', ')})`;
    expect(parseFilter(RUNS, list(MAX_LIST_VALUES))[0]?.value).toHaveLength(MAX_LIST_VALUES);
    expectInvalid(
      () => parseFilter(MODEL_VERSIONS, list(MAX_LIST_VALUES + 1)),
      `Invalid search: the number of values in a list is ${MAX_LIST_VALUES + 1}, more than the ${MAX_LIST_VALUES} allowed.`,
    );
  });

  it(`refuses a filter longer than ${MAX_FILTER_LENGTH} characters before reading it`, () => {
    const filter = `name = '${'x'.repeat(MAX_FILTER_LENGTH)}'`;
    expectInvalid(
      () => parseFilter(REGISTERED_MODELS, filter),
      `Invalid search: the length of the filter is ${filter.length}, more than the ${MAX_FILTER_LENGTH} allowed.`,
    );
  });

  it(`accepts ${MAX_ORDER_BY_TERMS} order_by terms and refuses one more`, () => {
    const terms = (n: number) => Array.from({ length: n }, (_, i) => `tags.k${i} DESC`);
    expect(parseOrderBy(RUNS, terms(MAX_ORDER_BY_TERMS))).toHaveLength(MAX_ORDER_BY_TERMS + 2);
    const message = `Invalid search: the number of order_by terms is ${MAX_ORDER_BY_TERMS + 1}, more than the ${MAX_ORDER_BY_TERMS} allowed.`;
    expectInvalid(() => parseOrderBy(RUNS, terms(MAX_ORDER_BY_TERMS + 1)), message);
    const fields = Array.from({ length: MAX_ORDER_BY_TERMS + 1 }, (_, i) => ({ field: `metrics.m${i}` }));
    expectInvalid(() => parseFieldOrderBy(LOGGED_MODELS, fields), message);
  });
});
