/**
 * Awkward but valid registered-model names survive every path a name takes: JSON bodies, query
 * strings (form-encoded and percent-encoded), search filters, rename and delete.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, createTestApp, type TestApp } from '../helpers/app.js';
import { API, Registry, expectEmptyOk, expectError, ok } from './support.js';

/** Each name is used by exactly one test of this file, so the tests stay independent. */
const AWKWARD: ReadonlyArray<readonly [string, string]> = [
  ['spaces', 'my model with spaces'],
  ['leading and trailing spaces', '  padded  '],
  ['unicode', 'modèle ☃'],
  ['CJK and emoji', '模型-🚀'],
  ['percent', '%'],
  ['encoded-looking percent', '%25'],
  ['percent escape that is not one', '%zz'],
  ['plus', '+'],
  ['ampersand', 'a&b=c'],
  ['question mark', '?'],
  ['hash', '#'],
  ['single quote', "it's"],
  ['double quote', 'say "hi"'],
  ['backslash', 'back\\slash'],
  ['dots inside', 'a..b'],
  ['leading dot', '.hidden'],
  ['trailing dot', 'trailing.'],
  ['underscore wildcard', 'under_score'],
  ['semicolon', 'a; DROP TABLE registered_models'],
  ['256 characters', 'n'.repeat(255) + 'Z'],
];

/** The filter literal for `name = …`: single quotes unless the name has one, then double quotes. */
function quoted(name: string): string | undefined {
  if (!name.includes("'")) return `'${name}'`;
  if (!name.includes('"')) return `"${name}"`;
  return undefined;
}

