import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import supertest from 'supertest';
import { API, backends, createTestApp, type TestApp } from '../helpers/app.js';
import { Registry, expectEmptyOk, expectError, ok, sleep, uniqueName } from './support.js';

describe.each(backends())('registered models (%s)', (backend) => {
  let t: TestApp;
  let r: Registry;

  beforeAll(async () => {
    t = await createTestApp(backend);
    r = new Registry(t);
  });

  afterAll(async () => {
    await t?.close();
  });

  describe('create', () => {
    it('returns the exact MLflow JSON shape with tags and description', async () => {
      const name = uniqueName();
      const before = Date.now();
      const res = await r.post('registered-models/create', {
        name,
        description: 'my description',
        tags: [
          { key: 'empty', value: '' },
          { key: 'team', value: 'search' },
        ],
      });
      const after = Date.now();
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(Object.keys(res.body)).toEqual(['registered_model']);
      const rm = res.body.registered_model;
      expect(rm).toEqual({
        name,
        creation_timestamp: expect.any(Number),
        last_updated_timestamp: rm.creation_timestamp,
        description: 'my description',
        tags: [
          { key: 'empty', value: '' },
          { key: 'team', value: 'search' },
        ],
      });
      expect(Number.isInteger(rm.creation_timestamp)).toBe(true);
      expect(rm.creation_timestamp).toBeGreaterThanOrEqual(before);
      expect(rm.creation_timestamp).toBeLessThanOrEqual(after);
      expect(rm).not.toHaveProperty('latest_versions');
      expect(rm).not.toHaveProperty('aliases');
    });

    it('omits description, tags, latest_versions and aliases when there are none', async () => {
      const name = uniqueName();
      const res = ok(await r.post('registered-models/create', { name }));
      expect(Object.keys(res.body.registered_model).sort()).toEqual(['creation_timestamp', 'last_updated_timestamp', 'name']);
      expect(res.body.registered_model.name).toBe(name);
    });

    it('treats an explicit null description and empty tag list as unset', async () => {
      const name = uniqueName();
      const res = ok(await r.post('registered-models/create', { name, description: null, tags: [] }));
      expect(Object.keys(res.body.registered_model).sort()).toEqual(['creation_timestamp', 'last_updated_timestamp', 'name']);
    });

    it('rejects a duplicate with 400 RESOURCE_ALREADY_EXISTS and leaves the original untouched', async () => {
      const name = uniqueName();
      const original = await r.createModel(name, { description: 'first', tags: [{ key: 'k', value: 'v' }] });
      const res = await r.post('registered-models/create', { name, description: 'second', tags: [{ key: 'x', value: 'y' }] });
      expectError(res, 400, 'RESOURCE_ALREADY_EXISTS', `Registered Model (name=${name}) already exists.`);
      const now = ok(await r.getModel(name)).body.registered_model;
      expect(now).toEqual(original);
    });
  });

  describe('concurrency', () => {
    // A fresh supertest per request: one agent must not carry overlapping requests.
    const post = (path: string, body: unknown) =>
      supertest(t.app).post(`${API}/${path}`).set('Content-Type', 'application/json').send(JSON.stringify(body));

    it('lets exactly one of many concurrent creates of one name succeed; the rest get RESOURCE_ALREADY_EXISTS', async () => {
      const name = uniqueName('race');
      const results = await Promise.all(Array.from({ length: 12 }, (_, i) => post('registered-models/create', { name, description: `d${i}` })));
      const winners = results.filter((res) => res.status === 200);
      expect(winners).toHaveLength(1);
      for (const res of results.filter((x) => x.status !== 200)) {
        expectError(res, 400, 'RESOURCE_ALREADY_EXISTS', `Registered Model (name=${name}) already exists.`);
      }
      expect(ok(await r.getModel(name)).body.registered_model).toEqual(winners[0]!.body.registered_model);
    });

    it('gives concurrent version creates distinct, gap-free numbers', async () => {
      const name = uniqueName('race');
      await r.createModel(name);
      const results = await Promise.all(Array.from({ length: 12 }, (_, i) => post('model-versions/create', { name, source: `s3://b/${i}` })));
      for (const res of results) expect(res.status).toBe(200);
      const numbers = results.map((res) => Number(res.body.model_version.version)).sort((x, y) => x - y);
      expect(numbers).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    });
  });

  describe('get', () => {
    it('returns what create returned', async () => {
      const name = uniqueName();
      const created = await r.createModel(name, { description: 'd', tags: [{ key: 'a', value: '1' }] });
      const res = ok(await r.getModel(name));
      expect(res.body).toEqual({ registered_model: created });
    });

    it('404s with RESOURCE_DOES_NOT_EXIST for an unknown model', async () => {
      const name = uniqueName('missing');
      expectError(await r.getModel(name), 404, 'RESOURCE_DOES_NOT_EXIST', `Registered Model with name=${name} not found`);
    });

    it('includes the highest version per stage in latest_versions', async () => {
      const name = uniqueName();
      await r.createModel(name);
      await r.createVersion(name, 's3://b/1');
      await r.createVersion(name, 's3://b/2');
      await r.createVersion(name, 's3://b/3');
      ok(await r.post('model-versions/transition-stage', { name, version: '1', stage: 'Production', archive_existing_versions: false }));
      const rm = ok(await r.getModel(name)).body.registered_model;
      const latest = (rm.latest_versions as { version: string; current_stage: string }[])
        .map((v) => [v.current_stage, v.version])
        .sort();
      expect(latest).toEqual([
        ['None', '3'],
        ['Production', '1'],
      ]);
    });
  });

  describe('rename', () => {
    it('moves the model and its versions to the new name', async () => {
      const oldName = uniqueName('old');
      const newName = uniqueName('new');
      const created = await r.createModel(oldName, { description: 'keep me', tags: [{ key: 'k', value: 'v' }] });
      await r.createVersion(oldName, 's3://b/one');
      await r.createVersion(oldName, 's3://b/two');
      ok(await r.post('registered-models/alias', { name: oldName, alias: 'champion', version: '2' }));
      await sleep(3);

      const res = ok(await r.post('registered-models/rename', { name: oldName, new_name: newName }));
      const rm = res.body.registered_model;
      expect(rm.name).toBe(newName);
      expect(rm.creation_timestamp).toBe(created.creation_timestamp);
      expect(rm.last_updated_timestamp).toBeGreaterThan(created.last_updated_timestamp);
      expect(rm.description).toBe('keep me');
      expect(rm.tags).toEqual([{ key: 'k', value: 'v' }]);
      expect(rm.aliases).toEqual([{ alias: 'champion', version: '2' }]);
      expect(rm.latest_versions).toHaveLength(1);
      expect(rm.latest_versions[0]).toMatchObject({ name: newName, version: '2', last_updated_timestamp: rm.last_updated_timestamp });

      const v1 = ok(await r.getVersion(newName, 1)).body.model_version;
      expect(v1).toMatchObject({ name: newName, version: '1', source: 's3://b/one', last_updated_timestamp: rm.last_updated_timestamp });
      const byAlias = ok(await r.get('registered-models/alias', { name: newName, alias: 'champion' })).body.model_version;
      expect(byAlias).toMatchObject({ name: newName, version: '2' });

      expectError(await r.getModel(oldName), 404, 'RESOURCE_DOES_NOT_EXIST', `Registered Model with name=${oldName} not found`);
      expectError(await r.getVersion(oldName, 1), 404, 'RESOURCE_DOES_NOT_EXIST', `Model Version (name=${oldName}, version=1) not found`);

      const versions = ok(await r.searchVersions({ filter: `name = '${newName}'` })).body.model_versions as { name: string }[];
      expect(versions.map((v) => v.name)).toEqual([newName, newName]);
      expect(ok(await r.searchVersions({ filter: `name = '${oldName}'` })).body).toEqual({});
    });

    it('continues version numbering after a rename', async () => {
      const oldName = uniqueName('old');
      const newName = uniqueName('new');
      await r.createModel(oldName);
      await r.createVersion(oldName);
      ok(await r.post('registered-models/rename', { name: oldName, new_name: newName }));
      const v = await r.createVersion(newName);
      expect(v.version).toBe('2');
    });

    it('refuses to rename onto an existing model (400 RESOURCE_ALREADY_EXISTS), changing nothing', async () => {
      const a = uniqueName('a');
      const b = uniqueName('b');
      await r.createModel(a, { description: 'A' });
      await r.createVersion(a);
      await r.createModel(b, { description: 'B' });
      const beforeA = ok(await r.getModel(a)).body;
      const beforeB = ok(await r.getModel(b)).body;
      const res = await r.post('registered-models/rename', { name: a, new_name: b });
      expectError(res, 400, 'RESOURCE_ALREADY_EXISTS', new RegExp(`^Registered Model \\(name=${b}\\) already exists\\.`));
      expect(ok(await r.getModel(a)).body).toEqual(beforeA);
      expect(ok(await r.getModel(b)).body).toEqual(beforeB);
    });

    it('404s when the source model does not exist', async () => {
      const missing = uniqueName('missing');
      const target = uniqueName('target');
      expectError(
        await r.post('registered-models/rename', { name: missing, new_name: target }),
        404,
        'RESOURCE_DOES_NOT_EXIST',
        `Registered Model with name=${missing} not found`,
      );
      expectError(await r.getModel(target), 404, 'RESOURCE_DOES_NOT_EXIST');
    });

    it('validates new_name like a name', async () => {
      const name = uniqueName();
      await r.createModel(name);
      expectError(
        await r.post('registered-models/rename', { name, new_name: 'a/b' }),
        400,
        'INVALID_PARAMETER_VALUE',
        "Invalid model name 'a/b'. Names cannot contain '/' or ':'.",
      );
      expectError(await r.post('registered-models/rename', { name }), 400, 'INVALID_PARAMETER_VALUE', /new_name/);
      expect(ok(await r.getModel(name)).body.registered_model.name).toBe(name);
    });
  });

  describe('update', () => {
    it('sets the description with PATCH and bumps last_updated_timestamp', async () => {
      const name = uniqueName();
      const created = await r.createModel(name, { description: 'old' });
      await sleep(3);
      const res = ok(await r.patch('registered-models/update', { name, description: 'new text' }));
      const rm = res.body.registered_model;
      expect(rm).toMatchObject({ name, description: 'new text', creation_timestamp: created.creation_timestamp });
      expect(rm.last_updated_timestamp).toBeGreaterThan(created.last_updated_timestamp);
      expect(ok(await r.getModel(name)).body.registered_model).toEqual(rm);
    });

    it('clears the description when none is sent', async () => {
      const name = uniqueName();
      await r.createModel(name, { description: 'old' });
      const rm = ok(await r.patch('registered-models/update', { name })).body.registered_model;
      expect(rm).not.toHaveProperty('description');
      expect(ok(await r.getModel(name)).body.registered_model).not.toHaveProperty('description');
    });

    it('404s for an unknown model', async () => {
      const name = uniqueName('missing');
      expectError(
        await r.patch('registered-models/update', { name, description: 'x' }),
        404,
        'RESOURCE_DOES_NOT_EXIST',
        `Registered Model with name=${name} not found`,
      );
    });

    it('is not served for POST', async () => {
      const name = uniqueName();
      await r.createModel(name, { description: 'old' });
      const res = await r.post('registered-models/update', { name, description: 'new' });
      expectError(res, 404, 'ENDPOINT_NOT_FOUND');
      expect(ok(await r.getModel(name)).body.registered_model.description).toBe('old');
    });
  });

  describe('delete', () => {
    it('removes the model with its versions, tags and aliases; a recreated model starts at version 1', async () => {
      const name = uniqueName();
      await r.createModel(name, { description: 'gone soon', tags: [{ key: 'k', value: 'v' }] });
      await r.createVersion(name, 's3://b/1', { tags: [{ key: 'vk', value: 'vv' }] });
      await r.createVersion(name, 's3://b/2');
      ok(await r.post('registered-models/alias', { name, alias: 'prod', version: '2' }));

      expectEmptyOk(await r.del('registered-models/delete', { name }));

      expectError(await r.getModel(name), 404, 'RESOURCE_DOES_NOT_EXIST', `Registered Model with name=${name} not found`);
      expectError(await r.getVersion(name, 1), 404, 'RESOURCE_DOES_NOT_EXIST', `Model Version (name=${name}, version=1) not found`);
      expectError(await r.get('registered-models/alias', { name, alias: 'prod' }), 404, 'RESOURCE_DOES_NOT_EXIST');
      expect(ok(await r.searchVersions({ filter: `name = '${name}'` })).body).toEqual({});
      expect(ok(await r.searchModels({ filter: `name = '${name}'` })).body).toEqual({});

      const recreated = await r.createModel(name);
      expect(Object.keys(recreated).sort()).toEqual(['creation_timestamp', 'last_updated_timestamp', 'name']);
      const v = await r.createVersion(name, 's3://b/new');
      expect(v.version).toBe('1');
      expect(v).not.toHaveProperty('tags');
      expect(v).not.toHaveProperty('aliases');
      expectError(await r.get('registered-models/alias', { name, alias: 'prod' }), 400, 'INVALID_PARAMETER_VALUE');
    });

    it('404s for an unknown model', async () => {
      const name = uniqueName('missing');
      expectError(await r.del('registered-models/delete', { name }), 404, 'RESOURCE_DOES_NOT_EXIST', `Registered Model with name=${name} not found`);
    });

    it('reads the name from the JSON body of the DELETE request', async () => {
      const name = uniqueName();
      await r.createModel(name);
      expectError(await r.del('registered-models/delete', {}), 400, 'INVALID_PARAMETER_VALUE', /'name'/);
      expect(ok(await r.getModel(name)).body.registered_model.name).toBe(name);
    });
  });

  describe('tags', () => {
    it('sets, overwrites and deletes tags, including an empty value', async () => {
      const name = uniqueName();
      await r.createModel(name);
      expectEmptyOk(await r.post('registered-models/set-tag', { name, key: 'stage.note', value: 'first' }));
      expectEmptyOk(await r.post('registered-models/set-tag', { name, key: 'empty', value: '' }));
      expect(ok(await r.getModel(name)).body.registered_model.tags).toEqual([
        { key: 'empty', value: '' },
        { key: 'stage.note', value: 'first' },
      ]);

      expectEmptyOk(await r.post('registered-models/set-tag', { name, key: 'stage.note', value: 'second' }));
      expect(ok(await r.getModel(name)).body.registered_model.tags).toEqual([
        { key: 'empty', value: '' },
        { key: 'stage.note', value: 'second' },
      ]);

      expectEmptyOk(await r.del('registered-models/delete-tag', { name, key: 'stage.note' }));
      expect(ok(await r.getModel(name)).body.registered_model.tags).toEqual([{ key: 'empty', value: '' }]);

      expectEmptyOk(await r.del('registered-models/delete-tag', { name, key: 'empty' }));
      expect(ok(await r.getModel(name)).body.registered_model).not.toHaveProperty('tags');
    });

    it('treats deleting an absent tag as a no-op', async () => {
      const name = uniqueName();
      await r.createModel(name, { tags: [{ key: 'keep', value: '1' }] });
      expectEmptyOk(await r.del('registered-models/delete-tag', { name, key: 'never-set' }));
      expect(ok(await r.getModel(name)).body.registered_model.tags).toEqual([{ key: 'keep', value: '1' }]);
    });

    // MLflow validates keys with Python's Unicode-aware `\w` (mlflow/utils/validation.py), so
    // MLflow 3.17 stores `clé` and `ключ`; flowreg's JavaScript `\w` is ASCII-only.
    it('accepts non-ASCII word characters in tag keys, as MLflow does', async () => {
      const name = uniqueName();
      await r.createModel(name);
      expectEmptyOk(await r.post('registered-models/set-tag', { name, key: 'clé', value: 'v' }));
      expect(ok(await r.getModel(name)).body.registered_model.tags).toEqual([{ key: 'clé', value: 'v' }]);
      const other = uniqueName();
      expect((await r.createModel(other, { tags: [{ key: 'ключ', value: 'v' }] })).tags).toEqual([{ key: 'ключ', value: 'v' }]);
    });

    it('404s for tags on an unknown model', async () => {
      const name = uniqueName('missing');
      const message = `Registered Model with name=${name} not found`;
      expectError(await r.post('registered-models/set-tag', { name, key: 'k', value: 'v' }), 404, 'RESOURCE_DOES_NOT_EXIST', message);
      expectError(await r.del('registered-models/delete-tag', { name, key: 'k' }), 404, 'RESOURCE_DOES_NOT_EXIST', message);
      expectError(await r.getModel(name), 404, 'RESOURCE_DOES_NOT_EXIST');
    });

    it('rejects invalid tag keys without storing anything', async () => {
      const name = uniqueName();
      await r.createModel(name);
      expectError(
        await r.post('registered-models/set-tag', { name, key: 'bad$key', value: 'v' }),
        400,
        'INVALID_PARAMETER_VALUE',
        `Invalid value "bad$key" for parameter 'key' supplied: Names may only contain alphanumerics, underscores (_), dashes (-), periods (.), spaces ( ), colon(:) and slashes (/).`,
      );
      expectError(
        await r.post('registered-models/set-tag', { name, key: '../x', value: 'v' }),
        400,
        'INVALID_PARAMETER_VALUE',
        `Invalid value "../x" for parameter 'key' supplied: Names may be treated as files in certain cases, and must not resolve to other names when treated as such. This name would resolve to '../x'`,
      );
      expectError(
        await r.post('registered-models/set-tag', { name, key: '', value: 'v' }),
        400,
        'INVALID_PARAMETER_VALUE',
        "Missing value for required parameter 'key'. See the API docs for more information about request parameters.",
      );
      expect(ok(await r.getModel(name)).body.registered_model).not.toHaveProperty('tags');
    });
  });
});
