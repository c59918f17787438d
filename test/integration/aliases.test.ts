import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, createTestApp, type TestApp } from '../helpers/app.js';
import { Registry, expectEmptyOk, expectError, ok, uniqueName } from './support.js';

describe.each(backends())('aliases (%s)', (backend) => {
  let t: TestApp;
  let r: Registry;

  beforeAll(async () => {
    t = await createTestApp(backend);
    r = new Registry(t);
  });

  afterAll(async () => {
    await t?.close();
  });

  /** A model with `n` versions (sources s3://b/1 … s3://b/n). */
  async function modelWithVersions(n: number): Promise<string> {
    const name = uniqueName('alias');
    await r.createModel(name);
    for (let i = 1; i <= n; i++) await r.createVersion(name, `s3://b/${i}`);
    return name;
  }

  const setAlias = (name: string, alias: string, version: string) => r.post('registered-models/alias', { name, alias, version });
  const getAlias = (name: string, alias: string) => r.get('registered-models/alias', { name, alias });

  it('sets an alias and lists it on the model and on the version', async () => {
    const name = await modelWithVersions(2);
    expectEmptyOk(await setAlias(name, 'champion', '1'));

    const rm = ok(await r.getModel(name)).body.registered_model;
    expect(rm.aliases).toEqual([{ alias: 'champion', version: '1' }]);
    const v1 = ok(await r.getVersion(name, 1)).body.model_version;
    expect(v1.aliases).toEqual(['champion']);
    expect(ok(await r.getVersion(name, 2)).body.model_version).not.toHaveProperty('aliases');

    const res = ok(await getAlias(name, 'champion'));
    expect(res.body).toEqual({ model_version: v1 });
    expect(res.body.model_version).toMatchObject({ name, version: '1', source: 's3://b/1', status: 'READY' });
  });

  it('re-points an existing alias', async () => {
    const name = await modelWithVersions(2);
    ok(await setAlias(name, 'champion', '1'));
    expectEmptyOk(await setAlias(name, 'champion', '2'));
    expect(ok(await r.getModel(name)).body.registered_model.aliases).toEqual([{ alias: 'champion', version: '2' }]);
    expect(ok(await r.getVersion(name, 1)).body.model_version).not.toHaveProperty('aliases');
    expect(ok(await r.getVersion(name, 2)).body.model_version.aliases).toEqual(['champion']);
    expect(ok(await getAlias(name, 'champion')).body.model_version.version).toBe('2');
  });

  it('supports several aliases on one version', async () => {
    const name = await modelWithVersions(1);
    ok(await setAlias(name, 'prod', '1'));
    ok(await setAlias(name, 'blue-green_2', '1'));
    expect(ok(await r.getVersion(name, 1)).body.model_version.aliases).toEqual(['blue-green_2', 'prod']);
    expect(ok(await r.getModel(name)).body.registered_model.aliases).toEqual([
      { alias: 'blue-green_2', version: '1' },
      { alias: 'prod', version: '1' },
    ]);
  });

  it('is case-sensitive in alias names', async () => {
    const name = await modelWithVersions(2);
    ok(await setAlias(name, 'Champ', '1'));
    ok(await setAlias(name, 'champ', '2'));
    expect(ok(await getAlias(name, 'Champ')).body.model_version.version).toBe('1');
    expect(ok(await getAlias(name, 'champ')).body.model_version.version).toBe('2');
  });

  it('deletes an alias with DELETE and a JSON body; deleting again is a no-op', async () => {
    const name = await modelWithVersions(1);
    ok(await setAlias(name, 'champion', '1'));
    ok(await setAlias(name, 'keeper', '1'));
    expectEmptyOk(await r.del('registered-models/alias', { name, alias: 'champion' }));
    expectError(await getAlias(name, 'champion'), 400, 'INVALID_PARAMETER_VALUE', 'Registered model alias champion not found.');
    expect(ok(await r.getModel(name)).body.registered_model.aliases).toEqual([{ alias: 'keeper', version: '1' }]);
    expect(ok(await r.getVersion(name, 1)).body.model_version.aliases).toEqual(['keeper']);
    expectEmptyOk(await r.del('registered-models/alias', { name, alias: 'champion' }));
  });

  it('404s when deleting an alias of a missing model', async () => {
    const missing = uniqueName('missing');
    expectError(
      await r.del('registered-models/alias', { name: missing, alias: 'x' }),
      404,
      'RESOURCE_DOES_NOT_EXIST',
      `Registered Model with name=${missing} not found`,
    );
  });

  it('answers an unknown alias with 400 INVALID_PARAMETER_VALUE, not 404', async () => {
    const name = await modelWithVersions(1);
    expectError(await getAlias(name, 'x'), 400, 'INVALID_PARAMETER_VALUE', 'Registered model alias x not found.');
  });

  it('404s for an alias lookup on a missing model', async () => {
    const missing = uniqueName('missing');
    expectError(await getAlias(missing, 'x'), 404, 'RESOURCE_DOES_NOT_EXIST', `Registered Model with name=${missing} not found`);
  });

  it.each(['latest', 'LATEST', 'Latest'])('reserves %j for set', async (alias) => {
    const name = await modelWithVersions(1);
    expectError(await setAlias(name, alias, '1'), 400, 'INVALID_PARAMETER_VALUE', "'latest' alias name (case insensitive) is reserved.");
    expect(ok(await r.getModel(name)).body.registered_model).not.toHaveProperty('aliases');
  });

  it.each(['v1', 'V1', 'v42'])('reserves the version alias %j for set', async (alias) => {
    const name = await modelWithVersions(1);
    expectError(await setAlias(name, alias, '1'), 400, 'INVALID_PARAMETER_VALUE', `Version alias name '${alias}' is reserved.`);
    expect(ok(await r.getModel(name)).body.registered_model).not.toHaveProperty('aliases');
  });

  it('allows aliases that merely start like reserved ones', async () => {
    const name = await modelWithVersions(1);
    expectEmptyOk(await setAlias(name, 'latest2', '1'));
    expectEmptyOk(await setAlias(name, 'v1a', '1'));
    expectEmptyOk(await setAlias(name, 'version1', '1'));
    expect(ok(await r.getVersion(name, 1)).body.model_version.aliases).toEqual(['latest2', 'v1a', 'version1']);
  });

  it.each(['has space', 'dot.ted', 'sl/ash', 'emoji☃'])('rejects the invalid alias name %j', async (alias) => {
    const name = await modelWithVersions(1);
    expectError(
      await setAlias(name, alias, '1'),
      400,
      'INVALID_PARAMETER_VALUE',
      `Invalid alias name: '${alias}'. Names may only contain alphanumerics, underscores (_), and dashes (-).`,
    );
    expect(ok(await r.getModel(name)).body.registered_model).not.toHaveProperty('aliases');
  });

  // MLflow's alias rule `^[\w\-]*$` is Python's Unicode `\w`: MLflow 3.17 accepts `champé`.
  it('accepts non-ASCII word characters in alias names, as MLflow does', async () => {
    const name = await modelWithVersions(1);
    expectEmptyOk(await setAlias(name, 'champé', '1'));
    expect(ok(await getAlias(name, 'champé')).body.model_version.version).toBe('1');
  });

  it('rejects an alias longer than 255 characters', async () => {
    const name = await modelWithVersions(1);
    expectEmptyOk(await setAlias(name, 'a'.repeat(255), '1'));
    expectError(
      await setAlias(name, 'b'.repeat(256), '1'),
      400,
      'INVALID_PARAMETER_VALUE',
      "'Registered model alias name' exceeds the maximum length of 255 characters",
    );
    expect(ok(await r.getModel(name)).body.registered_model.aliases).toEqual([{ alias: 'a'.repeat(255), version: '1' }]);
  });

  it('GET alias=latest returns the highest live version', async () => {
    const name = await modelWithVersions(3);
    ok(await r.post('model-versions/transition-stage', { name, version: '1', stage: 'Production', archive_existing_versions: false }));
    expect(ok(await getAlias(name, 'latest')).body.model_version).toMatchObject({ name, version: '3' });
    ok(await r.del('model-versions/delete', { name, version: '3' }));
    expect(ok(await getAlias(name, 'latest')).body.model_version).toMatchObject({ name, version: '2' });
    expect(ok(await getAlias(name, 'LATEST')).body.model_version.version).toBe('2');
  });

  it('GET alias=latest 404s when the model has no live versions', async () => {
    const name = await modelWithVersions(1);
    ok(await r.del('model-versions/delete', { name, version: '1' }));
    expectError(await getAlias(name, 'latest'), 404, 'RESOURCE_DOES_NOT_EXIST', `Latest version not found for model ${name}.`);
  });

  it('404s when aliasing a version that does not exist, storing nothing', async () => {
    const name = await modelWithVersions(1);
    expectError(await setAlias(name, 'champion', '7'), 404, 'RESOURCE_DOES_NOT_EXIST', `Model Version (name=${name}, version=7) not found`);
    expect(ok(await r.getModel(name)).body.registered_model).not.toHaveProperty('aliases');
    expectError(await getAlias(name, 'champion'), 400, 'INVALID_PARAMETER_VALUE');
  });

  it('404s when aliasing a version of a missing model', async () => {
    const missing = uniqueName('missing');
    const res = await setAlias(missing, 'champion', '1');
    expectError(res, 404, 'RESOURCE_DOES_NOT_EXIST');
    expect(res.body.message).toContain(missing);
  });

  it('404s when aliasing a deleted version', async () => {
    const name = await modelWithVersions(2);
    ok(await r.del('model-versions/delete', { name, version: '1' }));
    expectError(await setAlias(name, 'champion', '1'), 404, 'RESOURCE_DOES_NOT_EXIST', `Model Version (name=${name}, version=1) not found`);
  });

  it('removes the aliases of a version when the version is deleted', async () => {
    const name = await modelWithVersions(2);
    ok(await setAlias(name, 'champion', '1'));
    ok(await setAlias(name, 'challenger', '2'));
    ok(await r.del('model-versions/delete', { name, version: '1' }));
    expectError(await getAlias(name, 'champion'), 400, 'INVALID_PARAMETER_VALUE', 'Registered model alias champion not found.');
    expect(ok(await r.getModel(name)).body.registered_model.aliases).toEqual([{ alias: 'challenger', version: '2' }]);

    // A new version does not inherit the old alias.
    const v3 = await r.createVersion(name, 's3://b/3');
    expect(v3).not.toHaveProperty('aliases');
    expectError(await getAlias(name, 'champion'), 400, 'INVALID_PARAMETER_VALUE');
  });

  it('keeps aliases separate between models', async () => {
    const a = await modelWithVersions(1);
    const b = await modelWithVersions(2);
    ok(await setAlias(a, 'prod', '1'));
    ok(await setAlias(b, 'prod', '2'));
    expect(ok(await getAlias(a, 'prod')).body.model_version).toMatchObject({ name: a, version: '1' });
    expect(ok(await getAlias(b, 'prod')).body.model_version).toMatchObject({ name: b, version: '2' });
    ok(await r.del('registered-models/alias', { name: a, alias: 'prod' }));
    expect(ok(await getAlias(b, 'prod')).body.model_version.version).toBe('2');
  });

  it('requires name, alias and version', async () => {
    const name = await modelWithVersions(1);
    expectError(await r.post('registered-models/alias', { name, alias: 'a' }), 400, 'INVALID_PARAMETER_VALUE', /'version'/);
    expectError(
      await r.post('registered-models/alias', { name, version: '1' }),
      400,
      'INVALID_PARAMETER_VALUE',
      "Missing value for required parameter 'alias'. See the API docs for more information about request parameters.",
    );
    expectError(await r.post('registered-models/alias', { alias: 'a', version: '1' }), 400, 'INVALID_PARAMETER_VALUE', /'name'/);
    expectError(await r.get('registered-models/alias', { name }), 400, 'INVALID_PARAMETER_VALUE');
    expect(ok(await r.getModel(name)).body.registered_model).not.toHaveProperty('aliases');
  });
});
