/**
 * The artifact proxy as the MLflow client uses it, the same on every artifact destination (local
 * disk, and S3 when FLOWREG_TEST_S3_ENDPOINT is set): upload, download (headers, ranges), listing,
 * delete, the path gate, and the errors. What only one store does is tested in its own file:
 * artifacts.test.ts (local disk), s3-artifacts.test.ts (S3).
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API } from '../helpers/app.js';
import { expectEmptyOk, expectError } from './support.js';
import { AJAX_ARTIFACTS, ARTIFACTS, ATTACKS, MLFLOW_ARTIFACTS, artifactCalls, binary, encode } from './artifacts-helpers.js';
import { ARTIFACT_STORES, type OpenedArtifactStore } from './artifact-stores.js';

const MiB = 1024 * 1024;

describe.each(ARTIFACT_STORES)('artifact store: $name', (kind) => {
  let store: OpenedArtifactStore;
  beforeAll(async () => {
    store = await kind.open();
  });
  afterAll(async () => {
    await store?.t.close();
  });

  const { put, get, list } = artifactCalls(() => store.t);

  describe('upload and download', () => {
    it('round-trips a text file with MLflow download headers, stored under the destination', async () => {
      expectEmptyOk(await put('0/run1/artifacts/notes.txt', 'hello world', 'text/plain'));
      expect(await store.stored()).toEqual([store.storedName('0/run1/artifacts/notes.txt')]);
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

    it('stores a .json body sent as application/json verbatim, even when it is not JSON', async () => {
      const body = '{"inputs": [[1, 2]],\n "broken": ';
      expectEmptyOk(await put('0/run1/artifacts/input_example.json', body, 'application/json'));
      const res = await get('0/run1/artifacts/input_example.json');
      expect(res.body.toString()).toBe(body);
      expect(res.headers['content-type']).toBe('text/plain');
    });

    it('round-trips binary data byte for byte, under both URL families', async () => {
      const data = randomBytes(3 * MiB + 17);
      expectEmptyOk(await store.t.request.put(`${AJAX_ARTIFACTS}/0/run1/artifacts/model/model.pkl`).send(data));
      const res = await get('0/run1/artifacts/model/model.pkl');
      expect(res.headers['content-type']).toBe('application/octet-stream');
      expect(res.headers['content-length']).toBe(String(data.length));
      expect(Buffer.compare(res.body, data)).toBe(0);
      const ajax = await binary(store.t.request.get(`${AJAX_ARTIFACTS}/0/run1/artifacts/model/model.pkl`));
      expect(Buffer.compare(ajax.body, data)).toBe(0);
    });

    it('stores an empty file', async () => {
      expectEmptyOk(await put('0/empty.bin', Buffer.alloc(0)));
      const res = await get('0/empty.bin');
      expect(res.status).toBe(200);
      expect(res.headers['content-length']).toBe('0');
    });

    it('replaces an existing file', async () => {
      await put('0/replace.txt', 'first version');
      await put('0/replace.txt', 'v2');
      expect((await get('0/replace.txt')).body.toString()).toBe('v2');
    });

    it.each([
      ['MLmodel', 'text/plain'],
      // MLflow's text list has MLPROJECT_FILE_NAME = "mlproject", matched case-sensitively.
      ['mlproject', 'text/plain'],
      ['MLproject', 'application/octet-stream'],
      ['conda.yaml', 'text/plain'],
      ['requirements.txt', 'text/plain'],
      ['train.py', 'text/plain'],
      ['data.csv', 'text/plain'],
      ['plot.png', 'image/png'],
      ['page.html', 'text/html'],
      ['model.tar.gz', 'application/x-tar'],
      ['weights.safetensors', 'application/octet-stream'],
      ['noext', 'application/octet-stream'],
      ['UPPER.JSON', 'application/json'],
    ])('serves %s as %s', async (name, type) => {
      await put(`types/${name}`, 'x');
      expect((await get(`types/${name}`)).headers['content-type']).toBe(type);
    });

    it.each([
      ['with space.txt', 'attachment; filename="with space.txt"'],
      ['q"uote.txt', 'attachment; filename="q\\"uote.txt"'],
      ['naïve.txt', `attachment; filename=naive.txt; filename*=UTF-8''na%C3%AFve.txt`],
      ['日本語', `attachment; filename=download; filename*=UTF-8''%E6%97%A5%E6%9C%AC%E8%AA%9E`],
    ])('names %j safely in Content-Disposition (basename only)', async (name, header) => {
      expectEmptyOk(await put(`disposition/sub/${name}`, 'x'));
      const res = await get(`disposition/sub/${name}`);
      expect(res.status).toBe(200);
      expect(res.headers['content-disposition']).toBe(header);
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

    it('answers 404 RESOURCE_DOES_NOT_EXIST for a missing file and 400 for a directory', async () => {
      expectError(await get('0/missing.txt'), 404, 'RESOURCE_DOES_NOT_EXIST', "No such artifact: '0/missing.txt'");
      expectError(await get('0/run1'), 400, 'INVALID_PARAMETER_VALUE', "Artifact path refers to a directory, not a file: '0/run1'");
    });

    it('refuses an upload without a file name', async () => {
      expectError(await store.t.request.put(`${ARTIFACTS}/0/dir/`).send('x'), 400, 'INVALID_PARAMETER_VALUE', /must include a filename/);
    });

    it('refuses to write a file over a directory or under a file', async () => {
      expectError(await put('0/run1', 'x'), 400, 'INVALID_PARAMETER_VALUE');
      expectError(await put('0/run1/artifacts/notes.txt/child', 'x'), 400, 'INVALID_PARAMETER_VALUE');
      expect((await get('0/run1/artifacts/notes.txt')).body.toString()).toBe('hello world');
    });

    it('answers HEAD with the headers only', async () => {
      const res = await store.t.request.head(`${ARTIFACTS}/0/run1/artifacts/notes.txt`);
      expect(res.status).toBe(200);
      expect(res.headers['content-length']).toBe('11');
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
      ['bytes=-1000', 0, 35],
      ['bytes=35-35', 35, 35],
    ])('%s → 206 with Content-Range', async (range, start, end) => {
      const res = await ranged(range);
      expect(res.status).toBe(206);
      expect(res.headers['content-range']).toBe(`bytes ${start}-${end}/${data.length}`);
      expect(res.headers['content-length']).toBe(String(end - start + 1));
      expect(res.body.toString()).toBe(data.subarray(start, end + 1).toString());
    });

    it.each(['bytes=36-', 'bytes=100-200', 'bytes=-0'])('%s → 416 with a JSON error', async (range) => {
      const res = await store.t.request.get(`${ARTIFACTS}/ranges/file.bin`).set('Range', range);
      expectError(res, 416, 'INVALID_PARAMETER_VALUE', /range not satisfiable/);
      expect(res.headers['content-range']).toBe(`bytes */${data.length}`);
    });

    it.each(['bytes=0-1,4-5', 'bytes=abc', 'items=0-1', 'bytes=9-3'])('ignores %j and sends the whole file', async (range) => {
      const res = await ranged(range);
      expect(res.status).toBe(200);
      expect(res.body.toString()).toBe(data.toString());
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
      const res = await list('1/r2/artifacts/model');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        files: [
          { path: 'MLmodel', is_dir: false, file_size: 12 },
          { path: 'data', is_dir: true },
          { path: 'requirements.txt', is_dir: false, file_size: 6 },
        ],
      });
      for (const dir of ['1/r2/artifacts/model/data', '1/r2/artifacts/model/data/']) {
        expect((await list(dir)).body).toEqual({
          files: [
            { path: 'deeper', is_dir: true },
            { path: 'model.pkl', is_dir: false, file_size: 1234 },
          ],
        });
      }
    });

    it('lists the root without a path or with an empty one', async () => {
      for (const res of [await list(), await list('')]) {
        expect(res.body.files).toEqual(expect.arrayContaining([{ path: '1', is_dir: true }]));
      }
      const ajax = await store.t.request.get(AJAX_ARTIFACTS).query({ path: '1' });
      expect(ajax.body).toEqual({ files: [{ path: 'r2', is_dir: true }] });
    });

    it('answers {} for a missing directory and for a file path (the client tests _is_directory so)', async () => {
      expect((await list('1/nope')).text).toBe('{}');
      expect((await list('1/r2/artifacts/model/MLmodel')).text).toBe('{}');
    });

    it('accepts a URL-encoded path value and trailing slashes', async () => {
      const res = await store.t.request.get(`${ARTIFACTS}?path=1%2Fr2%2Fartifacts%2Fmodel%2Fdata%2F`);
      expect(res.body.files).toHaveLength(2);
    });
  });

  describe('delete', () => {
    it('deletes a file, then a tree; a missing path is fine', async () => {
      await put('del/a/b/c.txt', 'c');
      await put('del/a/d.txt', 'd');
      expectEmptyOk(await store.t.request.delete(`${ARTIFACTS}/del/a/d.txt`));
      expectError(await get('del/a/d.txt'), 404, 'RESOURCE_DOES_NOT_EXIST');
      expect((await list('del/a')).body).toEqual({ files: [{ path: 'b', is_dir: true }] });
      expectEmptyOk(await store.t.request.delete(`${ARTIFACTS}/del/a`));
      expect((await list('del')).text).toBe('{}');
      expectEmptyOk(await store.t.request.delete(`${ARTIFACTS}/del/never/was`));
    });

    it('never deletes a sibling sharing the name as a prefix', async () => {
      await put('sib/a/b/c.txt', 'c');
      await put('sib/ab.txt', 'sibling');
      expectEmptyOk(await store.t.request.delete(`${ARTIFACTS}/sib/a`));
      expect((await list('sib')).body).toEqual({ files: [{ path: 'ab.txt', is_dir: false, file_size: 7 }] });
    });

    it('ignores a JSON body, as MLflow reads an empty DeleteArtifact message', async () => {
      await put('del/x.txt', 'x');
      expectEmptyOk(await store.t.request.delete(`${ARTIFACTS}/del/x.txt`).send({ path: 'ignored' }));
    });

    it('refuses to delete the root', async () => {
      expectError(await store.t.request.delete(`${ARTIFACTS}/.`), 400, 'INVALID_PARAMETER_VALUE');
    });
  });

  describe.each([1, 2])('the path gate, attack strings URL-encoded %d×', (times) => {
    it.each(ATTACKS)('%j → 400 on GET, PUT, DELETE, list and the multipart routes', async (attack) => {
      const enc = encode(attack, times);
      const invalid = ['INVALID_PARAMETER_VALUE', 'Invalid path'] as const;
      const { request } = store.t;
      expectError(await request.get(`${ARTIFACTS}/${enc}`), 400, ...invalid);
      expectError(await request.put(`${ARTIFACTS}/${enc}`).send('pwned'), 400, ...invalid);
      expectError(await request.delete(`${ARTIFACTS}/${enc}`), 400, ...invalid);
      expectError(await request.get(ARTIFACTS).query({ path: encode(attack, times - 1) }), 400, ...invalid);
      expectError(await request.post(`${MLFLOW_ARTIFACTS}/mpu/create/${enc}`).send({ path: 'f.bin', num_parts: 1 }), 400, ...invalid);
      expectError(await request.get(`${MLFLOW_ARTIFACTS}/presigned/${enc}`), 400, ...invalid);
    });
  });

  describe('unknown artifact routes', () => {
    it.each([
      ['post', `${ARTIFACTS}/x.txt`],
      ['get', `${MLFLOW_ARTIFACTS}/mpu/create/x`],
      ['get', `${MLFLOW_ARTIFACTS}/other`],
      ['get', `${ARTIFACTS}/`],
    ] as const)('%s %s → 404 ENDPOINT_NOT_FOUND', async (method, url) => {
      expectError(await store.t.request[method](url), 404, 'ENDPOINT_NOT_FOUND');
    });
  });

  describe('tracking on the destination', () => {
    it("lists a run's proxied artifacts (artifacts/list)", async () => {
      const { request } = store.t;
      const exp = await request.post(`${API}/experiments/create`).send({ name: `${kind.name}-exp-${Date.now()}` });
      const run = await request.post(`${API}/runs/create`).send({ experiment_id: exp.body.experiment_id });
      const { run_id: runId, artifact_uri: uri } = run.body.run.info;
      expect(uri).toBe(`mlflow-artifacts:/${exp.body.experiment_id}/${runId}/artifacts`);
      expectEmptyOk(await put(`${exp.body.experiment_id}/${runId}/artifacts/model/MLmodel`, 'flavors: {}\n'));
      const res = await request.get(`${API}/artifacts/list`).query({ run_id: runId, path: 'model' });
      expect(res.body).toEqual({ root_uri: uri, files: [{ path: 'model/MLmodel', is_dir: false, file_size: 12 }] });
    });
  });
});
