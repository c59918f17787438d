/**
 * Every kind of bad publish is a 400 with a message that says what is wrong, and leaves nothing
 * behind: no model version, no file or temp file in the artifact destination, no active run.
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API, createTestApp, type TestApp } from '../helpers/app.js';
import { listen, type Listening } from './artifacts-helpers.js';
import { expectError, uniqueName } from './support.js';
import {
  bytes,
  expectNothingLeft,
  filePart,
  liveVersions,
  metadataPart,
  multipart,
  publish,
  snapshot,
  versionsUrl,
  type Part,
} from './native-support.js';

const LIMIT = 1024 * 1024;

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp('sqlite', { maxPublishBytes: LIMIT });
});
afterAll(async () => {
  await t?.close();
});

const ok = filePart('model/MLmodel', 'flavors: {}\n');

describe('bad publishes', () => {
  const cases: Array<[string, Part[], string | RegExp]> = [
    ['no metadata part, only files', [ok], /The 'metadata' part must come before the file parts \(file 'model\/MLmodel' came first\)/],
    ['metadata after the files', [ok, metadataPart()], /must come before the file parts/],
    ['no parts at all', [], "The request has no 'metadata' part."],
    ['metadata but no files', [metadataPart({ description: 'x' })], 'The request has no file parts: publish at least one file.'],
    ['metadata that is not JSON', [metadataPart('{"description": '), ok], /^Invalid metadata: not valid JSON \(/],
    ['metadata that is not an object', [metadataPart('[1, 2]'), ok], 'Invalid metadata: it must be a JSON object'],
    ['an unknown metadata field', [metadataPart({ descripton: 'typo' }), ok], /^Invalid metadata: unknown field 'descripton' \(known: /],
    ['tags of the wrong shape', [metadataPart({ tags: 'a=b' }), ok], /'tags' must be an object/],
    ['a metric that is not a number', [metadataPart({ metrics: { acc: 'high' } }), ok], "Invalid metadata: 'metrics.acc' must be a number"],
    ['a param with a bad name', [metadataPart({ params: { 'a*b': '1' } }), ok], /Invalid value "a\*b" for parameter 'params\[0\]\.key'/],
    ['a reserved alias', [metadataPart({ aliases: ['latest'] }), ok], "'latest' alias name (case insensitive) is reserved."],
    ['a bad alias', [metadataPart({ aliases: ['a b'] }), ok], /Invalid alias name: 'a b'/],
    ['run_id and experiment_name together', [metadataPart({ run_id: 'abc', experiment_name: 'e' }), ok], /not both/],
    ['an artifact_path that climbs out', [metadataPart({ artifact_path: '../x' }), ok], /Invalid 'artifact_path' "\.\.\/x": it must not contain '\.\.'/],
    ['two metadata parts', [metadataPart(), metadataPart(), ok], "The request has more than one 'metadata' part."],
    ['an unknown form field', [metadataPart(), { name: 'comment', content: 'hi' }, ok], /Unexpected form field 'comment'/],
    ['a file name with ..', [metadataPart(), filePart('model/../../etc/passwd', 'x')], `Invalid file name "model/../../etc/passwd": it must not contain '..'`],
    ['a file name that is just ..', [metadataPart(), filePart('..', 'x')], /it must not contain '\.\.'/],
    ['an absolute file name', [metadataPart(), filePart('/etc/passwd', 'x')], 'Invalid file name "/etc/passwd": it must be a relative path, not an absolute one'],
    ['a Windows drive path', [metadataPart(), filePart('C:/Windows/x', 'x')], /not an absolute one/],
    ['backslashes', [metadataPart(), filePart('model\\..\\x', 'x')], /use '\/' to separate directories/],
    ['a percent-encoded ..', [metadataPart(), filePart('%2e%2e/x', 'x')], /Invalid file name "%2e%2e\/x"/],
    ['an empty file name', [metadataPart(), filePart('', 'x')], /it has no filename/],
    ['a name ending in /', [metadataPart(), filePart('model/', 'x')], /must not contain empty or '\.' segments, or end with '\/'/],
    ['a reserved temp name', [metadataPart(), filePart('.artifact.uploading.x', 'x')], /are reserved/],
    ['a file part without filename', [metadataPart(), { name: 'file', content: 'x', type: 'application/octet-stream' }], /it has no filename/],
  ];

  it.each(cases)('%s → 400', async (_label, parts, message) => {
    const name = uniqueName('bad');
    const before = await snapshot(t);
    const res = await publish(t, name, parts);
    expectError(res, 400, 'INVALID_PARAMETER_VALUE', message);
    await expectNothingLeft(t, name, before);
    // The model itself is not created for input refused before the first file is stored.
    expectError(await t.request.get(`${API}/registered-models/get`).query({ name }), 404, 'RESOURCE_DOES_NOT_EXIST');
  });

  it.each([
    ['a name with a slash', 'a%2Fb', "Invalid model name 'a/b'. Names cannot contain '/' or ':'."],
    ['a name with a colon', 'a:b', "Invalid model name 'a:b'. Names cannot contain '/' or ':'."],
    ['a blank name', '%20', "Missing value for required parameter 'name'."],
    ['a name that resolves to another', 'a%2F..', /Invalid model name|resolve/],
    ['a name with bad percent-encoding', '%E0%A4%A', 'Invalid model name in the URL: bad percent-encoding'],
  ])('%s → 400', async (_label, rawName, message) => {
    const before = await snapshot(t);
    const { body, contentType } = multipart([metadataPart(), ok]);
    const res = await t.request.post(`/api/flowreg/v1/models/${rawName}/versions`).set('Content-Type', contentType).send(body);
    expectError(res, 400, 'INVALID_PARAMETER_VALUE', message);
    await expectNothingLeft(t, decodeURIComponentSafe(rawName), before);
  });

  it('a body that is not multipart → 400', async () => {
    const name = uniqueName('json');
    const before = await snapshot(t);
    const res = await t.request.post(versionsUrl(name)).send({ description: 'x' });
    expectError(res, 400, 'INVALID_PARAMETER_VALUE', /Publish with Content-Type multipart\/form-data/);
    await expectNothingLeft(t, name, before);
  });

  it('a multipart body without a boundary → 400', async () => {
    const name = uniqueName('nob');
    const before = await snapshot(t);
    const res = await t.request.post(versionsUrl(name)).set('Content-Type', 'multipart/form-data').send('x');
    expectError(res, 400, 'INVALID_PARAMETER_VALUE', /Malformed multipart body/);
    await expectNothingLeft(t, name, before);
  });

  it('a body cut before its closing boundary → 400, after the first file was stored', async () => {
    const name = uniqueName('cut');
    const before = await snapshot(t);
    const { body, contentType } = multipart([metadataPart(), ok, filePart('model/b.bin', bytes(1000))]);
    const truncated = body.subarray(0, body.length - 600);
    const res = await t.request.post(versionsUrl(name)).set('Content-Type', contentType).send(truncated);
    expectError(res, 400, 'INVALID_PARAMETER_VALUE', /Malformed multipart body: Unexpected end of (form|file)/);
    await expectNothingLeft(t, name, before);
  });

  it('a bad second file name undoes the first file and the version', async () => {
    const name = uniqueName('second');
    const before = await snapshot(t);
    const res = await publish(t, name, [metadataPart(), ok, filePart('model/../../x', 'x')]);
    expectError(res, 400, 'INVALID_PARAMETER_VALUE', /must not contain '\.\.'/);
    await expectNothingLeft(t, name, before);
    // The registered model was created for the publish and stays (empty); the number 1 is spent.
    const again = await publish(t, name, [metadataPart(), ok]);
    expect(again.status).toBe(200);
    expect(again.body.model_version.version).toBe('2');
  });

  it('names that mix the model/ prefix and plain names → 400', async () => {
    const name = uniqueName('mix');
    const before = await snapshot(t);
    const res = await publish(t, name, [metadataPart(), ok, filePart('weights.bin', 'x')]);
    expectError(res, 400, 'INVALID_PARAMETER_VALUE', /the first file's name started with 'model\/', so every name must/);
    await expectNothingLeft(t, name, before);
  });

  it('the same file twice → 400', async () => {
    const name = uniqueName('dup');
    const before = await snapshot(t);
    const res = await publish(t, name, [metadataPart(), ok, ok]);
    expectError(res, 400, 'INVALID_PARAMETER_VALUE', /the same file is sent twice/);
    await expectNothingLeft(t, name, before);
  });

  it('a file and a directory of the same name → 400', async () => {
    const name = uniqueName('clash');
    const before = await snapshot(t);
    const res = await publish(t, name, [metadataPart(), filePart('a', 'x'), filePart('a/b', 'y')]);
    expectError(res, 400, 'INVALID_PARAMETER_VALUE', /a parent is a file/);
    await expectNothingLeft(t, name, before);
  });

  it('a failed publish into an existing run leaves the run as it was', async () => {
    const created = await t.request.post(`${API}/runs/create`).send({ experiment_id: '0' });
    const runId = created.body.run.info.run_id as string;
    await t.request.put(`/api/2.0/mlflow-artifacts/artifacts/0/${runId}/artifacts/notes.txt`).send('mine').expect(200);
    const name = uniqueName('intorun');
    const before = await snapshot(t);
    const res = await publish(t, name, [metadataPart({ run_id: runId, params: { p: '1' } }), ok, filePart('model/../x', 'x')]);
    expectError(res, 400, 'INVALID_PARAMETER_VALUE', /must not contain '\.\.'/);
    await expectNothingLeft(t, name, before);
    const run = await t.request.get(`${API}/runs/get`).query({ run_id: runId });
    expect(run.body.run.info).toMatchObject({ status: 'RUNNING', lifecycle_stage: 'active' });
    expect(run.body.run.data.params ?? []).toEqual([]);
    expect((await t.request.get(`/api/2.0/mlflow-artifacts/artifacts/0/${runId}/artifacts/notes.txt`)).text).toBe('mine');
  });

  it('an unknown run_id → 404, nothing created', async () => {
    const name = uniqueName('norun');
    const before = await snapshot(t);
    const res = await publish(t, name, [metadataPart({ run_id: 'f'.repeat(32) }), ok]);
    expectError(res, 404, 'RESOURCE_DOES_NOT_EXIST', `Run with id=${'f'.repeat(32)} not found`);
    await expectNothingLeft(t, name, before);
  });

  it('a prompt name → 400', async () => {
    const name = uniqueName('prompt');
    const before = await snapshot(t);
    await t.request
      .post(`${API}/registered-models/create`)
      .send({ name, tags: [{ key: 'mlflow.prompt.is_prompt', value: 'true' }] })
      .expect(200);
    const res = await publish(t, name, [metadataPart(), ok]);
    expectError(res, 400, 'INVALID_PARAMETER_VALUE', /is a prompt/);
    await expectNothingLeft(t, name, before);
  });
});

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

describe('the body size limit', () => {
  let server: Listening;
  beforeAll(async () => {
    server = await listen(t.app);
  });
  afterAll(async () => {
    await server?.close();
  });

  /** A raw POST, so the body can be chunked (no Content-Length) and the answer read early. */
  function post(name: string, body: Buffer, contentType: string, chunked: boolean): Promise<{ status: number; json: any }> {
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port: server.port,
          method: 'POST',
          path: versionsUrl(name),
          headers: { 'Content-Type': contentType, ...(chunked ? { 'Transfer-Encoding': 'chunked' } : { 'Content-Length': body.length }) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString()) }));
        },
      );
      // The server may close the connection once it answered; that is not the test's concern.
      req.on('error', (err) => (/ECONNRESET|EPIPE/.test(String(err)) ? undefined : reject(err)));
      let off = 0;
      const pump = () => {
        while (off < body.length) {
          const next = body.subarray(off, off + 64 * 1024);
          off += next.length;
          if (!req.write(next)) return void req.once('drain', pump);
        }
        req.end();
      };
      pump();
    });
  }

  it('refuses a declared Content-Length over the limit before reading it', async () => {
    const name = uniqueName('big');
    const before = await snapshot(t);
    const { body, contentType } = multipart([metadataPart(), filePart('model/big.bin', bytes(LIMIT + 1))]);
    const res = await post(name, body, contentType, false);
    expect(res.status).toBe(400);
    expect(res.json).toEqual({
      error_code: 'INVALID_PARAMETER_VALUE',
      message: `The request body is larger than the limit of 1 MiB (${LIMIT} bytes) for one publish.`,
    });
    await expectNothingLeft(t, name, before);
  });

  it('stops a chunked body at the limit, after files were stored, and undoes them', async () => {
    const name = uniqueName('chunked');
    const before = await snapshot(t);
    const { body, contentType } = multipart([
      metadataPart({ params: { a: '1' } }),
      filePart('model/first.bin', bytes(600 * 1024)),
      filePart('model/second.bin', bytes(600 * 1024, 2)),
    ]);
    const res = await post(name, body, contentType, true);
    expect(res.status).toBe(400);
    expect(res.json.message).toMatch(/larger than the limit of 1 MiB/);
    await expectNothingLeft(t, name, before);
    expect(await liveVersions(t, name)).toEqual([]);
  });

  it('accepts a body just under the limit', async () => {
    const name = uniqueName('fits');
    const { body, contentType } = multipart([metadataPart(), filePart('model/fits.bin', bytes(LIMIT - 1024))]);
    expect(body.length).toBeLessThanOrEqual(LIMIT);
    const res = await post(name, body, contentType, true);
    expect(res.status).toBe(200);
    expect(res.json.model_version.status).toBe('READY');
  });
});
