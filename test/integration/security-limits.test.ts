/**
 * Bounded work per request, on every backend: each limit answers quickly with a 400 in MLflow's
 * error shape (never a 500, never a slow query), and changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_JSON_DEPTH } from '../../src/protocol/request.js';
import { MAX_PAGE_TOKEN_LENGTH } from '../../src/protocol/page-token.js';
import { MAX_FILTER_CLAUSES, MAX_ORDER_BY_TERMS, MAX_PATTERN_CLAUSES, MAX_PATTERN_WILDCARDS, MAX_VALUE_LENGTH } from '../../src/search/limits.js';
import { backends, createTestApp, type TestApp } from '../helpers/app.js';
import { ARTIFACTS } from './artifacts-helpers.js';
import { API, expectError, ok, q, Registry, uniqueName } from './support.js';

const clauses = (n: number, clause: string) => Array.from({ length: n }, () => clause).join(' AND ');

describe.each(backends())('bounded work per request (%s)', (backend) => {
  let t: TestApp;
  let r: Registry;
  let experimentId: string;

  beforeAll(async () => {
    t = await createTestApp(backend);
    r = new Registry(t);
    experimentId = ok(await r.post('experiments/create', { name: uniqueName('limits') })).body.experiment_id;
  });
  afterAll(async () => {
    await t?.close();
  });

  const json = (path: string, body: string) => t.request.post(`${API}/${path}`).set('Content-Type', 'application/json').send(body);

  it.each<[string, () => PromiseLike<import('supertest').Response>, RegExp]>([
    ['a 100,000-deep [[[[ body', () => json('registered-models/create', '['.repeat(100_000) + ']'.repeat(100_000)), /nested deeper than 64/],
    ['a 100,000-deep {"a": body', () => json('registered-models/create', '{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000)), /nested deeper/],
    ['a deep value inside a field', () => json('registered-models/create', `{"name": ${'['.repeat(50_000)}${']'.repeat(50_000)}}`), /nested deeper/],
    ['a deep double-encoded body', () => json('registered-models/create', JSON.stringify('['.repeat(10_000) + ']'.repeat(10_000))), /nested deeper/],
    ['one level too deep', () => json('registered-models/create', '['.repeat(MAX_JSON_DEPTH + 1) + ']'.repeat(MAX_JSON_DEPTH + 1)), /nested deeper/],
    [
      'a page token of 1 MB',
      () => t.request.get(`${API}/registered-models/search?${q({ page_token: 'A'.repeat(1_000_000 / 100), max_results: 1 })}`),
      /Invalid page token: its length is 10000/,
    ],
    ['a page token in a JSON body', () => json('runs/search', JSON.stringify({ experiment_ids: [experimentId], page_token: 'eyJ'.repeat(100_000) })), /page token/],
    ['a model name of 100,000 characters', () => json('registered-models/create', JSON.stringify({ name: 'n'.repeat(100_000) })), /exceeds the maximum length|length/],
    ['an experiment name of 100,000 characters', () => json('experiments/create', JSON.stringify({ name: 'n'.repeat(100_000) })), /length/],
    [
      'too many filter clauses',
      () => json('runs/search', JSON.stringify({ experiment_ids: [experimentId], filter: clauses(MAX_FILTER_CLAUSES + 1, "tags.t = 'x'") })),
      /number of clauses in the filter is 101, more than the 100 allowed/,
    ],
    [
      'a pattern with too many wildcards',
      () => json('runs/search', JSON.stringify({ experiment_ids: [experimentId], filter: `tags.t LIKE '${'%a'.repeat(MAX_PATTERN_WILDCARDS + 1)}'` })),
      /number of wildcards \(% and _\) in a LIKE pattern is 51, more than the 50 allowed/,
    ],
    [
      'underscores count as wildcards',
      () => json('runs/search', JSON.stringify({ experiment_ids: [experimentId], filter: `tags.t ILIKE '%${'_'.repeat(7000)}b'` })),
      /wildcards/,
    ],
    [
      'a short tag-heavy filter: many patterns of many wildcards',
      () => json('runs/search', JSON.stringify({ experiment_ids: [experimentId], filter: clauses(40, `tags.t LIKE '${'%a'.repeat(200)}%'`) })),
      /number of LIKE and ILIKE comparisons in the filter is 40, more than the 10 allowed/,
    ],
    [
      'a short tag-heavy filter: many plain patterns',
      () => json('runs/search', JSON.stringify({ experiment_ids: [experimentId], filter: clauses(MAX_PATTERN_CLAUSES + 1, "tags.t ILIKE '%a%'") })),
      /number of LIKE and ILIKE comparisons in the filter is 11/,
    ],
    [
      'pattern clauses on registered models',
      () => t.request.get(`${API}/registered-models/search?${q({ filter: clauses(MAX_PATTERN_CLAUSES + 1, "name LIKE '%a%'") })}`),
      /LIKE and ILIKE comparisons/,
    ],
    [
      'a registry pattern with too many wildcards',
      () => t.request.get(`${API}/registered-models/search?${q({ filter: `name LIKE '${'%'.repeat(60)}'` })}`),
      /wildcards/,
    ],
    [
      'a value longer than any stored one',
      () => json('runs/search', JSON.stringify({ experiment_ids: [experimentId], filter: `tags.t = '${'v'.repeat(MAX_VALUE_LENGTH + 1)}'` })),
      /length of a value in the filter/,
    ],
    [
      'too many order_by terms',
      () => json('runs/search', JSON.stringify({ experiment_ids: [experimentId], order_by: Array.from({ length: MAX_ORDER_BY_TERMS + 1 }, () => 'tags.t') })),
      /order_by terms/,
    ],
    ['an artifact path of 100,000 characters', () => t.request.get(`${ARTIFACTS}?${q({ path: `a/${'b'.repeat(100_000)}` })}`), /./],
  ])('%s', async (_label, send, message) => {
    const start = performance.now();
    const res = await send();
    expect(performance.now() - start).toBeLessThan(2000);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    if (res.headers['content-type']?.startsWith('application/json')) {
      expectError(res, res.status, 'INVALID_PARAMETER_VALUE', message);
    }
  });

  it('patterns real clients send are still answered', async () => {
    for (const filter of ["tags.t LIKE '%prod%'", "tags.team ILIKE 'team_a_%'", clauses(MAX_PATTERN_CLAUSES, "tags.t LIKE '%a%'"), clauses(MAX_FILTER_CLAUSES, "tags.t = 'a'")]) {
      ok(await json('runs/search', JSON.stringify({ experiment_ids: [experimentId], filter })));
    }
    ok(await r.searchModels({ filter: "name LIKE 'my_model_%'" }));
  });

  it('a page token MLflow issues is far below the limit', () => {
    expect(Buffer.from('{"offset": 9007199254740991}').toString('base64').length).toBeLessThan(MAX_PAGE_TOKEN_LENGTH);
  });
});
