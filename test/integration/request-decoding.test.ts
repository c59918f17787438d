/**
 * Request fields are decoded once, the same way for every endpoint and backend:
 * - a NUL character in any string field is a 400 INVALID_PARAMETER_VALUE that stores nothing
 *   (PostgreSQL cannot hold NUL in text; before, a NUL in a log-batch param was a 200 on SQLite and
 *   a 500 on PostgreSQL, which MLflow clients retry seven times);
 * - a mistyped number is shown as the client wrote it, as MLflow's json.loads sees it
 *   (`9.0` is a float: server/handlers.py: _validate_param_against_schema).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, createTestApp, type TestApp } from '../helpers/app.js';
import { expectError, HINT, uniqueName } from './support.js';
import { Tracking } from './tracking-support.js';

const nul = (field: string) => `Invalid value for parameter '${field}': it contains a NUL character.`;
const wrongType = (field: string, shown: string, type: string) =>
  `Invalid value ${shown} for parameter '${field}' supplied:  Hint: Value was of type '${type}'.${HINT}`;

describe.each(backends())('request decoding (%s)', (backend) => {
  let t: TestApp;
  let c: Tracking;
  let experimentId: string;
  let runId: string;

  beforeAll(async () => {
    t = await createTestApp(backend);
    c = new Tracking(t);
    experimentId = await c.createExperiment();
    runId = (await c.createRun(experimentId)).info.run_id as string;
  });

  afterAll(async () => {
    await t?.close();
  });

  /** Everything a refused tracking request could have written. */
  async function snapshot() {
    const run = await c.getRun(runId);
    const runs = (await c.post('runs/search', { experiment_ids: [experimentId], run_view_type: 'ALL' })).body;
    const experiments = (await c.post('experiments/search', { max_results: 1000, view_type: 'ALL' })).body;
    const models = (await c.post('logged-models/search', { experiment_ids: [experimentId] })).body;
    return { run, runs, experiments, models };
  }

  const X = 'a\u0000b';
  const metric = { key: 'm', value: 1, timestamp: 1, step: 0 };

  it.each([
    ['runs/log-batch', 'params[0].value', () => ({ run_id: runId, params: [{ key: 'p', value: X }] })],
    ['runs/log-batch', 'params[1].key', () => ({ run_id: runId, params: [{ key: 'p', value: 'v' }, { key: X, value: 'v' }] })],
    ['runs/log-batch', 'tags[0].value', () => ({ run_id: runId, tags: [{ key: 't', value: X }] })],
    ['runs/log-batch', 'tags[0].key', () => ({ run_id: runId, tags: [{ key: X, value: 'v' }] })],
    ['runs/log-batch', 'metrics[0].key', () => ({ run_id: runId, metrics: [{ ...metric, key: X }] })],
    ['runs/log-batch', 'metrics[0].model_id', () => ({ run_id: runId, metrics: [{ ...metric, model_id: X }] })],
    ['runs/log-batch', 'run_id', () => ({ run_id: X, params: [{ key: 'p', value: 'v' }] })],
    ['runs/log-batch', 'run_id', () => ({ run_uuid: X, params: [{ key: 'p', value: 'v' }] })],
    ['runs/log-metric', 'dataset_name', () => ({ run_id: runId, ...metric, dataset_name: X })],
    ['runs/log-parameter', 'value', () => ({ run_id: runId, key: 'p', value: X })],
    ['runs/set-tag', 'value', () => ({ run_id: runId, key: 't', value: X })],
    ['runs/set-tag', 'key', () => ({ run_id: runId, key: X, value: 'v' })],
    ['runs/update', 'run_name', () => ({ run_id: runId, run_name: X })],
    ['runs/create', 'tags[0].value', () => ({ experiment_id: experimentId, tags: [{ key: 't', value: X }] })],
    ['runs/create', 'run_name', () => ({ experiment_id: experimentId, run_name: X })],
    [
      'runs/log-inputs',
      'datasets[0].dataset.name',
      () => ({ run_id: runId, datasets: [{ dataset: { name: X, digest: 'd', source_type: 's', source: 's' } }] }),
    ],
    [
      'runs/log-inputs',
      'datasets[0].tags[0].value',
      () => ({ run_id: runId, datasets: [{ tags: [{ key: 'k', value: X }], dataset: { name: 'n', digest: 'd', source_type: 's', source: 's' } }] }),
    ],
    ['experiments/create', 'name', () => ({ name: uniqueName('nul') + X })],
    ['experiments/create', 'tags[0].value', () => ({ name: uniqueName('nul'), tags: [{ key: 't', value: X }] })],
    ['experiments/create', 'artifact_location', () => ({ name: uniqueName('nul'), artifact_location: `s3://b/${X}` })],
    ['experiments/update', 'new_name', () => ({ experiment_id: experimentId, new_name: X })],
    ['experiments/set-experiment-tag', 'value', () => ({ experiment_id: experimentId, key: 't', value: X })],
    ['logged-models', 'params[0].value', () => ({ experiment_id: experimentId, params: [{ key: 'p', value: X }] })],
    ['logged-models', 'name', () => ({ experiment_id: experimentId, name: X })],
  ])('%s refuses a NUL in %s', async (path, field, body) => {
    const before = await snapshot();
    expectError(await c.post(path, body()), 400, 'INVALID_PARAMETER_VALUE', nul(field));
    expect(await snapshot()).toEqual(before);
  });

  it('refuses a NUL in a logged model tag set with PATCH', async () => {
    const id = (await c.createLoggedModel(experimentId)).info.model_id as string;
    const res = await c.patch(`logged-models/${id}/tags`, { tags: [{ key: 't', value: X }] });
    expectError(res, 400, 'INVALID_PARAMETER_VALUE', nul('tags[0].value'));
    expect((await c.getLoggedModel(id)).info.tags).toBeUndefined();
  });

  it('refuses a NUL in registry tags and versions the same way, creating nothing', async () => {
    const name = uniqueName('nul');
    const create = await c.post('registered-models/create', { name, tags: [{ key: 'k', value: X }] });
    expectError(create, 400, 'INVALID_PARAMETER_VALUE', nul('value'));
    expectError(await c.get('registered-models/get', { name }), 404, 'RESOURCE_DOES_NOT_EXIST');
    expect((await c.post('registered-models/create', { name })).status).toBe(200);
    const version = await c.post('model-versions/create', { name, source: 's3://b/p', tags: [{ key: X, value: 'v' }] });
    expectError(version, 400, 'INVALID_PARAMETER_VALUE', nul('key'));
    expect((await c.get('registered-models/get', { name })).body.registered_model.latest_versions).toBeUndefined();
  });

  /** A JSON body written by hand, so that `9.0` reaches the server as the client wrote it. */
  const rawPost = (path: string, body: string) =>
    t.request.post(`/api/2.0/mlflow/${path}`).set('Content-Type', 'application/json').send(body);

  // Each message checked against MLflow 3.17.2's server.
  it.each([
    ['experiments/create', '{"name": "x", "artifact_location": 9.0}', 'artifact_location', '9.0', 'float'],
    ['experiments/create', '{"name": "x", "artifact_location": 9}', 'artifact_location', '9', 'int'],
    ['experiments/create', '{"name": "x", "artifact_location": 1e3}', 'artifact_location', '1000.0', 'float'],
    ['experiments/create', '{"name": "x", "artifact_location": -0.0}', 'artifact_location', '-0.0', 'float'],
    ['experiments/create', '{"name": 12345678901234567890}', 'name', '12345678901234567890', 'int'],
    ['experiments/create', '{"name": [1.0, {"b": 2, "a": 3.0}]}', 'name', '[1.0,{"a":3.0,"b":2}]', 'list'],
    ['experiments/create', '"{\\"name\\": 4.0}"', 'name', '4.0', 'float'],
  ])('%s: %s names the value as written', async (path, body, field, shown, type) => {
    expectError(await rawPost(path, body), 400, 'INVALID_PARAMETER_VALUE', wrongType(field, shown, type));
  });
});
