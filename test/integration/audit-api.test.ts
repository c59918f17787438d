/**
 * The audit trail's read side, `GET /api/flowreg/v1/audit`, on every backend: the events a
 * sequence of registry calls, artifact writes and a native publish leave (who, which request,
 * before and after), the filters and paging (across two databases too), the access rules, and
 * `--no-audit`.
 */
import path from 'node:path';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { openServices } from '../../src/compose.js';
import { runAs, type Actor } from '../../src/domain/request-context.js';
import type { Change } from '../../src/store/change.js';
import { API, backends, createTestApp, TEST_ADMIN_PASSWORD, type TestApp } from '../helpers/app.js';
import { filePart, metadataPart, multipart, versionsUrl } from './native-support.js';

const AUDIT = '/api/flowreg/v1/audit';
const ART = '/api/2.0/mlflow-artifacts/artifacts';

interface WireEvent {
  id: number;
  seq: number | null;
  time: number;
  user: string;
  action: string;
  resource_type: string;
  name: string;
  version: string | null;
  before: unknown;
  after: unknown;
  request_id: string | null;
  client_address: string | null;
  user_agent: string | null;
  hash: string;
}

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

/** The request id of the last logged request to `method path` (the dispatcher's one line per request). */
function requestIdOf(t: TestApp, method: string, path: string): string {
  const line = [...t.logs].reverse().find((l) => l.includes(` ${method} ${path} `));
  const id = line && / id=(\w+)/.exec(line)?.[1];
  if (!id) throw new Error(`no log line for ${method} ${path}`);
  return id;
}

async function audit(t: TestApp, query: Record<string, string | number> = {}, auth?: string) {
  let r = t.request.get(AUDIT).query(query);
  if (auth) r = r.set('Authorization', auth);
  return r;
}

/** Every event the query matches, newest first, walking the pages. */
async function allEvents(t: TestApp, query: Record<string, string | number> = {}): Promise<WireEvent[]> {
  const out: WireEvent[] = [];
  let token: string | undefined;
  for (;;) {
    const res = await audit(t, { ...query, ...(token ? { page_token: token } : {}) });
    expect(res.status, res.text).toBe(200);
    out.push(...(res.body.events as WireEvent[]));
    token = res.body.next_page_token;
    if (!token) return out;
  }
}

/** Journals changes as a request of `user` would (the path artifacts and publishes take). */
async function recordAs(t: TestApp, user: string, changes: Change[]): Promise<void> {
  const actor: Actor = { user, requestId: null, address: null, userAgent: 'test' };
  await runAs(actor, () => t.services.deps.audit.record(changes));
}

