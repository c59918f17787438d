import path from 'node:path';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { openServices } from '../../src/compose.js';
import { backends, createTestApp, type TestApp } from '../helpers/app.js';
import { expectEmptyOk, expectError, HINT, ok, sleep, uniqueName } from './support.js';
import { Tracking, asMap } from './tracking-support.js';

describe.each(backends())('experiments (%s)', (backend) => {
  let t: TestApp;
  let c: Tracking;

  beforeAll(async () => {
    t = await createTestApp(backend);
    c = new Tracking(t);
  });

  afterAll(async () => {
    await t?.close();
  });

  describe('default experiment', () => {
    it('exists from the start with id "0" and the default artifact root', async () => {
      const res = ok(await c.get('experiments/get', { experiment_id: '0' }));
      expect(res.body).toEqual({
        experiment: {
          experiment_id: '0',
          name: 'Default',
          artifact_location: 'mlflow-artifacts:/0',
          lifecycle_stage: 'active',
          last_update_time: expect.any(Number),
          creation_time: expect.any(Number),
        },
      });
    });

    it('is found by name', async () => {
      const e = ok(await c.get('experiments/get-by-name', { experiment_name: 'Default' })).body.experiment;
      expect(e.experiment_id).toBe('0');
    });

    it.runIf(backend === 'sqlite')('is created once when the services open the same database again', async () => {
      const file = path.join(t.dir, 'flowreg.db');
      const again = await openServices({
        backendStore: { kind: 'sqlite', file, uri: `sqlite:///${file}` },
        defaultArtifactRoot: 's3://elsewhere',
        artifactsDestination: path.join(t.dir, 'mlartifacts'),
        serveArtifacts: true,
        artifactsOnly: false,
        logger: () => undefined,
      });
      try {
        const res = ok(await supertest(createApp(again.deps)).get('/api/2.0/mlflow/experiments/search?max_results=1000&view_type=ALL'));
        const defaults = res.body.experiments.filter((e: { experiment_id: string }) => e.experiment_id === '0');
        expect(defaults).toEqual([expect.objectContaining({ name: 'Default', artifact_location: 'mlflow-artifacts:/0' })]);
      } finally {
        await again.close();
      }
    });

    it('takes its location from the default artifact root, joined like append_to_uri_path', async () => {
      for (const [root, expected] of [
        ['s3://bucket/root', 's3://bucket/root/0'],
        ['s3://bucket', 's3://bucket/0'],
        ['mlflow-artifacts:/', 'mlflow-artifacts:/0'],
        ['/srv/mlruns/', '/srv/mlruns/0'],
      ] as const) {
        const other = await createTestApp(backend, { defaultArtifactRoot: root });
        try {
          const oc = new Tracking(other);
          expect((await oc.getExperiment('0')).artifact_location).toBe(expected);
          const id = await oc.createExperiment();
          expect((await oc.getExperiment(id)).artifact_location).toBe(expected.replace(/0$/, id));
        } finally {
          await other.close();
        }
      }
    });
  });

  describe('create', () => {
    it('returns the new id as a string and stores name, tags and the derived location', async () => {
      const name = uniqueName('exp');
      const before = Date.now();
      const res = ok(await c.post('experiments/create', { name, tags: [{ key: 'k1', value: 'v1' }, { key: 'k2', value: '' }] }));
      expect(Object.keys(res.body)).toEqual(['experiment_id']);
      const id = res.body.experiment_id;
      expect(id).toMatch(/^[1-9]\d*$/);
      const e = await c.getExperiment(id);
      expect(e).toEqual({
        experiment_id: id,
        name,
        artifact_location: `mlflow-artifacts:/${id}`,
        lifecycle_stage: 'active',
        last_update_time: e.creation_time,
        creation_time: expect.any(Number),
        tags: [
          { key: 'k1', value: 'v1' },
          { key: 'k2', value: '' },
        ],
      });
      expect(e.creation_time).toBeGreaterThanOrEqual(before);
    });

    it('numbers experiments upward', async () => {
      const a = Number(await c.createExperiment());
      const b = Number(await c.createExperiment());
      expect(b).toBeGreaterThan(a);
    });

    it('rejects a duplicate name with RESOURCE_ALREADY_EXISTS (400)', async () => {
      const name = uniqueName('dup');
      await c.createExperiment(name);
      expectError(await c.post('experiments/create', { name }), 400, 'RESOURCE_ALREADY_EXISTS', `Experiment(name=${name}) already exists.`);
    });

    it.each([
      [{}, `Missing value for required parameter 'name'.${HINT}`],
      [{ name: '' }, `Missing value for required parameter 'name'.${HINT}`],
      [{ name: 123 }, /^Invalid value 123 for parameter 'name' supplied/],
      [{ name: 'x', artifact_location: 9.5 }, /^Invalid value 9\.5 for parameter 'artifact_location' supplied/],
      [{ name: 'x', artifact_location: 'my_location', tags: '5' }, /^Invalid value "5" for parameter 'tags' supplied/],
      [{ name: 'x'.repeat(501) }, "'name' exceeds the maximum length of 500 characters"],
      [{ name: 'x', artifact_location: 'runs:/abc/model' }, "Artifact location cannot be a runs:/ URI. Given: 'runs:/abc/model'"],
      [{ name: 'x', tags: [{ key: 'bad!', value: 'v' }] }, /^Invalid value "bad!" for parameter 'key' supplied: Names may only contain/],
      [{ name: 'x', tags: [{ key: 'k', value: 'v'.repeat(20_001) }] }, "'value' exceeds the maximum length of 20000 characters"],
    ])('rejects %j', async (body, message) => {
      expectError(await c.post('experiments/create', body), 400, 'INVALID_PARAMETER_VALUE', message);
    });

    it.each([
      's3://bucket/a/../b',
      's3://bucket/a/%2e%2e/b',
      's3://bucket/a/%252e%252e/b',
      'mlflow-artifacts:/0/../../etc',
      '../outside',
      '/srv/mlruns/../../etc',
      's3://bucket/p#frag',
    ])('rejects the artifact location %s', async (location) => {
      const res = await c.post('experiments/create', { name: uniqueName('loc'), artifact_location: location });
      expectError(res, 400, 'INVALID_PARAMETER_VALUE');
    });

    it('keeps a remote artifact location and resolves a relative local one against the working directory', async () => {
      const s3 = await c.createExperiment(uniqueName('s3'), { artifact_location: 's3://bucket/exp' });
      expect((await c.getExperiment(s3)).artifact_location).toBe('s3://bucket/exp');
      const local = await c.createExperiment(uniqueName('local'), { artifact_location: 'my_location' });
      expect((await c.getExperiment(local)).artifact_location).toBe(path.resolve('my_location'));
    });

    it('also answers under /ajax-api', async () => {
      const res = ok(await new Tracking(t, '/ajax-api/2.0/mlflow').post('experiments/create', { name: uniqueName('ajax') }));
      expect(res.body.experiment_id).toMatch(/^\d+$/);
    });

    it('requires Content-Type application/json on POST', async () => {
      const res = await t.request.post('/api/2.0/mlflow/experiments/create').set('Content-Type', 'text/plain').send('{"name":"x"}');
      expectError(res, 400, 'INVALID_PARAMETER_VALUE', /Content-Type/);
    });
  });

  describe('get and get-by-name', () => {
    it('rejects an id that is not an integer with 400', async () => {
      expectError(
        await c.get('experiments/get', { experiment_id: 'abc' }),
        400,
        'INVALID_PARAMETER_VALUE',
        "Invalid experiment ID 'abc'. Experiment ID must be a valid integer.",
      );
    });

    it('answers 404 RESOURCE_DOES_NOT_EXIST for an unknown id', async () => {
      expectError(await c.get('experiments/get', { experiment_id: '987654' }), 404, 'RESOURCE_DOES_NOT_EXIST', 'No Experiment with id=987654 exists');
    });

    it('requires experiment_id', async () => {
      expectError(await c.get('experiments/get'), 400, 'INVALID_PARAMETER_VALUE', `Missing value for required parameter 'experiment_id'.${HINT}`);
    });

    it('answers a missing name with 404 RESOURCE_DOES_NOT_EXIST (set_experiment depends on it)', async () => {
      expectError(
        await c.get('experiments/get-by-name', { experiment_name: 'no-such-experiment' }),
        404,
        'RESOURCE_DOES_NOT_EXIST',
        "Could not find experiment with name 'no-such-experiment'",
      );
    });

    it('finds deleted experiments by name and by id', async () => {
      const name = uniqueName('gone');
      const id = await c.createExperiment(name);
      expectEmptyOk(await c.post('experiments/delete', { experiment_id: id }));
      expect(ok(await c.get('experiments/get-by-name', { experiment_name: name })).body.experiment.lifecycle_stage).toBe('deleted');
      expect((await c.getExperiment(id)).lifecycle_stage).toBe('deleted');
    });

    it('reads a GET without a query string from a JSON body', async () => {
      const res = ok(await t.request.get('/api/2.0/mlflow/experiments/get').set('Content-Type', 'application/json').send('{"experiment_id":"0"}'));
      expect(res.body.experiment.name).toBe('Default');
    });
  });

  describe('update (rename)', () => {
    it('renames and bumps last_update_time', async () => {
      const id = await c.createExperiment(uniqueName('bad'));
      const before = await c.getExperiment(id);
      await sleep(2);
      const name = uniqueName('good');
      expectEmptyOk(await c.post('experiments/update', { experiment_id: id, new_name: name }));
      const after = await c.getExperiment(id);
      expect(after.name).toBe(name);
      expect(after.last_update_time).toBeGreaterThan(before.last_update_time);
    });

    it('rejects a taken name, a missing new_name and a deleted experiment', async () => {
      const taken = uniqueName('taken');
      await c.createExperiment(taken);
      const id = await c.createExperiment();
      expectError(await c.post('experiments/update', { experiment_id: id, new_name: taken }), 400, 'RESOURCE_ALREADY_EXISTS');
      expectError(
        await c.post('experiments/update', { experiment_id: id }),
        400,
        'INVALID_PARAMETER_VALUE',
        `Missing value for required parameter 'new_name'.${HINT}`,
      );
      await c.post('experiments/delete', { experiment_id: id });
      expectError(
        await c.post('experiments/update', { experiment_id: id, new_name: uniqueName() }),
        400,
        'INVALID_PARAMETER_VALUE',
        'Cannot rename a non-active experiment.',
      );
      expectError(await c.post('experiments/update', { experiment_id: '999999', new_name: 'x' }), 404, 'RESOURCE_DOES_NOT_EXIST');
    });
  });

  describe('delete and restore', () => {
    it('moves the experiment and its runs between lifecycle stages', async () => {
      const id = await c.createExperiment();
      const run = await c.createRun(id);
      expectEmptyOk(await c.post('experiments/delete', { experiment_id: id }));
      expect((await c.getExperiment(id)).lifecycle_stage).toBe('deleted');
      expect((await c.getRun(run.info.run_id)).info.lifecycle_stage).toBe('deleted');
      expectError(await c.post('experiments/delete', { experiment_id: id }), 404, 'RESOURCE_DOES_NOT_EXIST', `No Experiment with id=${id} exists`);
      expectEmptyOk(await c.post('experiments/restore', { experiment_id: id }));
      expect((await c.getExperiment(id)).lifecycle_stage).toBe('active');
      expect((await c.getRun(run.info.run_id)).info.lifecycle_stage).toBe('active');
      expectError(await c.post('experiments/restore', { experiment_id: id }), 404, 'RESOURCE_DOES_NOT_EXIST', `No Experiment with id=${id} exists`);
    });

    it('refuses new runs in a deleted experiment', async () => {
      const id = await c.createExperiment();
      await c.post('experiments/delete', { experiment_id: id });
      expectError(
        await c.post('runs/create', { experiment_id: id }),
        400,
        'INVALID_PARAMETER_VALUE',
        `The experiment ${id} must be in the 'active' state. Current state is deleted.`,
      );
    });

    it('validates the id', async () => {
      expectError(await c.post('experiments/delete', {}), 400, 'INVALID_PARAMETER_VALUE', `Missing value for required parameter 'experiment_id'.${HINT}`);
      expectError(await c.post('experiments/delete', { experiment_id: 'x1' }), 400, 'INVALID_PARAMETER_VALUE', /Invalid experiment ID 'x1'/);
      expectError(await c.post('experiments/restore', { experiment_id: '424242' }), 404, 'RESOURCE_DOES_NOT_EXIST');
    });
  });

  describe('tags', () => {
    it('sets, overwrites, keeps multi-line and empty values, and deletes', async () => {
      const id = await c.createExperiment();
      const other = await c.createExperiment();
      expectEmptyOk(await c.post('experiments/set-experiment-tag', { experiment_id: id, key: 'dataset', value: 'imagenet1K' }));
      await c.post('experiments/set-experiment-tag', { experiment_id: id, key: 'dataset', value: 'birdbike' });
      await c.post('experiments/set-experiment-tag', { experiment_id: other, key: 'dataset', value: 'birds200' });
      await c.post('experiments/set-experiment-tag', { experiment_id: id, key: 'multiline tag', value: 'a\nb\nc' });
      await c.post('experiments/set-experiment-tag', { experiment_id: id, key: 'empty' });
      expect(asMap((await c.getExperiment(id)).tags)).toEqual({ dataset: 'birdbike', 'multiline tag': 'a\nb\nc', empty: '' });
      expect(asMap((await c.getExperiment(other)).tags)).toEqual({ dataset: 'birds200' });
      expectEmptyOk(await c.post('experiments/delete-experiment-tag', { experiment_id: id, key: 'dataset' }));
      expect(asMap((await c.getExperiment(id)).tags)).toEqual({ 'multiline tag': 'a\nb\nc', empty: '' });
      expectError(
        await c.post('experiments/delete-experiment-tag', { experiment_id: id, key: 'dataset' }),
        404,
        'RESOURCE_DOES_NOT_EXIST',
        `No tag with name: dataset in experiment with id ${id}`,
      );
    });

    it('validates keys and refuses deleted or unknown experiments', async () => {
      const id = await c.createExperiment();
      expectError(
        await c.post('experiments/set-experiment-tag', { experiment_id: id, key: '../x', value: 'v' }),
        400,
        'INVALID_PARAMETER_VALUE',
        /Names may be treated as files/,
      );
      expectError(
        await c.post('experiments/set-experiment-tag', { experiment_id: id, value: 'v' }),
        400,
        'INVALID_PARAMETER_VALUE',
        `Missing value for required parameter 'key'.${HINT}`,
      );
      expectError(await c.post('experiments/set-experiment-tag', { experiment_id: '777777', key: 'k', value: 'v' }), 404, 'RESOURCE_DOES_NOT_EXIST');
      await c.post('experiments/delete', { experiment_id: id });
      expectError(
        await c.post('experiments/set-experiment-tag', { experiment_id: id, key: 'k', value: 'v' }),
        400,
        'INVALID_PARAMETER_VALUE',
        `The experiment ${id} must be in the 'active' state. Current state is deleted.`,
      );
      expectError(await c.post('experiments/delete-experiment-tag', { experiment_id: id, key: 'k' }), 400, 'INVALID_PARAMETER_VALUE');
    });
  });
});

