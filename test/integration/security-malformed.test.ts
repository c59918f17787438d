/**
 * Malformed input, on every backend: each shape is a 4xx MLflow error (never a 500) and changes
 * nothing. Shapes that a PostgreSQL store refuses where SQLite stores something else (a lone
 * surrogate) are refused by the decoder, the same on both.
 */
import type http from 'node:http';
import net from 'node:net';
import type { Response } from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { defaultSecuritySettings } from '../../src/config/security.js';
import { createLimitedServer } from '../../src/http/edge-server.js';
import { backends, createTestApp, type TestApp } from '../helpers/app.js';
import { ARTIFACTS } from './artifacts-helpers.js';
import { API, ok, Registry, uniqueName } from './support.js';

describe.each(backends())('malformed input (%s)', (backend) => {
  let t: TestApp;
  let r: Registry;
  let fixture: string;
  let experimentId: string;
  let runId: string;

  beforeAll(async () => {
    t = await createTestApp(backend);
    r = new Registry(t);
    fixture = uniqueName('fixture');
    await r.createModel(fixture, { description: 'original', tags: [{ key: 'k', value: 'v' }] });
    await r.createVersion(fixture, 's3://b/1');
    experimentId = ok(await r.post('experiments/create', { name: uniqueName('e') })).body.experiment_id;
    runId = ok(await r.post('runs/create', { experiment_id: experimentId })).body.run.info.run_id;
  });
  afterAll(async () => {
    await t?.close();
  });

  /** Everything a bad request could have changed. */
  async function snapshot() {
    return {
      models: ok(await r.searchModels({ max_results: 100 })).body,
      versions: ok(await r.searchVersions({ filter: `name = '${fixture}'` })).body,
      experiments: ok(await r.post('experiments/search', { max_results: 100 })).body,
      run: ok(await t.request.get(`${API}/runs/get?run_id=${runId}`)).body,
    };
  }

  const post = (path: string, body: string | Buffer) => t.request.post(`${API}/${path}`).set('Content-Type', 'application/json').send(body);
  const surrogate = (field: string, extra = '') => `{"${field}": "bad\\ud800name"${extra}}`;

  it.each<[string, () => PromiseLike<Response>]>([
    ['a lone high surrogate in a model name', () => post('registered-models/create', surrogate('name'))],
    ['a lone low surrogate in a model name', () => post('registered-models/create', '{"name": "\\udfffx"}')],
    ['a lone surrogate in a tag value', () => post('registered-models/set-tag', `{"name": "${fixture}", "key": "k2", "value": "\\ud800"}`)],
    ['a lone surrogate in a description', () => t.request.patch(`${API}/registered-models/update`).set('Content-Type', 'application/json').send(`{"name": "${fixture}", "description": "\\ud83d"}`)],
    ['a lone surrogate in an experiment name', () => post('experiments/create', surrogate('name'))],
    ['a lone surrogate in a run tag', () => post('runs/set-tag', `{"run_id": "${runId}", "key": "\\ud800", "value": "v"}`)],
    ['a lone surrogate in a param', () => post('runs/log-parameter', `{"run_id": "${runId}", "key": "p", "value": "\\udc00"}`)],
    ['a lone surrogate in a search filter', () => post('runs/search', `{"experiment_ids": ["${experimentId}"], "filter": "tags.t = '\\ud800'"}`)],
    ['a lone surrogate in a query string', () => t.request.get(`${API}/registered-models/get?name=%ED%A0%80`)],
    ['a deep array in a field', () => post('registered-models/create', `{"name": ${'['.repeat(20_000)}${']'.repeat(20_000)}}`)],
    ['an object where a string goes', () => post('registered-models/create', '{"name": {"a": [1, 2]}}')],
    ['an array where a message list goes', () => post('registered-models/create', '{"name": "x", "tags": [[1]]}')],
    ['a string where a list goes', () => post('registered-models/create', '{"name": "x", "tags": "k=v"}')],
    ['null entries in a list', () => post('registered-models/create', '{"name": "x", "tags": [null]}')],
    ['a number beyond float64', () => post('runs/log-metric', `{"run_id": "${runId}", "key": "m", "value": 1, "timestamp": 1e400}`)],
    ['an int64 beyond 2^53', () => post('runs/log-metric', `{"run_id": "${runId}", "key": "m", "value": 1, "timestamp": 123456789012345678901234567890}`)],
    ['an experiment id beyond int64', () => t.request.get(`${API}/experiments/get?experiment_id=99999999999999999999999`)],
    ['a negative max_results', () => t.request.get(`${API}/registered-models/search?max_results=-1`)],
    ['max_results beyond int64', () => t.request.get(`${API}/registered-models/search?max_results=99999999999999999999`)],
    ['a body that is not UTF-8', () => post('registered-models/create', Buffer.from([0x7b, 0x22, 0x6e, 0x61, 0x6d, 0x65, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0xc0, 0x22]))],
    ['a JSON array body', () => post('registered-models/create', '[{"name": "x"}]')],
    ['a body of null bytes', () => post('registered-models/create', Buffer.alloc(64))],
    ['a bad percent-escape in the query', () => t.request.get(`${API}/registered-models/get?name=%E0%A4%A`)],
    ['a lone % in the query', () => t.request.get(`${API}/registered-models/search?filter=name%20LIKE%20%`)],
    ['a bad percent-escape in an artifact path', () => t.request.get(`${ARTIFACTS}/a/%E0%A4%A/b.txt`)],
    ['an encoded NUL in an artifact path', () => t.request.put(`${ARTIFACTS}/a/%00/b.txt`).send('x')],
    ['an encoded traversal in an artifact path', () => t.request.put(`${ARTIFACTS}/a/%252e%252e/%252e%252e/escape.txt`).send('x')],
    ['an encoded NUL in a logged-model id', () => t.request.get(`${API}/logged-models/m-a%00b`)],
    ['an encoded NUL in a logged-model tag key', () => t.request.delete(`${API}/logged-models/m-1/tags/a%00b`)],
    ['an encoded NUL in a native model name', () => t.request.get(`/api/flowreg/v1/models/a%00b/versions`)],
    ['a bad percent-escape in a native path', () => t.request.get(`/api/flowreg/v1/models/%E0%A4%A/versions`)],
    ['duplicate query keys, the first one bad', () => t.request.get(`${API}/registered-models/get?name=&name=${fixture}`)],
    ['duplicate JSON keys', () => post('registered-models/create', `{"name": "${fixture}", "name": ""}`)],
    ['a page token that is not base64', () => t.request.get(`${API}/registered-models/search?page_token=%%%%`)],
    ['a page token of a JSON list', () => t.request.get(`${API}/registered-models/search?page_token=${Buffer.from('[1]').toString('base64')}`)],
    ['a page token of a huge offset', () => t.request.get(`${API}/registered-models/search?page_token=${Buffer.from('{"offset": 1e300}').toString('base64')}`)],
  ])('%s', async (_label, send) => {
    const before = await snapshot();
    const res = await send();
    expect(res.status, res.text.slice(0, 300)).toBeGreaterThanOrEqual(400);
    expect(res.status, res.text.slice(0, 300)).toBeLessThan(500);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(typeof res.body.error_code).toBe('string');
    expect(await snapshot()).toEqual(before);
  });

  it("duplicate query keys: the first one counts, as Flask's request.args.get", async () => {
    const res = await t.request.get(`${API}/registered-models/get?name=${fixture}&name=other&name=`);
    expect(ok(res).body.registered_model.name).toBe(fixture);
  });

  describe('on the wire', () => {
    let server: http.Server;
    let port: number;
    beforeAll(async () => {
      server = createLimitedServer(createApp(t.services.deps), { ...defaultSecuritySettings(), headersTimeoutMs: 1000, idleTimeoutMs: 1500 });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as net.AddressInfo).port;
    });
    afterAll(async () => {
      server?.closeAllConnections();
      await new Promise((resolve) => server?.close(resolve));
    });

    /** Sends raw bytes; resolves with everything received until the server closes (or 4 s). */
    const exchange = (bytes: string) =>
      new Promise<string>((resolve) => {
        let got = '';
        const s = net.connect(port, '127.0.0.1', () => s.write(bytes));
        s.on('data', (d) => (got += d.toString('latin1')));
        s.on('error', () => undefined);
        s.on('close', () => resolve(got));
        setTimeout(() => (s.destroy(), resolve(got)), 4000);
      });
    const create = (headers: string, body: string) =>
      `POST ${API}/registered-models/create HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n${headers}\r\n${body}`;

    it.each<[string, string, RegExp]>([
      ['a Content-Length shorter than the body', create('Content-Length: 5\r\n', '{"name": "short-cl"}'), /^HTTP\/1\.1 400/],
      ['a Content-Length longer than the body (then a stall)', create('Content-Length: 500\r\n', '{"name": "long-cl"}'), /^(HTTP\/1\.1 (400|408)|)/],
      ['a Content-Length that is not a number', create('Content-Length: ten\r\n', '{"name": "nan-cl"}'), /^HTTP\/1\.1 400/],
      ['two different Content-Lengths', create('Content-Length: 20\r\nContent-Length: 21\r\n', '{"name": "two-cl"}'), /^HTTP\/1\.1 400/],
      ['Content-Length with chunked', create('Content-Length: 5\r\nTransfer-Encoding: chunked\r\n', '5\r\n{"na"\r\n0\r\n\r\n'), /^HTTP\/1\.1 400/],
      ['a URL of 100 KB', `GET ${API}/registered-models/get?name=${'n'.repeat(100_000)} HTTP/1.1\r\nHost: localhost\r\n\r\n`, /^HTTP\/1\.1 431/],
      ['a bare CR in a header', `GET /health HTTP/1.1\r\nHost: localhost\r\nX-A: a\rb\r\n\r\n`, /^HTTP\/1\.1 400/],
    ])('%s', async (_label, bytes, status) => {
      const before = await snapshot();
      const got = await exchange(bytes);
      expect(got).toMatch(status);
      expect(got).not.toMatch(/^HTTP\/1\.1 5/);
      expect(await snapshot()).toEqual(before);
    });
  });
});
