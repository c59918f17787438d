/**
 * Wire conventions: both URL families, the static prefix, health and version, unknown routes,
 * empty successes, request parsing (query string vs JSON body, bools, content types).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import supertest from 'supertest';
import { createApp } from '../../src/app.js';
import { FLOWREG_VERSION } from '../../src/version.js';
import type { RouteDef } from '../../src/http/router.js';
import { backends, createTestApp, type TestApp } from '../helpers/app.js';
import { API, Registry, expectEmptyOk, expectError, ok, uniqueName } from './support.js';

/** Calls every model-registry RPC once through `r` and checks each answer. */
async function exerciseEveryRpc(r: Registry): Promise<void> {
  const name = uniqueName('wire');
  const renamed = `${name}-renamed`;

  const created = ok(await r.post('registered-models/create', { name, tags: [{ key: 't', value: '1' }] })).body.registered_model;
  expect(created.name).toBe(name);
  expect(ok(await r.get('registered-models/get', { name })).body.registered_model).toEqual(created);
  expect(ok(await r.patch('registered-models/update', { name, description: 'd' })).body.registered_model.description).toBe('d');
  expectEmptyOk(await r.post('registered-models/set-tag', { name, key: 'k', value: 'v' }));
  expectEmptyOk(await r.del('registered-models/delete-tag', { name, key: 'k' }));

  const mv = ok(await r.post('model-versions/create', { name, source: 's3://b/wire' })).body.model_version;
  expect(mv).toMatchObject({ name, version: '1', status: 'READY' });
  expect(ok(await r.get('model-versions/get', { name, version: '1' })).body.model_version.source).toBe('s3://b/wire');
  expect(ok(await r.patch('model-versions/update', { name, version: '1', description: 'mv' })).body.model_version.description).toBe('mv');
  expectEmptyOk(await r.post('model-versions/set-tag', { name, version: '1', key: 'k', value: 'v' }));
  expectEmptyOk(await r.del('model-versions/delete-tag', { name, version: '1', key: 'k' }));
  expect(
    ok(await r.post('model-versions/transition-stage', { name, version: '1', stage: 'Staging', archive_existing_versions: false })).body
      .model_version.current_stage,
  ).toBe('Staging');
  expect(ok(await r.get('model-versions/get-download-uri', { name, version: '1' })).body).toEqual({ artifact_uri: 's3://b/wire' });
  expect(ok(await r.post('registered-models/get-latest-versions', { name, stages: ['Staging'] })).body.model_versions).toHaveLength(1);
  expect(ok(await r.get('registered-models/get-latest-versions', { name, stages: 'Staging' })).body.model_versions).toHaveLength(1);

  expectEmptyOk(await r.post('registered-models/alias', { name, alias: 'wired', version: '1' }));
  expect(ok(await r.get('registered-models/alias', { name, alias: 'wired' })).body.model_version.version).toBe('1');
  expectEmptyOk(await r.del('registered-models/alias', { name, alias: 'wired' }));

  const rmSearch = ok(await r.get('registered-models/search', { filter: `name = '${name}'` })).body;
  expect(rmSearch.registered_models.map((m: { name: string }) => m.name)).toEqual([name]);
  const mvSearch = ok(await r.get('model-versions/search', { filter: `name = '${name}'` })).body;
  expect(mvSearch.model_versions.map((v: { version: string }) => v.version)).toEqual(['1']);

  expect(ok(await r.post('registered-models/rename', { name, new_name: renamed })).body.registered_model.name).toBe(renamed);
  expectEmptyOk(await r.del('model-versions/delete', { name: renamed, version: '1' }));
  expectEmptyOk(await r.del('registered-models/delete', { name: renamed }));
  expectError(await r.get('registered-models/get', { name: renamed }), 404, 'RESOURCE_DOES_NOT_EXIST');
}

