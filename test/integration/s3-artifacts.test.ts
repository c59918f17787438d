/**
 * The artifact proxy over an S3 destination (`--artifacts-destination s3://bucket/prefix`) against
 * a real S3 endpoint (moto, FLOWREG_TEST_S3_ENDPOINT): the local-disk behaviours (round trip,
 * ranges, listing, delete, the path gate), streaming in bounded memory, an upload cut off halfway,
 * the multipart endpoints with presigned part URLs, and the presigned download.
 */
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API, createTestApp, type TestApp } from '../helpers/app.js';
import { expectEmptyOk, expectError, sleep } from './support.js';
import { ARTIFACTS, ATTACKS, MLFLOW_ARTIFACTS, binary, encode, listen, urlPath, type Listening } from './artifacts-helpers.js';
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

  const put = (rel: string, body: string | Buffer, type = 'application/octet-stream') =>
    t.request.put(`${ARTIFACTS}/${urlPath(rel)}`).set('Content-Type', type).send(body);
  const get = (rel: string) => binary(t.request.get(`${ARTIFACTS}/${urlPath(rel)}`));
  const list = (rel?: string) => t.request.get(ARTIFACTS).query(rel === undefined ? {} : { path: rel });

  describe('upload and download', () => {
    it('round-trips a text file with MLflow download headers, stored under the prefix', async () => {
      expectEmptyOk(await put('0/run1/artifacts/notes.txt', 'hello world', 'text/plain'));
      expect(await allKeys(bucket)).toEqual([`${PREFIX}/0/run1/artifacts/notes.txt`]);
      const res = await get('0/run1/artifacts/notes.txt');
      expect(res.status).toBe(200);
      expect(res.body.toString()).toBe('hello world');
      expect(res.headers).toMatchObject({
        'content-type': 'text/plain',
        'content-length': '11',
        'content-disposition': 'attachment; filename=notes.txt',
        'x-content-type-options': 'nosniff',
        'accept-ranges': 'bytes',
      });
    });

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

    it('stores a .json body sent as application/json verbatim', async () => {
      const body = '{"inputs": [[1, 2]],\n "broken": ';
      expectEmptyOk(await put('0/run1/artifacts/input_example.json', body, 'application/json'));
      expect((await get('0/run1/artifacts/input_example.json')).body.toString()).toBe(body);
    });

    it('stores an empty file, and replaces a file', async () => {
      expectEmptyOk(await put('0/empty.bin', Buffer.alloc(0)));
      const empty = await get('0/empty.bin');
      expect(empty.status).toBe(200);
      expect(empty.headers['content-length']).toBe('0');
      await put('0/replace.txt', 'first version');
      await put('0/replace.txt', 'v2');
      expect((await get('0/replace.txt')).body.toString()).toBe('v2');
    });

    it('keeps awkward names intact', async () => {
      for (const name of ['with space.txt', 'naïve.txt', '日本語', 'a+b=c&d.txt', '%41literal.txt']) {
        expectEmptyOk(await put(`names/${name}`, name));
      }
      const names = (await list('names')).body.files.map((f: { path: string }) => f.path);
      // `%41` is decoded by the path gate, as MLflow's validate_path_is_safe does.
      expect(names).toEqual(['Aliteral.txt', 'a+b=c&d.txt', 'naïve.txt', 'with space.txt', '日本語']);
      expect((await get('names/日本語')).body.toString()).toBe('日本語');
    });

    it('answers 404 for a missing file, 400 for a directory, and HEAD with headers only', async () => {
      expectError(await get('0/missing.txt'), 404, 'RESOURCE_DOES_NOT_EXIST', "No such artifact: '0/missing.txt'");
      expectError(await get('0/run1'), 400, 'INVALID_PARAMETER_VALUE', "Artifact path refers to a directory, not a file: '0/run1'");
      const head = await t.request.head(`${ARTIFACTS}/0/run1/artifacts/notes.txt`);
      expect(head.status).toBe(200);
      expect(head.headers['content-length']).toBe('11');
    });

    it('refuses an upload without a file name, over a directory, or under a file', async () => {
      expectError(await t.request.put(`${ARTIFACTS}/0/dir/`).send('x'), 400, 'INVALID_PARAMETER_VALUE', /must include a filename/);
      expectError(await put('0/run1', 'x'), 400, 'INVALID_PARAMETER_VALUE');
      expectError(await put('0/run1/artifacts/notes.txt/child', 'x'), 400, 'INVALID_PARAMETER_VALUE');
      expect((await get('0/run1/artifacts/notes.txt')).body.toString()).toBe('hello world');
    });
  });

  describe('ranges', () => {
    const data = Buffer.from('0123456789abcdefghijklmnopqrstuvwxyz');
    beforeAll(async () => {
      await put('ranges/file.bin', data);
    });
    const ranged = (range: string) => get('ranges/file.bin').set('Range', range);

    it.each([
      ['bytes=0-9', 0, 9],
      ['bytes=10-19', 10, 19],
      ['bytes=-10', 26, 35],
      ['bytes=30-', 30, 35],
      ['bytes=5-1000', 5, 35],
      ['bytes=35-35', 35, 35],
    ])('%s → 206 with Content-Range', async (range, start, end) => {
      const res = await ranged(range);
      expect(res.status).toBe(206);
      expect(res.headers['content-range']).toBe(`bytes ${start}-${end}/${data.length}`);
      expect(res.headers['content-length']).toBe(String(end - start + 1));
      expect(res.body.toString()).toBe(data.subarray(start, end + 1).toString());
    });

    it('416 for an unsatisfiable range; a malformed one sends the whole file', async () => {
      const res = await t.request.get(`${ARTIFACTS}/ranges/file.bin`).set('Range', 'bytes=36-');
      expectError(res, 416, 'INVALID_PARAMETER_VALUE', /range not satisfiable/);
      expect(res.headers['content-range']).toBe(`bytes */${data.length}`);
      const whole = await ranged('bytes=9-3');
      expect(whole.status).toBe(200);
      expect(whole.body.toString()).toBe(data.toString());
    });

    it('serves a range from the middle of a large object', async () => {
      const big = randomBytes(12 * MiB);
      await put('ranges/big.bin', big);
      const start = 9 * MiB - 3;
      const res = await get('ranges/big.bin').set('Range', `bytes=${start}-${start + MiB}`);
      expect(res.status).toBe(206);
      expect(Buffer.compare(res.body, big.subarray(start, start + MiB + 1))).toBe(0);
    });
  });

  describe('listing', () => {
    beforeAll(async () => {
      await put('1/r2/artifacts/model/MLmodel', 'flavors: {}\n');
      await put('1/r2/artifacts/model/requirements.txt', 'numpy\n');
      await put('1/r2/artifacts/model/data/model.pkl', Buffer.alloc(1234));
      await put('1/r2/artifacts/model/data/deeper/x.bin', Buffer.alloc(5));
    });

    it('lists basenames with sizes for files, sorted', async () => {
      expect((await list('1/r2/artifacts/model')).body).toEqual({
        files: [
          { path: 'MLmodel', is_dir: false, file_size: 12 },
          { path: 'data', is_dir: true },
          { path: 'requirements.txt', is_dir: false, file_size: 6 },
        ],
      });
      expect((await list('1/r2/artifacts/model/data/')).body).toEqual({
        files: [
          { path: 'deeper', is_dir: true },
          { path: 'model.pkl', is_dir: false, file_size: 1234 },
        ],
      });
    });

    it('lists the root, and answers {} for a missing directory and for a file path', async () => {
      for (const res of [await list(), await list('')]) {
        expect(res.body.files).toEqual(expect.arrayContaining([{ path: '1', is_dir: true }]));
      }
      expect((await list('1/nope')).text).toBe('{}');
      expect((await list('1/r2/artifacts/model/MLmodel')).text).toBe('{}');
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

  describe('delete', () => {
    it('deletes a file, then a tree, never a sibling sharing the name as a prefix', async () => {
      await put('del/a/b/c.txt', 'c');
      await put('del/a/d.txt', 'd');
      await put('del/ab.txt', 'sibling');
      expectEmptyOk(await t.request.delete(`${ARTIFACTS}/del/a/d.txt`));
      expectError(await get('del/a/d.txt'), 404, 'RESOURCE_DOES_NOT_EXIST');
      expect((await list('del/a')).body).toEqual({ files: [{ path: 'b', is_dir: true }] });
      expectEmptyOk(await t.request.delete(`${ARTIFACTS}/del/a`));
      expect((await list('del')).body).toEqual({ files: [{ path: 'ab.txt', is_dir: false, file_size: 7 }] });
      expectEmptyOk(await t.request.delete(`${ARTIFACTS}/del/never/was`));
    });

    it('deletes a tree of more than 1,000 objects', async () => {
      const keys = Array.from({ length: 1003 }, (_, i) => `${PREFIX}/bulk/d${i % 3}/f${i}.bin`);
      for (let i = 0; i < keys.length; i += 50) {
        await Promise.all(keys.slice(i, i + 50).map((k) => putRaw(bucket, k, 'x')));
      }
      expectEmptyOk(await t.request.delete(`${ARTIFACTS}/bulk`));
      expect(await allKeys(bucket, `${PREFIX}/bulk`)).toEqual([]);
    });

    it('refuses to delete the root', async () => {
      expectError(await t.request.delete(`${ARTIFACTS}/.`), 400, 'INVALID_PARAMETER_VALUE');
    });
  });

  describe.each([1, 2])('the path gate, attack strings URL-encoded %d×', (times) => {
    it.each(ATTACKS)('%j → 400 on GET, PUT, DELETE, list and the multipart routes', async (attack) => {
      const enc = encode(attack, times);
      const invalid = ['INVALID_PARAMETER_VALUE', 'Invalid path'] as const;
      expectError(await t.request.get(`${ARTIFACTS}/${enc}`), 400, ...invalid);
      expectError(await t.request.put(`${ARTIFACTS}/${enc}`).send('pwned'), 400, ...invalid);
      expectError(await t.request.delete(`${ARTIFACTS}/${enc}`), 400, ...invalid);
      expectError(await t.request.get(ARTIFACTS).query({ path: encode(attack, times - 1) }), 400, ...invalid);
      expectError(await t.request.post(`${MLFLOW_ARTIFACTS}/mpu/create/${enc}`).send({ path: 'f.bin', num_parts: 1 }), 400, ...invalid);
      expectError(await t.request.get(`${MLFLOW_ARTIFACTS}/presigned/${enc}`), 400, ...invalid);
    });
  });

  describe('tracking on an S3 destination', () => {
    it("lists a run's proxied artifacts from S3 (artifacts/list)", async () => {
      const exp = await t.request.post(`${API}/experiments/create`).send({ name: `s3-exp-${Date.now()}` });
      const run = await t.request.post(`${API}/runs/create`).send({ experiment_id: exp.body.experiment_id });
      const { run_id: runId, artifact_uri: uri } = run.body.run.info;
      expect(uri).toBe(`mlflow-artifacts:/${exp.body.experiment_id}/${runId}/artifacts`);
      expectEmptyOk(await put(`${exp.body.experiment_id}/${runId}/artifacts/model/MLmodel`, 'flavors: {}\n'));
      const res = await t.request.get(`${API}/artifacts/list`).query({ run_id: runId, path: 'model' });
      expect(res.body).toEqual({ root_uri: uri, files: [{ path: 'model/MLmodel', is_dir: false, file_size: 12 }] });
    });
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
    const chunk = Buffer.alloc(MiB);
    for (let i = 0; i < chunk.length; i++) chunk[i] = (i * 31) & 0xff;

    globalThis.gc?.();
    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 10);
    let upSeconds = 0;
    let downSeconds = 0;
    try {
      const sent = createHash('sha256');
      let produced = 0;
      const body = new Readable({
        read() {
          if (produced >= size) return void this.push(null);
          produced += chunk.length;
          sent.update(chunk);
          this.push(chunk);
        },
      });
      let started = performance.now();
      const up = await request('PUT', 'big/model.bin', body, { 'Content-Length': size, 'Content-Type': 'application/octet-stream' });
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
      const received = createHash('sha256');
      let count = 0;
      for await (const part of down as AsyncIterable<Buffer>) {
        received.update(part);
        count += part.length;
      }
      downSeconds = (performance.now() - started) / 1000;
      expect(count).toBe(size);
      expect(received.digest('hex')).toBe(sent.digest('hex'));
    } finally {
      clearInterval(sampler);
    }
    const growth = (peak - baseline) / MiB;
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
  beforeAll(async () => {
    t = await createTestApp('sqlite', { defaultArtifactRoot: 's3://direct-bucket/mlflow' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('records <root>/<id> for experiments and runs, and the server never proxies or lists it', async () => {
    const def = await t.request.get(`${API}/experiments/get`).query({ experiment_id: '0' });
    expect(def.body.experiment.artifact_location).toBe('s3://direct-bucket/mlflow/0');
    const exp = await t.request.post(`${API}/experiments/create`).send({ name: `direct-${Date.now()}` });
    const id = exp.body.experiment_id;
    const got = await t.request.get(`${API}/experiments/get`).query({ experiment_id: id });
    expect(got.body.experiment.artifact_location).toBe(`s3://direct-bucket/mlflow/${id}`);
    const run = await t.request.post(`${API}/runs/create`).send({ experiment_id: id });
    const info = run.body.run.info;
    expect(info.artifact_uri).toBe(`s3://direct-bucket/mlflow/${id}/${info.run_id}/artifacts`);
    // The bucket does not even exist: listing does not touch S3 and answers the root only.
    const listed = await t.request.get(`${API}/artifacts/list`).query({ run_id: info.run_id });
    expect(listed.body).toEqual({ root_uri: info.artifact_uri });
  });
});
