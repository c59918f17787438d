/**
 * The routes MLflow's web UI calls (mlflow/server/__init__.py): file downloads by run, model
 * version and logged model, the UI's upload, the bulk metric histories and dataset summaries, on
 * every backend, with proxied roots, local roots under --no-serve-artifacts, and S3 roots; the
 * artifact-root rule against a crafted experiment; and the access rules.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, createTestApp, type TestApp } from '../helpers/app.js';
import { freshBucket, rawClient, S3_ENDPOINT, s3Settings } from './s3-support.js';
import { expectError, ok, q, uniqueName } from './support.js';
import { Tracking } from './tracking-support.js';

const AJAX = '/ajax-api/2.0/mlflow';

function upload(t: TestApp, params: Record<string, string>, body: string | Buffer) {
  return t.request.post(`${AJAX}/upload-artifact?${q(params)}`).set('Content-Type', 'application/octet-stream').send(body);
}

function getArtifact(t: TestApp, params: Record<string, string>) {
  return t.request.get(`/get-artifact?${q(params)}`).buffer(true).parse((res, cb) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => cb(null, Buffer.concat(chunks)));
  });
}

async function logMetric(c: Tracking, runId: string, key: string, value: number | string, step: number, timestamp: number) {
  ok(await c.post('runs/log-metric', { run_id: runId, key, value, step, timestamp }));
}

describe.each(backends())('MLflow UI routes, proxied artifacts (%s)', (backend) => {
  let t: TestApp;
  let c: Tracking;
  beforeAll(async () => {
    t = await createTestApp(backend);
    c = new Tracking(t);
  });
  afterAll(() => t.close());

  it('upload-artifact stores the body under the run, journals it, and get-artifact sends it back as an attachment', async () => {
    const run = await c.createRun('0');
    const id = run.info.run_id;
    const up = await upload(t, { run_uuid: id, path: 'plots/loss.html' }, '<script>alert(1)</script>');
    expect(up.status, up.text).toBe(200);
    expect(up.headers['content-type']).toMatch(/^application\/json/);
    expect(up.text).toBe('');
    // The file is where the proxy keeps the run's artifacts.
    const proxied = await t.request.get(`/api/2.0/mlflow-artifacts/artifacts/0/${id}/artifacts/plots/loss.html`);
    expect(proxied.text).toBe('<script>alert(1)</script>');
    for (const param of ['run_id', 'run_uuid']) {
      const got = await getArtifact(t, { [param]: id, path: 'plots/loss.html' });
      expect(got.status).toBe(200);
      expect((got.body as Buffer).toString()).toBe('<script>alert(1)</script>');
      expect(got.headers['content-type']).toMatch(/^text\/html/);
      expect(got.headers['content-disposition']).toBe('attachment; filename=loss.html');
      expect(got.headers['x-content-type-options']).toBe('nosniff');
    }
    const head = await t.request.head(`/get-artifact?${q({ run_id: id, path: 'plots/loss.html' })}`);
    expect(head.status).toBe(200);
    expect(head.headers['content-length']).toBe('25');
    const listed = ok(await c.get('artifacts/list', { run_id: id })).body;
    expect(listed).toEqual({ root_uri: `mlflow-artifacts:/0/${id}/artifacts`, files: [{ path: 'plots', is_dir: true }] });
    const page = await t.services.auditTrails.tracking.list({ limit: 20 });
    const event = page.events.find((e) => e.action === 'artifact.write');
    expect(event).toMatchObject({
      resourceType: 'artifact',
      // Named as the proxy names its writes: the path under the destination.
      name: `0/${id}/artifacts/plots/loss.html`,
      after: { size: 25, run_id: id },
    });
  });

  it('upload-artifact refuses bad input with MLflow messages, writing nothing', async () => {
    const id = (await c.createRun('0')).info.run_id;
    const before = (await t.services.auditTrails.tracking.list({ limit: 1 })).events[0]?.id;
    expectError(await upload(t, { path: 'a.txt' }, 'x'), 400, 'INVALID_PARAMETER_VALUE', 'Request must specify run_uuid.');
    expectError(await upload(t, { run_uuid: id }, 'x'), 400, 'INVALID_PARAMETER_VALUE', 'Request must specify path.');
    expectError(await upload(t, { run_uuid: id, path: 'a.txt' }, ''), 400, 'INVALID_PARAMETER_VALUE', 'Request must specify data.');
    for (const bad of ['../a.txt', '/etc/passwd', '%2e%2e/%2e%2e/x', 'a/../../b', 'file:///etc/x']) {
      expectError(await upload(t, { run_uuid: id, path: bad }, 'x'), 400, 'INVALID_PARAMETER_VALUE', 'Invalid path');
    }
    const big = Buffer.alloc(10 * 1024 * 1024 + 1, 1);
    expectError(await upload(t, { run_uuid: id, path: 'big.bin' }, big), 400, 'INVALID_PARAMETER_VALUE', 'Artifact size is too large. Max size is 10MB.');
    expectError(await upload(t, { run_uuid: 'no-such-run', path: 'a.txt' }, 'x'), 404, 'RESOURCE_DOES_NOT_EXIST');
    expect(ok(await c.get('artifacts/list', { run_id: id })).body.files).toBeUndefined();
    expect((await t.services.auditTrails.tracking.list({ limit: 1 })).events[0]?.id).toBe(before);
  });

  it('get-artifact refuses bad input', async () => {
    const id = (await c.createRun('0')).info.run_id;
    ok(await upload(t, { run_uuid: id, path: 'd/f.txt' }, 'abc'));
    expectError(await t.request.get(`/get-artifact?${q({ path: 'd/f.txt' })}`), 400, 'INVALID_PARAMETER_VALUE', 'Request must specify run_id or run_uuid parameter');
    expectError(await t.request.get(`/get-artifact?${q({ run_id: id })}`), 400, 'INVALID_PARAMETER_VALUE');
    for (const bad of ['../x', 'd/../../../../etc/passwd', '%252e%252e/x', '/etc/passwd']) {
      expectError(await t.request.get(`/get-artifact?${q({ run_id: id, path: bad })}`), 400, 'INVALID_PARAMETER_VALUE', 'Invalid path');
    }
    expectError(await t.request.get(`/get-artifact?${q({ run_id: id, path: 'd' })}`), 400, 'INVALID_PARAMETER_VALUE', "Artifact path refers to a directory, not a file: 'd'");
    expectError(await t.request.get(`/get-artifact?${q({ run_id: id, path: 'nope' })}`), 404, 'RESOURCE_DOES_NOT_EXIST');
    expectError(await t.request.get(`/get-artifact?${q({ run_id: 'missing', path: 'x' })}`), 404, 'RESOURCE_DOES_NOT_EXIST');
    // Repeated slashes are merged, as Werkzeug merges them (MLflow's test_path_validation).
    expectError(await t.request.get(`//get-artifact?${q({ run_id: id, path: '../x' })}`), 400, 'INVALID_PARAMETER_VALUE', 'Invalid path');
    expect((await t.request.get(`//get-artifact?${q({ run_id: id, path: 'd/f.txt' })}`)).text).toBe('abc');
  });

  it('model-versions/get-artifact sends a file below the version download URI', async () => {
    const id = (await c.createRun('0')).info.run_id;
    ok(await upload(t, { run_uuid: id, path: 'model/MLmodel' }, 'flavors: {}\n'));
    const name = uniqueName('uimodel');
    ok(await c.post('registered-models/create', { name }));
    ok(await c.post('model-versions/create', { name, source: `mlflow-artifacts:/0/${id}/artifacts/model`, run_id: id }));
    const got = await t.request.get(`/model-versions/get-artifact?${q({ name, version: '1', path: 'MLmodel' })}`);
    expect(got.status).toBe(200);
    expect(got.text).toBe('flavors: {}\n');
    expect(got.headers['content-disposition']).toBe('attachment; filename=MLmodel');
    // A runs:/ source is read below the run's artifact root.
    ok(await c.post('model-versions/create', { name, source: `runs:/${id}/model`, run_id: id }));
    expect((await t.request.get(`/model-versions/get-artifact?${q({ name, version: '2', path: 'MLmodel' })}`)).text).toBe('flavors: {}\n');
    expectError(await t.request.get(`/model-versions/get-artifact?${q({ name, version: '2', path: '../../x' })}`), 400, 'INVALID_PARAMETER_VALUE', 'Invalid path');
    expectError(await t.request.get(`/model-versions/get-artifact?${q({ name, version: '1', path: '../../x' })}`), 400, 'INVALID_PARAMETER_VALUE', 'Invalid path');
    expectError(await t.request.get(`/model-versions/get-artifact?${q({ name, version: '3', path: 'MLmodel' })}`), 404, 'RESOURCE_DOES_NOT_EXIST');
    expectError(await t.request.get(`/model-versions/get-artifact?${q({ name: 'nope', version: '1', path: 'MLmodel' })}`), 404, 'RESOURCE_DOES_NOT_EXIST');
  });

  it('logged-models/{id}/artifacts/files sends a logged model file', async () => {
    const model = await c.createLoggedModel('0');
    const mid = model.model_id ?? model.info.model_id;
    expect((await t.request.put(`/api/2.0/mlflow-artifacts/artifacts/0/models/${mid}/artifacts/MLmodel`).send('abc')).status).toBe(200);
    const got = await t.request.get(`${AJAX}/logged-models/${mid}/artifacts/files?artifact_file_path=MLmodel`);
    expect(got.status).toBe(200);
    expect(got.text).toBe('abc');
    expect(got.headers['content-disposition']).toBe('attachment; filename=MLmodel');
    expectError(
      await t.request.get(`${AJAX}/logged-models/${mid}/artifacts/files`),
      400,
      'BAD_REQUEST',
      'Request must include the "artifact_file_path" query parameter.',
    );
    expectError(await t.request.get(`${AJAX}/logged-models/${mid}/artifacts/files?artifact_file_path=..%2F..%2Fx`), 400, 'INVALID_PARAMETER_VALUE', 'Invalid path');
    expectError(await t.request.get(`${AJAX}/logged-models/m-nope/artifacts/files?artifact_file_path=MLmodel`), 404, 'RESOURCE_DOES_NOT_EXIST');
    // MLflow serves these under /ajax-api only.
    expect((await t.request.get(`/api/2.0/mlflow/logged-models/${mid}/artifacts/files?artifact_file_path=MLmodel`)).status).toBe(404);
  });

  it('metrics/get-history-bulk returns the points of every run, ordered by run id, timestamp, step', async () => {
    const a = (await c.createRun('0')).info.run_id;
    const b = (await c.createRun('0')).info.run_id;
    await logMetric(c, a, 'loss', 3, 1, 200);
    await logMetric(c, a, 'loss', 2, 0, 100);
    await logMetric(c, b, 'loss', 'NaN', 5, 50);
    await logMetric(c, b, 'acc', 1, 0, 50);
    const res = ok(await t.request.get(`${AJAX}/metrics/get-history-bulk?${q({ run_id: [a, b], metric_key: 'loss' })}`));
    const expected = [
      { key: 'loss', value: 2, timestamp: 100, step: 0, run_id: a },
      { key: 'loss', value: 3, timestamp: 200, step: 1, run_id: a },
      { key: 'loss', value: 'NaN', timestamp: 50, step: 5, run_id: b },
    ].sort((x, y) => (x.run_id < y.run_id ? -1 : x.run_id > y.run_id ? 1 : 0));
    expect(res.body).toEqual({ metrics: expected });
    const one = ok(await t.request.get(`${AJAX}/metrics/get-history-bulk?${q({ run_id: [a, b], metric_key: 'loss', max_results: '1' })}`));
    expect(one.body.metrics).toEqual([expected[0]]);
    expect(ok(await t.request.get(`${AJAX}/metrics/get-history-bulk?${q({ run_id: a, metric_key: 'none' })}`)).body).toEqual({ metrics: [] });
    const bad = (params: Record<string, string | string[]>) => t.request.get(`${AJAX}/metrics/get-history-bulk?${q(params)}`);
    expectError(await bad({ metric_key: 'loss' }), 400, 'INVALID_PARAMETER_VALUE', 'GetMetricHistoryBulk request must specify at least one run_id.');
    expectError(
      await bad({ run_id: Array.from({ length: 101 }, (_, i) => `r${i}`), metric_key: 'loss' }),
      400,
      'INVALID_PARAMETER_VALUE',
      'GetMetricHistoryBulk request cannot specify more than 100 run_ids. Received 101 run_ids.',
    );
    expectError(await bad({ run_id: a }), 400, 'INVALID_PARAMETER_VALUE', 'GetMetricHistoryBulk request must specify a metric_key.');
    expectError(await bad({ run_id: a, metric_key: 'loss', max_results: 'lots' }), 400, 'INVALID_PARAMETER_VALUE');
    expect((await t.request.get(`/api/2.0/mlflow/metrics/get-history-bulk?${q({ run_id: a, metric_key: 'loss' })}`)).status).toBe(404);
  });

  it('metrics/get-history-bulk-interval samples each run evenly, keeping the first and last points', async () => {
    const a = (await c.createRun('0')).info.run_id;
    const b = (await c.createRun('0')).info.run_id;
    const metrics = Array.from({ length: 100 }, (_, i) => ({ key: 'm', value: i, step: i, timestamp: 1000 + i }));
    ok(await c.post('runs/log-batch', { run_id: a, metrics }));
    ok(await c.post('runs/log-batch', { run_id: b, metrics: metrics.slice(0, 3) }));
    const get = (params: Record<string, string | string[]>, base = AJAX) => t.request.get(`${base}/metrics/get-history-bulk-interval?${q(params)}`);
    const res = ok(await get({ run_ids: [a, b], metric_key: 'm', max_results: '10' }));
    const steps = (run: string) => res.body.metrics.filter((m: { run_id: string }) => m.run_id === run).map((m: { step: number }) => m.step);
    // NTILE(10) over 100 points: the first of each bucket, 0, 10, … 90; the last point (99) replaces 90.
    expect(steps(a)).toEqual([0, 10, 20, 30, 40, 50, 60, 70, 80, 99]);
    expect(steps(b)).toEqual([0, 1, 2]);
    expect(res.body.metrics[0]).toEqual({ key: 'm', value: 0, timestamp: 1000, step: 0, run_id: a });
    // 7 buckets of 100: sizes 15,15,14,14,14,14,14 → starts 0,15,30,44,58,72,86; then 99 replaces 86.
    const seven = ok(await get({ run_ids: a, metric_key: 'm', max_results: '7' }));
    expect(seven.body.metrics.map((m: { step: number }) => m.step)).toEqual([0, 15, 30, 44, 58, 72, 99]);
    const ranged = ok(await get({ run_ids: a, metric_key: 'm', start_step: '10', end_step: '20', max_results: '3' }, '/api/2.0/mlflow'));
    // 11 points in 3 buckets (4, 4, 3): 10, 14, 18; three samples already, so the last (20) replaces 18.
    expect(ranged.body.metrics.map((m: { step: number }) => m.step)).toEqual([10, 14, 20]);
    expect(ok(await get({ run_ids: a, metric_key: 'none' })).body).toEqual({});
    expectError(await get({ metric_key: 'm' }), 400, 'INVALID_PARAMETER_VALUE', /run_ids/);
    expectError(await get({ run_ids: a }), 400, 'INVALID_PARAMETER_VALUE', /metric_key/);
    expectError(await get({ run_ids: a, metric_key: 'm', max_results: '0' }), 400, 'INVALID_PARAMETER_VALUE', 'max_results must be between 1 and 2500. See the API docs for more information about request parameters.');
    expectError(await get({ run_ids: a, metric_key: 'm', max_results: '2501' }), 400, 'INVALID_PARAMETER_VALUE', 'max_results must be between 1 and 2500. See the API docs for more information about request parameters.');
    expectError(
      await get({ run_ids: a, metric_key: 'm', start_step: '5', end_step: '1' }),
      400,
      'INVALID_PARAMETER_VALUE',
      'end_step must be greater than start_step. Found start_step=5 and end_step=1.',
    );
    expectError(await get({ run_ids: a, metric_key: 'm', start_step: '5' }), 400, 'INVALID_PARAMETER_VALUE', 'If either start step or end step are specified, both must be specified.');
    expectError(
      await get({ run_ids: Array.from({ length: 101 }, (_, i) => `r${i}`), metric_key: 'm' }),
      400,
      'INVALID_PARAMETER_VALUE',
      'GetMetricHistoryBulkInterval request must specify at most 100 run_ids. Received 101 run_ids. See the API docs for more information about request parameters.',
    );
  });

  it('experiments/search-datasets summarises the datasets the experiments used, with their context', async () => {
    const exp = await c.createExperiment();
    const run = (await c.createRun(exp)).info.run_id;
    const dataset = (name: string) => ({ name, digest: `d-${name}`, source_type: 'local', source: '{}' });
    ok(
      await c.post('runs/log-inputs', {
        run_id: run,
        datasets: [
          { tags: [{ key: 'mlflow.data.context', value: 'train' }], dataset: dataset('iris') },
          { tags: [], dataset: dataset('wine') },
        ],
      }),
    );
    const post = (body: unknown, base = AJAX) =>
      t.request.post(`${base}/experiments/search-datasets`).set('Content-Type', 'application/json').send(JSON.stringify(body));
    const res = ok(await post({ experiment_ids: [exp] }));
    const sorted = [...res.body.dataset_summaries].sort((x, y) => (x.name < y.name ? -1 : 1));
    expect(sorted).toEqual([
      { experiment_id: exp, name: 'iris', digest: 'd-iris', context: 'train' },
      { experiment_id: exp, name: 'wine', digest: 'd-wine' },
    ]);
    expect(ok(await post({ experiment_ids: ['0'] })).body.dataset_summaries ?? []).not.toContainEqual(expect.objectContaining({ experiment_id: exp }));
    expectError(await post({}), 400, 'INVALID_PARAMETER_VALUE', 'SearchDatasets request must specify at least one experiment_id.');
    expectError(
      await post({ experiment_ids: Array.from({ length: 21 }, (_, i) => String(i)) }),
      400,
      'INVALID_PARAMETER_VALUE',
      'SearchDatasets request cannot specify more than 20 experiment_ids. Received 21 experiment_ids.',
    );
    expectError(await post({ experiment_ids: ['abc'] }), 400, 'INVALID_PARAMETER_VALUE');
    expect((await post({ experiment_ids: [exp] }, '/api/2.0/mlflow')).status).toBe(404);
  });
});

describe.each(backends())('MLflow UI routes, local roots with --no-serve-artifacts (%s)', (backend) => {
  let t: TestApp;
  let c: Tracking;
  let root: string;
  beforeAll(async () => {
    root = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'flowreg-ui-')), 'mlruns');
    t = await createTestApp(backend, { serveArtifacts: false, defaultArtifactRoot: root });
    c = new Tracking(t);
  });
  afterAll(() => t.close());

  it('lists, uploads and downloads under a local default artifact root', async () => {
    const e2 = await c.createExperiment(uniqueName('local2'));
    const location = (await c.getExperiment(e2)).artifact_location as string;
    const run = await c.createRun(e2);
    const id = run.info.run_id;
    expect(run.info.artifact_uri.startsWith(location)).toBe(true);
    ok(await upload(t, { run_uuid: id, path: 'model/MLmodel' }, 'hello'));
    const onDisk = path.join(location.replace(/^file:\/\//, ''), id, 'artifacts', 'model', 'MLmodel');
    expect(fs.readFileSync(onDisk, 'utf8')).toBe('hello');
    expect(ok(await c.get('artifacts/list', { run_id: id })).body).toEqual({ root_uri: run.info.artifact_uri, files: [{ path: 'model', is_dir: true }] });
    expect(ok(await c.get('artifacts/list', { run_id: id, path: 'model' })).body.files).toEqual([{ path: 'model/MLmodel', is_dir: false, file_size: 5 }]);
    const got = await t.request.get(`/get-artifact?${q({ run_id: id, path: 'model/MLmodel' })}`);
    expect(got.status).toBe(200);
    expect(got.text).toBe('hello');
    // The proxy is off; these routes are not.
    expect((await t.request.get(`/api/2.0/mlflow-artifacts/artifacts/x`)).status).toBe(503);
  });

  it('refuses roots outside the artifact locations: file:///etc/passwd through a crafted experiment', async () => {
    const exp = await c.createExperiment(uniqueName('etc'), { artifact_location: 'file:///etc' });
    const run = (await c.createRun(exp)).info;
    expect(run.artifact_uri).toMatch(/^file:\/\/\/etc\//);
    // The run's root is /etc/<run>/artifacts; the attack walks up with a path the gate refuses,
    // and a root that is /etc itself is refused whatever the path.
    expectError(await t.request.get(`/get-artifact?${q({ run_id: run.run_id, path: '../../passwd' })}`), 400, 'INVALID_PARAMETER_VALUE', 'Invalid path');
    const denied = await t.request.get(`/get-artifact?${q({ run_id: run.run_id, path: 'passwd' })}`);
    expectError(denied, 403, 'PERMISSION_DENIED', /outside this server's artifact locations/);
    expect(denied.text).not.toContain('root:');
    expectError(await c.get('artifacts/list', { run_id: run.run_id }), 403, 'PERMISSION_DENIED');
    expectError(await upload(t, { run_uuid: run.run_id, path: 'x.txt' }, 'pwned'), 403, 'PERMISSION_DENIED');
    expect(fs.existsSync(`/etc/${run.run_id}`)).toBe(false);
    // A logged model and a model version in that experiment are refused the same way.
    const model = await c.createLoggedModel(exp);
    const mid = model.model_id ?? model.info.model_id;
    expectError(await t.request.get(`${AJAX}/logged-models/${mid}/artifacts/files?artifact_file_path=passwd`), 403, 'PERMISSION_DENIED');
    expectError(await c.get(`logged-models/${mid}/artifacts/directories`), 403, 'PERMISSION_DENIED');
    const name = uniqueName('etcmodel');
    ok(await c.post('registered-models/create', { name }));
    ok(await c.post('model-versions/create', { name, source: `${run.artifact_uri}/model`, run_id: run.run_id }));
    expectError(await t.request.get(`/model-versions/get-artifact?${q({ name, version: '1', path: 'passwd' })}`), 403, 'PERMISSION_DENIED');
    // A sibling that shares the root's name as a prefix is outside it (relative climbs are
    // refused when the experiment is created).
    const sneaky = await c.createExperiment(uniqueName('sneaky'), { artifact_location: `file://${root}-evil` });
    const sneakyRun = (await c.createRun(sneaky)).info.run_id;
    expectError(await t.request.get(`/get-artifact?${q({ run_id: sneakyRun, path: 'passwd' })}`), 403, 'PERMISSION_DENIED');
  });

  it('does not follow a symbolic link out of an allowed root', async () => {
    const e = await c.createExperiment(uniqueName('link'));
    const run = (await c.createRun(e)).info;
    const dir = run.artifact_uri.replace(/^file:\/\//, '');
    fs.mkdirSync(dir, { recursive: true });
    fs.symlinkSync('/etc', path.join(dir, 'etc'));
    const res = await t.request.get(`/get-artifact?${q({ run_id: run.run_id, path: 'etc/passwd' })}`);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(res.text).not.toContain('root:');
  });
});

describe('MLflow UI routes with --artifacts-only', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp('sqlite', { artifactsOnly: true });
  });
  afterAll(() => t.close());

  it('answers MLflow 503 on every one of them', async () => {
    for (const [method, url] of [
      ['get', '/get-artifact?run_id=x&path=y'],
      ['get', '/model-versions/get-artifact?name=x&version=1&path=y'],
      ['post', `${AJAX}/upload-artifact?run_uuid=x&path=y`],
      ['get', `${AJAX}/metrics/get-history-bulk?run_id=x&metric_key=m`],
      ['get', `${AJAX}/metrics/get-history-bulk-interval?run_ids=x&metric_key=m`],
      ['post', `${AJAX}/experiments/search-datasets`],
      ['get', `${AJAX}/logged-models/m-1/artifacts/files?artifact_file_path=x`],
    ] as const) {
      const res = await t.request[method](url);
      expect(res.status, url).toBe(503);
      expect(res.text, url).toMatch(/disabled due to the mlflow server running in `--artifacts-only` mode/);
    }
  });
});

describe.skipIf(!S3_ENDPOINT)('MLflow UI routes, s3:// roots with --no-serve-artifacts', () => {
  let t: TestApp;
  let c: Tracking;
  let bucket: string;
  beforeAll(async () => {
    bucket = await freshBucket('uiroutes');
    t = await createTestApp('sqlite', { serveArtifacts: false, defaultArtifactRoot: `s3://${bucket}/mlflow`, s3: s3Settings() });
    c = new Tracking(t);
  });
  afterAll(() => t?.close());

  it('uploads to, lists and downloads from the run root in the bucket', async () => {
    const exp = await c.createExperiment(uniqueName('s3ui'));
    const run = (await c.createRun(exp)).info;
    expect(run.artifact_uri).toBe(`s3://${bucket}/mlflow/${exp}/${run.run_id}/artifacts`);
    ok(await upload(t, { run_uuid: run.run_id, path: 'model/MLmodel' }, 'in s3'));
    const { GetObjectCommand } = await import('@aws-sdk/client-s3');
    const obj = await rawClient().send(new GetObjectCommand({ Bucket: bucket, Key: `mlflow/${exp}/${run.run_id}/artifacts/model/MLmodel` }));
    expect(await obj.Body?.transformToString()).toBe('in s3');
    expect(ok(await c.get('artifacts/list', { run_id: run.run_id })).body).toEqual({ root_uri: run.artifact_uri, files: [{ path: 'model', is_dir: true }] });
    expect(ok(await c.get('artifacts/list', { run_id: run.run_id, path: 'model' })).body.files).toEqual([
      { path: 'model/MLmodel', is_dir: false, file_size: 5 },
    ]);
    const got = await t.request.get(`/get-artifact?${q({ run_id: run.run_id, path: 'model/MLmodel' })}`);
    expect(got.status).toBe(200);
    expect(got.text).toBe('in s3');
    expect(got.headers['content-disposition']).toBe('attachment; filename=MLmodel');
  });

  it('refuses an s3:// root in another bucket or beside the prefix', async () => {
    for (const location of [`s3://${bucket}-other/x`, `s3://${bucket}/mlflow-evil`]) {
      const exp = await c.createExperiment(uniqueName('s3evil'), { artifact_location: location });
      const run = (await c.createRun(exp)).info.run_id;
      expectError(await t.request.get(`/get-artifact?${q({ run_id: run, path: 'x' })}`), 403, 'PERMISSION_DENIED');
      expectError(await c.get('artifacts/list', { run_id: run }), 403, 'PERMISSION_DENIED');
    }
  });
});

describe.each(backends())('MLflow UI routes with authentication on (%s)', (backend) => {
  const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  const PW = 'a-long-enough-password';
  let t: TestApp;
  let admin: string;
  let alice: string;
  let bob: string;
  let exp: string;
  let runId: string;
  let modelId: string;
  const name = uniqueName('uiauth');

  const as = (who: string) => ({
    get: (url: string) => t.request.get(url).set('Authorization', who),
    post: (url: string, body: string | object, type = 'application/json') =>
      t.request.post(url).set('Authorization', who).set('Content-Type', type).send(typeof body === 'string' ? body : JSON.stringify(body)),
  });

  beforeAll(async () => {
    // Everyone may read what they hold no grant on; writes need a grant.
    t = await createTestApp(backend, { auth: { default_permission: 'READ' } });
    const { TEST_ADMIN_PASSWORD } = await import('../helpers/app.js');
    admin = basic('admin', TEST_ADMIN_PASSWORD);
    for (const user of ['alice', 'bob']) {
      expect((await as(admin).post(`/api/2.0/mlflow/users/create`, { username: user, password: PW })).status).toBe(200);
    }
    alice = basic('alice', PW);
    bob = basic('bob', PW);
    // Alice creates (and so manages) an experiment, a run with a file, a logged model and a model.
    exp = (await as(alice).post('/api/2.0/mlflow/experiments/create', { name: uniqueName('alice') })).body.experiment_id;
    runId = (await as(alice).post('/api/2.0/mlflow/runs/create', { experiment_id: exp })).body.run.info.run_id;
    expect((await as(alice).post(`${AJAX}/upload-artifact?${q({ run_uuid: runId, path: 'f.txt' })}`, 'data', 'text/plain')).status).toBe(200);
    expect((await as(alice).post('/api/2.0/mlflow/runs/log-metric', { run_id: runId, key: 'm', value: 1, timestamp: 1, step: 0 })).status).toBe(200);
    modelId = (await as(alice).post('/api/2.0/mlflow/logged-models', { experiment_id: exp })).body.model.model_id;
    expect((await as(alice).post('/api/2.0/mlflow/registered-models/create', { name })).status).toBe(200);
    const mv = await as(alice).post('/api/2.0/mlflow/model-versions/create', { name, source: `mlflow-artifacts:/${exp}/${runId}/artifacts`, run_id: runId });
    expect(mv.status, mv.text).toBe(200);
  });
  afterAll(() => t.close());

  const reads = () => [
    `/get-artifact?${q({ run_id: runId, path: 'f.txt' })}`,
    `/model-versions/get-artifact?${q({ name, version: '1', path: 'f.txt' })}`,
    `${AJAX}/metrics/get-history-bulk?${q({ run_id: runId, metric_key: 'm' })}`,
    `${AJAX}/metrics/get-history-bulk-interval?${q({ run_ids: runId, metric_key: 'm' })}`,
  ];

  it('asks for credentials', async () => {
    for (const url of reads()) expect((await t.request.get(url)).status, url).toBe(401);
    expect((await t.request.post(`${AJAX}/upload-artifact?${q({ run_uuid: runId, path: 'x' })}`).send('x')).status).toBe(401);
  });

  it('lets a reader read but not upload (upload needs EDIT on the run)', async () => {
    for (const url of reads()) expect((await as(bob).get(url)).status, url).toBe(200);
    expect((await as(bob).post(`${AJAX}/experiments/search-datasets`, { experiment_ids: [exp] })).status).toBe(200);
    const up = await as(bob).post(`${AJAX}/upload-artifact?${q({ run_uuid: runId, path: 'evil.txt' })}`, 'x', 'text/plain');
    expect(up.status).toBe(403);
    expect(up.body).toEqual({ error_code: 'PERMISSION_DENIED', message: 'Permission denied' });
    expect((await as(alice).get(`/get-artifact?${q({ run_id: runId, path: 'evil.txt' })}`)).status).toBe(404);
  });

  it('refuses every read route once the reader is denied the experiment and the model', async () => {
    const denyExp = await as(alice).post('/api/2.0/mlflow/experiments/permissions/create', { experiment_id: exp, username: 'bob', permission: 'DENY' });
    expect(denyExp.status, denyExp.text).toBe(200);
    expect((await as(alice).post('/api/2.0/mlflow/registered-models/permissions/create', { name, username: 'bob', permission: 'DENY' })).status).toBe(200);
    for (const url of [...reads(), `${AJAX}/logged-models/${modelId}/artifacts/files?artifact_file_path=x`]) {
      const res = await as(bob).get(url);
      expect(res.status, url).toBe(403);
    }
    expect((await as(bob).post(`${AJAX}/experiments/search-datasets`, { experiment_ids: ['0', exp] })).status).toBe(403);
    // One unreadable run among readable ones is enough to refuse the whole request.
    const other = (await as(admin).post('/api/2.0/mlflow/runs/create', { experiment_id: '0' })).body.run.info.run_id as string;
    expect((await as(bob).get(`${AJAX}/metrics/get-history-bulk?${q({ run_id: other, metric_key: 'm' })}`)).status).toBe(200);
    expect((await as(bob).get(`${AJAX}/metrics/get-history-bulk?${q({ run_id: [other, runId], metric_key: 'm' })}`)).status).toBe(403);
    // The owner still reads.
    for (const url of reads()) expect((await as(alice).get(url)).status, url).toBe(200);
  });
});