describe.each(backends())('audit trail API (%s)', (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(backend);
  });
  afterAll(() => t?.close());

  it('records each registry call once, as anonymous, with its request id and the values before and after', async () => {
    const calls: { method: 'post' | 'patch' | 'delete'; path: string; body: object; expected: Partial<WireEvent> }[] = [
      {
        method: 'post',
        path: `${API}/registered-models/create`,
        body: { name: 'seq-model', description: 'first', tags: [{ key: 'team', value: 'a' }] },
        expected: {
          action: 'registered_model.create',
          resource_type: 'registered_model',
          version: null,
          before: null,
          after: { name: 'seq-model', description: 'first', tags: [{ key: 'team', value: 'a' }] },
        },
      },
      {
        method: 'post',
        path: `${API}/model-versions/create`,
        body: { name: 'seq-model', source: 's3://bucket/seq-model/1' },
        expected: { action: 'model_version.create', resource_type: 'model_version', version: '1', before: null },
      },
      {
        method: 'post',
        path: `${API}/registered-models/alias`,
        body: { name: 'seq-model', alias: 'champion', version: '1' },
        expected: { action: 'model_version.alias.set', version: '1', before: null, after: { alias: 'champion', version: '1' } },
      },
      {
        method: 'patch',
        path: `${API}/registered-models/update`,
        body: { name: 'seq-model', description: 'second' },
        expected: { action: 'registered_model.update', before: { description: 'first' }, after: { description: 'second' } },
      },
      {
        method: 'delete',
        path: `${API}/registered-models/alias`,
        body: { name: 'seq-model', alias: 'champion' },
        expected: { action: 'model_version.alias.delete', version: '1', before: { alias: 'champion', version: '1' }, after: null },
      },
    ];
    const ids: string[] = [];
    for (const c of calls) {
      const res = await t.request[c.method](c.path).set('User-Agent', 'audit-test/1.0').send(c.body);
      expect(res.status, res.text).toBe(200);
      ids.push(requestIdOf(t, c.method.toUpperCase(), c.path));
    }
    const events = await allEvents(t, { name: 'seq-model' });
    calls.forEach((c, i) => {
      const mine = events.filter((e) => e.request_id === ids[i]);
      expect(mine, c.path).toHaveLength(1);
      expect(mine[0]).toMatchObject({ ...c.expected, name: 'seq-model', user: 'anonymous', user_agent: 'audit-test/1.0' });
    });
    const created = events.find((e) => e.action === 'model_version.create');
    expect(created?.after).toMatchObject({ name: 'seq-model', version: '1', source: 's3://bucket/seq-model/1' });
    // Newest first.
    // (Ordered by when each was written; on PostgreSQL the newest may not be sealed yet.)
    const order = events.map((e) => e.id);
    expect(order).toEqual([...order].sort((a, b) => b - a));
  });

  it('records an artifact upload (with its size) and a delete, after they succeed', async () => {
    const path = '0/audit-run/artifacts/model/weights.bin';
    const put = await t.request.put(`${ART}/${path}`).set('User-Agent', 'audit-test/1.0').send(Buffer.alloc(1234, 7));
    expect(put.status, put.text).toBe(200);
    const putId = requestIdOf(t, 'PUT', `${ART}/${path}`);
    const del = await t.request.delete(`${ART}/${path}`);
    expect(del.status, del.text).toBe(200);
    const delId = requestIdOf(t, 'DELETE', `${ART}/${path}`);
    // A refused write leaves no event.
    expect((await t.request.put(`${ART}/0/..%2F..%2Fetc/passwd`).send('x')).status).toBe(400);

    const events = await allEvents(t, { resource_type: 'artifact' });
    expect(events.map((e) => [e.action, e.name, e.request_id, e.after])).toEqual([
      ['artifact.delete', path, delId, null],
      ['artifact.write', path, putId, { size: 1234 }],
    ]);
    expect(events[1]).toMatchObject({ user: 'anonymous', user_agent: 'audit-test/1.0', version: null });
    expect(events[1]?.client_address).toMatch(/127\.0\.0\.1|::1/);
  });

  it('records a native publish as model_version.publish', async () => {
    const { body, contentType } = multipart([metadataPart({}), filePart('model.pkl', 'weights'), filePart('MLmodel', 'flavors: {}\n')]);
    const res = await t.request.post(versionsUrl('published')).set('Content-Type', contentType).send(body);
    expect(res.status, res.text).toBe(200);
    const id = requestIdOf(t, 'POST', versionsUrl('published'));
    const events = await allEvents(t, { action: 'model_version.publish' });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ resource_type: 'model_version', name: 'published', version: '1', user: 'anonymous', request_id: id });
    expect(events[0]?.after).toMatchObject({ files: 2, source: res.body.model_version.source, run_id: res.body.model_version.run_id });
  });

  describe('filters and paging', () => {
    beforeAll(async () => {
      for (let i = 0; i < 12; i++) {
        await recordAs(t, i % 3 === 0 ? 'carol' : 'dave', [
          { action: 'model_version.tag.set', resourceType: 'model_version', name: `filtered-${i % 2}`, version: String(i), after: { key: 'k', value: String(i) } },
        ]);
        // Times differ from one event to the next, for the time filters.
        await new Promise((r) => setTimeout(r, 3));
      }
      // Sealed now, so that no event changes (gains its place in the chain) between two reads.
      await t.services.auditTrails.registry.seal();
      await t.services.auditTrails.tracking.seal();
    });

    it.each([
      ['name', { name: 'filtered-0' }, (e: WireEvent) => e.name === 'filtered-0'],
      ['name and version', { name: 'filtered-1', version: '5' }, (e: WireEvent) => e.name === 'filtered-1' && e.version === '5'],
      ['user', { user: 'carol' }, (e: WireEvent) => e.user === 'carol'],
      ['action', { action: 'model_version.tag.set' }, (e: WireEvent) => e.action === 'model_version.tag.set'],
      ['resource type', { resource_type: 'model_version' }, (e: WireEvent) => e.resource_type === 'model_version'],
    ] as const)('by %s', async (_what, query, keep) => {
      const everything = await allEvents(t);
      const expected = everything.filter(keep);
      expect(expected.length).toBeGreaterThan(0);
      expect(await allEvents(t, query)).toEqual(expected);
    });

    it('by time (since and until, inclusive)', async () => {
      const tagged = await allEvents(t, { action: 'model_version.tag.set' });
      const times = tagged.map((e) => e.time);
      const since = times[8] as number;
      const until = times[3] as number;
      const expected = tagged.filter((e) => e.time >= since && e.time <= until);
      expect(expected.length).toBeGreaterThanOrEqual(6);
      expect(await allEvents(t, { action: 'model_version.tag.set', since, until })).toEqual(expected);
      expect(await allEvents(t, { since: Date.now() + 60_000 })).toEqual([]);
    });

    it('pages through everything exactly once, newest first', async () => {
      const whole = await audit(t, { max_results: 1000 });
      expect(whole.body.next_page_token).toBeUndefined();
      const paged = await allEvents(t, { max_results: 5 });
      expect(paged).toEqual(whole.body.events);
      expect(paged.length).toBeGreaterThan(12);
      const first = await audit(t, { max_results: 5 });
      expect(first.body.events).toHaveLength(5);
      expect(typeof first.body.next_page_token).toBe('string');
    });

    it('answers an empty page as {"events": []}', async () => {
      const res = await audit(t, { name: 'no-such-thing' });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ events: [] });
    });

    it.each([
      ['max_results=0', { max_results: 0 }, "Invalid value 0 for parameter 'max_results': it must be between 1 and 1000."],
      ['max_results=1001', { max_results: 1001 }, "Invalid value 1001 for parameter 'max_results': it must be between 1 and 1000."],
      ['max_results=-1', { max_results: -1 }, "Invalid value -1 for parameter 'max_results': it must be between 1 and 1000."],
      ['max_results=abc', { max_results: 'abc' }, undefined],
      ['since=yesterday', { since: 'yesterday' }, undefined],
      ['an unknown resource type', { resource_type: 'galaxy' }, undefined],
      ['a page token that is not base64 JSON', { page_token: '%%%' }, undefined],
      ['a page token naming another trail', { page_token: Buffer.from('{"cursor":{"elsewhere":3}}').toString('base64') }, undefined],
      ['a page token with a bad position', { page_token: Buffer.from('{"cursor":{"backend":-3}}').toString('base64') }, undefined],
      ['an offset page token', { page_token: Buffer.from('{"offset": 3}').toString('base64') }, undefined],
    ] as const)('refuses %s with 400 INVALID_PARAMETER_VALUE', async (_what, query, message) => {
      const res = await audit(t, query);
      expect(res.status).toBe(400);
      expect(res.body.error_code).toBe('INVALID_PARAMETER_VALUE');
      if (message) expect(res.body.message).toBe(message);
    });
  });
});

