/**
 * The artifact proxy over an S3 destination (`--artifacts-destination s3://bucket/prefix`) against
 * a real S3 endpoint (moto, FLOWREG_TEST_S3_ENDPOINT): what only S3 does. Multipart uploads behind
 * a single PUT, directory markers, paging and bulk deletes past 1,000 keys, the prefix as a fence,
 * streaming in bounded memory, an upload cut off halfway, the multipart endpoints with presigned
 * part URLs, and the presigned download. The behaviour every destination shares (round trip,
 * ranges, listing, delete, the path gate) is in artifact-store.contract.test.ts, run on S3 too.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API, createTestApp, type TestApp } from '../helpers/app.js';
import { expectEmptyOk, expectError, sleep } from './support.js';
import { ARTIFACTS, MLFLOW_ARTIFACTS, artifactCalls, binary, drainHashed, listen, patternBody, watchRss, type Listening } from './artifacts-helpers.js';
import { allKeys, freshBucket, objectSize, pendingUploads, putRaw, S3_ENDPOINT, S3_SKIP_REASON, s3Settings } from './s3-support.js';

const MiB = 1024 * 1024;

if (!S3_ENDPOINT) {
  console.warn(`[s3] ${S3_SKIP_REASON}`);
  describe('S3 artifact store', () => {
    it.skip(S3_SKIP_REASON, () => undefined);
  });
}

describe.skipIf(!S3_ENDPOINT)('S3 artifact store through the proxy', () => {
  let t: TestApp;
  let bucket: string;
  const PREFIX = 'team/mlartifacts';

  beforeAll(async () => {
    bucket = await freshBucket('proxy');
    t = await createTestApp('sqlite', { artifactsDestination: `s3://${bucket}/${PREFIX}`, s3: s3Settings() });
  });
  afterAll(async () => {
    await t?.close();
  });

  const { put, get, list } = artifactCalls(() => t);

  it('round-trips binary data byte for byte: a single PUT and multipart uploads', async () => {
    // One part, exactly one and two whole parts (8 MiB each), and a short last part.
    for (const size of [3 * MiB + 17, 8 * MiB, 16 * MiB, 21 * MiB + 5]) {
      const data = randomBytes(size);
      expectEmptyOk(await put(`0/run1/artifacts/model/model-${size}.pkl`, data));
      const res = await get(`0/run1/artifacts/model/model-${size}.pkl`);
      expect(res.headers['content-length']).toBe(String(size));
      expect(Buffer.compare(res.body, data)).toBe(0);
    }
    expect(await pendingUploads(bucket)).toEqual([]);
  });

  describe('listing', () => {
    beforeAll(async () => {
      await put('1/r2/artifacts/model/MLmodel', 'flavors: {}\n');
      await put('1/r2/artifacts/model/requirements.txt', 'numpy\n');
      await put('1/r2/artifacts/model/data/model.pkl', Buffer.alloc(1234));
    });

    it('ignores directory marker objects made by other S3 tools', async () => {
      await putRaw(bucket, `${PREFIX}/1/r2/artifacts/model/`, '');
      await putRaw(bucket, `${PREFIX}/1/r2/artifacts/model/empty/`, '');
      const names = (await list('1/r2/artifacts/model')).body.files.map((f: { path: string }) => f.path);
      expect(names).toEqual(['MLmodel', 'data', 'empty', 'requirements.txt']);
    });

    it('pages through more than 1,000 keys', async () => {
      const keys = Array.from({ length: 1010 }, (_, i) => `${PREFIX}/many/f${String(i).padStart(4, '0')}.txt`);
      for (let i = 0; i < keys.length; i += 50) {
        await Promise.all(keys.slice(i, i + 50).map((k) => putRaw(bucket, k, 'x')));
      }
      const files = (await list('many')).body.files as Array<{ path: string }>;
      expect(files).toHaveLength(1010);
      expect(files[0]?.path).toBe('f0000.txt');
      expect(files[1009]?.path).toBe('f1009.txt');
    });

    it('never shows or serves anything outside the prefix', async () => {
      await putRaw(bucket, 'team/secret.txt', 'top secret');
      await putRaw(bucket, 'outside.txt', 'top secret');
      const root = (await list()).body.files.map((f: { path: string }) => f.path);
      expect(root).not.toContain('secret.txt');
      expect(root).not.toContain('outside.txt');
      for (const attack of ['../secret.txt', '..%2Fsecret.txt', '../../outside.txt']) {
        expectError(await t.request.get(`${ARTIFACTS}/${attack}`), 400, 'INVALID_PARAMETER_VALUE', 'Invalid path');
      }
    });
  });

  it('deletes a tree of more than 1,000 objects', async () => {
    const keys = Array.from({ length: 1003 }, (_, i) => `${PREFIX}/bulk/d${i % 3}/f${i}.bin`);
    for (let i = 0; i < keys.length; i += 50) {
      await Promise.all(keys.slice(i, i + 50).map((k) => putRaw(bucket, k, 'x')));
    }
    expectEmptyOk(await t.request.delete(`${ARTIFACTS}/bulk`));
    expect(await allKeys(bucket, `${PREFIX}/bulk`)).toEqual([]);
  });
});

describe.skipIf(!S3_ENDPOINT)('S3 streaming over real sockets', () => {
  let t: TestApp;
  let server: Listening;
  let bucket: string;

  beforeAll(async () => {
    bucket = await freshBucket('stream');
    t = await createTestApp('sqlite', { artifactsDestination: `s3://${bucket}/dest`, s3: s3Settings() });
    server = await listen(t.app);
  });
  afterAll(async () => {
    await server?.close();
    await t?.close();
  });

  function request(method: string, rel: string, body?: Readable, headers: http.OutgoingHttpHeaders = {}): Promise<http.IncomingMessage> {
    return new Promise((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: server.port, method, path: `${ARTIFACTS}/${rel}`, headers }, resolve);
      req.on('error', reject);
      if (body) body.pipe(req);
      else req.end();
    });
  }

  it('leaves no object and no pending multipart upload when the client cuts an upload off', async () => {
    await t.request.put(`${ARTIFACTS}/cut/keep.bin`).send('version 1').expect(200);
    for (const rel of ['cut/keep.bin', 'cut/new.bin']) {
      const req = http.request({
        host: '127.0.0.1',
        port: server.port,
        method: 'PUT',
        path: `${ARTIFACTS}/${rel}`,
        headers: { 'Content-Length': 64 * MiB, 'Content-Type': 'application/octet-stream' },
      });
      req.on('error', () => undefined);
      // More than two parts, so a multipart upload is under way when the socket goes.
      req.write(Buffer.alloc(24 * MiB, 1));
      const deadline = Date.now() + 10_000;
      while ((await pendingUploads(bucket)).length === 0 && Date.now() < deadline) await sleep(20);
      expect(await pendingUploads(bucket)).toHaveLength(1);
      req.destroy();
      const settled = Date.now() + 10_000;
      while ((await pendingUploads(bucket)).length > 0 && Date.now() < settled) await sleep(50);
      expect(await pendingUploads(bucket)).toEqual([]);
    }
    expect(await allKeys(bucket, 'dest/cut')).toEqual(['dest/cut/keep.bin']);
    expect((await binary(t.request.get(`${ARTIFACTS}/cut/keep.bin`))).body.toString()).toBe('version 1');
    expect(t.logs.filter((l) => l.startsWith('error'))).toEqual([]);
  });

  it('streams a 300 MB artifact up and down in bounded memory', { timeout: 180_000 }, async () => {
    const size = 300 * MiB;
    const rss = watchRss();
    let growth: number;
    let upSeconds = 0;
    let downSeconds = 0;
    try {
      const sent = patternBody(size);
      let started = performance.now();
      const up = await request('PUT', 'big/model.bin', sent.body, { 'Content-Length': size, 'Content-Type': 'application/octet-stream' });
      const upBody = await new Promise<string>((resolve) => {
        let text = '';
        up.on('data', (d: Buffer) => (text += d.toString()));
        up.on('end', () => resolve(text));
      });
      upSeconds = (performance.now() - started) / 1000;
      expect(up.statusCode, upBody).toBe(200);
      expect(await objectSize(bucket, 'dest/big/model.bin')).toBe(size);

      started = performance.now();
      const down = await request('GET', 'big/model.bin');
      expect(down.statusCode).toBe(200);
      expect(down.headers['content-length']).toBe(String(size));
      const received = await drainHashed(down);
      downSeconds = (performance.now() - started) / 1000;
      expect(received.count).toBe(size);
      expect(received.sha256).toBe(sent.sha256());
    } finally {
      growth = rss.stop() / MiB;
    }
    console.log(
      `[s3] 300 MiB through the proxy on ${S3_ENDPOINT}: upload ${(300 / upSeconds).toFixed(0)} MiB/s, ` +
        `download ${(300 / downSeconds).toFixed(0)} MiB/s, RSS growth ${growth.toFixed(0)} MiB`,
    );
    expect(growth).toBeLessThan(100);
    expect(await pendingUploads(bucket)).toEqual([]);
  });
});

describe.skipIf(!S3_ENDPOINT)('S3 multipart upload and presigned download endpoints', () => {
  let t: TestApp;
  let bucket: string;
  beforeAll(async () => {
    bucket = await freshBucket('mpu');
    t = await createTestApp('sqlite', { artifactsDestination: `s3://${bucket}/root`, s3: s3Settings() });
  });
  afterAll(async () => {
    await t?.close();
  });

  const mpu = (op: string, dir: string, body: object) => t.request.post(`${MLFLOW_ARTIFACTS}/mpu/${op}/${dir}`).send(body);

  async function putParts(credentials: Array<{ url: string; part_number: number; headers: Record<string, string> }>, parts: Buffer[]) {
    return Promise.all(
      credentials.map(async (c) => {
        const res = await fetch(c.url, { method: 'PUT', body: parts[c.part_number - 1], headers: c.headers });
        expect(res.status, await res.clone().text()).toBe(200);
        return { part_number: c.part_number, etag: res.headers.get('etag') ?? '', url: c.url };
      }),
    );
  }

  it('create → PUT the parts to the presigned URLs → complete: the object is readable through the proxy', async () => {
    const parts = [randomBytes(5 * MiB), randomBytes(5 * MiB), randomBytes(MiB + 3)];
    const whole = Buffer.concat(parts);
    // As the client sends it: the directory in the URL, its local file in `path`.
    const created = await mpu('create', '3/run9/artifacts/weights', { path: '/home/me/out/model.safetensors', num_parts: 3 });
    expect(created.status, created.text).toBe(200);
    expect(created.body.upload_id).toEqual(expect.any(String));
    expect(created.body.credentials).toHaveLength(3);
    expect(created.body.credentials.map((c: { part_number: number }) => c.part_number)).toEqual([1, 2, 3]);
    for (const c of created.body.credentials) {
      expect(c.headers).toEqual({});
      // Presigned against the configured endpoint, which the clients reach too.
      expect(c.url.startsWith(`${S3_ENDPOINT}/${bucket}/root/3/run9/artifacts/weights/model.safetensors?`)).toBe(true);
    }
    // Nothing visible before completion.
    expectError(await binary(t.request.get(`${ARTIFACTS}/3/run9/artifacts/weights/model.safetensors`)), 404, 'RESOURCE_DOES_NOT_EXIST');

    const uploaded = await putParts(created.body.credentials, parts);
    const done = await mpu('complete', '3/run9/artifacts/weights', {
      path: '/home/me/out/model.safetensors',
      upload_id: created.body.upload_id,
      parts: uploaded,
    });
    expectEmptyOk(done);
    const res = await binary(t.request.get(`${ARTIFACTS}/3/run9/artifacts/weights/model.safetensors`));
    expect(res.status).toBe(200);
    expect(Buffer.compare(res.body, whole)).toBe(0);
    expect(await pendingUploads(bucket)).toEqual([]);
  });

  it('abort → nothing visible, no pending upload; aborting twice is fine', async () => {
    const created = await mpu('create', '3/run9/artifacts', { path: 'C:\\Users\\me\\big.bin', num_parts: 2 });
    expect(created.status).toBe(200);
    expect(created.body.credentials[0].url).toContain('/root/3/run9/artifacts/big.bin?');
    await putParts(created.body.credentials.slice(0, 1), [randomBytes(5 * MiB)]);
    expect(await pendingUploads(bucket)).toHaveLength(1);
    const body = { path: 'C:\\Users\\me\\big.bin', upload_id: created.body.upload_id };
    expectEmptyOk(await mpu('abort', '3/run9/artifacts', body));
    expectEmptyOk(await mpu('abort', '3/run9/artifacts', body));
    expect(await pendingUploads(bucket)).toEqual([]);
    expect((await t.request.get(ARTIFACTS).query({ path: '3/run9/artifacts' })).body.files).not.toContainEqual(
      expect.objectContaining({ path: 'big.bin' }),
    );
  });

  // (An unknown upload id is not tested: moto answers it with an HTML 500 where S3 says NoSuchUpload.)
  it('answers 400 for a bad part list and for a bad body', async () => {
    const created = await mpu('create', 'bad', { path: 'f.bin', num_parts: 2 });
    const uploaded = await putParts(created.body.credentials, [randomBytes(5 * MiB), randomBytes(10)]);
    const wrongEtag = uploaded.map((p) => ({ ...p, etag: '"0123456789abcdef0123456789abcdef"' }));
    expectError(await mpu('complete', 'bad', { path: 'f.bin', upload_id: created.body.upload_id, parts: wrongEtag }), 400, 'INVALID_PARAMETER_VALUE');
    expectError(await mpu('complete', 'bad', { path: 'f.bin', upload_id: created.body.upload_id }), 400, 'INVALID_PARAMETER_VALUE', /parts/);
    expectError(await mpu('create', 'bad', { num_parts: 2 }), 400, 'INVALID_PARAMETER_VALUE', /'path'/);
    expectError(await mpu('create', 'bad', { path: '..', num_parts: 2 }), 400, 'INVALID_PARAMETER_VALUE', 'Invalid path');
    expectEmptyOk(await mpu('abort', 'bad', { path: 'f.bin', upload_id: created.body.upload_id }));
  });

  it('presigned download: a URL on the endpoint with the size; the bytes match', async () => {
    const data = randomBytes(2 * MiB + 11);
    expectEmptyOk(await t.request.put(`${ARTIFACTS}/pre/signed%20file.bin`).send(data));
    const res = await t.request.get(`${MLFLOW_ARTIFACTS}/presigned/pre/signed%20file.bin`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ url: expect.any(String), headers: {}, file_size: data.length });
    expect(res.body.url.startsWith(`${S3_ENDPOINT}/${bucket}/root/pre/`)).toBe(true);
    const direct = await fetch(res.body.url);
    expect(direct.status).toBe(200);
    expect(direct.headers.get('content-disposition')).toBe('attachment; filename="signed file.bin"');
    expect(Buffer.compare(Buffer.from(await direct.arrayBuffer()), data)).toBe(0);
    // The client's multipart download reads ranges of the presigned URL.
    const part = await fetch(res.body.url, { headers: { Range: 'bytes=100-199' } });
    expect(part.status).toBe(206);
    expect(Buffer.compare(Buffer.from(await part.arrayBuffer()), data.subarray(100, 200))).toBe(0);
    expectError(await t.request.get(`${MLFLOW_ARTIFACTS}/presigned/pre/missing.bin`), 404, 'RESOURCE_DOES_NOT_EXIST');
  });
});

describe.skipIf(!S3_ENDPOINT)('--default-artifact-root s3://… (clients write to S3 directly)', () => {
  let t: TestApp;
  let bucket: string;
  beforeAll(async () => {
    bucket = await freshBucket('direct');
    t = await createTestApp('sqlite', { defaultArtifactRoot: `s3://${bucket}/mlflow`, s3: s3Settings() });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('records <root>/<id> for experiments and runs, and lists the run root from the bucket', async () => {
    const def = await t.request.get(`${API}/experiments/get`).query({ experiment_id: '0' });
    expect(def.body.experiment.artifact_location).toBe(`s3://${bucket}/mlflow/0`);
    const exp = await t.request.post(`${API}/experiments/create`).send({ name: `direct-${Date.now()}` });
    const id = exp.body.experiment_id;
    const got = await t.request.get(`${API}/experiments/get`).query({ experiment_id: id });
    expect(got.body.experiment.artifact_location).toBe(`s3://${bucket}/mlflow/${id}`);
    const run = await t.request.post(`${API}/runs/create`).send({ experiment_id: id });
    const info = run.body.run.info;
    expect(info.artifact_uri).toBe(`s3://${bucket}/mlflow/${id}/${info.run_id}/artifacts`);
    const empty = await t.request.get(`${API}/artifacts/list`).query({ run_id: info.run_id });
    expect(empty.body).toEqual({ root_uri: info.artifact_uri });
    // A client writing to S3 directly (as MLflow's S3 artifact repository does): the server lists it.
    await putRaw(bucket, `mlflow/${id}/${info.run_id}/artifacts/model/MLmodel`, 'abc');
    const listed = await t.request.get(`${API}/artifacts/list`).query({ run_id: info.run_id });
    expect(listed.body).toEqual({ root_uri: info.artifact_uri, files: [{ path: 'model', is_dir: true }] });
  });
});
