/**
 * The dispatcher's log: one line per request at a level chosen by its status, and a request id
 * that ties an INTERNAL_ERROR the client saw to the log line with the stack.
 */
import supertest from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import type { RouteDef } from '../../src/http/router.js';
import { API, createTestApp, type TestApp } from '../helpers/app.js';
import { expectError } from './support.js';

describe('request log', () => {
  let t: TestApp;
  let app: supertest.Agent;
  const boom: RouteDef = {
    method: 'GET',
    version: '2.0',
    path: '/mlflow/test-only/boom',
    handler: () => {
      throw new Error('boom: a bug in a handler');
    },
  };

  beforeAll(async () => {
    t = await createTestApp();
    app = supertest.agent(createApp(t.services.deps, [boom]));
  });
  afterAll(async () => {
    await t?.close();
  });
  beforeEach(() => {
    t.logs.length = 0;
  });

  it('names the request id of an unexpected error in the message and in the one log line with its stack', async () => {
    const res = await app.get(`${API}/test-only/boom`);
    expectError(res, 500, 'INTERNAL_ERROR');
    const id = /request id (\w+)/.exec(res.body.message)?.[1];
    expect(id).toMatch(/^\w{6,}$/);
    const mentions = t.logs.filter((l) => l.includes('boom: a bug in a handler'));
    expect(mentions).toHaveLength(1);
    expect(mentions[0]).toMatch(new RegExp(`^error: GET ${API}/test-only/boom 500 [\\d.]+ms id=${id} Error: boom`));
  });

  it('gives each request its own id', async () => {
    const a = (await app.get(`${API}/test-only/boom`)).body.message;
    const b = (await app.get(`${API}/test-only/boom`)).body.message;
    expect(a).not.toBe(b);
  });

  it.each([
    ['a success', 'get', `${API}/registered-models/search`, 200, 'debug'],
    ['a bad request', 'get', `${API}/registered-models/get`, 400, 'info'],
    ['a missing resource', 'get', `${API}/registered-models/get?name=nope`, 404, 'debug'],
    ['an unknown endpoint', 'post', `${API}/no-such-rpc`, 404, 'debug'],
  ] as const)('logs %s at the level its status calls for', async (_what, method, url, status, level) => {
    expect((await app[method](url)).status).toBe(status);
    const lines = t.logs.filter((l) => / id=\w+/.test(l));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^${level}: ${method.toUpperCase()} ${url.split('?')[0]} ${status} [\\d.]+ms id=\\w+`));
  });

});
