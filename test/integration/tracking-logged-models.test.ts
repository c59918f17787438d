import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, createTestApp, type TestApp } from '../helpers/app.js';
import { expectEmptyOk, expectError, HINT, ok, uniqueName } from './support.js';
import { Tracking, asMap } from './tracking-support.js';

describe.each(backends())('logged models (%s)', (backend) => {
  let t: TestApp;
  let c: Tracking;

  beforeAll(async () => {
    t = await createTestApp(backend);
    c = new Tracking(t);
  });

  afterAll(async () => {
    await t?.close();
  });

  describe('create and get', () => {
    it('creates a PENDING model under the experiment location, with _ms timestamps', async () => {
      const run = await c.createRun('0');
      const before = Date.now();
      const res = ok(
        await c.post('logged-models', {
          experiment_id: '0',
          name: 'model',
          model_type: 'sklearn',
          source_run_id: run.info.run_id,
          params: [{ key: 'alpha', value: '0.5' }],
          tags: [{ key: 'mlflow.source.name', value: 'train.py' }],
        }),
      );
      const model = res.body.model;
      const id = model.info.model_id;
      expect(id).toMatch(/^m-[0-9a-f]{32}$/);
      expect(model).toEqual({
        info: {
          model_id: id,
          experiment_id: '0',
          name: 'model',
          creation_timestamp_ms: expect.any(Number),
          last_updated_timestamp_ms: model.info.creation_timestamp_ms,
          artifact_uri: `mlflow-artifacts:/0/models/${id}/artifacts`,
          status: 'LOGGED_MODEL_PENDING',
          model_type: 'sklearn',
          source_run_id: run.info.run_id,
          tags: [{ key: 'mlflow.source.name', value: 'train.py' }],
        },
        data: { params: [{ key: 'alpha', value: '0.5' }] },
      });
      expect(model.info.creation_timestamp_ms).toBeGreaterThanOrEqual(before);
      expect(await c.getLoggedModel(id)).toEqual(model);
    });

    it('generates a name when none is given, and validates names', async () => {
      const model = await c.createLoggedModel('0');
      expect(model.info.name).toMatch(/^[a-z]+-[a-z]+-\d{1,3}$/);
      expectError(
        await c.post('logged-models', { experiment_id: '0', name: 'a.b' }),
        400,
        'INVALID_PARAMETER_VALUE',
        `Invalid model name ('a.b') provided. Model name must be a non-empty string and cannot contain the following characters: ('/', ':', '.', '%', '"', "'")`,
      );
      for (const bad of ['a/b', 'a:b', '50%', 'it\'s', 'say "x"']) {
        expectError(await c.post('logged-models', { experiment_id: '0', name: bad }), 400, 'INVALID_PARAMETER_VALUE', /^Invalid model name/);
      }
    });

    it('needs an existing, active experiment', async () => {
      expectError(await c.post('logged-models', {}), 400, 'INVALID_PARAMETER_VALUE', `Missing value for required parameter 'experiment_id'.${HINT}`);
      expectError(
        await c.post('logged-models', { experiment_id: 'abc' }),
        400,
        'INVALID_PARAMETER_VALUE',
        "Invalid experiment ID 'abc'. Experiment ID must be a valid integer.",
      );
      expectError(await c.post('logged-models', { experiment_id: '77777' }), 404, 'RESOURCE_DOES_NOT_EXIST', 'No Experiment with id=77777 exists');
      const exp = await c.createExperiment();
      await c.post('experiments/delete', { experiment_id: exp });
      expectError(await c.post('logged-models', { experiment_id: exp }), 400, 'INVALID_PARAMETER_VALUE', /must be in the 'active' state/);
    });

    it('takes the location from the experiment', async () => {
      const exp = await c.createExperiment(uniqueName('s3'), { artifact_location: 's3://bucket/e' });
      const model = await c.createLoggedModel(exp);
      expect(model.info.artifact_uri).toBe(`s3://bucket/e/models/${model.info.model_id}/artifacts`);
    });

    it('answers 404 for an unknown id', async () => {
      expectError(await c.get('logged-models/m-nope'), 404, 'RESOURCE_DOES_NOT_EXIST', "Logged model with ID 'm-nope' not found.");
    });
  });

  describe('finalize, tags, params, delete', () => {
    it('finalizes with a PATCH on the id path, by status name or number', async () => {
      const id = (await c.createLoggedModel('0', { name: 'fin' })).info.model_id;
      const ready = ok(await c.patch(`logged-models/${id}`, { model_id: id, status: 'LOGGED_MODEL_READY' })).body.model;
      expect(ready.info.status).toBe('LOGGED_MODEL_READY');
      expect(ready.info.last_updated_timestamp_ms).toBeGreaterThanOrEqual(ready.info.creation_timestamp_ms);
      expect(ok(await c.patch(`logged-models/${id}`, { model_id: id, status: 3 })).body.model.info.status).toBe('LOGGED_MODEL_UPLOAD_FAILED');
      expectError(await c.patch(`logged-models/${id}`, { model_id: id }), 400, 'INVALID_PARAMETER_VALUE', `Missing value for required parameter 'status'.${HINT}`);
      expectError(await c.patch(`logged-models/${id}`, { model_id: id, status: 'DONE' }), 400, 'INVALID_PARAMETER_VALUE', 'Unknown model status: DONE');
      expectError(await c.patch('logged-models/m-nope', { model_id: 'm-nope', status: 'LOGGED_MODEL_READY' }), 404, 'RESOURCE_DOES_NOT_EXIST');
    });

    it('sets tags with PATCH /tags and deletes keys with dots and slashes from the path', async () => {
      const id = (await c.createLoggedModel('0')).info.model_id;
      expectEmptyOk(await c.patch(`logged-models/${id}/tags`, { tags: [{ key: 'a.b.c', value: '1' }, { key: 'x/y', value: '2' }, { key: 'a.b.c', value: '3' }] }));
      expect(asMap((await c.getLoggedModel(id)).info.tags)).toEqual({ 'a.b.c': '3', 'x/y': '2' });
      expectEmptyOk(await t.request.delete(`/api/2.0/mlflow/logged-models/${id}/tags/a.b.c`));
      expectEmptyOk(await t.request.delete(`/api/2.0/mlflow/logged-models/${id}/tags/x/y`));
      expect((await c.getLoggedModel(id)).info.tags).toBeUndefined();
      expectError(
        await t.request.delete(`/api/2.0/mlflow/logged-models/${id}/tags/nope`),
        404,
        'RESOURCE_DOES_NOT_EXIST',
        `No tag with key 'nope' found for model with ID '${id}'.`,
      );
      expectError(await c.patch('logged-models/m-nope/tags', { tags: [{ key: 'k', value: 'v' }] }), 404, 'RESOURCE_DOES_NOT_EXIST');
      expectError(await t.request.delete('/api/2.0/mlflow/logged-models/m-nope/tags/k'), 404, 'RESOURCE_DOES_NOT_EXIST');
    });

    it('logs params in batches at POST /params', async () => {
      const id = (await c.createLoggedModel('0', { params: [{ key: 'p0', value: '0' }] })).info.model_id;
      const more = Array.from({ length: 150 }, (_, i) => ({ key: `p${i + 1}`, value: String(i + 1) }));
      expectEmptyOk(await c.post(`logged-models/${id}/params`, { model_id: id, params: more.slice(0, 100) }));
      expectEmptyOk(await c.post(`logged-models/${id}/params`, { model_id: id, params: more.slice(100) }));
      expect((await c.getLoggedModel(id)).data.params).toHaveLength(151);
      expectError(await c.post('logged-models/m-nope/params', { params: [] }), 404, 'RESOURCE_DOES_NOT_EXIST');
    });

    it('deletes softly: gone for get and search, visible with allow_deleted', async () => {
      const name = uniqueName('del').replace(/[^a-z0-9-]/gi, '');
      const id = (await c.createLoggedModel('0', { name })).info.model_id;
      expectEmptyOk(await c.del(`logged-models/${id}`, { model_id: id }));
      expectError(await c.get(`logged-models/${id}`), 404, 'RESOURCE_DOES_NOT_EXIST');
      expect(ok(await c.get(`logged-models/${id}`, { allow_deleted: 'true' })).body.model.info.model_id).toBe(id);
      expect(ok(await c.post('logged-models/search', { experiment_ids: ['0'], filter: `name = '${name}'` })).body).toEqual({});
      expectError(await c.del('logged-models/m-nope'), 404, 'RESOURCE_DOES_NOT_EXIST');
    });

    it('carries the metrics logged with its id, while the run history keeps one plain point', async () => {
      const run = await c.createRun('0');
      const runId = run.info.run_id;
      const first = (await c.createLoggedModel('0', { source_run_id: runId })).info.model_id;
      const second = (await c.createLoggedModel('0', { source_run_id: runId })).info.model_id;
      // After each log_model the 3.x client logs the run's metrics of that step again with the
      // model's id, for every history point without a model id (models/model.py).
      const point = { key: 'acc', value: 0.9, timestamp: 5, step: 0 };
      await c.post('runs/log-batch', { run_id: runId, metrics: [point] });
      for (const id of [first, second]) {
        const history = ok(await c.get('metrics/get-history', { run_id: runId, metric_key: 'acc' })).body.metrics;
        expect(history).toEqual([point]);
        await c.post('runs/log-batch', { run_id: runId, metrics: history.map((m: object) => ({ ...m, model_id: id, dataset_name: 'eval' })) });
      }
      for (const id of [first, second]) {
        expect((await c.getLoggedModel(id)).data.metrics).toEqual([{ ...point, dataset_name: 'eval', model_id: id, run_id: runId }]);
      }
      const found = ok(await c.post('logged-models/search', { experiment_ids: ['0'], filter: 'metrics.acc > 0.8' })).body.models;
      expect(found.map((m: { info: { model_id: string } }) => m.info.model_id).sort()).toEqual([first, second].sort());
      expect(ok(await c.post('logged-models/search', { experiment_ids: ['0'], filter: 'metrics.acc > 0.95' })).body).toEqual({});
    });

    it('lists artifacts under the model root and rejects traversal', async () => {
      const model = await c.createLoggedModel('0');
      const id = model.info.model_id;
      const root = `mlflow-artifacts:/0/models/${id}/artifacts`;
      expect(ok(await c.get(`logged-models/${id}/artifacts/directories`)).body).toEqual({ root_uri: root });
      expect((await t.request.put(`/api/2.0/mlflow-artifacts/artifacts/0/models/${id}/artifacts/MLmodel`).send('abc')).status).toBe(200);
      expect(ok(await c.get(`logged-models/${id}/artifacts/directories`)).body).toEqual({
        root_uri: root,
        files: [{ path: 'MLmodel', is_dir: false, file_size: 3 }],
      });
      expect((await c.get(`logged-models/${id}/artifacts/directories`, { artifact_directory_path: '../x' })).body).toEqual({
        error_code: 'INVALID_PARAMETER_VALUE',
        message: 'Invalid path',
      });
      expectError(await c.get('logged-models/m-nope/artifacts/directories'), 404, 'RESOURCE_DOES_NOT_EXIST');
    });
  });

  describe('search', () => {
    let exp: string;
    const ids: string[] = [];
    let runId: string;

    beforeAll(async () => {
      exp = await c.createExperiment();
      runId = (await c.createRun(exp)).info.run_id;
      for (const [name, source, type] of [
        ['model', runId, 'sklearn'],
        ['model', undefined, 'sklearn'],
        ['other', runId, 'pytorch'],
      ] as const) {
        const m = await c.createLoggedModel(exp, { name, model_type: type, ...(source ? { source_run_id: source } : {}), tags: [{ key: 'team', value: name }] });
        ids.push(m.info.model_id);
      }
      await c.patch(`logged-models/${ids[0]}`, { model_id: ids[0], status: 'LOGGED_MODEL_READY' });
      const scores = [0.1, 0.3, 0.2];
      await c.post('runs/log-batch', {
        run_id: runId,
        metrics: ids.slice(0, 2).map((id, i) => ({ key: 'score', value: scores[i], timestamp: 1, step: 0, model_id: id })),
      });
    });

    const search = async (body: Record<string, unknown>) => ok(await c.post('logged-models/search', { experiment_ids: [exp], ...body })).body;
    const found = async (body: Record<string, unknown>) => ((await search(body)).models ?? []).map((m: { info: { model_id: string } }) => m.info.model_id);

    it('orders by creation time, newest first', async () => {
      expect(await found({})).toEqual([...ids].reverse());
    });

    it.each([
      ["name = 'model'", [1, 0]],
      [`source_run_id = 'RUN'`, [2, 0]],
      ["name = 'model' AND source_run_id = 'RUN'", [0]],
      ["attributes.model_type = 'pytorch'", [2]],
      ["model_type IN ('pytorch', 'none')", [2]],
      ["status = 'LOGGED_MODEL_READY'", [0]],
      ["status = 'PENDING'", [2, 1]],
      ["tags.team = 'other'", [2]],
      ["tags.team LIKE 'mod%'", [1, 0]],
      ["name != 'model'", [2]],
    ])('filters %s', async (filter, expected) => {
      expect(await found({ filter: filter.replace('RUN', runId) })).toEqual(expected.map((i) => ids[i]));
    });

    it('pages with tokens that must match the request', async () => {
      const first = await search({ max_results: 2, filter: "name != 'x'" });
      expect(first.models).toHaveLength(2);
      const token = first.next_page_token as string;
      expect(JSON.parse(Buffer.from(token, 'base64').toString())).toEqual({
        experiment_ids: [exp],
        filter_string: "name != 'x'",
        order_by: null,
        offset: 2,
      });
      const second = await search({ max_results: 2, filter: "name != 'x'", page_token: token });
      expect(second.models).toHaveLength(1);
      expect(second.next_page_token).toBeUndefined();
      expectError(
        await c.post('logged-models/search', { experiment_ids: [exp], max_results: 2, page_token: token }),
        400,
        'INVALID_PARAMETER_VALUE',
        /^Filter string in the page token does not match/,
      );
      expectError(
        await c.post('logged-models/search', { experiment_ids: ['0'], filter: "name != 'x'", page_token: token }),
        400,
        'INVALID_PARAMETER_VALUE',
        /^Experiment IDs in the page token do not match/,
      );
    });

    it('orders by attributes given as {field_name, ascending}', async () => {
      expect(await found({ order_by: [{ field_name: 'creation_timestamp', ascending: true }] })).toEqual(ids);
      expect(await found({ order_by: [{ field_name: 'name', ascending: false }] })).toEqual([ids[2], ids[1], ids[0]]);
    });

    it('orders by a metric, models without it last, and filters on metrics', async () => {
      expect(await found({ order_by: [{ field_name: 'metrics.score', ascending: false }] })).toEqual([ids[1], ids[0], ids[2]]);
      expect(await found({ order_by: [{ field_name: 'metrics.score', ascending: true }] })).toEqual([ids[0], ids[1], ids[2]]);
      expect(await found({ filter: 'metrics.score >= 0.3' })).toEqual([ids[1]]);
    });

    it.each([
      [{}, `Missing value for required parameter 'experiment_ids'.${HINT}`],
      [{ experiment_ids: ['x'] }, "Invalid experiment ID 'x'. Experiment ID must be a valid integer."],
      [{ experiment_ids: ['0'], filter: "foo.x = 'a'" }, "Invalid entity type: 'foo'. Expected one of ['attributes', 'metrics', 'params', 'tags']."],
      [{ experiment_ids: ['0'], filter: "name > 'a'" }, /^Invalid comparator '>'/],
      [{ experiment_ids: ['0'], order_by: [{ field_name: 'params.x' }] }, 'Invalid order by field name: params.x. Only metrics are supported.'],
      [{ experiment_ids: ['0'], order_by: [{ ascending: true }] }, '`field_name` in the `order_by` clause must be specified.'],
      [{ experiment_ids: ['0'], datasets: [{ dataset_digest: 'd' }] }, '`dataset_name` in the `datasets` clause must be specified.'],
    ])('rejects %j', async (body, message) => {
      expectError(await c.post('logged-models/search', body), 400, 'INVALID_PARAMETER_VALUE', message);
    });
  });

  // mlflow/server/handlers.py _search_logged_models and SqlAlchemyStore.search_logged_models:
  // `datasets` keeps the models with a metric on one of them and restricts metric clauses to those
  // metrics; an order_by entry may name the dataset of its metric.
  describe('search by dataset', () => {
    let exp: string;
    const ids: Record<'a' | 'b' | 'c' | 'd', string> = { a: '', b: '', c: '', d: '' };

    beforeAll(async () => {
      exp = await c.createExperiment();
      const runId = (await c.createRun(exp)).info.run_id;
      for (const name of ['a', 'b', 'c', 'd'] as const) ids[name] = (await c.createLoggedModel(exp, { name })).info.model_id;
      const point = (model: string, value: number, timestamp: number, dataset: Record<string, string>) => ({
        key: 'acc',
        value,
        timestamp,
        step: 0,
        model_id: model,
        ...dataset,
      });
      const evalSet = { dataset_name: 'eval', dataset_digest: 'd1' };
      const trainSet = { dataset_name: 'train', dataset_digest: 'd2' };
      ok(
        await c.post('runs/log-batch', {
          run_id: runId,
          metrics: [
            point(ids.a, 0.9, 1, evalSet),
            point(ids.a, 0.5, 2, trainSet),
            point(ids.b, 0.7, 1, evalSet),
            point(ids.c, 0.95, 1, trainSet),
            point(ids.d, 0.1, 1, { dataset_name: 'eval' }),
          ],
        }),
      );
    });

    const found = async (body: Record<string, unknown>) =>
      ((ok(await c.post('logged-models/search', { experiment_ids: [exp], ...body })).body.models ?? []) as { info: { model_id: string } }[]).map(
        (m) => m.info.model_id,
      );
    const EVAL = [{ dataset_name: 'eval', dataset_digest: 'd1' }];
    // Models created within one millisecond tie on the default order: compare as sets.
    const foundSet = async (body: Record<string, unknown>) => (await found(body)).sort();
    const set = (...names: (keyof typeof ids)[]) => names.map((n) => ids[n]).sort();

    it('keeps the models with a metric on one of the datasets', async () => {
      expect(await foundSet({ datasets: EVAL })).toEqual(set('a', 'b'));
      expect(await foundSet({ datasets: [...EVAL, { dataset_name: 'train', dataset_digest: 'd2' }] })).toEqual(set('a', 'b', 'c'));
    });

    it('matches a dataset given without a digest to metrics logged without one, as MLflow compares `== None`', async () => {
      expect(await foundSet({ datasets: [{ dataset_name: 'eval' }] })).toEqual(set('d'));
    });

    it('compares metric clauses with the metrics of those datasets only', async () => {
      expect(await foundSet({ filter: 'metrics.acc > 0.8' })).toEqual(set('a', 'c'));
      expect(await foundSet({ filter: 'metrics.acc > 0.8', datasets: EVAL })).toEqual(set('a'));
      expect(await foundSet({ filter: 'metrics.acc < 0.6' })).toEqual(set('a', 'd'));
      expect(await foundSet({ filter: 'metrics.acc < 0.6', datasets: EVAL })).toEqual([]);
    });

    it('orders by the latest value of a metric on the named dataset, models without it last', async () => {
      const byName = { field_name: 'name', ascending: true };
      const order = async (metric: Record<string, unknown>) => found({ order_by: [{ field_name: 'metrics.acc', ascending: false, ...metric }, byName] });
      expect(await order({})).toEqual([ids.c, ids.b, ids.a, ids.d]);
      expect(await order({ dataset_name: 'eval' })).toEqual([ids.a, ids.b, ids.d, ids.c]);
      expect(await order({ dataset_name: 'eval', dataset_digest: 'd1' })).toEqual([ids.a, ids.b, ids.c, ids.d]);
    });
  });

  it('replays the 3.x log_model(registered_model_name=) sequence (§8.2) over HTTP', async () => {
    const name = uniqueName('m3x');
    // 1. start_run
    const run = ok(
      await c.post('runs/create', {
        experiment_id: '0',
        user_id: 'u',
        start_time: Date.now(),
        tags: [
          { key: 'mlflow.user', value: 'u' },
          { key: 'mlflow.source.name', value: 'train.py' },
          { key: 'mlflow.source.type', value: 'LOCAL' },
        ],
      }),
    ).body.run;
    const runId = run.info.run_id;
    await c.post('runs/log-batch', { run_id: runId, params: [{ key: 'C', value: '1.0' }], metrics: [{ key: 'acc', value: 0.5, timestamp: 1, step: 0 }] });
    // 2. get run (params are copied into the logged model)
    const got = ok(await c.get('runs/get', { run_uuid: runId, run_id: runId })).body.run;
    // 3. create the logged model
    const model = ok(
      await c.post('logged-models', {
        experiment_id: '0',
        name: 'model',
        source_run_id: runId,
        params: got.data.params,
        tags: [{ key: 'mlflow.user', value: 'u' }],
      }),
    ).body.model;
    const modelId = model.info.model_id;
    expect(model.info.artifact_uri).toBe(`mlflow-artifacts:/0/models/${modelId}/artifacts`);
    // 4. link the run to its output
    expectEmptyOk(await c.post('runs/outputs', { run_id: runId, models: [{ model_id: modelId, step: 0 }] }));
    // 5. metric names and history, then re-log the metric with the model id
    const history = ok(await c.get('metrics/get-history', { run_uuid: runId, run_id: runId, metric_key: 'acc', max_results: 25000 })).body;
    expect(history.metrics).toHaveLength(1);
    expectEmptyOk(
      await c.post('runs/log-batch', { run_id: runId, metrics: [{ ...history.metrics[0], model_id: modelId }] }),
    );
    // 7. resolve the artifact repository, 8. upload
    await c.getLoggedModel(modelId);
    for (const file of ['MLmodel', 'model.pkl', 'requirements.txt']) {
      expect((await t.request.put(`/api/2.0/mlflow-artifacts/artifacts/0/models/${modelId}/artifacts/${file}`).send('x')).status).toBe(200);
    }
    // 9. finalize
    const ready = ok(await c.patch(`logged-models/${modelId}`, { model_id: modelId, status: 'LOGGED_MODEL_READY' })).body.model;
    expect(ready.info.status).toBe('LOGGED_MODEL_READY');
    // 10.1 register
    ok(await c.post('registered-models/create', { name }));
    // 10.2 create the version from models:/<id> with model_id and no run_id
    const mv = ok(await c.post('model-versions/create', { name, source: `models:/${modelId}`, model_id: modelId })).body.model_version;
    expect(mv).toMatchObject({ name, version: '1', status: 'READY', run_id: runId, source: `models:/${modelId}`, model_id: modelId });
    // 10.4 the client reads the model and appends its own link
    const linked = await c.getLoggedModel(modelId);
    const tagValue = asMap(linked.info.tags)['mlflow.modelVersions'] as string;
    expect(JSON.parse(tagValue)).toEqual([{ name, version: 1 }]);
    const clientValue = JSON.stringify([...JSON.parse(tagValue), { name, version: '1' }]);
    expectEmptyOk(await c.patch(`logged-models/${modelId}/tags`, { tags: [{ key: 'mlflow.modelVersions', value: clientValue }] }));
    expect(JSON.parse(asMap((await c.getLoggedModel(modelId)).info.tags)['mlflow.modelVersions'] as string)).toEqual([{ name, version: 1 }]);
    // 11. end the run
    expect(ok(await c.post('runs/update', { run_id: runId, run_uuid: runId, status: 'FINISHED', end_time: Date.now() })).body.run_info.status).toBe(
      'FINISHED',
    );
    // Loading it back: the download URI is the logged model's storage location.
    expect(ok(await c.get('model-versions/get-download-uri', { name, version: '1' })).body).toEqual({
      artifact_uri: `mlflow-artifacts:/0/models/${modelId}/artifacts`,
    });
    // register_model('runs:/R/model') finds it through search + run outputs (§8.3).
    const run3 = await c.getRun(runId);
    expect(run3.outputs.model_outputs).toEqual([{ model_id: modelId, step: 0 }]);
    const searched = ok(await c.post('logged-models/search', { experiment_ids: [run3.info.experiment_id], filter: "name = 'model'" })).body.models;
    expect(searched.filter((m: { info: { source_run_id?: string } }) => m.info.source_run_id === runId).map((m: { info: { model_id: string } }) => m.info.model_id)).toEqual([
      modelId,
    ]);
    // A second version from the same model is appended once.
    ok(await c.post('model-versions/create', { name, source: `models:/${modelId}`, model_id: modelId }));
    expect(JSON.parse(asMap((await c.getLoggedModel(modelId)).info.tags)['mlflow.modelVersions'] as string)).toEqual([
      { name, version: 1 },
      { name, version: 2 },
    ]);
  });

  it('writes mlflow.modelVersions with the bytes of Python json.dumps, and appends in that style', async () => {
    // MLflow: abstract_store.py set_model_versions_tags writes json.dumps([{"name": …, "version": …}]).
    const name = uniqueName('mvtag-é');
    ok(await c.post('registered-models/create', { name }));
    const modelId = (await c.createLoggedModel('0')).info.model_id;
    const tag = async () => asMap((await c.getLoggedModel(modelId)).info.tags)['mlflow.modelVersions'];
    const entry = (v: number) => `{"name": "${name.replace('é', '\\u00e9')}", "version": ${v}}`;
    ok(await c.post('model-versions/create', { name, source: `models:/${modelId}`, model_id: modelId }));
    expect(await tag()).toBe(`[${entry(1)}]`);
    ok(await c.post('model-versions/create', { name, source: `models:/${modelId}`, model_id: modelId }));
    expect(await tag()).toBe(`[${entry(1)}, ${entry(2)}]`);
  });

  it('registers a version from a models:/ URI of an unknown logged model as 404', async () => {
    const name = uniqueName('m404');
    ok(await c.post('registered-models/create', { name }));
    expectError(
      await c.post('model-versions/create', { name, source: 'models:/m-0123456789abcdef0123456789abcdef', model_id: 'm-0123456789abcdef0123456789abcdef' }),
      404,
      'RESOURCE_DOES_NOT_EXIST',
    );
  });
});
