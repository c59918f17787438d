/**
 * model-versions/search. The clock is faked (Date only) before the app is built, so timestamps are
 * chosen by the test and the default order (last_updated_timestamp DESC, name ASC, version DESC)
 * can be checked exactly, ties included.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { backends, createTestApp, type TestApp } from '../helpers/app.js';
import { Registry, expectError, ok, runId, uniqueName } from './support.js';

const T0 = 1_700_000_000_000;

describe.each(backends())('search model versions (%s)', (backend) => {
  let t: TestApp;
  let r: Registry;
  let p: string;
  let a: string;
  let b: string;
  const R1 = runId();
  const R2 = runId();
  const R3 = runId();

  beforeAll(async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: T0 });
    t = await createTestApp(backend);
    r = new Registry(t);

    p = uniqueName('mvs');
    a = `${p}-a`;
    b = `${p}-b`;
    const at = (offset: number) => vi.setSystemTime(T0 + offset);
    at(1_000);
    await r.createModel(a);
    await r.createModel(b);
    await r.createVersion(a, `s3://b/${p}/a1`, { run_id: R1, tags: [{ key: 'k', value: 'v1' }] }); // a/1
    await r.createVersion(a, `s3://b/${p}/a2`, { run_id: R2 }); // a/2
    await r.createVersion(b, `s3://b/${p}/b1`, { run_id: R1 }); // b/1
    at(2_000);
    await r.createVersion(a, `s3://b/${p}/a3`); // a/3
    await r.createVersion(b, `runs:/${R3}/model`, {
      run_id: R3,
      tags: [
        { key: 'k', value: 'v2' },
        { key: 'dotted.key', value: 'z' },
      ],
    }); // b/2
    at(3_000);
    ok(await r.patch('model-versions/update', { name: a, version: '1', description: 'touched' }));
    at(4_000);
    await r.createVersion(a, `s3://b/${p}/a4`, { run_id: R2, tags: [{ key: 'k', value: 'v1' }] }); // a/4, deleted below
    ok(await r.del('model-versions/delete', { name: a, version: '4' }));
    at(0);
  });

  afterAll(async () => {
    vi.useRealTimers();
    await t?.close();
  });

  /** `name/version` of every hit, in response order. */
  async function hits(filter: string, extra: Record<string, string | number | readonly string[]> = {}): Promise<string[]> {
    const res = ok(await r.searchVersions({ filter, ...extra }));
    return ((res.body.model_versions ?? []) as { name: string; version: string }[]).map((v) => `${v.name.slice(p.length + 1)}/${v.version}`);
  }
  const mine = (clause?: string) => (clause ? `name LIKE '${p}-%' AND ${clause}` : `name LIKE '${p}-%'`);

  it('orders by last_updated_timestamp DESC, name ASC, version DESC by default', async () => {
    expect(await hits(mine())).toEqual(['a/1', 'a/3', 'b/2', 'a/2', 'b/1']);
  });

  it('returns full model versions, the same as get', async () => {
    const res = ok(await r.searchVersions({ filter: `name = '${b}' AND version_number = 2` }));
    expect(res.body).toEqual({ model_versions: [ok(await r.getVersion(b, 2)).body.model_version] });
    expect(res.body.model_versions[0]).toMatchObject({
      version: '2',
      source: `runs:/${R3}/model`,
      run_id: R3,
      status: 'READY',
      current_stage: 'None',
      creation_timestamp: T0 + 2_000,
      last_updated_timestamp: T0 + 2_000,
    });
  });

  it.each([
    ["name = 'A'", ['a/1', 'a/3', 'a/2']],
    ["name != 'A'", ['b/2', 'b/1']],
    ["run_id = 'R1'", ['a/1', 'b/1']],
    ["run_id = 'R2'", ['a/2']],
    ["run_id IN ('R1', 'R3')", ['a/1', 'b/2', 'b/1']],
    ["run_id IN ('R2')", ['a/2']],
    ["source_path = 's3://b/P/a2'", ['a/2']],
    ["source_path LIKE 's3://b/P/a%'", ['a/1', 'a/3', 'a/2']],
    ["source_path LIKE 'runs:/%'", ['b/2']],
    ["tags.k = 'v1'", ['a/1']],
    ["tags.k != 'v1'", ['b/2']],
    ["tags.k LIKE 'v%'", ['a/1', 'b/2']],
    ["tags.k ILIKE 'V%'", ['a/1', 'b/2']],
    ["tags.`dotted.key` = 'z'", ['b/2']],
    ["tag.k = 'v2' AND run_id = 'R3'", ['b/2']],
    ["name = 'B' AND run_id = 'R1'", ['b/1']],
  ] as const)('filters %s', async (clause, expected) => {
    const filter = clause.replaceAll("'A'", `'${a}'`).replaceAll("'B'", `'${b}'`).replaceAll('R1', R1).replaceAll('R2', R2).replaceAll('R3', R3).replaceAll('/P/', `/${p}/`);
    expect(await hits(mine(filter))).toEqual(expected);
  });

  // MLflow stores an omitted run_id as '' (not NULL), so versions registered without a run match
  // `run_id != '<x>'`, `run_id LIKE '%'` and `run_id = ''` on MLflow's own server.
  it("matches versions without a run_id for run_id != / LIKE '%' / = '' as MLflow does", async () => {
    expect(await hits(mine(`run_id != '${R1}'`))).toEqual(['a/3', 'b/2', 'a/2']);
    expect(await hits(mine("run_id LIKE '%'"))).toEqual(['a/1', 'a/3', 'b/2', 'a/2', 'b/1']);
    expect(await hits(mine("run_id = ''"))).toEqual(['a/3']);
  });

  it.each([
    ['=', 2, ['2']],
    ['!=', 2, ['1', '3']],
    ['<', 2, ['1']],
    ['<=', 2, ['1', '2']],
    ['>', 1, ['2', '3']],
    ['>=', 3, ['3']],
    ['>=', 4, []],
  ] as const)('filters version_number %s %i', async (op, n, expected) => {
    const res = ok(await r.searchVersions({ filter: `name = '${a}' AND version_number ${op} ${n}`, order_by: 'version_number ASC' }));
    expect(((res.body.model_versions ?? []) as { version: string }[]).map((v) => v.version)).toEqual(expected);
  });

  it('never returns deleted versions, whatever the filter', async () => {
    expect(await hits(`name = '${a}' AND version_number = 4`)).toEqual([]);
    expect(await hits(`source_path = 's3://b/${p}/a4'`)).toEqual([]);
    expect(await hits(mine("run_id = 'REDACTED-RUN-ID'"))).toEqual([]);
    expect(await hits(mine("source_path = 'REDACTED-SOURCE-PATH'"))).toEqual([]);
    expect(await hits(mine(`run_id = '${R2}'`))).toEqual(['a/2']);
    expect(ok(await r.searchVersions({ filter: `name = '${a}' AND version_number = 4` })).text).toBe('{}');
  });

  it.each([
    [['version_number ASC'], ['a/1', 'b/1', 'a/2', 'b/2', 'a/3']],
    [['name DESC', 'version_number ASC'], ['b/1', 'b/2', 'a/1', 'a/2', 'a/3']],
    [['creation_timestamp ASC'], ['a/2', 'a/1', 'b/1', 'a/3', 'b/2']],
    [['creation_timestamp DESC', 'version_number ASC'], ['b/2', 'a/3', 'a/1', 'b/1', 'a/2']],
    [['last_updated_timestamp ASC'], ['a/2', 'b/1', 'a/3', 'b/2', 'a/1']],
    [['attribute.version_number DESC'], ['a/3', 'a/2', 'b/2', 'a/1', 'b/1']],
    [['name'], ['a/3', 'a/2', 'a/1', 'b/2', 'b/1']],
  ] as const)('orders by %j with tie-breakers', async (orderBy, expected) => {
    expect(await hits(mine(), { order_by: orderBy })).toEqual(expected);
  });

  it('rejects unknown and duplicate order_by keys with 400', async () => {
    expectError(await r.searchVersions({ order_by: 'run_id' }), 400, 'INVALID_PARAMETER_VALUE', /^Invalid attribute key 'run_id' specified/);
    expectError(await r.searchVersions({ order_by: ['name', 'name DESC'] }), 400, 'INVALID_PARAMETER_VALUE', /duplicate/);
  });

  it('pages through the results with tokens, each version exactly once, in order', async () => {
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const params: Record<string, string | number> = { filter: mine(), max_results: 2 };
      if (token) params.page_token = token;
      const res = ok(await r.searchVersions(params));
      pages += 1;
      seen.push(...(res.body.model_versions as { name: string; version: string }[]).map((v) => `${v.name.slice(p.length + 1)}/${v.version}`));
      token = res.body.next_page_token;
      if (token === undefined) expect(Object.keys(res.body)).toEqual(['model_versions']);
    } while (token && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toEqual(['a/1', 'a/3', 'b/2', 'a/2', 'b/1']);
  });

  it('has no next_page_token when the last page is exactly full', async () => {
    const first = ok(await r.searchVersions({ filter: mine(), max_results: 5 }));
    expect(first.body.model_versions).toHaveLength(5);
    expect(Object.keys(first.body)).toEqual(['model_versions']);
  });

  it('accepts max_results up to 200000 and rejects 200001', async () => {
    expect(await hits(mine(), { max_results: 200000 })).toHaveLength(5);
    expectError(await r.searchVersions({ filter: mine(), max_results: 200001 }), 400, 'INVALID_PARAMETER_VALUE', /max_results/);
    expectError(
      await r.searchVersions({ filter: mine(), max_results: 0 }),
      400,
      'INVALID_PARAMETER_VALUE',
      'Invalid value for max_results. It must be a positive integer, but got 0',
    );
  });

  it('rejects an invalid page token', async () => {
    expectError(await r.searchVersions({ page_token: 'Zm9v' }), 400, 'INVALID_PARAMETER_VALUE', "Invalid page token, decoded value=b'foo'");
  });

  it.each([
    ["bogus = 'x'", "Invalid attribute key 'bogus' specified. Valid keys are '{'name', 'run_id', 'source_path', 'version_number'}'"],
    ["version_number = 'abc'", "Invalid value for numeric attribute 'version_number': 'abc'"],
    ['run_id = 5', "Only the '{'creation_timestamp', 'last_updated_timestamp', 'version_number'}' attributes support comparison with numeric values."],
    ["name = 'x' OR name = 'y'", 'Invalid clause(s) in filter string: OR'],
  ])('rejects the filter %j with 400', async (filter, message) => {
    expectError(await r.searchVersions({ filter }), 400, 'INVALID_PARAMETER_VALUE', message);
  });

  it('excludes prompt versions unless asked for', async () => {
    const prompt = `${p}-prompt`;
    await r.createModel(prompt, { tags: [{ key: 'mlflow.prompt.is_prompt', value: 'true' }] });
    await r.createVersion(prompt, 'dummy-source', { tags: [{ key: 'mlflow.prompt.is_prompt', value: 'true' }] });
    expect(await hits(`name = '${prompt}'`)).toEqual([]);
    expect(await hits(`name = '${prompt}' AND tags.\`mlflow.prompt.is_prompt\` = 'true'`)).toEqual(['prompt/1']);
    expect(await hits(mine())).toEqual(['a/1', 'a/3', 'b/2', 'a/2', 'b/1']);
  });
});