describe.each(backends())('audit trail with a separate registry store (%s)', (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(backend, { separateRegistryStore: true });
    // Interleaved in time: registry, backend, registry, …
    for (let i = 0; i < 9; i++) {
      const change: Change =
        i % 2 === 0
          ? { action: 'registered_model.tag.set', resourceType: 'registered_model', name: 'split-model', after: { key: 'i', value: String(i) } }
          : { action: 'run.tag.set', resourceType: 'run', name: `run-${i}`, after: { key: 'i', value: String(i) } };
      await recordAs(t, 'erin', [change]);
      await new Promise((r) => setTimeout(r, 3));
    }
  });
  afterAll(() => t?.close());

  it("keeps each resource in its own database's trail", async () => {
    const { tracking, registry } = t.services.auditTrails;
    const inRegistry = await registry.list({ limit: 100 });
    const inBackend = await tracking.list({ limit: 100 });
    expect(inRegistry.events.map((e) => e.resourceType)).toEqual(Array(5).fill('registered_model'));
    expect(inBackend.events.map((e) => e.resourceType)).toEqual(Array(4).fill('run'));
    await registry.seal();
    await tracking.seal();
    expect((await registry.verify()).ok).toBe(true);
    expect((await tracking.verify()).ok).toBe(true);
  });

  it('merges both trails newest first when no resource type is given, and pages across them', async () => {
    const whole = await audit(t, { max_results: 100 });
    expect(whole.status).toBe(200);
    const values = (whole.body.events as WireEvent[]).map((e) => (e.after as { value: string }).value);
    expect(values).toEqual(['8', '7', '6', '5', '4', '3', '2', '1', '0']);
    for (const size of [1, 2, 4]) expect(await allEvents(t, { max_results: size })).toEqual(whole.body.events);
  });

  it('reads only the trail that holds a resource type', async () => {
    expect((await allEvents(t, { resource_type: 'registered_model' })).map((e) => e.resource_type)).toEqual(Array(5).fill('registered_model'));
    expect((await allEvents(t, { resource_type: 'run', max_results: 3 })).map((e) => e.name)).toEqual(['run-7', 'run-5', 'run-3', 'run-1']);
  });
});

