/**
 * registered-models/search. The clock is faked (Date only) before the app is built, so every
 * timestamp is chosen by the test and ordering by time, with ties, is deterministic.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { backends, createTestApp, type TestApp } from '../helpers/app.js';
import { Registry, expectError, ok, uniqueName } from './support.js';

const T0 = 1_700_000_000_000;

describe.each(backends())('search registered models (%s)', (backend) => {
  let t: TestApp;
  let r: Registry;

  beforeAll(async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: T0 });
    t = await createTestApp(backend);
    r = new Registry(t);
  });

  afterAll(async () => {
    vi.useRealTimers();
    await t?.close();
  });

  const at = (offset: number) => vi.setSystemTime(T0 + offset);

  async function names(filter: string, extra: Record<string, string | number | readonly string[]> = {}): Promise<string[]> {
    const res = ok(await r.searchModels({ filter, ...extra }));
    return ((res.body.registered_models ?? []) as { name: string }[]).map((m) => m.name);
  }

  describe('name attribute', () => {
    let p: string;
    beforeAll(async () => {
      p = uniqueName('attr');
      for (const suffix of ['alpha', 'Alpha', 'beta', 'gamma_1', 'gammax1']) await r.createModel(`${p}-${suffix}`);
    });

    it('= matches exactly, with single or double quotes', async () => {
      expect(await names(`name = '${p}-beta'`)).toEqual([`${p}-beta`]);
      expect(await names(`name = "${p}-beta"`)).toEqual([`${p}-beta`]);
      expect(await names(`attribute.name = '${p}-beta'`)).toEqual([`${p}-beta`]);
      expect(await names(`name = '${p}-BETA'`)).toEqual([]);
    });

    it('!= excludes exactly one name', async () => {
      const got = await names(`name LIKE '${p}-%' AND name != '${p}-beta'`);
      expect([...got].sort()).toEqual([`${p}-Alpha`, `${p}-alpha`, `${p}-gamma_1`, `${p}-gammax1`]);
    });

    it('LIKE is case-sensitive and uses % and _ wildcards', async () => {
      expect(await names(`name LIKE '${p}-a%'`)).toEqual([`${p}-alpha`]);
      expect(await names(`name LIKE '${p}-A%'`)).toEqual([`${p}-Alpha`]);
      expect(await names(`name like '${p}-gamma_1'`)).toEqual([`${p}-gamma_1`, `${p}-gammax1`]);
      expect([...(await names(`name LIKE '${p}-%a'`))].sort()).toEqual([`${p}-Alpha`, `${p}-alpha`, `${p}-beta`]);
    });

    it('ILIKE is case-insensitive', async () => {
      const got = await names(`name ILIKE '${p}-ALPHA'`);
      expect([...got].sort()).toEqual([`${p}-Alpha`, `${p}-alpha`]);
      expect(await names(`name ilike '${p}-B%'`)).toEqual([`${p}-beta`]);
    });

    it('returns {} (no registered_models key) when nothing matches', async () => {
      const res = ok(await r.searchModels({ filter: `name = '${p}-nothing'` }));
      expect(res.text).toBe('{}');
    });

    it('returns the same entity as get', async () => {
      const name = `${p}-beta`;
      await r.createVersion(name, 's3://b/p');
      ok(await r.post('registered-models/set-tag', { name, key: 'k', value: 'v' }));
      ok(await r.post('registered-models/alias', { name, alias: 'a', version: '1' }));
      const res = ok(await r.searchModels({ filter: `name = '${name}'` }));
      expect(res.body).toEqual({ registered_models: [ok(await r.getModel(name)).body.registered_model] });
    });

    it('rejects attributes other than name', async () => {
      for (const attr of ['creation_timestamp', 'description', 'run_id']) {
        expectError(
          await r.searchModels({ filter: `${attr} = 'x'` }),
          400,
          'INVALID_PARAMETER_VALUE',
          `Invalid attribute key '${attr}' specified. Valid keys are '{'name'}'`,
        );
      }
    });
  });

  describe('tags', () => {
    let p: string;
    beforeAll(async () => {
      p = uniqueName('tags');
      await r.createModel(`${p}-1`, {
        tags: [
          { key: 'env', value: 'prod' },
          { key: 'dotted.key', value: 'x.y' },
        ],
      });
      await r.createModel(`${p}-2`, { tags: [{ key: 'env', value: 'Prod-eu' }] });
      await r.createModel(`${p}-3`, {
        tags: [
          { key: 'env', value: 'dev' },
          { key: 'dotted.key', value: 'X.Y' },
        ],
      });
      await r.createModel(`${p}-4`);
    });

    const within = (clause: string) => `name LIKE '${p}-%' AND ${clause}`;
    const suffixes = async (clause: string) => (await names(within(clause))).map((n) => n.slice(p.length + 1));

    it.each([
      ["tags.env = 'prod'", ['1']],
      ["tag.env = 'dev'", ['3']],
      ["tags.env != 'prod'", ['2', '3']],
      ["tags.env LIKE 'Prod%'", ['2']],
      ["tags.env LIKE 'prod%'", ['1']],
      ["tags.env ILIKE 'PROD%'", ['1', '2']],
      ["tags.env = 'nothing'", []],
      ["tags.`dotted.key` = 'x.y'", ['1']],
      ["tags.`dotted.key` != 'x.y'", ['3']],
      ["tags.`dotted.key` LIKE 'x%'", ['1']],
      ["tags.`dotted.key` ILIKE 'x%'", ['1', '3']],
      ["tags.dotted.key = 'x.y'", ['1']],
      ['tags."dotted.key" = \'X.Y\'', ['3']],
      ["tags.env = 'prod' AND tags.`dotted.key` LIKE 'x%'", ['1']],
      ["tags.env = 'dev' AND tags.`dotted.key` = 'x.y'", []],
      ["tags.env LIKE '%rod%' AND tags.env != 'prod'", ['2']],
      ["tags.env ILIKE '%' and tags.`dotted.key` ILIKE '%'", ['1', '3']],
    ] as const)('%s', async (clause, expected) => {
      expect(await suffixes(clause)).toEqual(expected);
    });

    it('never matches a model that lacks the tag, even with !=', async () => {
      expect(await suffixes("tags.missing != 'x'")).toEqual([]);
      expect(await suffixes("tags.env != 'anything'")).toEqual(['1', '2', '3']);
    });

    it('rejects unquoted tag values and non-string comparators', async () => {
      expectError(
        await r.searchModels({ filter: 'tags.env = prod' }),
        400,
        'INVALID_PARAMETER_VALUE',
        'Parameter value is either not quoted or unidentified quote types used for string value prod. Use either single or double quotes.',
      );
      expectError(await r.searchModels({ filter: "tags.env > 'a'" }), 400, 'INVALID_PARAMETER_VALUE', 'Invalid comparator for tag: >');
    });
  });

  describe('prompts', () => {
    let p: string;
    beforeAll(async () => {
      p = uniqueName('prompt');
      await r.createModel(`${p}-model`);
      await r.createModel(`${p}-prompt`, { tags: [{ key: 'mlflow.prompt.is_prompt', value: 'true' }] });
      await r.createModel(`${p}-tagged-false`, { tags: [{ key: 'mlflow.prompt.is_prompt', value: 'false' }] });
    });

    it('excludes prompts by default', async () => {
      expect(await names(`name LIKE '${p}-%'`)).toEqual([`${p}-model`, `${p}-tagged-false`]);
      const all = await names('', { max_results: 1000 });
      expect(all).toContain(`${p}-model`);
      expect(all).not.toContain(`${p}-prompt`);
      const unfiltered = ok(await r.get('registered-models/search', { max_results: 1000 })).body.registered_models as { name: string }[];
      expect(unfiltered.map((m) => m.name)).not.toContain(`${p}-prompt`);
    });

    it("accepts the clause clients append, and a model without the tag matches != 'true'", async () => {
      expect(await names(`name LIKE '${p}-%' AND tag.\`mlflow.prompt.is_prompt\` != 'true'`)).toEqual([`${p}-model`, `${p}-tagged-false`]);
      const onlyClause = await names("tag.`mlflow.prompt.is_prompt` != 'true'", { max_results: 1000 });
      expect(onlyClause).toContain(`${p}-model`);
      expect(onlyClause).not.toContain(`${p}-prompt`);
    });

    it("returns prompts for tags.`mlflow.prompt.is_prompt` = 'true'", async () => {
      expect(await names(`name LIKE '${p}-%' AND tags.\`mlflow.prompt.is_prompt\` = 'true'`)).toEqual([`${p}-prompt`]);
      expect(await names(`tags.\`mlflow.prompt.is_prompt\` = 'true' AND name LIKE '${p}-%'`)).toEqual([`${p}-prompt`]);
    });

    it('still serves a prompt by name through get', async () => {
      expect(ok(await r.getModel(`${p}-prompt`)).body.registered_model.tags).toEqual([{ key: 'mlflow.prompt.is_prompt', value: 'true' }]);
    });
  });

  describe('order_by', () => {
    let p: string;
    beforeAll(async () => {
      p = uniqueName('order');
      at(1_000);
      await r.createModel(`${p}-a`);
      at(3_000);
      await r.createModel(`${p}-b`);
      at(2_000);
      await r.createModel(`${p}-d`);
      await r.createModel(`${p}-c`);
      at(0);
    });

    const order = async (orderBy: string | readonly string[]) =>
      (await names(`name LIKE '${p}-%'`, { order_by: orderBy })).map((n) => n.slice(p.length + 1));

    it('defaults to name ASC', async () => {
      expect((await names(`name LIKE '${p}-%'`)).map((n) => n.slice(p.length + 1))).toEqual(['a', 'b', 'c', 'd']);
    });

    it.each([
      ['name', ['a', 'b', 'c', 'd']],
      ['name ASC', ['a', 'b', 'c', 'd']],
      ['name DESC', ['d', 'c', 'b', 'a']],
      ['name desc', ['d', 'c', 'b', 'a']],
      ['last_updated_timestamp DESC', ['b', 'c', 'd', 'a']],
      ['last_updated_timestamp ASC', ['a', 'c', 'd', 'b']],
      ['last_updated_timestamp', ['a', 'c', 'd', 'b']],
      ['timestamp DESC', ['b', 'c', 'd', 'a']],
      ['timestamp asc', ['a', 'c', 'd', 'b']],
    ] as const)('%s (ties broken by name ASC)', async (orderBy, expected) => {
      expect(await order(orderBy)).toEqual(expected);
    });

    it('takes repeated order_by query keys in order', async () => {
      expect(await order(['last_updated_timestamp DESC', 'name DESC'])).toEqual(['b', 'd', 'c', 'a']);
      expect(await order(['timestamp ASC', 'name DESC'])).toEqual(['a', 'd', 'c', 'b']);
    });

    it('sorts by the bumped timestamp after an update', async () => {
      const name = uniqueName('bump');
      at(10_000);
      await r.createModel(`${name}-x`);
      await r.createModel(`${name}-y`);
      at(20_000);
      ok(await r.patch('registered-models/update', { name: `${name}-x`, description: 'touched' }));
      at(0);
      const got = await names(`name LIKE '${name}-%'`, { order_by: 'last_updated_timestamp DESC' });
      expect(got).toEqual([`${name}-x`, `${name}-y`]);
      const model = ok(await r.getModel(`${name}-x`)).body.registered_model;
      expect(model).toMatchObject({ creation_timestamp: T0 + 10_000, last_updated_timestamp: T0 + 20_000 });
    });

    it('rejects unknown keys, creation_timestamp, bad directions and duplicates with 400', async () => {
      expectError(await r.searchModels({ order_by: 'creation_timestamp' }), 400, 'INVALID_PARAMETER_VALUE', /^Invalid order by key 'creation_timestamp' specified/);
      expectError(await r.searchModels({ order_by: 'bogus DESC' }), 400, 'INVALID_PARAMETER_VALUE', /^Invalid order by key 'bogus' specified/);
      expectError(await r.searchModels({ order_by: 'name SIDEWAYS' }), 400, 'INVALID_PARAMETER_VALUE', "Invalid ordering key in order_by clause 'name SIDEWAYS'.");
      expectError(await r.searchModels({ order_by: ['name ASC', 'name DESC'] }), 400, 'INVALID_PARAMETER_VALUE', /duplicate/);
      expectError(await r.searchModels({ order_by: ['timestamp', 'last_updated_timestamp'] }), 400, 'INVALID_PARAMETER_VALUE', /duplicate/);
    });
  });

  describe('paging', () => {
    let p: string;
    let all: string[];
    let small: string[];
    beforeAll(async () => {
      p = uniqueName('page');
      all = Array.from({ length: 250 }, (_, i) => `${p}-${String(i).padStart(3, '0')}`);
      small = all.slice(0, 20);
      // Shuffled creation order, so that name order is not insertion order.
      const shuffled = [...all].sort((a, b) => (a.split('').reverse().join('') < b.split('').reverse().join('') ? -1 : 1));
      for (const name of shuffled) {
        await r.createModel(name, small.includes(name) ? { tags: [{ key: 'small', value: 'yes' }] } : {});
      }
    });

    const filter = () => `name LIKE '${p}-%'`;

    it.each([7, 100, 50])('visits every model exactly once, in order, with page size %i', async (size) => {
      const { names: got, pages } = await r.allModelNames(filter(), size);
      expect(got).toEqual(all);
      expect(new Set(got).size).toBe(250);
      expect(pages).toBe(Math.ceil(250 / size));
    });

    it('pages one model at a time', async () => {
      const { names: got, pages } = await r.allModelNames(`${filter()} AND tags.small = 'yes'`, 1);
      expect(got).toEqual(small);
      expect(pages).toBe(20);
    });

    it('pages in descending order too', async () => {
      const { names: got } = await r.allModelNames(filter(), 7, ['name DESC']);
      expect(got).toEqual([...all].reverse());
    });

    it('defaults max_results to 100', async () => {
      const res = ok(await r.searchModels({ filter: filter() }));
      expect(res.body.registered_models).toHaveLength(100);
      expect(res.body.registered_models.map((m: { name: string }) => m.name)).toEqual(all.slice(0, 100));
      expect(typeof res.body.next_page_token).toBe('string');
    });

    it('allows max_results up to 1000 and rejects 1001', async () => {
      const res = ok(await r.searchModels({ filter: filter(), max_results: 1000 }));
      expect(res.body.registered_models).toHaveLength(250);
      expect(Object.keys(res.body)).toEqual(['registered_models']);
      expectError(await r.searchModels({ filter: filter(), max_results: 1001 }), 400, 'INVALID_PARAMETER_VALUE', /max_results/);
    });

    it('accepts max_results as a JSON body number on a GET without a query string', async () => {
      const res = ok(await t.request.get('/api/2.0/mlflow/registered-models/search').send({ filter: filter(), max_results: 3 }));
      expect(res.body.registered_models.map((m: { name: string }) => m.name)).toEqual(all.slice(0, 3));
    });

    it.each([
      ['garbage!!', 'Invalid page token, could not base64-decode'],
      ['Zm9v', "Invalid page token, decoded value=b'foo'"],
      ['bm90IGpzb24=', "Invalid page token, decoded value=b'not json'"],
      ['%%%', "Invalid page token, decoded value=b''"],
      ['eyJvZmZzZXQiOiAtMX0=', /^Invalid page token/],
      ['W10=', /^Invalid page token/],
    ] as const)('rejects the page token %j with 400', async (token, message) => {
      expectError(await r.searchModels({ filter: filter(), page_token: token }), 400, 'INVALID_PARAMETER_VALUE', message);
    });

    it('accepts a token issued by a search and continues from it', async () => {
      const first = ok(await r.searchModels({ filter: filter(), max_results: 10 }));
      const second = ok(await r.searchModels({ filter: filter(), max_results: 10, page_token: first.body.next_page_token }));
      expect(second.body.registered_models.map((m: { name: string }) => m.name)).toEqual(all.slice(10, 20));
    });
  });
});
