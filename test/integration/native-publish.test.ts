/**
 * The native publish API end to end on the app: publish, fetch back, archive, version references,
 * what the publish records (run, params, metrics, source), and that MLflow's own endpoints see an
 * ordinary model version whose files the artifact proxy serves.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API, backends, createTestApp, type TestApp } from '../helpers/app.js';
import { binary } from './artifacts-helpers.js';
import { expectError, uniqueName } from './support.js';
import { bytes, destination, filePart, metadataPart, NATIVE, publish, versionsUrl, walk } from './native-support.js';

describe.each(backends())('native publish (%s)', (backend) => {
  let t: TestApp;
  /** A downloaded file's body as text, whatever its Content-Type. */
  const text = async (url: string): Promise<string> => {
    const res = await binary(t.request.get(url));
    expect(res.status, String(res.body)).toBe(200);
    return (res.body as Buffer).toString('utf8');
  };
  beforeAll(async () => {
    t = await createTestApp(backend);
  });
  afterAll(async () => {
    await t?.close();
  });

  const MLMODEL = 'artifact_path: model\nflavors:\n  python_function:\n    loader_module: x\n';

  describe('a publish with model/… names and full metadata', () => {
    const name = uniqueName('pub');
    const weights = bytes(3 * 1024 * 1024 + 17, 3);
    let body: Record<string, any>;

    beforeAll(async () => {
      const res = await publish(t, name, [
        metadataPart({
          description: 'first version',
          tags: { team: 'search', stage: 'candidate' },
          aliases: ['champion'],
          params: { alpha: 0.5, solver: 'lbfgs' },
          metrics: { accuracy: 0.93, loss: 0.21 },
        }),
        filePart('model/MLmodel', MLMODEL),
        filePart('model/data/weights.bin', weights),
        filePart('model/requirements.txt', 'scikit-learn\n'),
      ]);
      expect(res.status, res.text).toBe(200);
      body = res.body;
    });

    it('answers with the READY model version in MLflow JSON', () => {
      const mv = body.model_version;
      expect(mv).toMatchObject({
        name,
        version: '1',
        status: 'READY',
        description: 'first version',
        current_stage: 'None',
        aliases: ['champion'],
      });
      expect(mv.run_id).toMatch(/^[0-9a-f]{32}$/);
      expect(mv.source).toBe(`mlflow-artifacts:/0/${mv.run_id}/artifacts/model`);
      expect(mv.tags).toEqual(
        expect.arrayContaining([
          { key: 'team', value: 'search' },
          { key: 'stage', value: 'candidate' },
        ]),
      );
    });

    it('stores the files under the run artifact root, as MLflow lays them out', () => {
      const runId = body.model_version.run_id as string;
      expect(walk(destination(t)).sort()).toEqual(
        [`0/${runId}/artifacts/model/MLmodel`, `0/${runId}/artifacts/model/data/weights.bin`, `0/${runId}/artifacts/model/requirements.txt`].sort(),
      );
      expect(fs.readFileSync(path.join(destination(t), `0/${runId}/artifacts/model/data/weights.bin`)).equals(weights)).toBe(true);
    });

    it('is an ordinary version for the MLflow API, with its files behind the artifact proxy', async () => {
      const get = await t.request.get(`${API}/model-versions/get`).query({ name, version: '1' });
      expect(get.body.model_version.status).toBe('READY');
      const uri = await t.request.get(`${API}/model-versions/get-download-uri`).query({ name, version: '1' });
      expect(uri.body.artifact_uri).toBe(body.model_version.source);
      const dir = (uri.body.artifact_uri as string).replace('mlflow-artifacts:/', '');
      const list = await t.request.get('/api/2.0/mlflow-artifacts/artifacts').query({ path: dir });
      expect(list.body.files.map((f: { path: string }) => f.path).sort()).toEqual(['MLmodel', 'data', 'requirements.txt']);
      const file = await binary(t.request.get(`/api/2.0/mlflow-artifacts/artifacts/${dir}/data/weights.bin`));
      expect(Buffer.compare(file.body, weights)).toBe(0);
      const alias = await t.request.get(`${API}/registered-models/alias`).query({ name, alias: 'champion' });
      expect(alias.body.model_version.version).toBe('1');
    });

    it('records params, metrics and a finished run', async () => {
      const run = await t.request.get(`${API}/runs/get`).query({ run_id: body.model_version.run_id });
      expect(run.status).toBe(200);
      expect(run.body.run.info.status).toBe('FINISHED');
      expect(run.body.run.info.artifact_uri).toBe(`mlflow-artifacts:/0/${body.model_version.run_id}/artifacts`);
      expect(run.body.run.data.params).toEqual(
        expect.arrayContaining([
          { key: 'alpha', value: '0.5' },
          { key: 'solver', value: 'lbfgs' },
        ]),
      );
      const metrics = Object.fromEntries((run.body.run.data.metrics as Array<{ key: string; value: number }>).map((m) => [m.key, m.value]));
      expect(metrics).toEqual({ accuracy: 0.93, loss: 0.21 });
      const tags = Object.fromEntries((run.body.run.data.tags as Array<{ key: string; value: string }>).map((m) => [m.key, m.value]));
      expect(tags['flowreg.published_version']).toBe(`${name}/1`);
    });

    it('serves each file back byte for byte, with download headers, HEAD and Range', async () => {
      const base = `${versionsUrl(name)}/1/files`;
      const w = await binary(t.request.get(`${base}/data/weights.bin`));
      expect(w.status).toBe(200);
      expect(Buffer.compare(w.body, weights)).toBe(0);
      expect(w.headers['content-length']).toBe(String(weights.length));
      expect(w.headers['content-type']).toBe('application/octet-stream');
      expect(w.headers['content-disposition']).toBe('attachment; filename=weights.bin');
      expect(w.headers['x-content-type-options']).toBe('nosniff');
      const m = await t.request.get(`${base}/MLmodel`);
      expect(m.headers['content-type']).toMatch(/^text\/plain/);
      expect(m.text).toBe(MLMODEL);
      const head = await t.request.head(`${base}/data/weights.bin`);
      expect(head.status).toBe(200);
      expect(head.headers['content-length']).toBe(String(weights.length));
      const part = await binary(t.request.get(`${base}/data/weights.bin`).set('Range', 'bytes=100-199'));
      expect(part.status).toBe(206);
      expect(part.headers['content-range']).toBe(`bytes 100-199/${weights.length}`);
      expect(Buffer.compare(part.body, weights.subarray(100, 200))).toBe(0);
    });

    it('lists the files', async () => {
      const res = await t.request.get(`${versionsUrl(name)}/1/files`);
      expect(res.status).toBe(200);
      expect(res.body.files).toEqual([
        { path: 'MLmodel', size: Buffer.byteLength(MLMODEL) },
        { path: 'data/weights.bin', size: weights.length },
        { path: 'requirements.txt', size: 13 },
      ]);
    });

    it('answers 404 for a missing file and 400 for a directory or a path that climbs out', async () => {
      const base = `${versionsUrl(name)}/1/files`;
      expectError(await t.request.get(`${base}/nope.txt`), 404, 'RESOURCE_DOES_NOT_EXIST', /has no file 'nope.txt'/);
      expectError(await t.request.get(`${base}/data`), 400, 'INVALID_PARAMETER_VALUE', /is a directory/);
      expectError(await t.request.get(`${base}/%2e%2e/%2e%2e/x`), 400, 'INVALID_PARAMETER_VALUE', 'Invalid path');
      expectError(await t.request.get(`${base}/data/..%2f..%2fMLmodel`), 400, 'INVALID_PARAMETER_VALUE', 'Invalid path');
    });

    it('streams the version as a .tar.gz that tar unpacks to the same bytes', async () => {
      const res = await binary(t.request.get(`${versionsUrl(name)}/1/archive`));
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('application/gzip');
      expect(res.headers['content-disposition']).toBe(`attachment; filename=${name}-v1.tar.gz`);
      const out = fs.mkdtempSync(path.join(os.tmpdir(), 'native-archive-'));
      try {
        fs.writeFileSync(path.join(out, 'a.tar.gz'), res.body);
        fs.mkdirSync(path.join(out, 'x'));
        execFileSync('tar', ['-xzf', path.join(out, 'a.tar.gz'), '-C', path.join(out, 'x')]);
        expect(walk(path.join(out, 'x')).sort()).toEqual(['MLmodel', 'data/weights.bin', 'requirements.txt']);
        expect(fs.readFileSync(path.join(out, 'x/data/weights.bin')).equals(weights)).toBe(true);
        expect(fs.readFileSync(path.join(out, 'x/MLmodel'), 'utf8')).toBe(MLMODEL);
      } finally {
        fs.rmSync(out, { recursive: true, force: true });
      }
    });

    it('serves a plain tar with its exact length', async () => {
      const res = await binary(t.request.get(`${versionsUrl(name)}/1/archive?format=tar`));
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('application/x-tar');
      expect(res.headers['content-length']).toBe(String(res.body.length));
      expect(res.headers['x-flowreg-tar-size']).toBe(String(res.body.length));
      expectError(await t.request.get(`${versionsUrl(name)}/1/archive?format=rar`), 400, 'INVALID_PARAMETER_VALUE', /Unsupported archive format/);
    });
  });

  describe('version references', () => {
    const name = uniqueName('refs');
    beforeAll(async () => {
      for (const [i, alias] of [
        [1, 'champion'],
        [2, 'challenger'],
        [3, undefined],
      ] as const) {
        const res = await publish(t, name, [metadataPart(alias ? { aliases: [alias] } : {}), filePart('VERSION', `v${i}`)]);
        expect(res.status, res.text).toBe(200);
        expect(res.body.model_version.version).toBe(String(i));
      }
    });

    it.each([
      ['1', 'v1'],
      ['3', 'v3'],
      ['@champion', 'v1'],
      ['%40challenger', 'v2'],
      ['latest', 'v3'],
      ['LATEST', 'v3'],
    ])('%s', async (ref, expected) => {
      expect(await text(`${versionsUrl(name)}/${ref}/files/VERSION`)).toBe(expected);
      const mv = await t.request.get(`${versionsUrl(name)}/${ref}`);
      expect(mv.body.model_version.version).toBe(expected.slice(1));
    });

    it('an alias moves to the newest publish that names it', async () => {
      const res = await publish(t, name, [metadataPart({ aliases: ['champion'] }), filePart('VERSION', 'v4')]);
      expect(res.body.model_version.aliases).toEqual(['champion']);
      expect(await text(`${versionsUrl(name)}/@champion/files/VERSION`)).toBe('v4');
    });

    it('answers unknown references with MLflow errors', async () => {
      expectError(await t.request.get(`${versionsUrl(name)}/99/files/VERSION`), 404, 'RESOURCE_DOES_NOT_EXIST', `Model Version (name=${name}, version=99) not found`);
      expectError(await t.request.get(`${versionsUrl(name)}/@nobody/files/VERSION`), 400, 'INVALID_PARAMETER_VALUE', 'Registered model alias nobody not found.');
      expectError(await t.request.get(`${versionsUrl(name)}/v1/files/VERSION`), 400, 'INVALID_PARAMETER_VALUE', /Invalid version 'v1'/);
      expectError(await t.request.get(`${versionsUrl('no-such-model')}/1/archive`), 404, 'RESOURCE_DOES_NOT_EXIST');
    });

    it('a deleted version is gone', async () => {
      await t.request.delete(`${API}/model-versions/delete`).send({ name, version: '2' }).expect(200);
      expectError(await t.request.get(`${versionsUrl(name)}/2/files/VERSION`), 404, 'RESOURCE_DOES_NOT_EXIST');
    });
  });

  describe('names and layouts', () => {
    it('takes names relative to the model directory as well', async () => {
      const name = uniqueName('flat');
      const res = await publish(t, name, [metadataPart(), filePart('MLmodel', MLMODEL), filePart('model/inner.bin', 'inner')]);
      expect(res.status, res.text).toBe(200);
      const runId = res.body.model_version.run_id as string;
      // The first name had no `model/` prefix, so `model/inner.bin` is a subdirectory of the model.
      expect(walk(path.join(destination(t), `0/${runId}/artifacts`)).sort()).toEqual(['model/MLmodel', 'model/model/inner.bin']);
      expect(await text(`${versionsUrl(name)}/1/files/model/inner.bin`)).toBe('inner');
    });

    it('honours artifact_path and experiment_name (creating the experiment)', async () => {
      const name = uniqueName('exp');
      const experiment = uniqueName('experiment');
      const res = await publish(t, name, [metadataPart({ artifact_path: 'packaged/clf', experiment_name: experiment }), filePart('packaged/clf/MLmodel', MLMODEL)]);
      expect(res.status, res.text).toBe(200);
      const exp = await t.request.get(`${API}/experiments/get-by-name`).query({ experiment_name: experiment });
      expect(exp.status).toBe(200);
      const id = exp.body.experiment.experiment_id as string;
      const runId = res.body.model_version.run_id as string;
      expect(res.body.model_version.source).toBe(`mlflow-artifacts:/${id}/${runId}/artifacts/packaged/clf`);
      expect(fs.existsSync(path.join(destination(t), `${id}/${runId}/artifacts/packaged/clf/MLmodel`))).toBe(true);
    });

    it('keeps long, deep and non-ASCII names through the archive (pax headers)', async () => {
      const name = uniqueName('pax');
      const long = `${'d'.repeat(120)}/${'e'.repeat(90)}/${'f'.repeat(150)}.bin`;
      const files: Array<[string, string]> = [
        [long, 'long'],
        ['données/modèle-ü.txt', 'accents'],
        ['日本/モデル.json', '{"ok":true}'],
        ['empty.txt', ''],
      ];
      const res = await publish(t, name, [metadataPart(), ...files.map(([n, c]) => filePart(n, c))]);
      expect(res.status, res.text).toBe(200);
      for (const [n, c] of files) {
        expect(await text(`${versionsUrl(name)}/1/files/${n.split('/').map(encodeURIComponent).join('/')}`)).toBe(c);
      }
      const archive = await binary(t.request.get(`${versionsUrl(name)}/1/archive`));
      const out = fs.mkdtempSync(path.join(os.tmpdir(), 'native-pax-'));
      try {
        fs.writeFileSync(path.join(out, 'a.tar.gz'), archive.body);
        fs.mkdirSync(path.join(out, 'x'));
        execFileSync('tar', ['-xzf', path.join(out, 'a.tar.gz'), '-C', path.join(out, 'x')]);
        for (const [n, c] of files) expect(fs.readFileSync(path.join(out, 'x', n), 'utf8')).toBe(c);
      } finally {
        fs.rmSync(out, { recursive: true, force: true });
      }
    });

    it('compresses what compresses and stores what does not', async () => {
      const name = uniqueName('gz');
      const zeros = Buffer.alloc(2 * 1024 * 1024);
      const noise = randomBytes(2 * 1024 * 1024);
      const res = await publish(t, name, [metadataPart(), filePart('model/zeros.bin', zeros), filePart('model/noise.bin', noise)]);
      expect(res.status, res.text).toBe(200);
      const archive = await binary(t.request.get(`${versionsUrl(name)}/1/archive`));
      expect(archive.status).toBe(200);
      // The noise is stored (a few bytes of framing per 64 KiB block), the zeros all but vanish.
      expect(archive.body.length).toBeGreaterThan(noise.length);
      expect(archive.body.length).toBeLessThan(noise.length + 64 * 1024);
      const out = fs.mkdtempSync(path.join(os.tmpdir(), 'native-gz-'));
      try {
        fs.writeFileSync(path.join(out, 'a.tar.gz'), archive.body);
        execFileSync('tar', ['-xzf', path.join(out, 'a.tar.gz'), '-C', out]);
        expect(fs.readFileSync(path.join(out, 'zeros.bin')).equals(zeros)).toBe(true);
        expect(fs.readFileSync(path.join(out, 'noise.bin')).equals(noise)).toBe(true);
      } finally {
        fs.rmSync(out, { recursive: true, force: true });
      }
    });

    it('accepts the metadata as a file part (curl -F metadata=@meta.json)', async () => {
      const name = uniqueName('metafile');
      const res = await publish(t, name, [
        { name: 'metadata', filename: 'meta.json', content: JSON.stringify({ description: 'from a file' }), type: 'application/json' },
        filePart('model/MLmodel', MLMODEL),
      ]);
      expect(res.status, res.text).toBe(200);
      expect(res.body.model_version.description).toBe('from a file');
    });

    it('attaches the files to an existing run with run_id, and never overwrites its artifacts', async () => {
      const created = await t.request.post(`${API}/runs/create`).send({ experiment_id: '0' });
      const runId = created.body.run.info.run_id as string;
      const name = uniqueName('run');
      const res = await publish(t, name, [metadataPart({ run_id: runId, params: { p: '1' } }), filePart('model/MLmodel', MLMODEL)]);
      expect(res.status, res.text).toBe(200);
      expect(res.body.model_version.run_id).toBe(runId);
      expect(res.body.model_version.source).toBe(`mlflow-artifacts:/0/${runId}/artifacts/model`);
      const run = await t.request.get(`${API}/runs/get`).query({ run_id: runId });
      expect(run.body.run.info.status).toBe('RUNNING');
      expect(run.body.run.data.params).toEqual([{ key: 'p', value: '1' }]);
      const again = await publish(t, name, [metadataPart({ run_id: runId }), filePart('model/MLmodel', 'other')]);
      expectError(again, 400, 'INVALID_PARAMETER_VALUE', /already has artifacts under 'model'/);
      expect(fs.readFileSync(path.join(destination(t), `0/${runId}/artifacts/model/MLmodel`), 'utf8')).toBe(MLMODEL);
    });
  });

  it('concurrent publishes to a new model each get their own version', async () => {
    const name = uniqueName('race');
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) => publish(t, name, [metadataPart({ description: `p${i}` }), filePart('model/MLmodel', `v${i}`)])),
    );
    for (const r of results) expect(r.status, r.text).toBe(200);
    const versions = results.map((r) => Number(r.body.model_version.version)).sort((a, b) => a - b);
    expect(versions).toEqual([1, 2, 3, 4, 5, 6]);
    for (const r of results) {
      const i = (r.body.model_version.description as string).slice(1);
      expect(await text(`${versionsUrl(name)}/${r.body.model_version.version}/files/MLmodel`)).toBe(`v${i}`);
    }
  });

  it('serves the files of versions MLflow clients registered (logged through the proxy)', async () => {
    const created = await t.request.post(`${API}/runs/create`).send({ experiment_id: '0' });
    const runId = created.body.run.info.run_id as string;
    await t.request.put(`/api/2.0/mlflow-artifacts/artifacts/0/${runId}/artifacts/clf/MLmodel`).send('logged by mlflow').expect(200);
    const name = uniqueName('mlflow');
    await t.request.post(`${API}/registered-models/create`).send({ name }).expect(200);
    await t.request
      .post(`${API}/model-versions/create`)
      .send({ name, source: `mlflow-artifacts:/0/${runId}/artifacts/clf`, run_id: runId })
      .expect(200);
    await t.request.post(`${API}/model-versions/create`).send({ name, source: `runs:/${runId}/clf`, run_id: runId }).expect(200);
    await t.request.post(`${API}/model-versions/create`).send({ name, source: 's3://bucket/elsewhere' }).expect(200);
    expect((await t.request.get(`${versionsUrl(name)}/1/files/MLmodel`)).text).toBe('logged by mlflow');
    expect((await t.request.get(`${versionsUrl(name)}/2/files/MLmodel`)).text).toBe('logged by mlflow');
    expectError(await t.request.get(`${versionsUrl(name)}/3/files/MLmodel`), 404, 'RESOURCE_DOES_NOT_EXIST', /not stored on this server \(source: s3:\/\/bucket\/elsewhere\)/);
  });

  it('is under the static prefix too, and off when artifacts are not served', async () => {
    const prefixed = await createTestApp('sqlite', { staticPrefix: '/mlflow' });
    const off = await createTestApp('sqlite', { serveArtifacts: false });
    try {
      const name = uniqueName('pre');
      const { multipart } = await import('./native-support.js');
      const { body, contentType } = multipart([metadataPart(), filePart('a.txt', 'a')]);
      const res = await prefixed.request.post(`/mlflow${versionsUrl(name)}`).set('Content-Type', contentType).send(body);
      expect(res.status, res.text).toBe(200);
      expect((await prefixed.request.get(`/mlflow${versionsUrl(name)}/1/files/a.txt`)).text).toBe('a');
      const disabled = await off.request.post(versionsUrl(name)).set('Content-Type', contentType).send(body);
      expect(disabled.status).toBe(503);
      expect(disabled.text).toMatch(/no-serve-artifacts/);
    } finally {
      await prefixed.close();
      await off.close();
    }
  });

  it('answers JSON 404 for unknown native endpoints', async () => {
    expectError(await t.request.get(`${NATIVE}/nothing`), 404, 'ENDPOINT_NOT_FOUND');
    expectError(await t.request.put(`${versionsUrl('m')}/1`), 404, 'ENDPOINT_NOT_FOUND');
  });
});
