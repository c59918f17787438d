import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, createTestApp, type TestApp } from '../helpers/app.js';
import { Registry, expectEmptyOk, expectError, ok, runId, sleep, uniqueName } from './support.js';

const TRAVERSAL_MESSAGE =
  'If supplying a source as an http, https, local file path, ftp, objectstore, or mlflow-artifacts uri, an absolute ' +
  'path must be provided without relative path references present. Please provide an absolute path.';

const LOCAL_MESSAGE =
  'To use a local path as a model version source, the run_id request parameter has to be specified and the local ' +
  'path has to be contained within the artifact directory of the run specified by the run_id.';

describe.each(backends())('model versions (%s)', (backend) => {
  let t: TestApp;
  let r: Registry;

  beforeAll(async () => {
    t = await createTestApp(backend);
    r = new Registry(t);
  });

  afterAll(async () => {
    await t?.close();
  });

  /** A model with no versions. */
  async function model(prefix = 'mv'): Promise<string> {
    const name = uniqueName(prefix);
    await r.createModel(name);
    return name;
  }

  /** Asserts that `name` still has no versions at all. */
  async function expectNoVersions(name: string): Promise<void> {
    expect(ok(await r.searchVersions({ filter: `name = '${name}'` })).body).toEqual({});
    expect(ok(await r.post('registered-models/get-latest-versions', { name })).body).toEqual({});
  }

  describe('create', () => {
    const run = runId();
    it.each([
      { label: 'runs:/ URI with run_id', source: `runs:/${run}/model`, extra: { run_id: run } },
      { label: 'runs:/ URI without run_id', source: `runs:/${run}/model`, extra: {} },
      { label: 's3 URI', source: 's3://b/p', extra: {} },
      { label: 'mlflow-artifacts URI', source: 'mlflow-artifacts:/0/abc/artifacts/model', extra: {} },
      { label: 'gs URI with run_link', source: 'gs://bucket/dir/model', extra: { run_link: 'http://ui/run/1' } },
    ])('accepts a $label and returns the exact shape', async ({ source, extra }) => {
      const name = await model();
      const before = Date.now();
      const res = await r.post('model-versions/create', { name, source, ...extra });
      const after = Date.now();
      expect(res.status).toBe(200);
      expect(Object.keys(res.body)).toEqual(['model_version']);
      const mv = res.body.model_version;
      expect(mv).toEqual({
        name,
        version: '1',
        creation_timestamp: expect.any(Number),
        last_updated_timestamp: mv.creation_timestamp,
        current_stage: 'None',
        source,
        status: 'READY',
        // As MLflow: strings the request left out come back as '' (the proto default).
        description: '',
        run_id: '',
        run_link: '',
        ...extra,
      });
      expect(typeof mv.version).toBe('string');
      expect(mv.creation_timestamp).toBeGreaterThanOrEqual(before);
      expect(mv.creation_timestamp).toBeLessThanOrEqual(after);
      expect(ok(await r.getVersion(name, '1')).body).toEqual({ model_version: mv });
      expect(ok(await r.get('model-versions/get-download-uri', { name, version: '1' })).body).toEqual({ artifact_uri: source });
    });

    it('stores description and tags, and bumps the model timestamp', async () => {
      const name = uniqueName();
      const rm = await r.createModel(name);
      await sleep(3);
      const mv = await r.createVersion(name, 's3://b/p', {
        description: 'first version',
        tags: [
          { key: 'a', value: '1' },
          { key: 'b', value: '' },
        ],
      });
      expect(mv).toMatchObject({ description: 'first version', tags: [{ key: 'a', value: '1' }, { key: 'b', value: '' }] });
      const after = ok(await r.getModel(name)).body.registered_model;
      expect(after.last_updated_timestamp).toBe(mv.creation_timestamp);
      expect(after.last_updated_timestamp).toBeGreaterThan(rm.last_updated_timestamp);
    });

    it('numbers versions 1, 2, 3', async () => {
      const name = await model();
      const versions = [];
      for (let i = 0; i < 3; i++) versions.push((await r.createVersion(name, `s3://b/${i}`)).version);
      expect(versions).toEqual(['1', '2', '3']);
    });

    it('404s for a model that does not exist', async () => {
      const name = uniqueName('missing');
      expectError(
        await r.post('model-versions/create', { name, source: 's3://b/p' }),
        404,
        'RESOURCE_DOES_NOT_EXIST',
        `Registered Model with name=${name} not found`,
      );
      expectError(await r.getModel(name), 404, 'RESOURCE_DOES_NOT_EXIST');
    });

    it.each(['/etc/passwd', 'file:///etc/passwd', 'relative/path', './model', 'file:/etc/shadow'])(
      'rejects the local source %j with 400 and creates nothing',
      async (source) => {
        const name = await model();
        expectError(
          await r.post('model-versions/create', { name, source }),
          400,
          'INVALID_PARAMETER_VALUE',
          `Invalid model version source: '${source}'. ${LOCAL_MESSAGE}`,
        );
        await expectNoVersions(name);
      },
    );

    it('rejects a local source even when run_id names an unknown run', async () => {
      const name = await model();
      const res = await r.post('model-versions/create', { name, source: '/tmp/artifacts/model', run_id: runId() });
      expectError(res, 400, 'INVALID_PARAMETER_VALUE', /^Invalid model version source: '\/tmp\/artifacts\/model'\./);
      await expectNoVersions(name);
    });

    it.each([
      's3://b/../x',
      's3://b/p/..',
      'runs:/abc/%2e%2e/x',
      'runs:/abc/%2E%2E/x',
      'mlflow-artifacts:/0/%252e%252e/x',
      'mlflow-artifacts:/0/abc/./model',
      's3://b/p\u0000x',
    ])('rejects the traversal source %j with 400 and creates nothing', async (source) => {
      const name = await model();
      expectError(
        await r.post('model-versions/create', { name, source }),
        400,
        'INVALID_PARAMETER_VALUE',
        source.includes('\u0000')
          ? "Invalid value for parameter 'source': it contains a NUL character."
          : `Invalid model version source: '${source}'. ${TRAVERSAL_MESSAGE}`,
      );
      await expectNoVersions(name);
    });

    // MlflowClient.create_prompt_version (2.x and 3.x) registers every prompt version with
    // source="dummy-source" and the tag mlflow.prompt.is_prompt=true; MLflow's server accepts it
    // (prompt versions skip the run-source check). flowreg treats it as a local path → 400.
    it('accepts the prompt placeholder source "dummy-source" for prompt versions', async () => {
      const name = uniqueName('prompt');
      await r.createModel(name, { tags: [{ key: 'mlflow.prompt.is_prompt', value: 'true' }] });
      const mv = await r.createVersion(name, 'dummy-source', {
        tags: [
          { key: 'mlflow.prompt.is_prompt', value: 'true' },
          { key: 'mlflow.prompt.text', value: 'Hello {{name}}' },
        ],
      });
      expect(mv).toMatchObject({ name, version: '1', source: 'dummy-source', status: 'READY' });
    });

    it('still rejects "dummy-source" for an ordinary (non-prompt) version', async () => {
      const name = await model();
      expectError(
        await r.post('model-versions/create', { name, source: 'dummy-source' }),
        400,
        'INVALID_PARAMETER_VALUE',
        `Invalid model version source: 'dummy-source'. ${LOCAL_MESSAGE}`,
      );
      await expectNoVersions(name);
    });

    it('rejects a models:/ source that climbs out of the registry, creating nothing', async () => {
      const name = await model();
      expectError(
        await r.post('model-versions/create', { name, source: 'models:/../x/1' }),
        400,
        'INVALID_PARAMETER_VALUE',
        /^Invalid model version source: 'models:\/\.\.\/x\/1'\./,
      );
      await expectNoVersions(name);
    });

    it('requires a source', async () => {
      const name = await model();
      expectError(
        await r.post('model-versions/create', { name }),
        400,
        'INVALID_PARAMETER_VALUE',
        "Missing value for required parameter 'source'. See the API docs for more information about request parameters.",
      );
      expectError(await r.post('model-versions/create', { name, source: '' }), 400, 'INVALID_PARAMETER_VALUE', /'source'/);
      await expectNoVersions(name);
    });
  });

  describe('copy from models:/ URIs', () => {
    it('pins models:/<name>/<v> and resolves the download URI to the source version', async () => {
      const src = await model('src');
      await r.createVersion(src, 's3://bucket/original');
      const dst = await model('dst');
      const mv = await r.createVersion(dst, `models:/${src}/1`);
      expect(mv).toMatchObject({ name: dst, version: '1', source: `models:/${src}/1`, status: 'READY', current_stage: 'None' });
      expect(ok(await r.get('model-versions/get-download-uri', { name: dst, version: '1' })).body).toEqual({
        artifact_uri: 's3://bucket/original',
      });
    });

    it('pins models:/<name>@alias to the version the alias points at', async () => {
      const src = await model('src');
      await r.createVersion(src, 's3://bucket/v1');
      await r.createVersion(src, 's3://bucket/v2');
      await r.createVersion(src, 's3://bucket/v3');
      ok(await r.post('registered-models/alias', { name: src, alias: 'champion', version: '2' }));
      const dst = await model('dst');
      const mv = await r.createVersion(dst, `models:/${src}@champion`);
      expect(mv.source).toBe(`models:/${src}/2`);
      expect(ok(await r.getVersion(dst, 1)).body.model_version.source).toBe(`models:/${src}/2`);
      expect(ok(await r.get('model-versions/get-download-uri', { name: dst, version: '1' })).body).toEqual({
        artifact_uri: 's3://bucket/v2',
      });

      // The copy stays pinned when the alias moves on.
      ok(await r.post('registered-models/alias', { name: src, alias: 'champion', version: '3' }));
      expect(ok(await r.get('model-versions/get-download-uri', { name: dst, version: '1' })).body.artifact_uri).toBe('s3://bucket/v2');
    });

    it('keeps the copy downloadable after the source model is deleted', async () => {
      const src = await model('src');
      await r.createVersion(src, 's3://bucket/kept');
      const dst = await model('dst');
      await r.createVersion(dst, `models:/${src}/1`);
      ok(await r.del('registered-models/delete', { name: src }));
      expect(ok(await r.get('model-versions/get-download-uri', { name: dst, version: '1' })).body.artifact_uri).toBe('s3://bucket/kept');
    });

    it('copies within the same model', async () => {
      const name = await model();
      await r.createVersion(name, 's3://bucket/a');
      const mv = await r.createVersion(name, `models:/${name}/1`);
      expect(mv).toMatchObject({ version: '2', source: `models:/${name}/1` });
      expect(ok(await r.get('model-versions/get-download-uri', { name, version: '2' })).body.artifact_uri).toBe('s3://bucket/a');
    });

    it('404s when the source version does not exist, creating nothing', async () => {
      const src = await model('src');
      await r.createVersion(src, 's3://bucket/a');
      const dst = await model('dst');
      expectError(
        await r.post('model-versions/create', { name: dst, source: `models:/${src}/9` }),
        404,
        'RESOURCE_DOES_NOT_EXIST',
        `Model Version (name=${src}, version=9) not found`,
      );
      await expectNoVersions(dst);
    });

    it('rejects an unknown alias in the source, creating nothing', async () => {
      const src = await model('src');
      await r.createVersion(src, 's3://bucket/a');
      const dst = await model('dst');
      expectError(
        await r.post('model-versions/create', { name: dst, source: `models:/${src}@nope` }),
        400,
        'INVALID_PARAMETER_VALUE',
        'Registered model alias nope not found.',
      );
      await expectNoVersions(dst);
    });
  });

  describe('get', () => {
    it('404s with MLflow\'s message for a missing version', async () => {
      const name = await model();
      await r.createVersion(name);
      expectError(await r.getVersion(name, 2), 404, 'RESOURCE_DOES_NOT_EXIST', `Model Version (name=${name}, version=2) not found`);
      const missing = uniqueName('missing');
      expectError(await r.getVersion(missing, 1), 404, 'RESOURCE_DOES_NOT_EXIST', `Model Version (name=${missing}, version=1) not found`);
    });

    it.each(['abc', '1.5', '1e3', '0x1'])('rejects version %j with 400', async (version) => {
      const name = await model();
      await r.createVersion(name);
      expectError(
        await r.get('model-versions/get', { name, version }),
        400,
        'INVALID_PARAMETER_VALUE',
        `Parameter 'version' must be an integer, got '${version}'.`,
      );
    });

    it('accepts a version with surrounding white space, as Python int() does', async () => {
      const name = await model();
      await r.createVersion(name);
      expect(ok(await r.get('model-versions/get', { name, version: ' 1 ' })).body.model_version.version).toBe('1');
    });
  });

  describe('update', () => {
    it('sets the description with PATCH and bumps last_updated_timestamp', async () => {
      const name = await model();
      const mv = await r.createVersion(name);
      await sleep(3);
      const res = ok(await r.patch('model-versions/update', { name, version: '1', description: 'better' }));
      const updated = res.body.model_version;
      expect(updated).toMatchObject({ name, version: '1', description: 'better', creation_timestamp: mv.creation_timestamp });
      expect(updated.last_updated_timestamp).toBeGreaterThan(mv.last_updated_timestamp);
      expect(ok(await r.getVersion(name, 1)).body.model_version).toEqual(updated);
    });

    it('clears the description when none is sent', async () => {
      const name = await model();
      await r.createVersion(name, 's3://b/p', { description: 'old' });
      const updated = ok(await r.patch('model-versions/update', { name, version: '1' })).body.model_version;
      expect(updated).not.toHaveProperty('description');
    });

    it('404s for a missing version and 400s for a bad one', async () => {
      const name = await model();
      expectError(
        await r.patch('model-versions/update', { name, version: '1', description: 'x' }),
        404,
        'RESOURCE_DOES_NOT_EXIST',
        `Model Version (name=${name}, version=1) not found`,
      );
      expectError(
        await r.patch('model-versions/update', { name, version: 'abc', description: 'x' }),
        400,
        'INVALID_PARAMETER_VALUE',
        "Parameter 'version' must be an integer, got 'abc'.",
      );
    });
  });

  describe('delete', () => {
    it('soft-deletes: the number is never reused and the version is invisible everywhere', async () => {
      const name = await model();
      await r.createVersion(name, 's3://b/1');
      await r.createVersion(name, 's3://b/2', { tags: [{ key: 'k', value: 'v' }] });
      ok(await r.post('registered-models/alias', { name, alias: 'best', version: '2' }));

      expectEmptyOk(await r.del('model-versions/delete', { name, version: '2' }));

      const notFound = `Model Version (name=${name}, version=2) not found`;
      expectError(await r.getVersion(name, 2), 404, 'RESOURCE_DOES_NOT_EXIST', notFound);
      expectError(await r.get('model-versions/get-download-uri', { name, version: '2' }), 404, 'RESOURCE_DOES_NOT_EXIST', notFound);
      expectError(await r.del('model-versions/delete', { name, version: '2' }), 404, 'RESOURCE_DOES_NOT_EXIST', notFound);
      expectError(await r.patch('model-versions/update', { name, version: '2', description: 'x' }), 404, 'RESOURCE_DOES_NOT_EXIST', notFound);
      expectError(await r.post('model-versions/set-tag', { name, version: '2', key: 'k', value: 'v' }), 404, 'RESOURCE_DOES_NOT_EXIST', notFound);
      expectError(await r.del('model-versions/delete-tag', { name, version: '2', key: 'k' }), 404, 'RESOURCE_DOES_NOT_EXIST', notFound);
      expectError(
        await r.post('model-versions/transition-stage', { name, version: '2', stage: 'Staging', archive_existing_versions: false }),
        404,
        'RESOURCE_DOES_NOT_EXIST',
        notFound,
      );
      expectError(await r.get('registered-models/alias', { name, alias: 'best' }), 400, 'INVALID_PARAMETER_VALUE');

      const listed = ok(await r.searchVersions({ filter: `name = '${name}'` })).body.model_versions as { version: string }[];
      expect(listed.map((v) => v.version)).toEqual(['1']);
      const rm = ok(await r.getModel(name)).body.registered_model;
      expect(rm.latest_versions.map((v: { version: string }) => v.version)).toEqual(['1']);
      expect(rm).not.toHaveProperty('aliases');

      const next = await r.createVersion(name, 's3://b/3');
      expect(next.version).toBe('3');
      expect(next).not.toHaveProperty('tags');
    });

    it('never reuses the number of the deleted highest version', async () => {
      const name = await model();
      await r.createVersion(name);
      ok(await r.del('model-versions/delete', { name, version: '1' }));
      expect(ok(await r.post('registered-models/get-latest-versions', { name })).body).toEqual({});
      expect((await r.createVersion(name)).version).toBe('2');
    });
  });

  describe('tags', () => {
    it('sets, overwrites and deletes version tags, including an empty value', async () => {
      const name = await model();
      await r.createVersion(name);
      expectEmptyOk(await r.post('model-versions/set-tag', { name, version: '1', key: 'quality', value: 'good' }));
      expectEmptyOk(await r.post('model-versions/set-tag', { name, version: '1', key: 'blank', value: '' }));
      expect(ok(await r.getVersion(name, 1)).body.model_version.tags).toEqual([
        { key: 'blank', value: '' },
        { key: 'quality', value: 'good' },
      ]);
      expectEmptyOk(await r.post('model-versions/set-tag', { name, version: '1', key: 'quality', value: 'better' }));
      expectEmptyOk(await r.del('model-versions/delete-tag', { name, version: '1', key: 'blank' }));
      expect(ok(await r.getVersion(name, 1)).body.model_version.tags).toEqual([{ key: 'quality', value: 'better' }]);
      expectEmptyOk(await r.del('model-versions/delete-tag', { name, version: '1', key: 'not-there' }));
      expectEmptyOk(await r.del('model-versions/delete-tag', { name, version: '1', key: 'quality' }));
      expect(ok(await r.getVersion(name, 1)).body.model_version).not.toHaveProperty('tags');
      // Version tags are not model tags.
      expect(ok(await r.getModel(name)).body.registered_model).not.toHaveProperty('tags');
    });

    // Python's Unicode `\w` in MLflow's tag-key rule: MLflow 3.17 stores `ключ`.
    it('accepts non-ASCII word characters in version tag keys, as MLflow does', async () => {
      const name = await model();
      await r.createVersion(name);
      expectEmptyOk(await r.post('model-versions/set-tag', { name, version: '1', key: 'ключ', value: 'v' }));
      expect(ok(await r.getVersion(name, 1)).body.model_version.tags).toEqual([{ key: 'ключ', value: 'v' }]);
    });

    it('404s for tags on a missing version', async () => {
      const name = await model();
      const message = `Model Version (name=${name}, version=4) not found`;
      expectError(await r.post('model-versions/set-tag', { name, version: '4', key: 'k', value: 'v' }), 404, 'RESOURCE_DOES_NOT_EXIST', message);
      expectError(await r.del('model-versions/delete-tag', { name, version: '4', key: 'k' }), 404, 'RESOURCE_DOES_NOT_EXIST', message);
    });
  });

  describe('transition-stage', () => {
    it('matches the stage case-insensitively and stores it canonically', async () => {
      const name = await model();
      const mv = await r.createVersion(name);
      await sleep(3);
      const res = ok(await r.post('model-versions/transition-stage', { name, version: '1', stage: 'production', archive_existing_versions: false }));
      expect(res.body.model_version).toMatchObject({ name, version: '1', current_stage: 'Production' });
      expect(res.body.model_version.last_updated_timestamp).toBeGreaterThan(mv.last_updated_timestamp);
      expect(ok(await r.getVersion(name, 1)).body.model_version.current_stage).toBe('Production');
      const rm = ok(await r.getModel(name)).body.registered_model;
      expect(rm.last_updated_timestamp).toBe(res.body.model_version.last_updated_timestamp);

      for (const [stage, expected] of [
        ['STAGING', 'Staging'],
        ['archived', 'Archived'],
        ['none', 'None'],
      ] as const) {
        const out = ok(await r.post('model-versions/transition-stage', { name, version: '1', stage, archive_existing_versions: false }));
        expect(out.body.model_version.current_stage).toBe(expected);
      }
    });

    it('archives the other versions in the target stage when asked', async () => {
      const name = await model();
      for (let i = 0; i < 4; i++) await r.createVersion(name, `s3://b/${i}`);
      const move = (version: string, stage: string, archive: boolean) =>
        r.post('model-versions/transition-stage', { name, version, stage, archive_existing_versions: archive });
      ok(await move('1', 'Production', false));
      ok(await move('2', 'Production', false));
      ok(await move('3', 'Staging', false));
      const res = ok(await move('4', 'Production', true));
      expect(res.body.model_version.current_stage).toBe('Production');
      const stages: Record<string, string> = {};
      for (const v of ['1', '2', '3', '4']) stages[v] = ok(await r.getVersion(name, v)).body.model_version.current_stage;
      expect(stages).toEqual({ '1': 'Archived', '2': 'Archived', '3': 'Staging', '4': 'Production' });
    });

    it('without archive_existing_versions leaves the others alone', async () => {
      const name = await model();
      await r.createVersion(name);
      await r.createVersion(name);
      const move = (version: string) =>
        r.post('model-versions/transition-stage', { name, version, stage: 'Staging', archive_existing_versions: false });
      ok(await move('1'));
      ok(await move('2'));
      expect(ok(await r.getVersion(name, 1)).body.model_version.current_stage).toBe('Staging');
    });

    it.each(['None', 'Archived'])('rejects archive_existing_versions with stage %s (400), changing nothing', async (stage) => {
      const name = await model();
      await r.createVersion(name);
      await r.createVersion(name);
      ok(await r.post('model-versions/transition-stage', { name, version: '1', stage: 'Production', archive_existing_versions: false }));
      const res = await r.post('model-versions/transition-stage', { name, version: '2', stage, archive_existing_versions: true });
      expectError(
        res,
        400,
        'INVALID_PARAMETER_VALUE',
        `Model version transition cannot archive existing model versions because '${stage}' is not an Active stage. Valid stages are ['Staging', 'Production']`,
      );
      expect(ok(await r.getVersion(name, 1)).body.model_version.current_stage).toBe('Production');
      expect(ok(await r.getVersion(name, 2)).body.model_version.current_stage).toBe('None');
    });

    it('rejects an unknown stage with 400', async () => {
      const name = await model();
      await r.createVersion(name);
      expectError(
        await r.post('model-versions/transition-stage', { name, version: '1', stage: 'Prod', archive_existing_versions: false }),
        400,
        'INVALID_PARAMETER_VALUE',
        'Invalid Model Version stage: Prod. Value must be one of None, Staging, Production, Archived.',
      );
      expect(ok(await r.getVersion(name, 1)).body.model_version.current_stage).toBe('None');
    });
  });

  describe('get-latest-versions', () => {
    let name: string;
    beforeAll(async () => {
      name = await model('latest');
      for (let i = 1; i <= 6; i++) await r.createVersion(name, `s3://b/${i}`);
      const move = async (version: string, stage: string) =>
        ok(await r.post('model-versions/transition-stage', { name, version, stage, archive_existing_versions: false }));
      await move('1', 'Production');
      await move('2', 'Production');
      await move('3', 'Staging');
      await move('4', 'Archived');
      // 5 stays None; 6 is None but deleted.
      ok(await r.del('model-versions/delete', { name, version: '6' }));
    });

    const summary = (body: { model_versions?: { version: string; current_stage: string }[] }) =>
      (body.model_versions ?? []).map((v) => `${v.current_stage}:${v.version}`).sort();

    it('POST without stages returns the latest live version of every stage', async () => {
      const res = ok(await r.post('registered-models/get-latest-versions', { name }));
      expect(summary(res.body)).toEqual(['Archived:4', 'None:5', 'Production:2', 'Staging:3']);
      for (const mv of res.body.model_versions) expect(mv).toMatchObject({ name, status: 'READY' });
    });

    it('GET without stages returns the same', async () => {
      const res = ok(await r.get('registered-models/get-latest-versions', { name }));
      expect(summary(res.body)).toEqual(['Archived:4', 'None:5', 'Production:2', 'Staging:3']);
    });

    it('POST with stages filters (case-insensitively)', async () => {
      const res = ok(await r.post('registered-models/get-latest-versions', { name, stages: ['production', 'STAGING'] }));
      expect(summary(res.body)).toEqual(['Production:2', 'Staging:3']);
    });

    it('GET with repeated stages keys filters', async () => {
      const res = ok(await r.get('registered-models/get-latest-versions', { name, stages: ['Production', 'None'] }));
      expect(summary(res.body)).toEqual(['None:5', 'Production:2']);
      const single = ok(await r.get('registered-models/get-latest-versions', { name, stages: 'archived' }));
      expect(summary(single.body)).toEqual(['Archived:4']);
    });

    it('returns {} for a model without versions', async () => {
      const empty = await model();
      expectEmptyOk(await r.post('registered-models/get-latest-versions', { name: empty }));
      expectEmptyOk(await r.post('registered-models/get-latest-versions', { name: empty, stages: ['Staging'] }));
      expectEmptyOk(await r.get('registered-models/get-latest-versions', { name: empty }));
    });

    it('rejects an invalid stage with 400 on POST and GET', async () => {
      const message = 'Invalid Model Version stage: Live. Value must be one of None, Staging, Production, Archived.';
      expectError(await r.post('registered-models/get-latest-versions', { name, stages: ['Live'] }), 400, 'INVALID_PARAMETER_VALUE', message);
      expectError(await r.get('registered-models/get-latest-versions', { name, stages: 'Live' }), 400, 'INVALID_PARAMETER_VALUE', message);
    });

    it('404s for an unknown model', async () => {
      const missing = uniqueName('missing');
      expectError(
        await r.post('registered-models/get-latest-versions', { name: missing }),
        404,
        'RESOURCE_DOES_NOT_EXIST',
        `Registered Model with name=${missing} not found`,
      );
    });
  });

  describe('get-download-uri', () => {
    it('returns the source of a plain version', async () => {
      const name = await model();
      await r.createVersion(name, 'mlflow-artifacts:/0/abc/artifacts/model');
      const res = ok(await r.get('model-versions/get-download-uri', { name, version: '1' }));
      expect(res.body).toEqual({ artifact_uri: 'mlflow-artifacts:/0/abc/artifacts/model' });
    });

    it('400s on a non-integer version and 404s on a missing one', async () => {
      const name = await model();
      expectError(
        await r.get('model-versions/get-download-uri', { name, version: 'abc' }),
        400,
        'INVALID_PARAMETER_VALUE',
        "Parameter 'version' must be an integer, got 'abc'.",
      );
      expectError(
        await r.get('model-versions/get-download-uri', { name, version: '3' }),
        404,
        'RESOURCE_DOES_NOT_EXIST',
        `Model Version (name=${name}, version=3) not found`,
      );
    });
  });

  describe("version 'abc' on every endpoint that takes one", () => {
    const message = "Parameter 'version' must be an integer, got 'abc'.";
    it.each([
      ['GET model-versions/get', (r: Registry, name: string) => r.get('model-versions/get', { name, version: 'abc' })],
      ['PATCH model-versions/update', (r: Registry, name: string) => r.patch('model-versions/update', { name, version: 'abc', description: 'd' })],
      ['DELETE model-versions/delete', (r: Registry, name: string) => r.del('model-versions/delete', { name, version: 'abc' })],
      [
        'POST model-versions/transition-stage',
        (r: Registry, name: string) => r.post('model-versions/transition-stage', { name, version: 'abc', stage: 'Staging', archive_existing_versions: false }),
      ],
      ['POST model-versions/set-tag', (r: Registry, name: string) => r.post('model-versions/set-tag', { name, version: 'abc', key: 'k', value: 'v' })],
      ['DELETE model-versions/delete-tag', (r: Registry, name: string) => r.del('model-versions/delete-tag', { name, version: 'abc', key: 'k' })],
      ['GET model-versions/get-download-uri', (r: Registry, name: string) => r.get('model-versions/get-download-uri', { name, version: 'abc' })],
      ['POST registered-models/alias', (r: Registry, name: string) => r.post('registered-models/alias', { name, alias: 'a', version: 'abc' })],
    ] as const)('%s → 400', async (_label, call) => {
      const name = await model();
      await r.createVersion(name);
      expectError(await call(r, name), 400, 'INVALID_PARAMETER_VALUE', message);
      const mv = ok(await r.getVersion(name, 1)).body.model_version;
      expect(mv).toMatchObject({ current_stage: 'None', description: '' });
      expect(mv).not.toHaveProperty('tags');
      expect(mv).not.toHaveProperty('aliases');
    });
  });
});
