/**
 * The journal on every backend: each state change through the MLflow API appends exactly one audit
 * event, in the same transaction (a refused or failed write appends none), with who made it (the
 * authenticated user, or `anonymous` with authentication off), the request id and client, and the
 * values before and after; the chain verifies afterwards, and `--no-audit` appends nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../src/store/audit-store.js';
import { API, backends, createTestApp, TEST_ADMIN_PASSWORD, type TestApp } from '../helpers/app.js';

const ADMIN = `Basic ${Buffer.from(`admin:${TEST_ADMIN_PASSWORD}`).toString('base64')}`;

type Row = AuditEvent;

/** The trail's events after `after`, oldest first (one database here: the registry's trail is the tracking's). */
async function events(t: TestApp, after = 0): Promise<Row[]> {
  const page = await t.services.auditTrails.registry.list({ limit: 1000 });
  return page.events.filter((e) => e.id > after).reverse();
}

async function lastSeq(t: TestApp): Promise<number> {
  const page = await t.services.auditTrails.registry.list({ limit: 1 });
  return page.events[0]?.id ?? 0;
}

describe.each(backends())('the journal (%s)', (backend) => {
  describe('with authentication on', () => {
    let t: TestApp;
    const post = (path: string, body: object) => t.request.post(`${API}${path}`).set('Authorization', ADMIN).set('User-Agent', 'audit-test/1').send(body);
    const patch = (path: string, body: object) => t.request.patch(`${API}${path}`).set('Authorization', ADMIN).send(body);
    const del = (path: string, body: object) => t.request.delete(`${API}${path}`).set('Authorization', ADMIN).send(body);

    beforeAll(async () => {
      t = await createTestApp(backend, { auth: {} });
    });
    afterAll(() => t.close());

    it('records each registry change once, in order, with user, request and values', async () => {
      const start = await lastSeq(t);
      const steps: [() => PromiseLike<{ status: number; text: string }>, string, string | null][] = [
        [() => post('/registered-models/create', { name: 'm', tags: [{ key: 'team', value: 'a' }] }), 'registered_model.create', null],
        // MLflow's auth app gives the creator MANAGE on what they create: a change of its own.
        [async () => ({ status: 200, text: '' }), 'permission.create', null],
        [() => post('/model-versions/create', { name: 'm', source: 's3://b/1' }), 'model_version.create', '1'],
        [() => post('/model-versions/create', { name: 'm', source: 's3://b/2' }), 'model_version.create', '2'],
        [() => post('/registered-models/alias', { name: 'm', alias: 'champion', version: '1' }), 'model_version.alias.set', '1'],
        [() => post('/registered-models/alias', { name: 'm', alias: 'champion', version: '2' }), 'model_version.alias.set', '2'],
        [() => post('/model-versions/set-tag', { name: 'm', version: '2', key: 'validation', value: 'passed' }), 'model_version.tag.set', '2'],
        [() => post('/model-versions/transition-stage', { name: 'm', version: '2', stage: 'Production', archive_existing_versions: false }), 'model_version.stage.transition', '2'],
        [() => patch('/registered-models/update', { name: 'm', description: 'first' }), 'registered_model.update', null],
        [() => post('/registered-models/set-tag', { name: 'm', key: 'team', value: 'b' }), 'registered_model.tag.set', null],
        [() => del('/registered-models/alias', { name: 'm', alias: 'champion' }), 'model_version.alias.delete', '2'],
        [() => del('/model-versions/delete', { name: 'm', version: '1' }), 'model_version.delete', '1'],
        [() => post('/registered-models/rename', { name: 'm', new_name: 'm2' }), 'registered_model.rename', null],
        // The grants on the model follow its new name.
        [async () => ({ status: 200, text: '' }), 'permission.rename_resource', null],
      ];
      for (const [step] of steps) {
        const res = await step();
        expect(res.status, res.text).toBe(200);
      }
      const got = await events(t, start);
      expect(got.map((e) => [e.action, e.version])).toEqual(steps.map(([, action, version]) => [action, version]));
      for (const e of got) {
        expect(e.user).toBe('admin');
        expect(e.requestId).toMatch(/^[0-9a-f]{8}$/);
        expect(e.clientAddress).toBeTruthy();
      }
      // A grant made by a request's after-hook carries that request's id.
      expect(got[1]?.requestId).toBe(got[0]?.requestId);
      expect(new Set(got.map((e) => e.requestId)).size).toBe(got.length - 2);
      const moved = got[5] as Row;
      expect(moved.before).toEqual({ alias: 'champion', version: '1' });
      expect(moved.after).toEqual({ alias: 'champion', version: '2' });
      expect(moved.userAgent).toBe('audit-test/1');
      const retagged = got[9] as Row;
      expect(retagged.before).toEqual({ key: 'team', value: 'a' });
      expect(retagged.after).toEqual({ key: 'team', value: 'b' });
      const renamed = got[12] as Row;
      expect(renamed.name).toBe('m2');
      expect(renamed.before).toEqual({ name: 'm' });
      await t.services.auditTrails.registry.seal();
      expect(await t.services.auditTrails.registry.verify()).toMatchObject({ ok: true, pending: 0 });
    });

    it('records tracking and access-control changes, never a secret', async () => {
      const start = await lastSeq(t);
      const exp = await post('/experiments/create', { name: 'e' });
      expect(exp.status, exp.text).toBe(200);
      const run = await post('/runs/create', { experiment_id: exp.body.experiment_id });
      const runId = run.body.run.info.run_id as string;
      expect((await post('/runs/log-batch', { run_id: runId, metrics: [{ key: 'acc', value: 1, timestamp: 1, step: 0 }], params: [{ key: 'lr', value: '0.1' }] })).status).toBe(200);
      expect((await post('/users/create', { username: 'carol', password: 'a-long-enough-password' })).status).toBe(200);
      const tok = await t.request.post('/api/flowreg/v1/tokens').set('Authorization', ADMIN).send({ name: 'ci' });
      expect(tok.status, tok.text).toBe(200);
      const got = await events(t, start);
      expect(got.map((e) => e.action)).toEqual(['experiment.create', 'permission.create', 'run.create', 'run.log_batch', 'user.create', 'token.create']);
      const text = JSON.stringify(got);
      expect(text).not.toContain('a-long-enough-password');
      expect(text).not.toContain(tok.body.token ?? 'no token in the answer');
      expect((got[3] as Row).after).toMatchObject({ params: [{ key: 'lr', value: '0.1' }], metrics: { count: 1, keys: ['acc'] } });
    });

    it('appends nothing for a refused or failed write', async () => {
      const start = await lastSeq(t);
      expect((await post('/model-versions/create', { name: 'no-such-model', source: 'x' })).status).toBe(400);
      expect((await post('/registered-models/create', { name: 'm2' })).status).toBe(400);
      expect((await post('/registered-models/alias', { name: 'm2', alias: 'x', version: '99' })).status).toBe(404);
      expect((await t.request.post(`${API}/registered-models/create`).send({ name: 'anon' })).status).toBe(401);
      expect(await events(t, start)).toEqual([]);
    });
  });

  describe('with authentication off', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp(backend);
    });
    afterAll(() => t.close());

    it('records the change as anonymous', async () => {
      expect((await t.request.post(`${API}/registered-models/create`).send({ name: 'open' })).status).toBe(200);
      const got = await events(t);
      expect(got.map((e) => [e.action, e.user])).toEqual([['registered_model.create', 'anonymous']]);
    });
  });

  describe('with --no-audit', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp(backend, { audit: false });
    });
    afterAll(() => t.close());

    it('appends nothing', async () => {
      expect((await t.request.post(`${API}/registered-models/create`).send({ name: 'quiet' })).status).toBe(200);
      expect((await t.request.post(`${API}/registered-models/alias`).send({ name: 'quiet', alias: 'a', version: '1' })).status).toBe(404);
      expect(await events(t)).toEqual([]);
    });
  });
});
