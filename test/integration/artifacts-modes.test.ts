/**
 * Server modes around the artifact proxy: `--no-serve-artifacts` (every artifact route 503 with a
 * text body), `--artifacts-only` (the tracking and registry RPCs 503 instead), `--static-prefix`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Response } from 'supertest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { API, expectEmptyOk } from './support.js';
import { AJAX_ARTIFACTS, ARTIFACTS, MLFLOW_ARTIFACTS, binary } from './artifacts-helpers.js';

function expectDisabled(res: Response, flag: string, rule?: string): void {
  expect(res.status).toBe(503);
  expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
  expect(res.text).toContain(`\`${flag}\``);
  if (rule) expect(res.text.startsWith(`Endpoint: ${rule} disabled`)).toBe(true);
  expect(() => JSON.parse(res.text)).toThrow();
}

describe('--no-serve-artifacts', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp('sqlite', { serveArtifacts: false });
  });
  afterAll(async () => {
    await t?.close();
  });

  it.each([
    ['get', `${ARTIFACTS}/0/a.txt`, `${ARTIFACTS}/<path:artifact_path>`],
    ['put', `${ARTIFACTS}/0/a.txt`, `${ARTIFACTS}/<path:artifact_path>`],
    ['delete', `${ARTIFACTS}/0/a.txt`, `${ARTIFACTS}/<path:artifact_path>`],
    ['get', `${ARTIFACTS}?path=0`, ARTIFACTS],
    ['get', `${AJAX_ARTIFACTS}/0/a.txt`, `${AJAX_ARTIFACTS}/<path:artifact_path>`],
    ['post', `${MLFLOW_ARTIFACTS}/mpu/create/0/a.bin`, `${MLFLOW_ARTIFACTS}/mpu/create/<path:artifact_path>`],
    ['post', `${MLFLOW_ARTIFACTS}/mpu/complete/0/a.bin`, `${MLFLOW_ARTIFACTS}/mpu/complete/<path:artifact_path>`],
    ['post', `${MLFLOW_ARTIFACTS}/mpu/abort/0/a.bin`, `${MLFLOW_ARTIFACTS}/mpu/abort/<path:artifact_path>`],
    ['get', `${MLFLOW_ARTIFACTS}/presigned/0/a.bin`, `${MLFLOW_ARTIFACTS}/presigned/<path:artifact_path>`],
  ] as const)('%s %s → 503 text', async (method, url, rule) => {
    const req = t.request[method](url);
    expectDisabled(await (method === 'put' ? req.send('data') : req), '--no-serve-artifacts', rule);
  });

  it('also before the path gate', async () => {
    expectDisabled(await t.request.get(`${ARTIFACTS}/..%2Fx`), '--no-serve-artifacts');
  });

  it('leaves the registry working', async () => {
    const res = await t.request.post(`${API}/registered-models/create`).send({ name: 'no-serve' });
    expect(res.status).toBe(200);
  });
});

describe('--artifacts-only', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp('sqlite', { artifactsOnly: true });
  });
  afterAll(async () => {
    await t?.close();
  });

  it.each([
    ['post', `${API}/registered-models/create`],
    ['get', `${API}/registered-models/search`],
    ['get', '/ajax-api/2.0/mlflow/model-versions/search'],
  ] as const)('%s %s → 503 text', async (method, url) => {
    expectDisabled(await t.request[method](url).send({ name: 'x' }), '--artifacts-only', url);
  });

  it('keeps the artifact routes, /health and server-info', async () => {
    expectEmptyOk(await t.request.put(`${ARTIFACTS}/0/a.txt`).send('only artifacts'));
    expect((await binary(t.request.get(`${ARTIFACTS}/0/a.txt`))).body.toString()).toBe('only artifacts');
    expect((await t.request.get(ARTIFACTS).query({ path: '0' })).body).toEqual({
      files: [{ path: 'a.txt', is_dir: false, file_size: 14 }],
    });
    expect((await t.request.get('/health')).text).toBe('OK');
    expect((await t.request.get('/api/3.0/mlflow/server-info')).status).toBe(200);
  });

  it('still answers 404 for unknown endpoints', async () => {
    expect((await t.request.get(`${API}/no-such-endpoint`)).status).toBe(404);
  });
});

describe('--static-prefix', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp('sqlite', { staticPrefix: '/mlflow-prefix' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('serves the artifact proxy under the prefix only', async () => {
    expectEmptyOk(await t.request.put(`/mlflow-prefix${ARTIFACTS}/0/p.txt`).send('prefixed'));
    expect((await binary(t.request.get(`/mlflow-prefix${ARTIFACTS}/0/p.txt`))).body.toString()).toBe('prefixed');
    expect((await t.request.get(`/mlflow-prefix${ARTIFACTS}`)).body).toEqual({ files: [{ path: '0', is_dir: true }] });
    expect((await t.request.get(`${ARTIFACTS}/0/p.txt`)).status).toBe(404);
  });
});

describe('--no-serve-artifacts under a static prefix', () => {
  it('names the prefixed rule', async () => {
    const t = await createTestApp('sqlite', { serveArtifacts: false, staticPrefix: '/pre' });
    try {
      expectDisabled(await t.request.get(`/pre${ARTIFACTS}/x`), '--no-serve-artifacts', `/pre${ARTIFACTS}/<path:artifact_path>`);
    } finally {
      await t.close();
    }
  });
});
