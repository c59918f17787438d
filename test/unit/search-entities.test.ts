import { describe, expect, it } from 'vitest';
import { MlflowError } from '../../src/protocol/errors.js';
import { parseFilter } from '../../src/search/filter.js';
import { EXPERIMENTS, MODEL_VERSIONS, REGISTERED_MODELS, RUNS } from '../../src/search/grammar.js';
import {
  EXPERIMENTS_MAX_RESULTS,
  LOGGED_MODELS_MAX_RESULTS,
  maxResultsOf,
  MODEL_VERSIONS_MAX_RESULTS,
  REGISTERED_MODELS_MAX_RESULTS,
  RUNS_MAX_RESULTS,
} from '../../src/search/max-results.js';

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(MlflowError);
    expect((err as MlflowError).httpStatus).toBe(400);
    return (err as MlflowError).message;
  }
  throw new Error('expected a 400');
}

// Where the registry and tracking parsers used to disagree, every entity now reads the input as
// MLflow 3.x's SearchUtils does (checked against mlflow/utils/search_utils.py).
describe('one grammar for every entity', () => {
  it.each([RUNS, MODEL_VERSIONS])('decodes Python escapes in lists, as ast.literal_eval ($name)', (g) => {
    expect(parseFilter(g, "run_id IN ('a\\x41b')")[0]?.value).toEqual(['aAb']);
  });

  it.each([RUNS, EXPERIMENTS, REGISTERED_MODELS])('reads `-` as an operator, not part of a key ($name)', (g) => {
    expect(messageOf(() => parseFilter(g, "tags.my-key = 'x'"))).toMatch(/^Invalid clause\(s\) in filter string: /);
    expect(parseFilter(g, "tags.`my-key` = 'x'")[0]).toMatchObject({ entity: 'tag', key: 'my-key' });
  });

  it.each([RUNS, REGISTERED_MODELS])('asks for quotes around a backticked value ($name)', (g) => {
    const key = g === RUNS ? 'run_name' : 'name';
    expect(messageOf(() => parseFilter(g, `${key} = \`x\``))).toBe(
      'Parameter value is either not quoted or unidentified quote types used for string value `x`. Use either single or double quotes.',
    );
  });
});

describe('max_results', () => {
  it.each([
    [REGISTERED_MODELS_MAX_RESULTS, 100],
    [MODEL_VERSIONS_MAX_RESULTS, 10_000],
    [EXPERIMENTS_MAX_RESULTS, 1000],
    [RUNS_MAX_RESULTS, 1000],
    [LOGGED_MODELS_MAX_RESULTS, 100],
  ])('uses the default when none is given', (range, expected) => {
    expect(maxResultsOf(range, undefined)).toBe(expected);
  });

  it('words each entity out-of-range value as MLflow does', () => {
    expect(messageOf(() => maxResultsOf(REGISTERED_MODELS_MAX_RESULTS, 0))).toBe(
      'Invalid value for max_results. It must be a positive integer, but got 0',
    );
    expect(messageOf(() => maxResultsOf(MODEL_VERSIONS_MAX_RESULTS, 200_001))).toBe(
      'Invalid value for request parameter max_results. It must be at most 200000, but got value 200001',
    );
    expect(messageOf(() => maxResultsOf(EXPERIMENTS_MAX_RESULTS, 50_001))).toBe(
      "Invalid value 50001 for parameter 'max_results' supplied. It must be at most 50000",
    );
    expect(messageOf(() => maxResultsOf(RUNS_MAX_RESULTS, 50_001))).toMatch(/^Invalid value 50001 for parameter 'max_results' supplied:  Hint: Value was of type 'int'\./);
    expect(maxResultsOf(LOGGED_MODELS_MAX_RESULTS, 0)).toBe(100);
    expect(messageOf(() => maxResultsOf(LOGGED_MODELS_MAX_RESULTS, -1))).toBe("Invalid value -1 for parameter 'max_results' supplied.");
  });
});
