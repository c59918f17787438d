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
    ['runs/log-batch', () => ({ run_id: runId, params: [{ key: 'p', value: X }] }), 'params[0].value'],
    ['runs/log-batch', () => ({ run_id: runId, params: [{ key: 'p', value: 'v' }, { key: X, value: 'v' }] }), 'params[1].key'],
    ['runs/log-batch', () => ({ run_id: runId, tags: [{ key: 't', value: X }] }), 'tags[0].value'],
    ['runs/log-batch', () => ({ run_id: runId, tags: [{ key: X, value: 'v' }] }), 'tags[0].key'],
    ['runs/log-batch', () => ({ run_id: runId, metrics: [{ ...metric, key: X }] }), 'metrics[0].key'],
    ['runs/log-batch', () => ({ run_id: runId, metrics: [{ ...metric, model_id: X }] }), 'metrics[0].model_id'],
    ['runs/log-batch', () => ({ run_id: X, params: [{ key: 'p', value: 'v' }] }), 'run_id'],
    ['runs/log-batch', () => ({ run_uuid: X, params: [{ key: 'p', value: 'v' }] }), 'run_id'],
    ['runs/log-metric', () => ({ run_id: runId, ...metric, dataset_name: X }), 'dataset_name'],
    ['runs/log-parameter', () => ({ run_id: runId, key: 'p', value: X }), 'value'],
    ['runs/set-tag', () => ({ run_id: runId, key: 't', value: X }), 'value'],
    ['runs/set-tag', () => ({ run_id: runId, key: X, value: 'v' }), 'key'],
    ['runs/update', () => ({ run_id: runId, run_name: X }), 'run_name'],
    ['runs/create', () => ({ experiment_id: experimentId, tags: [{ key: 't', value: X }] }), 'tags[0].value'],
    ['runs/create', () => ({ experiment_id: experimentId, run_name: X }), 'run_name'],
    [
      'runs/log-inputs',
      () => ({ run_id: runId, datasets: [{ dataset: { name: X, digest: 'd', source_type: 's', source: 's' } }] }),
      'datasets[0].dataset.name',
    ],
    [
      'runs/log-inputs',
      () => ({ run_id: runId, datasets: [{ tags: [{ key: 'k', value: X }], dataset: { name: 'n', digest: 'd', source_type: 's', source: 's' } }] }),
      'datasets[0].tags[0].value',
    ],
    ['experiments/create', () => ({ name: uniqueName('nul') + X }), 'name'],
    ['experiments/create', () => ({ name: uniqueName('nul'), tags: [{ key: 't', value: X }] }), 'tags[0].value'],
    ['experiments/create', () => ({ name: uniqueName('nul'), artifact_location: `s3://b/${X}` }), 'artifact_location'],
    ['experiments/update', () => ({ experiment_id: experimentId, new_name: X }), 'new_name'],
    ['experiments/set-experiment-tag', () => ({ experiment_id: experimentId, key: 't', value: X }), 'value'],
    ['logged-models', () => ({ experiment_id: experimentId, params: [{ key: 'p', value: X }] }), 'params[0].value'],
    ['logged-models', () => ({ experiment_id: experimentId, name: X }), 'name'],
  ])('%s refuses a NUL in %#', async (path, body, field) => {
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

  /** A JSON body written by hand, so that `9.0` reaches the server as the client wrote it. */
  const rawPost = (path: string, body: string) =>
    t.request.post(`/api/2.0/mlflow/${path}`).set('Content-Type', 'application/json').send(body);

  it.each([
    ['experiments/create', '{"name": "x", "artifact_location": 9.0}', 'artifact_location', '9.0', 'float'],
    ['experiments/create', '{"name": "x", "artifact_location": 9}', 'artifact_location', '9', 'int'],
    ['experiments/create', '{"name": "x", "artifact_location": 1e3}', 'artifact_location', '1000.0', 'float'],
    ['experiments/create', '{"name": "x", "artifact_location": -2.50}', 'artifact_location', '-2.5', 'float'],
    ['experiments/create', '{"name": 12345678901234567890}', 'name', '12345678901234567890', 'int'],
    ['experiments/create', '{"name": [1.0, {"b": 2, "a": 3.0}]}', 'name', '[1.0,{"a":3.0,"b":2}]', 'list'],
    ['experiments/create', '"{\\"name\\": 4.0}"', 'name', '4.0', 'float'],
    ['runs/log-batch', '{"run_id": "r", "params": [{"key": "p", "value": 1.0}]}', 'params[0].value', '1.0', 'float'],
    ['runs/log-batch', '{"run_id": "r", "tags": [{"key": "k", "value": "v"}, {"key": 2.0}]}', 'tags[1].key', '2.0', 'float'],
  ])('%s: %s names the value as written', async (path, body, field, shown, type) => {
    expectError(await rawPost(path, body), 400, 'INVALID_PARAMETER_VALUE', wrongType(field, shown, type));
  });
});
