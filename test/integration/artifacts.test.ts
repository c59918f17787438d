/**
 * The artifact proxy on a local-disk destination: what only that store does. The behaviour every
 * destination shares (upload, download, ranges, listing, delete, the errors) is in
 * artifact-store.contract.test.ts, run on local disk and S3.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { expectEmptyOk, expectError } from './support.js';
import { MLFLOW_ARTIFACTS, artifactCalls } from './artifacts-helpers.js';

let t: TestApp;
let dest: string;

beforeAll(async () => {
  t = await createTestApp();
  dest = path.join(t.dir, 'mlartifacts');
});
afterAll(async () => {
  await t?.close();
});

const { put, get, list } = artifactCalls(() => t);

describe('the destination directory', () => {
  it('creates the destination lazily, on the first upload', async () => {
    expect(fs.existsSync(dest)).toBe(false);
    expect((await list()).body).toEqual({});
    expectError(await get('0/nothing.txt'), 404, 'RESOURCE_DOES_NOT_EXIST');
    expect(fs.existsSync(dest)).toBe(false);
    expectEmptyOk(await put('lazy/first.txt', 'x', 'text/plain'));
    expect(fs.readFileSync(path.join(dest, 'lazy/first.txt'), 'utf8')).toBe('x');
  });

  it('never shows or serves an upload in flight, and refuses that name for uploads', async () => {
    await put('1/r2/artifacts/model/MLmodel', 'flavors: {}\n');
    await put('1/r2/artifacts/model/requirements.txt', 'numpy\n');
    await put('1/r2/artifacts/model/data/model.pkl', Buffer.alloc(1234));
    const dir = path.join(dest, '1/r2/artifacts/model');
    fs.writeFileSync(path.join(dir, '.artifact.uploading.deadbeef'), 'partial');
    expect((await list('1/r2/artifacts/model')).body.files.map((f: { path: string }) => f.path)).toEqual([
      'MLmodel',
      'data',
      'requirements.txt',
    ]);
    expectError(await get('1/r2/artifacts/model/.artifact.uploading.deadbeef'), 404, 'RESOURCE_DOES_NOT_EXIST');
    expectError(await put('1/r2/artifacts/model/.artifact.uploading.x', 'x'), 400, 'INVALID_PARAMETER_VALUE', /reserved/);
  });
});

describe('multipart and presigned endpoints on local disk', () => {
  const mpuMessage = 'Multipart upload is not supported for the current artifact repository';
  it.each(['create', 'complete', 'abort'])('mpu/%s → 501 NOT_IMPLEMENTED, so the client falls back', async (op) => {
    const res = await t.request
      .post(`${MLFLOW_ARTIFACTS}/mpu/${op}/0/big/file.bin`)
      .send({ path: '/local/file.bin', num_parts: 2, upload_id: 'u', parts: [] });
    expectError(res, 501, 'NOT_IMPLEMENTED', mpuMessage);
    expect(res.body.message.startsWith('Multipart upload is not supported for the current artifact repository')).toBe(true);
  });

  it('presigned → 501 NOT_IMPLEMENTED', async () => {
    expectError(
      await t.request.get(`${MLFLOW_ARTIFACTS}/presigned/0/big/file.bin`),
      501,
      'NOT_IMPLEMENTED',
      'Multipart download is not supported for the current artifact repository',
    );
  });

  it('still checks the path first', async () => {
    expectError(await t.request.post(`${MLFLOW_ARTIFACTS}/mpu/create/..%2Fx`).send({}), 400, 'INVALID_PARAMETER_VALUE', 'Invalid path');
  });
});