describe.each(backends())('audit trail with --no-audit (%s)', (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(backend, { audit: false });
  });
  afterAll(() => t?.close());

  it('records nothing and still answers', async () => {
    expect((await t.request.post(`${API}/registered-models/create`).send({ name: 'quiet' })).status).toBe(200);
    expect((await t.request.put(`${ART}/0/quiet/artifacts/a.txt`).send('x')).status).toBe(200);
    const res = await audit(t);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ events: [] });
  });

  it('shows the events recorded while the trail was on', async () => {
    // Another server on the same database, with the trail on (as before a restart with --no-audit).
    const on = await openServices({
      backendStore: t.stores.backend,
      defaultArtifactRoot: 'mlflow-artifacts:/',
      artifactsDestination: path.join(t.dir, 'mlartifacts'),
      serveArtifacts: true,
      artifactsOnly: false,
      logger: () => undefined,
      poolSize: 2,
    });
    try {
      const res = await supertest(createApp(on.deps)).post(`${API}/registered-models/create`).send({ name: 'recorded' });
      expect(res.status, res.text).toBe(200);
    } finally {
      await on.close();
    }
    expect((await t.request.post(`${API}/registered-models/create`).send({ name: 'quiet-again' })).status).toBe(200);
    const events = (await audit(t)).body.events as WireEvent[];
    expect(events.map((e) => [e.action, e.name])).toEqual([['registered_model.create', 'recorded']]);
  });
});