describe.each(backends())('experiments search (%s)', (backend) => {
  let t: TestApp;
  let c: Tracking;
  const ids: string[] = [];

  const names = async (body: Record<string, unknown>) =>
    ((ok(await c.post('experiments/search', body)).body.experiments ?? []) as { name: string }[]).map((e) => e.name);

  // A fresh database: searches see exactly Default, a, ab and Abc (MLflow's test_search_experiments).
  beforeAll(async () => {
    t = await createTestApp(backend);
    c = new Tracking(t);
    for (const [name, tags] of [
      ['a', [{ key: 'key', value: 'value' }]],
      ['ab', [{ key: 'key', value: 'vaLue' }]],
      ['Abc', []],
    ] as const) {
      await sleep(2);
      ids.push(await c.createExperiment(name, { tags }));
    }
  });

  afterAll(async () => {
    await t?.close();
  });

  it('orders by creation_time DESC by default', async () => {
    expect(await names({ max_results: 1000 })).toEqual(['Abc', 'ab', 'a', 'Default']);
  });

  it.each([
    ["attribute.name = 'a'", ['a']],
    ["attribute.name != 'a'", ['Abc', 'ab', 'Default']],
    ["name LIKE 'a%'", ['ab', 'a']],
    ["name ILIKE 'a%'", ['Abc', 'ab', 'a']],
    ["tag.key = 'value'", ['a']],
    ["tag.key != 'value'", ['ab']],
    ["tags.key ILIKE '%alu%'", ['ab', 'a']],
    ["tags.key LIKE '%alu%'", ['a']],
    ['tags.key IS NULL', ['Abc', 'Default']],
    ['tags.key IS NOT NULL', ['ab', 'a']],
    ["name = 'a' AND tags.key = 'value'", ['a']],
    ["attribute.experiment_id IN ('0')", ['Default']],
  ])('filters %s', async (filter, expected) => {
    expect(await names({ max_results: 1000, filter })).toEqual(expected);
  });

  it('filters on numeric attributes', async () => {
    const a = await c.getExperiment(ids[0] as string);
    expect(await names({ max_results: 1000, filter: `creation_time > ${a.creation_time}` })).toEqual(['Abc', 'ab']);
  });

  it('orders by name byte-wise, with experiment_id DESC as tie-breaker', async () => {
    expect(await names({ max_results: 1000, order_by: ['name DESC'] })).toEqual(['ab', 'a', 'Default', 'Abc']);
    expect(await names({ max_results: 1000, order_by: ['attribute.name ASC'] })).toEqual(['Abc', 'Default', 'a', 'ab']);
    expect(await names({ max_results: 1000, order_by: ['experiment_id'] })).toEqual(['Default', 'a', 'ab', 'Abc']);
  });

  it('pages with MLflow offset tokens', async () => {
    const first = ok(await c.post('experiments/search', { max_results: 2 })).body;
    expect(first.experiments.map((e: { name: string }) => e.name)).toEqual(['Abc', 'ab']);
    expect(Buffer.from(first.next_page_token, 'base64').toString()).toBe('{"offset": 2}');
    const second = ok(await c.post('experiments/search', { max_results: 2, page_token: first.next_page_token })).body;
    expect(second.experiments.map((e: { name: string }) => e.name)).toEqual(['a', 'Default']);
    expect(second.next_page_token).toBeUndefined();
  });

  it('answers GET with query parameters too (repeated order_by, view_type by name)', async () => {
    const res = ok(await c.get('experiments/search', { max_results: 10, order_by: ['name ASC'], view_type: 'ALL', filter: "name != 'x'" }));
    expect(res.body.experiments.map((e: { name: string }) => e.name)).toEqual(['Abc', 'Default', 'a', 'ab']);
  });

  it('selects lifecycle stages with view_type (names and numbers)', async () => {
    const extra = await c.createExperiment('zz-deleted');
    await c.post('experiments/delete', { experiment_id: extra });
    expect(await names({ max_results: 100 })).toEqual(['Abc', 'ab', 'a', 'Default']);
    expect(await names({ max_results: 100, view_type: 'ACTIVE_ONLY' })).toEqual(['Abc', 'ab', 'a', 'Default']);
    expect(await names({ max_results: 100, view_type: 'DELETED_ONLY' })).toEqual(['zz-deleted']);
    expect(await names({ max_results: 100, view_type: 2 })).toEqual(['zz-deleted']);
    expect(await names({ max_results: 100, view_type: 'ALL' })).toEqual(['zz-deleted', 'Abc', 'ab', 'a', 'Default']);
  });

  it.each([
    [{ max_results: 0 }, "Invalid value 0 for parameter 'max_results' supplied. It must be a positive integer"],
    [{ max_results: 50_001 }, "Invalid value 50001 for parameter 'max_results' supplied. It must be at most 50000"],
    [{ max_results: 10, filter: "foo.name = 'a'" }, "Invalid entity type 'foo'. Valid entity types are ('attribute', 'tag', 'tags')"],
    [{ max_results: 10, filter: "attribute.bogus = 'a'" }, /^Invalid attribute key 'bogus' specified/],
    [{ max_results: 10, filter: "name = 'a' OR name = 'b'" }, /^Invalid clause\(s\) in filter string: /],
    [{ max_results: 10, filter: 'name = a' }, 'Expected a quoted string value for attributes. Got value a'],
    [{ max_results: 10, filter: "creation_time > 'x'" }, "Expected numeric value type for numeric attribute: creation_time. Found 'x'"],
    [{ max_results: 10, order_by: ['name DESC ASC'] }, "Invalid order_by clause 'name DESC ASC'. Could not be parsed."],
    [{ max_results: 10, order_by: ['name sideways'] }, "Invalid ordering key in order_by clause 'name sideways'."],
    [{ max_results: 10, order_by: ['tags.key'] }, 'Invalid order_by entity: tag'],
    [{ max_results: 10, page_token: 'not a token' }, /^Invalid page token/],
    [{ max_results: 10, view_type: 'SOME' }, /^Invalid value "SOME" for parameter 'view_type' supplied/],
  ])('rejects %j with 400', async (body, message) => {
    expectError(await c.post('experiments/search', body), 400, 'INVALID_PARAMETER_VALUE', message);
  });

  it('answers an empty page as {}', async () => {
    const res = ok(await c.post('experiments/search', { max_results: 10, filter: "name = 'none'" }));
    expect(res.body).toEqual({});
  });
});