describe.each(backends())('awkward model names (%s)', (backend) => {
  let t: TestApp;
  let r: Registry;

  beforeAll(async () => {
    t = await createTestApp(backend);
    r = new Registry(t);
  });

  afterAll(async () => {
    await t?.close();
  });

  it.each(AWKWARD)('%s: round-trips through create, get, search, versions, aliases, rename and delete', async (_label, name) => {
    // create (JSON body)
    const created = ok(await r.post('registered-models/create', { name, tags: [{ key: 'k', value: name }] })).body.registered_model;
    expect(created.name).toBe(name);

    // get: form-encoded query string (space as +), percent-encoded, and JSON body without a query string
    const viaForm = ok(await t.request.get(`${API}/registered-models/get?${new URLSearchParams({ name })}`)).body.registered_model;
    expect(viaForm).toEqual(created);
    const viaPercent = ok(await t.request.get(`${API}/registered-models/get?name=${encodeURIComponent(name)}`)).body.registered_model;
    expect(viaPercent).toEqual(created);
    const viaBody = ok(await t.request.get(`${API}/registered-models/get`).send({ name })).body.registered_model;
    expect(viaBody).toEqual(created);
    expect(created.tags).toEqual([{ key: 'k', value: name }]);

    // search by exact name
    const literal = quoted(name);
    if (literal) {
      const found = ok(await r.searchModels({ filter: `name = ${literal}` })).body.registered_models as { name: string }[];
      expect(found.map((m) => m.name)).toEqual([name]);
      const byTag = ok(await r.searchModels({ filter: `tags.k = ${literal}` })).body.registered_models as { name: string }[];
      expect(byTag.map((m) => m.name)).toEqual([name]);
    }

    // versions and aliases carry the name
    const mv = await r.createVersion(name, 's3://bucket/awkward');
    expect(mv).toMatchObject({ name, version: '1' });
    expect(ok(await r.get('model-versions/get', { name, version: '1' })).body.model_version.name).toBe(name);
    expectEmptyOk(await r.post('registered-models/alias', { name, alias: 'a', version: '1' }));
    expect(ok(await r.get('registered-models/alias', { name, alias: 'a' })).body.model_version.name).toBe(name);
    if (literal) {
      const versions = ok(await r.searchVersions({ filter: `name = ${literal}` })).body.model_versions as { name: string }[];
      expect(versions.map((v) => v.name)).toEqual([name]);
    }
    const download = ok(await t.request.get(`${API}/model-versions/get-download-uri?name=${encodeURIComponent(name)}&version=1`));
    expect(download.body).toEqual({ artifact_uri: 's3://bucket/awkward' });

    // copy a version through a models:/ URI that names it (URI syntax rules out `?` and `#`)
    if (!/[?#@]/.test(name)) {
      const copy = await r.createVersion(name, `models:/${name}/1`);
      expect(copy).toMatchObject({ version: '2', source: `models:/${name}/1` });
    }

    // rename away and back
    const other = `renamed ${name}`.slice(0, 256);
    expect(ok(await r.post('registered-models/rename', { name, new_name: other })).body.registered_model.name).toBe(other);
    expectError(await r.getModel(name), 404, 'RESOURCE_DOES_NOT_EXIST', `Registered Model with name=${name} not found`);
    expect(ok(await r.getModel(other)).body.registered_model.latest_versions[0].name).toBe(other);
    expect(ok(await r.post('registered-models/rename', { name: other, new_name: name })).body.registered_model.name).toBe(name);
    expect(ok(await r.getVersion(name, 1)).body.model_version.aliases).toEqual(['a']);

    // delete (JSON body)
    expectEmptyOk(await r.del('registered-models/delete', { name }));
    expectError(await r.getModel(name), 404, 'RESOURCE_DOES_NOT_EXIST', `Registered Model with name=${name} not found`);
    if (literal) expect(ok(await r.searchModels({ filter: `name = ${literal}` })).body).toEqual({});
  });

  it('treats names as case-sensitive and distinct', async () => {
    ok(await r.post('registered-models/create', { name: 'CaseModel' }));
    ok(await r.post('registered-models/create', { name: 'casemodel' }));
    expect(ok(await r.getModel('CaseModel')).body.registered_model.name).toBe('CaseModel');
    expect(ok(await r.getModel('casemodel')).body.registered_model.name).toBe('casemodel');
    expectError(await r.getModel('CASEMODEL'), 404, 'RESOURCE_DOES_NOT_EXIST');
  });

  it('does not treat % or _ in a name as wildcards for =', async () => {
    ok(await r.post('registered-models/create', { name: 'wild%card' }));
    ok(await r.post('registered-models/create', { name: 'wildXcard' }));
    ok(await r.post('registered-models/create', { name: 'wild_c' }));
    ok(await r.post('registered-models/create', { name: 'wildYc' }));
    const exact = async (name: string) =>
      ((ok(await r.searchModels({ filter: `name = '${name}'` })).body.registered_models ?? []) as { name: string }[]).map((m) => m.name);
    expect(await exact('wild%card')).toEqual(['wild%card']);
    expect(await exact('wild_c')).toEqual(['wild_c']);
    expectError(await r.getModel('wild_card'), 404, 'RESOURCE_DOES_NOT_EXIST');
  });

  it('accepts exactly 256 characters and rejects 257', async () => {
    const max = 'q'.repeat(256);
    expect(ok(await r.post('registered-models/create', { name: max })).body.registered_model.name).toBe(max);
    expectError(
      await r.post('registered-models/create', { name: `${max}q` }),
      400,
      'INVALID_PARAMETER_VALUE',
      "'name' exceeds the maximum length of 256 characters",
    );
    expectError(await r.getModel(`${max}q`), 400, 'INVALID_PARAMETER_VALUE');
    expectError(
      await r.post('registered-models/rename', { name: max, new_name: `${max}q` }),
      400,
      'INVALID_PARAMETER_VALUE',
      "'new_name' exceeds the maximum length of 256 characters",
    );
    expect(ok(await r.getModel(max)).body.registered_model.name).toBe(max);
  });

  it('counts the 256-character limit in characters, not bytes', async () => {
    const name = '☃'.repeat(256);
    expect(ok(await r.post('registered-models/create', { name })).body.registered_model.name).toBe(name);
    expect(ok(await r.getModel(name)).body.registered_model.name).toBe(name);
  });
});