describe.each(backends())('who may read the audit trail (%s)', (backend) => {
  let t: TestApp;
  const ADMIN = basic('admin', TEST_ADMIN_PASSWORD);
  const PW = 'a-long-enough-password';
  const READER = basic('reader', PW);
  const STRANGER = basic('stranger', PW);

  beforeAll(async () => {
    t = await createTestApp(backend, { auth: { default_permission: 'NO_PERMISSIONS' } });
    for (const username of ['reader', 'stranger']) {
      const res = await t.request.post(`${API}/users/create`).set('Authorization', ADMIN).send({ username, password: PW });
      expect(res.status, res.text).toBe(200);
    }
    for (const name of ['open-model', 'closed-model']) {
      expect((await t.request.post(`${API}/registered-models/create`).set('Authorization', ADMIN).send({ name })).status).toBe(200);
    }
    const grant = await t.request
      .post(`${API}/registered-models/permissions/create`)
      .set('Authorization', ADMIN)
      .send({ name: 'open-model', username: 'reader', permission: 'READ' });
    expect(grant.status, grant.text).toBe(200);
    await recordAs(t, 'admin', [
      { action: 'model_version.tag.set', resourceType: 'model_version', name: 'open-model', version: '1', after: { key: 'k', value: 'v' } },
      { action: 'registered_model.tag.set', resourceType: 'registered_model', name: 'closed-model', after: { key: 'k', value: 'v' } },
      { action: 'user.create', resourceType: 'user', name: 'open-model' },
    ]);
    const put = await t.request.put(`${ART}/0/admin-run/artifacts/a.txt`).set('Authorization', ADMIN).send('abc');
    expect(put.status, put.text).toBe(200);
  });
  afterAll(() => t?.close());

  const DENIED_MESSAGE =
    "Only admins may read the whole audit trail. Other users read the events of one registered model they have READ on: pass 'name' (the model) and no 'resource_type' or one of registered_model, model_version, protection, approval_request.";

  it.each([
    ['admin, everything', ADMIN, {}, 200],
    ['admin, another resource type', ADMIN, { resource_type: 'artifact' }, 200],
    ['reader of the model, by name', READER, { name: 'open-model' }, 200],
    ['reader of the model, its versions', READER, { name: 'open-model', resource_type: 'model_version' }, 200],
    ['reader of the model, a non-model type', READER, { name: 'open-model', resource_type: 'user' }, 403],
    ['reader, another model', READER, { name: 'closed-model' }, 403],
    ['reader, no name', READER, {}, 403],
    ['reader, no name but a model type', READER, { resource_type: 'registered_model' }, 403],
    ['non-reader, the model', STRANGER, { name: 'open-model' }, 403],
    ['no credentials', undefined, { name: 'open-model' }, 401],
  ] as const)('%s → %i', async (_who, auth, query, status) => {
    const res = await audit(t, query, auth);
    expect(res.status, res.text).toBe(status);
    if (status === 403) {
      expect(res.body.error_code).toBe('PERMISSION_DENIED');
      if (!('name' in query) || 'resource_type' in query) expect(res.body.message).toBe(DENIED_MESSAGE);
    }
  });

  it("shows a reader only the named model's events, never other types under the same name", async () => {
    const res = await audit(t, { name: 'open-model' }, READER);
    const events = res.body.events as WireEvent[];
    expect(events.length).toBeGreaterThan(0);
    for (const e of events) {
      expect(e.name).toBe('open-model');
      expect(['registered_model', 'model_version']).toContain(e.resource_type);
    }
    expect(events.some((e) => e.action === 'model_version.tag.set')).toBe(true);
  });

  it('records the authenticated user', async () => {
    const artifact = (await audit(t, { resource_type: 'artifact' }, ADMIN)).body.events as WireEvent[];
    expect(artifact.map((e) => [e.action, e.user])).toEqual([['artifact.write', 'admin']]);
    const created = (await audit(t, { action: 'registered_model.create' }, ADMIN)).body.events as WireEvent[];
    expect(created.map((e) => [e.name, e.user])).toEqual([
      ['closed-model', 'admin'],
      ['open-model', 'admin'],
    ]);
  });
});
