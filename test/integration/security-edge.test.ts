/**
 * The edge (src/http/edge.ts), attack by attack, on every backend: DNS rebinding (Host), cross-site
 * state changes (Origin / Sec-Fetch-Site, whatever the Content-Type), CORS preflight, and the
 * security headers, with MLflow 3.x's answers (mlflow/server/security.py, security_utils.py).
 */
import fs from 'node:fs';
import path from 'node:path';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { parseSecuritySettings, type RawSecurityFlags } from '../../src/config/security.js';
import { CORS_BLOCKED_MSG, DISALLOWED_ORIGIN_MSG, INVALID_HOST_MSG } from '../../src/http/edge.js';
import { backends, createTestApp, type TestApp } from '../helpers/app.js';
import { ARTIFACTS } from './artifacts-helpers.js';
import { filePart, metadataPart, multipart, versionsUrl } from './native-support.js';
import { API, uniqueName } from './support.js';

type Headers = Record<string, string>;

describe.each(backends())('the edge (%s)', (backend) => {
  let t: TestApp;
  const agent = (flags: RawSecurityFlags = {}) => supertest(createApp(t.services.deps, [], parseSecuritySettings(flags, '127.0.0.1')));

  beforeAll(async () => {
    t = await createTestApp(backend);
  });
  afterAll(async () => {
    await t?.close();
  });

  const modelExists = async (name: string) =>
    (await supertest(t.app).get(`${API}/registered-models/get?name=${encodeURIComponent(name)}`)).status === 200;

  describe('Host header (DNS rebinding)', () => {
    it.each<[string, RawSecurityFlags, string, string, number]>([
      ['an attacker name', {}, '/api/2.0/mlflow/experiments/search?max_results=1', 'evil.example.com', 403],
      ['an attacker name with a port', {}, '/api/2.0/mlflow/experiments/search?max_results=1', 'evil.example.com:5000', 403],
      ['a name that starts like localhost', {}, '/api/2.0/mlflow/experiments/search?max_results=1', 'localhost.evil.example', 403],
      ['localhost on any port', {}, '/api/2.0/mlflow/experiments/search?max_results=1', 'localhost:5000', 200],
      ['LOCALHOST in capitals', {}, '/api/2.0/mlflow/experiments/search?max_results=1', 'LOCALHOST:5000', 200],
      ['127.0.0.1', {}, '/api/2.0/mlflow/experiments/search?max_results=1', '127.0.0.1', 200],
      ['[::1] with a port', {}, '/api/2.0/mlflow/experiments/search?max_results=1', '[::1]:8080', 200],
      ['a private address', {}, '/api/2.0/mlflow/experiments/search?max_results=1', '192.168.1.20:5000', 200],
      ['a public address', {}, '/api/2.0/mlflow/experiments/search?max_results=1', '8.8.8.8:5000', 403],
      ['/health from any host', {}, '/health', 'evil.example.com', 200],
      ['/version from any host', {}, '/version', 'evil.example.com', 200],
      ['an artifact download', {}, `${ARTIFACTS}/x/y.txt`, 'evil.example.com', 403],
      ['a listed name', { allowedHosts: 'mlflow.company.com, *.internal' }, '/api/2.0/mlflow/experiments/search?max_results=1', 'mlflow.company.com', 200],
      ['a wildcard match', { allowedHosts: 'mlflow.company.com,*.internal' }, '/api/2.0/mlflow/experiments/search?max_results=1', 'reg.internal', 200],
      ['a pattern without a port does not match one with a port (fnmatch, as MLflow)', { allowedHosts: 'mlflow.company.com' }, '/api/2.0/mlflow/experiments/search?max_results=1', 'mlflow.company.com:5000', 403],
      ['localhost when a list is given', { allowedHosts: 'mlflow.company.com' }, '/api/2.0/mlflow/experiments/search?max_results=1', 'localhost', 403],
      ['any host with *', { allowedHosts: '*' }, '/api/2.0/mlflow/experiments/search?max_results=1', 'evil.example.com', 200],
      ['any host with the middleware off', { disableSecurityMiddleware: true }, '/api/2.0/mlflow/experiments/search?max_results=1', 'evil.example.com', 200],
    ])('%s', async (_label, flags, url, host, status) => {
      const res = await agent(flags).get(url).set('Host', host);
      expect(res.status).toBe(status);
      if (status === 403) {
        expect(res.text).toBe(INVALID_HOST_MSG);
        expect(res.headers['content-type']).toMatch(/^text\/plain/);
      }
    });

    it('refuses a publish under another Host and creates nothing', async () => {
      const name = uniqueName('rebind');
      const res = await agent().post(`${API}/registered-models/create`).set('Host', 'evil.example.com').set('Content-Type', 'application/json').send({ name });
      expect(res.status).toBe(403);
      expect(await modelExists(name)).toBe(false);
    });
  });

  describe('cross-site state changes', () => {
    const browser = (origin: string | undefined, site?: string): Headers => ({
      ...(origin === undefined ? {} : { Origin: origin }),
      ...(site ? { 'Sec-Fetch-Site': site } : {}),
    });
    it.each<[string, Headers, string, RawSecurityFlags, boolean]>([
      ['JSON from another origin', browser('https://evil.example'), 'application/json', {}, false],
      ['a form from another origin', browser('https://evil.example', 'cross-site'), 'application/x-www-form-urlencoded', {}, false],
      ['text/plain from another origin', browser('https://evil.example'), 'text/plain', {}, false],
      ['an opaque origin (null)', browser('null', 'cross-site'), 'application/json', {}, false],
      ['Sec-Fetch-Site cross-site without Origin', browser(undefined, 'cross-site'), 'application/json', {}, false],
      ['https://localhost (MLflow allows http only)', browser('https://localhost:3000'), 'application/json', {}, false],
      ['another origin not in the list', browser('https://other.company.com'), 'application/json', { corsAllowedOrigins: 'https://app.company.com' }, false],
      ['a Python client (no browser headers)', browser(undefined), 'application/json', {}, true],
      ['a page on localhost', browser('http://localhost:3000', 'same-site'), 'application/json', {}, true],
      ['a page on 127.0.0.1', browser('http://127.0.0.1:8888'), 'application/json', {}, true],
      ['same-origin fetch', browser(undefined, 'same-origin'), 'application/json', {}, true],
      ['a listed origin', browser('https://app.company.com', 'cross-site'), 'application/json', { corsAllowedOrigins: 'https://app.company.com' }, true],
      ['a wildcard-listed origin', browser('https://a.company.com', 'cross-site'), 'application/json', { corsAllowedOrigins: 'https://*.company.com' }, true],
      ['any origin with *', browser('https://evil.example', 'cross-site'), 'application/json', { corsAllowedOrigins: '*' }, true],
      ['any origin with the middleware off', browser('https://evil.example', 'cross-site'), 'application/json', { disableSecurityMiddleware: true }, true],
    ])('create registered model: %s', async (_label, headers, type, flags, allowed) => {
      const name = uniqueName('xsite');
      const res = await agent(flags).post(`${API}/registered-models/create`).set(headers).set('Content-Type', type).send(JSON.stringify({ name }));
      if (allowed) {
        expect(res.status).not.toBe(403);
      } else {
        expect(res.status).toBe(403);
        expect(res.text).toBe(CORS_BLOCKED_MSG);
        expect(await modelExists(name)).toBe(false);
      }
    });

    it.each(['PATCH', 'DELETE'] as const)('%s from another origin is refused', async (method) => {
      const name = uniqueName('xsite');
      await supertest(t.app).post(`${API}/registered-models/create`).set('Content-Type', 'application/json').send({ name });
      const path = method === 'PATCH' ? 'registered-models/update' : 'registered-models/delete';
      const res = await agent()
        [method === 'PATCH' ? 'patch' : 'delete'](`${API}/${path}`)
        .set('Origin', 'https://evil.example')
        .set('Content-Type', 'application/json')
        .send({ name, description: 'owned' });
      expect(res.status).toBe(403);
      const got = await supertest(t.app).get(`${API}/registered-models/get?name=${name}`);
      expect(got.status).toBe(200);
      expect(got.body.registered_model.description).toBeUndefined();
    });

    it('reads from another origin are answered, without CORS headers', async () => {
      const res = await agent().get(`${API}/experiments/search?max_results=1`).set('Origin', 'https://evil.example');
      expect(res.status).toBe(200);
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
    });

    it('the native multipart publish from another origin is refused and stores nothing', async () => {
      const name = uniqueName('xsite-pub');
      const { body, contentType } = multipart([metadataPart({}), filePart('model.pkl', 'weights')]);
      const res = await agent().post(versionsUrl(name)).set('Origin', 'https://evil.example').set('Content-Type', contentType).send(body);
      expect(res.status).toBe(403);
      expect(res.text).toBe(CORS_BLOCKED_MSG);
      expect(await modelExists(name)).toBe(false);
    });

    it('the artifact proxy PUT from another site is refused and writes nothing', async () => {
      const rel = `xsite/${uniqueName('a')}.txt`;
      const res = await agent().put(`${ARTIFACTS}/${rel}`).set('Sec-Fetch-Site', 'cross-site').send(Buffer.from('pwned'));
      expect(res.status).toBe(403);
      expect(fs.existsSync(path.join(t.dir, 'mlartifacts', rel))).toBe(false);
      const ok = await agent().put(`${ARTIFACTS}/${rel}`).send(Buffer.from('fine'));
      expect(ok.status).toBe(200);
    });
  });

  describe('CORS preflight', () => {
    it.each<[string, string, RawSecurityFlags, number, string | undefined]>([
      ['a localhost page', 'http://localhost:3000', {}, 204, 'http://localhost:3000'],
      ['a listed origin', 'https://app.company.com', { corsAllowedOrigins: 'https://app.company.com' }, 204, 'https://app.company.com'],
      ['another origin', 'https://evil.example', {}, 400, undefined],
      ['another origin with a list', 'https://evil.example', { corsAllowedOrigins: 'https://app.company.com' }, 400, undefined],
      ['any origin with *', 'https://evil.example', { corsAllowedOrigins: '*' }, 204, '*'],
    ])('%s', async (_label, origin, flags, status, allowOrigin) => {
      const res = await agent(flags)
        .options(`${API}/registered-models/create`)
        .set('Origin', origin)
        .set('Access-Control-Request-Method', 'POST')
        .set('Access-Control-Request-Headers', 'content-type, authorization');
      expect(res.status).toBe(status);
      expect(res.headers['access-control-allow-origin']).toBe(allowOrigin);
      if (status === 204) {
        expect(res.headers['access-control-allow-methods']).toBe('GET, POST, PUT, DELETE, OPTIONS, PATCH');
        expect(res.headers['access-control-allow-headers']).toBe('content-type, authorization');
        expect(res.headers['access-control-allow-credentials']).toBe(allowOrigin === '*' ? undefined : 'true');
      } else {
        expect(res.text).toBe(DISALLOWED_ORIGIN_MSG);
      }
    });

    it('an allowed origin gets CORS headers on the answer itself', async () => {
      const res = await agent().get(`${API}/experiments/search?max_results=1`).set('Origin', 'http://localhost:3000');
      expect(res.headers['access-control-allow-origin']).toBe('http://localhost:3000');
      expect(res.headers['access-control-allow-credentials']).toBe('true');
      expect(res.headers.vary).toMatch(/Origin/);
    });
  });

  describe('security headers on every response', () => {
    it.each<[string, RawSecurityFlags, string, string | undefined]>([
      ['default', {}, `${API}/experiments/search?max_results=1`, 'SAMEORIGIN'],
      ['a 404', {}, '/no/such/route', 'SAMEORIGIN'],
      ['a 400', {}, `${API}/registered-models/get`, 'SAMEORIGIN'],
      ['/health', {}, '/health', 'SAMEORIGIN'],
      ['DENY', { xFrameOptions: 'deny' }, '/health', 'DENY'],
      ['NONE', { xFrameOptions: 'NONE' }, '/health', undefined],
    ])('%s', async (_label, flags, url, frame) => {
      const res = await agent(flags).get(url);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-frame-options']).toBe(frame);
    });

    it('on a refused Host too', async () => {
      const res = await agent().get('/api/2.0/mlflow/experiments/search').set('Host', 'evil.example');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
    });

    it('none with the middleware off', async () => {
      const res = await agent({ disableSecurityMiddleware: true }).get('/health');
      expect(res.headers['x-content-type-options']).toBeUndefined();
      expect(res.headers['x-frame-options']).toBeUndefined();
    });
  });
});
