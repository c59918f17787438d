/**
 * Bad input: every case must be a 4xx with a JSON `{error_code, message}` body and must leave the
 * registry exactly as it was (checked with a snapshot of a fixture model taken before and after).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Response } from 'supertest';
import { backends, createTestApp, type TestApp } from '../helpers/app.js';
import { API, expectError, HINT, ok, Registry, uniqueName } from './support.js';

const missing = (field: string) => `Missing value for required parameter '${field}'.${HINT}`;
const wrongType = (field: string, shown: string, type: string) =>
  `Invalid value ${shown} for parameter '${field}' supplied:  Hint: Value was of type '${type}'.${HINT}`;
const pathMessage = (field: string, name: string, resolved: string) =>
  `Invalid value ${JSON.stringify(name)} for parameter '${field}' supplied: Names may be treated as files in certain cases, ` +
  `and must not resolve to other names when treated as such. This name would resolve to '${resolved}'`;

describe.each(backends())('bad input (%s)', (backend) => {
  let t: TestApp;
  let r: Registry;
  /** A model with a description, a tag, two versions (one tagged) and an alias. */
  let fixture: string;

  beforeAll(async () => {
    t = await createTestApp(backend);
    r = new Registry(t);
    fixture = uniqueName('fixture');
    await r.createModel(fixture, { description: 'original', tags: [{ key: 'k', value: 'v' }] });
    await r.createVersion(fixture, 's3://b/1', { tags: [{ key: 'vk', value: 'vv' }], description: 'v1' });
    await r.createVersion(fixture, 's3://b/2');
    ok(await r.post('registered-models/alias', { name: fixture, alias: 'champion', version: '1' }));
  });

  afterAll(async () => {
    await t?.close();
  });

  /** Everything observable about the fixture. */
  async function snapshot() {
    // The model carries its description, tags, aliases and latest versions; the version search
    // carries every live version (a new one would show up) with its tags and aliases.
    // (Sequential: one supertest agent must not run requests concurrently.)
    const model = ok(await r.getModel(fixture)).body;
    const versions = ok(await r.searchVersions({ filter: `name = '${fixture}'` })).body;
    return { model, versions };
  }

  /** Runs a bad request against the fixture, asserts the error and that nothing changed. */
  async function rejectsWithoutChange(send: () => PromiseLike<Response>, status: number, code: string, message?: string | RegExp): Promise<void> {
    const before = await snapshot();
    const res = await send();
    expectError(res, status, code, message);
    expect(await snapshot()).toEqual(before);
  }

  const raw = (method: 'post' | 'patch' | 'delete', path: string, body: string | Buffer) =>
    t.request[method](`${API}/${path}`).set('Content-Type', 'application/json').send(body);

  describe('malformed bodies', () => {
    it.each([
      ['truncated JSON', '{"name": "N", "description": '],
      ['not JSON at all', 'name=N'],
      ['single quotes', "{'name': 'N'}"],
      ['trailing comma', '{"name": "N",}'],
    ])('PATCH update with %s → 400', async (_label, body) => {
      await rejectsWithoutChange(() => raw('patch', 'registered-models/update', body.replace('N', fixture)), 400, 'INVALID_PARAMETER_VALUE');
    });

    it('POST create with malformed JSON → 400, creating nothing', async () => {
      const name = uniqueName();
      const res = await raw('post', 'registered-models/create', `{"name": "${name}"`);
      expectError(res, 400, 'INVALID_PARAMETER_VALUE');
      expectError(await r.getModel(name), 404, 'RESOURCE_DOES_NOT_EXIST');
    });

    it.each([
      ['a JSON array', (n: string) => JSON.stringify([{ name: n, description: 'x' }])],
      ['a JSON number', () => '42'],
      ['JSON true', () => 'true'],
      ['a JSON string holding an array', (n: string) => JSON.stringify(JSON.stringify([n]))],
    ])('PATCH update with %s as the body → 400', async (_label, body) => {
      await rejectsWithoutChange(() => raw('patch', 'registered-models/update', body(fixture)), 400, 'INVALID_PARAMETER_VALUE', 'Request body must be a JSON object.');
    });

    it('POST create with a JSON array body → 400, creating nothing', async () => {
      const name = uniqueName();
      expectError(await raw('post', 'registered-models/create', JSON.stringify([{ name }])), 400, 'INVALID_PARAMETER_VALUE');
      expectError(await r.getModel(name), 404, 'RESOURCE_DOES_NOT_EXIST');
    });

    it('DELETE with malformed JSON → 400, deleting nothing', async () => {
      await rejectsWithoutChange(() => raw('delete', 'registered-models/delete', `{"name": "${fixture}"`), 400, 'INVALID_PARAMETER_VALUE');
      await rejectsWithoutChange(() => raw('delete', 'model-versions/delete', `{"name": "${fixture}", "version": "1"`), 400, 'INVALID_PARAMETER_VALUE');
    });
  });

  describe('wrong types', () => {
    it.each([
      ['name: 123', { name: 123 }, wrongType('name', '123', 'int')],
      ['name: true', { name: true }, wrongType('name', 'true', 'bool')],
      ['name: ["x"]', { name: ['x'] }, wrongType('name', '["x"]', 'list')],
      ['name: {}', { name: {} }, wrongType('name', '{}', 'dict')],
    ])('create with %s → 400', async (_label, body, message) => {
      expectError(await r.post('registered-models/create', body), 400, 'INVALID_PARAMETER_VALUE', message);
    });

    it.each([
      ['tags: "x"', { tags: 'x' }, wrongType('tags', '"x"', 'str')],
      ['tags: {}', { tags: { key: 'k', value: 'v' } }, undefined],
      ['tags: [["k","v"]]', { tags: [['k', 'v']] }, undefined],
      ['tags: [{key: 1}]', { tags: [{ key: 1, value: 'v' }] }, undefined],
      ['tags: [{value}] without key', { tags: [{ value: 'v' }] }, undefined],
      ['description: 5', { description: 5 }, wrongType('description', '5', 'int')],
    ])('create with %s → 400, creating nothing', async (_label, extra, message) => {
      const name = uniqueName();
      expectError(await r.post('registered-models/create', { name, ...extra }), 400, 'INVALID_PARAMETER_VALUE', message);
      expectError(await r.getModel(name), 404, 'RESOURCE_DOES_NOT_EXIST');
    });

    it.each([
      ['update description: 5', () => r.patch('registered-models/update', { name: fixture, description: 5 }), wrongType('description', '5', 'int')],
      ['set-tag value: 7', () => r.post('registered-models/set-tag', { name: fixture, key: 'k', value: 7 }), wrongType('value', '7', 'int')],
      ['set-tag key: 7', () => r.post('registered-models/set-tag', { name: fixture, key: 7, value: 'x' }), wrongType('key', '7', 'int')],
      ['alias version: 2 (a number)', () => r.post('registered-models/alias', { name: fixture, alias: 'champion', version: 2 }), wrongType('version', '2', 'int')],
      ['mv update version: 1 (a number)', () => r.patch('model-versions/update', { name: fixture, version: 1, description: 'x' }), wrongType('version', '1', 'int')],
      ['mv set-tag value: {a: 1}', () => r.post('model-versions/set-tag', { name: fixture, version: '1', key: 'vk', value: { a: 1 } }), undefined],
      [
        'transition archive_existing_versions: "maybe"',
        () => r.post('model-versions/transition-stage', { name: fixture, version: '2', stage: 'Production', archive_existing_versions: 'maybe' }),
        undefined,
      ],
      ['rename new_name: 5', () => r.post('registered-models/rename', { name: fixture, new_name: 5 }), wrongType('new_name', '5', 'int')],
      ['delete name: 5', () => r.del('registered-models/delete', { name: 5 }), wrongType('name', '5', 'int')],
      ['get-latest-versions stages: "None"', () => r.post('registered-models/get-latest-versions', { name: fixture, stages: 'None' }), undefined],
      ['get-latest-versions stages: [1]', () => r.post('registered-models/get-latest-versions', { name: fixture, stages: [1] }), undefined],
    ])('%s → 400, changing nothing', async (_label, send, message) => {
      await rejectsWithoutChange(send, 400, 'INVALID_PARAMETER_VALUE', message);
    });

    it('mv create with tags: "x" → 400, creating nothing', async () => {
      await rejectsWithoutChange(() => r.post('model-versions/create', { name: fixture, source: 's3://b/3', tags: 'x' }), 400, 'INVALID_PARAMETER_VALUE');
    });
  });

  describe('missing required fields', () => {
    it.each([
      ['create', () => r.post('registered-models/create', {}), 'name'],
      ['create with name ""', () => r.post('registered-models/create', { name: '' }), 'name'],
      ['rename without new_name', () => r.post('registered-models/rename', { name: fixture }), 'new_name'],
      ['rename without name', () => r.post('registered-models/rename', { new_name: uniqueName() }), 'name'],
      ['update without name', () => r.patch('registered-models/update', { description: 'x' }), 'name'],
      ['delete without name', () => r.del('registered-models/delete', {}), 'name'],
      ['set-tag without key', () => r.post('registered-models/set-tag', { name: fixture, value: 'x' }), 'key'],
      ['delete-tag without key', () => r.del('registered-models/delete-tag', { name: fixture }), 'key'],
      ['mv create without source', () => r.post('model-versions/create', { name: fixture }), 'source'],
      ['mv create without name', () => r.post('model-versions/create', { source: 's3://b/x' }), 'name'],
      ['mv update without version', () => r.patch('model-versions/update', { name: fixture, description: 'x' }), 'version'],
      ['mv delete without version', () => r.del('model-versions/delete', { name: fixture }), 'version'],
      ['mv set-tag without key', () => r.post('model-versions/set-tag', { name: fixture, version: '1', value: 'x' }), 'key'],
      ['mv delete-tag without key', () => r.del('model-versions/delete-tag', { name: fixture, version: '1' }), 'key'],
      ['transition without stage', () => r.post('model-versions/transition-stage', { name: fixture, version: '2', archive_existing_versions: false }), 'stage'],
      ['alias without version', () => r.post('registered-models/alias', { name: fixture, alias: 'champion' }), 'version'],
      ['alias delete without alias', () => r.del('registered-models/alias', { name: fixture }), 'alias'],
      ['get without name', () => r.get('registered-models/get', { other: 'x' }), 'name'],
      ['mv get without version', () => r.get('model-versions/get', { name: fixture }), 'version'],
      ['download-uri without version', () => r.get('model-versions/get-download-uri', { name: fixture }), 'version'],
      ['get-latest-versions without name', () => r.post('registered-models/get-latest-versions', {}), 'name'],
    ])('%s → 400, changing nothing', async (_label, send, field) => {
      await rejectsWithoutChange(send, 400, 'INVALID_PARAMETER_VALUE', missing(field));
    });
  });

  describe('sizes', () => {
    it('rejects a tag value over 100000 characters everywhere, storing nothing', async () => {
      const big = 'x'.repeat(100_001);
      const message = "'value' exceeds the maximum length of 100000 characters";
      await rejectsWithoutChange(() => r.post('registered-models/set-tag', { name: fixture, key: 'k', value: big }), 400, 'INVALID_PARAMETER_VALUE', message);
      await rejectsWithoutChange(() => r.post('model-versions/set-tag', { name: fixture, version: '1', key: 'vk', value: big }), 400, 'INVALID_PARAMETER_VALUE', message);
      await rejectsWithoutChange(
        () => r.post('model-versions/create', { name: fixture, source: 's3://b/3', tags: [{ key: 'k', value: big }] }),
        400,
        'INVALID_PARAMETER_VALUE',
        message,
      );
      const name = uniqueName();
      expectError(await r.post('registered-models/create', { name, tags: [{ key: 'k', value: big }] }), 400, 'INVALID_PARAMETER_VALUE', message);
      expectError(await r.getModel(name), 404, 'RESOURCE_DOES_NOT_EXIST');
    });

    it('accepts a tag value of exactly 100000 characters', async () => {
      const name = uniqueName();
      await r.createModel(name);
      const value = 'y'.repeat(100_000);
      ok(await r.post('registered-models/set-tag', { name, key: 'big', value }));
      expect(ok(await r.getModel(name)).body.registered_model.tags).toEqual([{ key: 'big', value }]);
    });

    it('rejects a 1 MiB tag value with 400 (not 5xx), storing nothing', async () => {
      await rejectsWithoutChange(
        () => r.post('registered-models/set-tag', { name: fixture, key: 'k', value: 'z'.repeat(1024 * 1024) }),
        400,
        'INVALID_PARAMETER_VALUE',
      );
    });

    it('round-trips a description of 1000000 characters', async () => {
      const name = uniqueName();
      const description = 'd'.repeat(1_000_000);
      ok(await r.post('registered-models/create', { name, description }));
      expect(ok(await r.getModel(name)).body.registered_model.description).toBe(description);
      await r.createVersion(name, 's3://b/p', { description });
      expect(ok(await r.getVersion(name, 1)).body.model_version.description).toBe(description);
    });

    it('rejects a 1 MiB description with a 4xx (not 5xx), changing nothing', async () => {
      await rejectsWithoutChange(
        () => r.patch('registered-models/update', { name: fixture, description: 'e'.repeat(1024 * 1024) }),
        400,
        'INVALID_PARAMETER_VALUE',
        "'description' exceeds the maximum length of 1000000 characters",
      );
      await rejectsWithoutChange(
        () => r.patch('model-versions/update', { name: fixture, version: '1', description: 'e'.repeat(1024 * 1024) }),
        400,
        'INVALID_PARAMETER_VALUE',
      );
    });

    it('ignores a 1 MiB unknown field (no 5xx)', async () => {
      const name = uniqueName();
      const res = await r.post('registered-models/create', { name, padding: 'p'.repeat(1024 * 1024) });
      expect(ok(res).body.registered_model.name).toBe(name);
    });

    it('rejects tag keys over 250 characters', async () => {
      await rejectsWithoutChange(
        () => r.post('registered-models/set-tag', { name: fixture, key: 'k'.repeat(251), value: 'v' }),
        400,
        'INVALID_PARAMETER_VALUE',
        "'key' exceeds the maximum length of 250 characters",
      );
    });
  });

  describe('search filters', () => {
    it.each([
      ["foo = 'a'", "Invalid attribute key 'foo' specified. Valid keys are '{'name'}'"],
      ["name = 'a' OR name = 'b'", 'Invalid clause(s) in filter string: OR'],
      // MLflow reports only `OR` here (sqlparse reads `1=1` as a comparison).
      ["name = 'x' OR 1=1", /^Invalid clause\(s\) in filter string: OR\b/],
      ["name = 'a'; DROP TABLE registered_models", `Search filter contained multiple expression "name = 'a'; DROP TABLE registered_models". Provide AND-ed expression list.`],
      ["name = 'a'; DELETE FROM registered_models", /^Search filter contained multiple expression/],
      ["(name = 'a')", "Invalid clause(s) in filter string: (name = 'a')"],
      ["NOT name = 'a'", 'Invalid clause(s) in filter string: NOT'],
      ['name = a', 'Parameter value is either not quoted or unidentified quote types used for string value a. Use either single or double quotes.'],
      ["name > 'a'", 'Invalid comparator for attribute: >'],
      ["model.name = 'a'", "Invalid entity type 'model'. Valid entity types are ('attribute', 'tag', 'tags')"],
      ["`name` = 'a'", /^Invalid attribute key '`name`' specified/],
      // MLflow's message quotes the comment whole: `-- comment`.
      ["name = 'a' -- comment", /^Invalid clause\(s\) in filter string: --/],
    ] as const)('registered-models/search rejects %j with 400, changing nothing', async (filter, message) => {
      await rejectsWithoutChange(() => r.searchModels({ filter }), 400, 'INVALID_PARAMETER_VALUE', message);
    });

    it("treats SQL inside a quoted value as literal text", async () => {
      await rejectsWithoutChange(() => r.searchModels({ filter: "name = 'x'' OR ''1''=''1'; DROP" }), 400, 'INVALID_PARAMETER_VALUE');
      for (const filter of ["name = 'a'' OR 1=1 --'", "name LIKE '%'' OR ''%'", `name = '${fixture}'' OR 1=1'`]) {
        const res = ok(await r.searchModels({ filter }));
        expect(res.text).toBe('{}');
      }
      expect(ok(await r.searchModels({ filter: `name = '${fixture}'` })).body.registered_models).toHaveLength(1);
    });

    it.each([
      ["run_id = 'a'; DROP TABLE model_versions", /^Search filter contained multiple expression/],
      ["run_id = 'a' OR 1=1", /^Invalid clause\(s\) in filter string: OR\b/],
      ["version_number = 1 OR 1=1", /^Invalid clause\(s\) in filter string: OR\b/],
      ["version_number > 'x'", "Invalid value for numeric attribute 'version_number': 'x'"],
      ["version_number = 1.5", "Invalid value for numeric attribute 'version_number': 1.5"],
      ["run_id IN ()", 'While parsing a list in the query, expected a non-empty list of string values, but got empty list'],
      ["run_id IN ('a', 1)", "While parsing a list in the query, expected string value, punctuation, or whitespace, but got different type in list: ('a', 1)"],
      ["source_path < 'x'", 'Invalid comparator for attribute: <'],
    ] as const)('model-versions/search rejects %j with 400, changing nothing', async (filter, message) => {
      await rejectsWithoutChange(() => r.searchVersions({ filter }), 400, 'INVALID_PARAMETER_VALUE', message);
    });
  });

  describe('max_results and versions', () => {
    it.each(['0', '-1', 'abc', '1.5', '', '1e2', '0x10'])('registered-models/search max_results=%j → 400', async (max) => {
      await rejectsWithoutChange(() => r.searchModels({ max_results: max }), 400, 'INVALID_PARAMETER_VALUE', /max_results/);
    });

    it.each(['0', '-1', 'abc', '200001'])('model-versions/search max_results=%j → 400', async (max) => {
      await rejectsWithoutChange(() => r.searchVersions({ max_results: max }), 400, 'INVALID_PARAMETER_VALUE', /max_results/);
    });

    it('rejects max_results given as a JSON float or string word', async () => {
      await rejectsWithoutChange(() => t.request.get(`${API}/registered-models/search`).send({ max_results: 2.5 }), 400, 'INVALID_PARAMETER_VALUE');
      await rejectsWithoutChange(() => t.request.get(`${API}/registered-models/search`).send({ max_results: 'ten' }), 400, 'INVALID_PARAMETER_VALUE');
    });

    it.each(['abc', '1.0', '1a', '-', '9'.repeat(30)])('non-integer version %j → 400 on delete, changing nothing', async (version) => {
      await rejectsWithoutChange(
        () => r.del('model-versions/delete', { name: fixture, version }),
        400,
        'INVALID_PARAMETER_VALUE',
        `Parameter 'version' must be an integer, got '${version}'.`,
      );
    });

    it.each(['abc', '2.0'])('non-integer version %j → 400 on transition-stage and alias, changing nothing', async (version) => {
      const message = `Parameter 'version' must be an integer, got '${version}'.`;
      await rejectsWithoutChange(
        () => r.post('model-versions/transition-stage', { name: fixture, version, stage: 'Archived', archive_existing_versions: false }),
        400,
        'INVALID_PARAMETER_VALUE',
        message,
      );
      await rejectsWithoutChange(() => r.post('registered-models/alias', { name: fixture, alias: 'champion', version }), 400, 'INVALID_PARAMETER_VALUE', message);
    });
  });

  // A deterministic client error must never be a 5xx: MLflow clients retry 5xx seven times with
  // backoff, POSTs included. PostgreSQL refuses NUL characters in text, so flowreg rejects them at
  // the edge on every backend; version numbers are 64-bit.
  describe('values the database cannot hold (must not 5xx)', () => {
    /** A 4xx JSON error, or a success that round-trips; never a 5xx. */
    async function expectHandled(res: Response, roundTrip?: () => Promise<void>): Promise<void> {
      expect(res.status, res.text).toBeLessThan(500);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      if (res.status === 200) await roundTrip?.();
      else expectError(res, 400, 'INVALID_PARAMETER_VALUE');
    }

    it('create with a NUL character in the name', async () => {
      const name = uniqueName('nul') + '\u0000x';
      const res = await r.post('registered-models/create', { name });
      await expectHandled(res, async () => {
        expect(ok(await r.getModel(name)).body.registered_model.name).toBe(name);
      });
    });

    it('get with a NUL character in the name → 400', async () => {
      const name = uniqueName('nul') + '\u0000x';
      expectError(await r.getModel(name), 400, 'INVALID_PARAMETER_VALUE', "Invalid value for parameter 'name': it contains a NUL character.");
    });

    it('search with a NUL character in the filter → 400', async () => {
      expectError(
        await r.searchModels({ filter: "name = 'nul\u0000x'" }),
        400,
        'INVALID_PARAMETER_VALUE',
        "Invalid value for parameter 'filter': it contains a NUL character.",
      );
    });

    it('NUL characters in a description, a tag value and a run_id', async () => {
      const before = await snapshot();
      await expectHandled(await r.patch('registered-models/update', { name: fixture, description: 'a\u0000b' }), async () => {
        expect(ok(await r.getModel(fixture)).body.registered_model.description).toBe('a\u0000b');
        ok(await r.patch('registered-models/update', { name: fixture, description: 'original' }));
      });
      await expectHandled(await r.post('registered-models/set-tag', { name: fixture, key: 'nul', value: 'a\u0000b' }), async () => {
        ok(await r.del('registered-models/delete-tag', { name: fixture, key: 'nul' }));
      });
      const name = uniqueName('nul');
      await r.createModel(name);
      await expectHandled(await r.post('model-versions/create', { name, source: 's3://b/p', run_id: 'a\u0000b' }), async () => {
        expect(ok(await r.getVersion(name, 1)).body.model_version.run_id).toBe('a\u0000b');
      });
      const after = await snapshot();
      expect(after.versions).toEqual(before.versions);
    });

    it('a version number beyond 32 bits → 404 on get, alias and delete', async () => {
      for (const version of ['2147483648', '9999999999', '9007199254740991']) {
        const message = `Model Version (name=${fixture}, version=${version}) not found`;
        expectError(await r.getVersion(fixture, version), 404, 'RESOURCE_DOES_NOT_EXIST', message);
        await rejectsWithoutChange(() => r.post('registered-models/alias', { name: fixture, alias: 'champion', version }), 404, 'RESOURCE_DOES_NOT_EXIST', message);
        await rejectsWithoutChange(() => r.del('model-versions/delete', { name: fixture, version }), 404, 'RESOURCE_DOES_NOT_EXIST', message);
      }
    });

    it('version_number beyond 32 bits in a filter → {}', async () => {
      for (const filter of [`name = '${fixture}' AND version_number > 2147483648`, `name = '${fixture}' AND version_number < 99999999999`]) {
        const res = await r.searchVersions({ filter });
        expect(res.status, res.text).toBeLessThan(500);
        if (filter.includes('>')) expect(res.text).toBe('{}');
        else expect(res.body.model_versions.map((v: { version: string }) => v.version)).toEqual(['2', '1']);
      }
      const huge = await r.searchVersions({ filter: 'version_number = 9999999999999999999999' });
      expect(huge.status, huge.text).toBeLessThan(500);
    });
  });

  describe('invalid names (MLflow 3 rules)', () => {
    it.each([
      ['a/b', "Invalid model name 'a/b'. Names cannot contain '/' or ':'."],
      ['/abs', "Invalid model name '/abs'. Names cannot contain '/' or ':'."],
      ['a:b', "Invalid model name 'a:b'. Names cannot contain '/' or ':'."],
      ['../x', "Invalid model name '../x'. Names cannot contain '/' or ':'."],
      ['..', pathMessage('name', '..', '..')],
      ['.', pathMessage('name', '.', '.')],
      ['..x', pathMessage('name', '..x', '..x')],
      ['', missing('name')],
      ['   ', "Missing value for required parameter 'name'."],
      ['\t\n', "Missing value for required parameter 'name'."],
      ['n'.repeat(257), "'name' exceeds the maximum length of 256 characters"],
    ])('create %j → 400, creating nothing', async (name, message) => {
      const before = ok(await r.searchModels({ max_results: 1000 })).body;
      expectError(await r.post('registered-models/create', { name }), 400, 'INVALID_PARAMETER_VALUE', message);
      expect(ok(await r.searchModels({ max_results: 1000 })).body).toEqual(before);
    });

    it.each(['a/b', 'a:b', '..', '.', '', '   ', 'n'.repeat(257)])('rename onto %j → 400, changing nothing', async (newName) => {
      await rejectsWithoutChange(() => r.post('registered-models/rename', { name: fixture, new_name: newName }), 400, 'INVALID_PARAMETER_VALUE');
    });

    it.each(['a/b', 'a:b', '..', '.'])('get %j → 400 (not 404)', async (name) => {
      expectError(await r.getModel(name), 400, 'INVALID_PARAMETER_VALUE');
      expectError(await r.getVersion(name, 1), 400, 'INVALID_PARAMETER_VALUE');
    });

    it.each(['a/b', '..'])('model-versions/create for %j → 400', async (name) => {
      expectError(await r.post('model-versions/create', { name, source: 's3://b/x' }), 400, 'INVALID_PARAMETER_VALUE');
    });
  });
});