describe.each(backends())('wire conventions (%s)', (backend) => {
  let t: TestApp;
  let prefixed: TestApp;
  let r: Registry;

  beforeAll(async () => {
    [t, prefixed] = await Promise.all([createTestApp(backend), createTestApp(backend, { staticPrefix: '/mlflow' })]);
    r = new Registry(t);
  });

  afterAll(async () => {
    await Promise.all([t?.close(), prefixed?.close()]);
  });

  describe('routes', () => {
    it('serves every registry RPC under /api/2.0/mlflow', async () => {
      await exerciseEveryRpc(new Registry(t, '/api/2.0/mlflow'));
    });

    it('serves every registry RPC under /ajax-api/2.0/mlflow', async () => {
      await exerciseEveryRpc(new Registry(t, '/ajax-api/2.0/mlflow'));
    });

    it('shares one store between /api and /ajax-api', async () => {
      const name = uniqueName();
      await new Registry(t, '/ajax-api/2.0/mlflow').createModel(name);
      expect(ok(await r.getModel(name)).body.registered_model.name).toBe(name);
    });

    it('serves every registry RPC behind a static prefix, under both families', async () => {
      await exerciseEveryRpc(new Registry(prefixed, '/mlflow/api/2.0/mlflow'));
      await exerciseEveryRpc(new Registry(prefixed, '/mlflow/ajax-api/2.0/mlflow'));
    });

    it('does not serve the API outside the static prefix', async () => {
      const res = await prefixed.request.get(`${API}/registered-models/search`);
      expectError(res, 404, 'ENDPOINT_NOT_FOUND');
      expect((await prefixed.request.get('/health')).status).toBe(404);
    });

    it('answers GET /health with 200 OK', async () => {
      const res = await t.request.get('/health');
      expect(res.status).toBe(200);
      expect(res.text).toBe('OK');
      const viaPrefix = await prefixed.request.get('/mlflow/health');
      expect(viaPrefix.status).toBe(200);
      expect(viaPrefix.text).toBe('OK');
    });

    it('answers GET /version with the bare version string', async () => {
      const res = await t.request.get('/version');
      expect(res.status).toBe(200);
      expect(res.text).toBe(FLOWREG_VERSION);
      expect(res.text).toMatch(/^\d+\.\d+\.\d+/);
      expect(res.headers['content-type']).toMatch(/^text\//);
      const viaPrefix = await prefixed.request.get('/mlflow/version');
      expect(viaPrefix.text).toBe(FLOWREG_VERSION);
    });

    it('answers GET /api/3.0/mlflow/server-info with JSON', async () => {
      for (const path of ['/api/3.0/mlflow/server-info', '/ajax-api/3.0/mlflow/server-info']) {
        const res = await t.request.get(path);
        expect(res.status).toBe(200);
        expect(res.headers['content-type']).toMatch(/^application\/json/);
        expect(res.body).toMatchObject({ store_type: 'SqlStore', workspaces_enabled: false });
      }
      expect((await prefixed.request.get('/mlflow/api/3.0/mlflow/server-info')).body.workspaces_enabled).toBe(false);
    });

    it.each([
      ['GET', '/api/2.0/mlflow/no-such-endpoint'],
      ['POST', '/api/2.0/mlflow/registered-models/nope'],
      ['GET', '/api/2.0/mlflow/server-info'],
      ['GET', '/api/3.0/mlflow/registered-models/get?name=x'],
      ['GET', '/api/9.0/mlflow/registered-models/get?name=x'],
      ['GET', '/nothing/here'],
      ['DELETE', '/api/2.0/mlflow'],
    ])('answers %s %s with 404 ENDPOINT_NOT_FOUND JSON', async (method, path) => {
      const res = await t.request[method.toLowerCase() as 'get' | 'post' | 'delete'](path).set('Content-Type', 'application/json');
      expectError(res, 404, 'ENDPOINT_NOT_FOUND');
    });

    it.each([
      ['GET', 'registered-models/create'],
      ['POST', 'registered-models/get'],
      ['POST', 'registered-models/update'],
      ['POST', 'registered-models/delete'],
      ['PUT', 'registered-models/alias'],
      ['GET', 'model-versions/delete'],
    ])('refuses %s on %s with a JSON 404 and no side effect', async (method, path) => {
      const name = uniqueName();
      const res = await t.request[method.toLowerCase() as 'get' | 'post' | 'put'](`${API}/${path}`)
        .set('Content-Type', 'application/json')
        .send(JSON.stringify({ name }));
      expectError(res, 404, 'ENDPOINT_NOT_FOUND');
      expectError(await r.getModel(name), 404, 'RESOURCE_DOES_NOT_EXIST');
    });
  });

  describe('responses', () => {
    it('answers an empty success with exactly {} (200, application/json), never 204', async () => {
      const name = uniqueName();
      await r.createModel(name);
      const res = await r.post('registered-models/set-tag', { name, key: 'k', value: 'v' });
      expectEmptyOk(res);
      expect(res.headers['content-length']).toBe('2');
    });

    it('answers errors as JSON {error_code, message}', async () => {
      const res = await r.getModel(uniqueName('missing'));
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(Object.keys(res.body).sort()).toEqual(['error_code', 'message']);
    });

    it('sends int64 timestamps as JSON numbers and versions as JSON strings', async () => {
      const name = uniqueName();
      await r.createModel(name);
      await r.createVersion(name);
      ok(await r.post('registered-models/alias', { name, alias: 'x', version: '1' }));
      const raw = ok(await r.getModel(name)).text;
      expect(raw).toMatch(/"creation_timestamp":\d+/);
      expect(raw).toMatch(/"version":"1"/);
      expect(raw).not.toMatch(/"version":1\b/);
      expect(raw).toMatch(/"aliases":\[\{"alias":"x","version":"1"\}\]/);
    });
  });

  describe('request parsing', () => {
    it('reads a GET from its query string', async () => {
      const name = uniqueName();
      await r.createModel(name);
      expect(ok(await t.request.get(`${API}/registered-models/get?name=${encodeURIComponent(name)}`)).body.registered_model.name).toBe(name);
    });

    it('reads a GET without a query string from its JSON body', async () => {
      const name = uniqueName();
      await r.createModel(name);
      await r.createVersion(name);
      const res = ok(await t.request.get(`${API}/registered-models/get`).set('Content-Type', 'application/json').send(JSON.stringify({ name })));
      expect(res.body.registered_model.name).toBe(name);
      const mv = ok(await t.request.get(`${API}/model-versions/get`).send({ name, version: '1' }));
      expect(mv.body.model_version.version).toBe('1');
      const latest = ok(await t.request.get(`${API}/registered-models/get-latest-versions`).send({ name, stages: ['None'] }));
      expect(latest.body.model_versions).toHaveLength(1);
    });

    it('prefers the query string over a body when a GET has both', async () => {
      const a = uniqueName('a');
      const b = uniqueName('b');
      await r.createModel(a);
      await r.createModel(b);
      const res = ok(await t.request.get(`${API}/registered-models/get?name=${encodeURIComponent(a)}`).send({ name: b }));
      expect(res.body.registered_model.name).toBe(a);
    });

    it('reads a GET with neither query nor body as an empty message', async () => {
      expectError(
        await t.request.get(`${API}/registered-models/get`),
        400,
        'INVALID_PARAMETER_VALUE',
        "Missing value for required parameter 'name'. See the API docs for more information about request parameters.",
      );
    });

    it('takes the first value of a repeated scalar query key', async () => {
      const a = uniqueName('a');
      await r.createModel(a);
      const res = ok(await t.request.get(`${API}/registered-models/get?name=${encodeURIComponent(a)}&name=other`));
      expect(res.body.registered_model.name).toBe(a);
    });

    it('ignores unknown fields in JSON bodies and query strings', async () => {
      const name = uniqueName();
      ok(await r.post('registered-models/create', { name, unknown_field: { nested: [1, 2] }, deployment_job_id: 'x' }));
      expect(ok(await r.get('registered-models/get', { name, whatever: '1' })).body.registered_model.name).toBe(name);
    });

    it('treats JSON null as unset', async () => {
      const name = uniqueName();
      const rm = ok(await r.post('registered-models/create', { name, description: null, tags: null })).body.registered_model;
      expect(Object.keys(rm).sort()).toEqual(['creation_timestamp', 'last_updated_timestamp', 'name']);
    });

    it('decodes a body that is a JSON-encoded JSON string (legacy clients)', async () => {
      const name = uniqueName();
      const res = await t.request
        .post(`${API}/registered-models/create`)
        .set('Content-Type', 'application/json')
        .send(JSON.stringify(JSON.stringify({ name })));
      expect(ok(res).body.registered_model.name).toBe(name);
    });

    it('accepts max_results as a JSON number or a numeric string', async () => {
      const name = uniqueName();
      await r.createModel(name);
      const asNumber = ok(await t.request.get(`${API}/registered-models/search`).send({ filter: `name = '${name}'`, max_results: 5 }));
      expect(asNumber.body.registered_models).toHaveLength(1);
      const asString = ok(await t.request.get(`${API}/registered-models/search`).send({ filter: `name = '${name}'`, max_results: '5' }));
      expect(asString.body.registered_models).toHaveLength(1);
    });

    it('accepts a JSON bool for archive_existing_versions', async () => {
      const name = uniqueName();
      await r.createModel(name);
      await r.createVersion(name);
      await r.createVersion(name);
      ok(await r.post('model-versions/transition-stage', { name, version: '1', stage: 'Production', archive_existing_versions: false }));
      ok(await r.post('model-versions/transition-stage', { name, version: '2', stage: 'Production', archive_existing_versions: true }));
      expect(ok(await r.getVersion(name, 1)).body.model_version.current_stage).toBe('Archived');
    });

    describe('bool query values', () => {
      const probe: RouteDef = {
        method: 'GET',
        version: '2.0',
        path: '/mlflow/test-only/bool-probe',
        handler: async (ctx) => ({ value: (await ctx.message()).bool('flag') }),
      };
      let app: supertest.Agent;
      beforeAll(() => {
        app = supertest.agent(createApp(t.services.deps, [probe]));
      });

      it.each([
        ['true', true],
        ['True', true],
        ['TRUE', true],
        ['false', false],
        ['False', false],
      ])('reads flag=%s as %s', async (raw, expected) => {
        const res = ok(await app.get(`${API}/test-only/bool-probe?flag=${raw}`));
        expect(res.body).toEqual({ value: expected });
      });

      it.each(['yes', '1', '', 'tru'])('rejects flag=%j with 400', async (raw) => {
        const res = await app.get(`${API}/test-only/bool-probe?flag=${raw}`);
        expectError(res, 400, 'INVALID_PARAMETER_VALUE');
      });

      it('reads a JSON boolean from a GET body', async () => {
        expect(ok(await app.get(`${API}/test-only/bool-probe`).send({ flag: true })).body).toEqual({ value: true });
      });
    });
  });

  describe('content type', () => {
    it('rejects a POST without Content-Type with 400, creating nothing', async () => {
      const name = uniqueName();
      const res = await t.request.post(`${API}/registered-models/create`).unset('Content-Type').send(Buffer.from(JSON.stringify({ name })));
      expectError(res, 400, 'INVALID_PARAMETER_VALUE', 'Bad Request. Content-Type header is missing.');
      expectError(await r.getModel(name), 404, 'RESOURCE_DOES_NOT_EXIST');
    });

    it.each(['text/plain', 'application/x-www-form-urlencoded', 'application/jsonx'])(
      'rejects a POST with Content-Type %s with 400, creating nothing',
      async (type) => {
        const name = uniqueName();
        const res = await t.request.post(`${API}/registered-models/create`).set('Content-Type', type).send(JSON.stringify({ name }));
        expectError(res, 400, 'INVALID_PARAMETER_VALUE', "Bad Request. Content-Type must be one of ['application/json'].");
        expectError(await r.getModel(name), 404, 'RESOURCE_DOES_NOT_EXIST');
      },
    );

    it('accepts application/json with parameters and in any case', async () => {
      const name = uniqueName();
      ok(await t.request.post(`${API}/registered-models/create`).set('Content-Type', 'Application/JSON; charset=utf-8').send(JSON.stringify({ name })));
      expect(ok(await r.getModel(name)).body.registered_model.name).toBe(name);
    });

    it('does not check Content-Type on PATCH and DELETE', async () => {
      const name = uniqueName();
      await r.createModel(name);
      ok(await t.request.patch(`${API}/registered-models/update`).set('Content-Type', 'text/plain').send(JSON.stringify({ name, description: 'plain' })));
      expect(ok(await r.getModel(name)).body.registered_model.description).toBe('plain');
      expectEmptyOk(await t.request.delete(`${API}/registered-models/delete`).set('Content-Type', 'text/plain').send(JSON.stringify({ name })));
      expectError(await r.getModel(name), 404, 'RESOURCE_DOES_NOT_EXIST');
    });
  });
});
