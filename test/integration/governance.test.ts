/**
 * Governance on every backend: the history of aliases and stages (written by a journal sink inside
 * each write's transaction), one-call rollback, protections refusing MLflow's alias, stage and
 * version calls under /api and /ajax-api, approval requests with four eyes, required tags, and the
 * Changes that the audit trail records for them.
 */
import pg from 'pg';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, createTestApp, TEST_ADMIN_PASSWORD, type TestApp } from '../helpers/app.js';
import { filePart, metadataPart, multipart } from './native-support.js';
import { uniqueName } from './support.js';

const GOV = '/api/flowreg/v1';
const MLFLOW = '/api/2.0/mlflow';
const AJAX = '/ajax-api/2.0/mlflow';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

function call(t: TestApp, method: Method, path: string, body?: object, auth?: string) {
  let r = t.request[method](path);
  if (auth !== undefined) r = r.set('Authorization', auth);
  if (body === undefined) return r;
  if (method === 'get') return r.query(body as Record<string, string>);
  return r.set('Content-Type', 'application/json').send(JSON.stringify(body));
}

async function ok(res: Promise<{ status: number; body: any; text: string }> | { status: number; body: any; text: string }) {
  const r = await res;
  expect(r.status, r.text).toBe(200);
  return r.body;
}

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

/** A model with `n` versions. */
async function model(t: TestApp, n: number, auth?: string, prefix = 'gov'): Promise<string> {
  const name = uniqueName(prefix);
  await ok(call(t, 'post', `${MLFLOW}/registered-models/create`, { name }, auth));
  for (let i = 1; i <= n; i++) await ok(call(t, 'post', `${MLFLOW}/model-versions/create`, { name, source: `s3://b/${i}` }, auth));
  return name;
}

const setAlias = (t: TestApp, name: string, alias: string, version: string, auth?: string, base = MLFLOW) =>
  call(t, 'post', `${base}/registered-models/alias`, { name, alias, version }, auth);
const aliasOf = async (t: TestApp, name: string, alias: string, auth?: string) =>
  (await ok(call(t, 'get', `${MLFLOW}/registered-models/alias`, { name, alias }, auth))).model_version.version;
const history = async (t: TestApp, name: string, alias: string, params?: object) =>
  ok(call(t, 'get', `${GOV}/models/${encodeURIComponent(name)}/aliases/${alias}/history`, params));

function expectProtected(res: { status: number; body: any }, message: string): void {
  expect(res.status).toBe(403);
  expect(res.body).toEqual({ error_code: 'PERMISSION_DENIED', message });
}

describe.each(backends())('governance, authentication off (%s)', (backend) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp(backend);
  });
  afterAll(() => t.close());

  it('lists every position of an alias, newest first, with its previous version, user and kind', async () => {
    const name = await model(t, 3);
    for (const v of ['1', '2', '3']) await ok(setAlias(t, name, 'champion', v));
    await ok(call(t, 'delete', `${MLFLOW}/registered-models/alias`, { name, alias: 'champion' }));
    const body = await history(t, name, 'champion');
    expect(body.history.map((h: any) => [h.kind, h.version, h.previous_version, h.user])).toEqual([
      ['delete', undefined, '3', 'anonymous'],
      ['set', '3', '2', 'anonymous'],
      ['set', '2', '1', 'anonymous'],
      ['set', '1', undefined, 'anonymous'],
    ]);
    expect(typeof body.history[0].timestamp).toBe('number');
    expect(body).not.toHaveProperty('next_page_token');
    // Paged: two, then the other two.
    const first = await history(t, name, 'champion', { max_results: '2' });
    expect(first.history.map((h: any) => h.kind)).toEqual(['delete', 'set']);
    const second = await history(t, name, 'champion', { max_results: '2', page_token: first.next_page_token });
    expect(second.history.map((h: any) => h.version)).toEqual(['2', '1']);
    expect(second).not.toHaveProperty('next_page_token');
  });

  it('records a deleted version taking its alias with it', async () => {
    const name = await model(t, 2);
    await ok(setAlias(t, name, 'blue', '2'));
    await ok(call(t, 'delete', `${MLFLOW}/model-versions/delete`, { name, version: '2' }));
    expect((await history(t, name, 'blue')).history[0]).toMatchObject({ kind: 'delete', previous_version: '2' });
  });

  it('keeps the history of stage transitions', async () => {
    const name = await model(t, 2);
    const transition = (version: string, stage: string, archive = false) =>
      ok(call(t, 'post', `${MLFLOW}/model-versions/transition-stage`, { name, version, stage, archive_existing_versions: archive }));
    await transition('1', 'Production');
    await transition('2', 'production', true);
    const prod = await ok(call(t, 'get', `${GOV}/models/${name}/stages/Production/history`));
    // Version 2 entered, archiving version 1 (its previous version); version 1 entered first.
    expect(prod.history.map((h: any) => [h.kind, h.version, h.previous_version])).toEqual([
      ['set', '2', '1'],
      ['set', '1', undefined],
    ]);
    const none = await ok(call(t, 'get', `${GOV}/models/${name}/stages/none/history`));
    expect(none.history.map((h: any) => [h.kind, h.previous_version])).toEqual([
      ['delete', '2'],
      ['delete', '1'],
    ]);
  });

  it('rolls an alias back to its previous position, or to a named version, in one call', async () => {
    const name = await model(t, 3);
    await ok(setAlias(t, name, 'champion', '1'));
    await ok(setAlias(t, name, 'champion', '2'));
    const back = await ok(call(t, 'post', `${GOV}/models/${name}/aliases/champion/rollback`, {}));
    expect(back).toEqual({ name, alias: 'champion', version: '1', kind: 'rollback' });
    expect(await aliasOf(t, name, 'champion')).toBe('1');
    expect((await history(t, name, 'champion')).history[0]).toMatchObject({ kind: 'rollback', version: '1', previous_version: '2' });
    // Rolling back again returns to where the rollback came from.
    await ok(call(t, 'post', `${GOV}/models/${name}/aliases/champion/rollback`, {}));
    expect(await aliasOf(t, name, 'champion')).toBe('2');
    await ok(call(t, 'post', `${GOV}/models/${name}/aliases/champion/rollback`, { version: '3' }));
    expect(await aliasOf(t, name, 'champion')).toBe('3');
  });

  it('refuses a rollback with no previous position, or to a deleted version, and changes nothing', async () => {
    const name = await model(t, 2);
    const none = await call(t, 'post', `${GOV}/models/${name}/aliases/fresh/rollback`, {});
    expect(none.status).toBe(400);
    expect(none.body.message).toBe(`Alias 'fresh' of model '${name}' has no previous position to roll back to; name the version: {"version": "3"}.`);
    await ok(setAlias(t, name, 'fresh', '1'));
    expect((await call(t, 'post', `${GOV}/models/${name}/aliases/fresh/rollback`, {})).status).toBe(400);

    await ok(setAlias(t, name, 'fresh', '2'));
    await ok(call(t, 'delete', `${MLFLOW}/model-versions/delete`, { name, version: '1' }));
    const gone = await call(t, 'post', `${GOV}/models/${name}/aliases/fresh/rollback`, {});
    expect(gone.status).toBe(400);
    expect(gone.body.message).toBe(`Cannot roll back alias 'fresh' of model '${name}' to version 1: that version does not exist or was deleted.`);
    expect(await aliasOf(t, name, 'fresh')).toBe('2');
  });

  it('refuses MLflow alias calls on a protected alias, under /api and /ajax-api, naming the request API', async () => {
    const name = await model(t, 2);
    await ok(setAlias(t, name, 'champion', '1'));
    const put = await ok(call(t, 'put', `${GOV}/models/${name}/aliases/champion/protection`, { approvals_required: 2, required_tags: { validation: 'passed' } }));
    expect(put.protection).toMatchObject({ name, alias: 'champion', approvals_required: 2, required_tags: { validation: 'passed' }, source: 'model', user: 'anonymous' });
    expect((await ok(call(t, 'get', `${GOV}/models/${name}/aliases/champion/protection`))).protection).toEqual(put.protection);

    const message = `Alias 'champion' of model '${name}' is protected: request the change with POST /api/flowreg/v1/models/${name}/aliases/champion/requests`;
    for (const base of [MLFLOW, AJAX]) {
      expectProtected(await setAlias(t, name, 'champion', '2', undefined, base), message);
      expectProtected(await call(t, 'delete', `${base}/registered-models/alias`, { name, alias: 'champion' }), message);
    }
    expect(await aliasOf(t, name, 'champion')).toBe('1');
    // Nothing refused reached the history.
    expect((await history(t, name, 'champion')).history).toHaveLength(1);
    // Other aliases are not affected.
    await ok(setAlias(t, name, 'challenger', '2'));

    // Removing the protection lets MLflow's calls through again.
    expect(await ok(call(t, 'delete', `${GOV}/models/${name}/aliases/champion/protection`))).toEqual({ protection: null });
    await ok(setAlias(t, name, 'champion', '2'));
  });

  it.runIf(backend === 'postgres')('does not miss a protection committed while an alias write is in flight', async () => {
    const name = await model(t, 2);
    await ok(setAlias(t, name, 'champion', '1'));
    if (t.location.kind !== 'postgres') return;
    const other = new pg.Client({ connectionString: t.location.connectionString });
    await other.connect();
    try {
      // Another replica protects the alias, in a transaction still open: it holds the model's row lock.
      await other.query('BEGIN');
      await other.query('UPDATE registered_models SET last_version = last_version WHERE name = $1', [name]);
      await other.query(
        `INSERT INTO governance_protections (model_name, target_type, target, approvals_required, required_tags, user_name, time)
         VALUES ($1, 'alias', 'champion', 1, '[]', 'other', 0)`,
        [name],
      );
      // Its own connection (the shared agent serves one request at a time).
      const write = setAlias({ ...t, request: supertest(t.app) } as unknown as TestApp, name, 'champion', '2');
      const inFlight = write.then((r) => r);
      // The write reaches the guard and waits for the model's row lock.
      for (let i = 0; i < 200; i++) {
        const waiting = await other.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()`);
        if (waiting.rows[0].n > 0) break;
        await new Promise((r) => setTimeout(r, 25));
      }
      await other.query('COMMIT');
      const res = await inFlight;
      expect(res.status).toBe(403);
      expect(res.body.error_code).toBe('PERMISSION_DENIED');
      expect(await aliasOf(t, name, 'champion')).toBe('1');
    } finally {
      await other.end();
    }
  });

  it('answers alias writes racing protection changes with 200 or 403, never an error', async () => {
    const name = await model(t, 2);
    const agent = () => ({ ...t, request: supertest(t.app) }) as unknown as TestApp;
    const protectPath = `${GOV}/models/${name}/aliases/champion/protection`;
    const calls = [];
    for (let i = 0; i < 12; i++) {
      calls.push(setAlias(agent(), name, 'champion', String(1 + (i % 2))));
      if (i % 4 === 0) calls.push(call(agent(), i % 8 === 0 ? 'put' : 'delete', protectPath, {}));
    }
    const statuses = (await Promise.all(calls)).map((r) => r.status);
    expect(statuses.filter((s) => ![200, 403, 404].includes(s))).toEqual([]);
  });

  it('refuses deleting a version that holds a protected alias', async () => {
    const name = await model(t, 1);
    await ok(setAlias(t, name, 'champion', '1'));
    await ok(call(t, 'put', `${GOV}/models/${name}/aliases/champion/protection`, { approvals_required: 1 }));
    for (const base of [MLFLOW, AJAX]) {
      expectProtected(
        await call(t, 'delete', `${base}/model-versions/delete`, { name, version: '1' }),
        `Version 1 of model '${name}' holds the protected alias 'champion' and cannot be deleted: move the alias first with POST /api/flowreg/v1/models/${name}/aliases/champion/requests`,
      );
    }
    expect((await ok(call(t, 'get', `${MLFLOW}/model-versions/get`, { name, version: '1' }))).model_version.aliases).toEqual(['champion']);
  });

  it('refuses transitions into a protected stage, under /api and /ajax-api', async () => {
    const name = await model(t, 2);
    await ok(call(t, 'put', `${GOV}/models/${name}/stages/production/protection`, {}));
    const message = `Stage 'Production' of model '${name}' is protected: request the change with POST /api/flowreg/v1/models/${name}/stages/Production/requests`;
    for (const base of [MLFLOW, AJAX]) {
      expectProtected(await call(t, 'post', `${base}/model-versions/transition-stage`, { name, version: '1', stage: 'Production', archive_existing_versions: false }), message);
    }
    expect((await ok(call(t, 'get', `${MLFLOW}/model-versions/get`, { name, version: '1' }))).model_version.current_stage).toBe('None');
    await ok(call(t, 'post', `${MLFLOW}/model-versions/transition-stage`, { name, version: '1', stage: 'Staging', archive_existing_versions: false }));
  });

  it('refuses self-approval (four eyes): with authentication off nobody else can approve', async () => {
    const name = await model(t, 2);
    await ok(call(t, 'put', `${GOV}/models/${name}/aliases/champion/protection`, { approvals_required: 1 }));
    const created = await ok(call(t, 'post', `${GOV}/models/${name}/aliases/champion/requests`, { version: '2', comment: 'better AUC' }));
    expect(created.request).toMatchObject({ name, alias: 'champion', version: '2', comment: 'better AUC', requester: 'anonymous', status: 'pending', approvals: 0, approvals_required: 1 });
    const self = await call(t, 'post', `${GOV}/requests/${created.request.id}/approve`, {});
    expectProtected(
      self,
      `User 'anonymous' made request ${created.request.id} and cannot approve it: another user with MANAGE on model '${name}' must (four eyes).`,
    );
    expect((await ok(call(t, 'get', `${GOV}/requests/${created.request.id}`))).request.status).toBe('pending');
  });

  it('applies a request that needs no approval once the version carries the required tags', async () => {
    const name = await model(t, 2);
    await ok(setAlias(t, name, 'champion', '1'));
    await ok(call(t, 'put', `${GOV}/models/${name}/aliases/champion/protection`, { approvals_required: 0, required_tags: { validation: 'passed' } }));
    const created = await ok(call(t, 'post', `${GOV}/models/${name}/aliases/champion/requests`, { version: '2' }));
    expect(created.request.status).toBe('approved');
    expect(created.missing_tags).toEqual({ validation: 'passed' });
    expect(await aliasOf(t, name, 'champion')).toBe('1');
    // Not yet: the tag is still missing.
    const early = await ok(call(t, 'post', `${GOV}/requests/${created.request.id}/apply`, {}));
    expect(early.missing_tags).toEqual({ validation: 'passed' });
    await ok(call(t, 'post', `${MLFLOW}/model-versions/set-tag`, { name, version: '2', key: 'validation', value: 'passed' }));
    const applied = await ok(call(t, 'post', `${GOV}/requests/${created.request.id}/apply`, {}));
    expect(applied.request.status).toBe('applied');
    expect(applied).not.toHaveProperty('missing_tags');
    expect(await aliasOf(t, name, 'champion')).toBe('2');
    expect((await history(t, name, 'champion')).history[0]).toMatchObject({ kind: 'approval', version: '2', previous_version: '1', request_id: created.request.id });
    const listed = await ok(call(t, 'get', `${GOV}/requests`, { status: 'applied', name }));
    expect(listed.requests.map((r: any) => r.id)).toEqual([created.request.id]);
    expect((await ok(call(t, 'get', `${GOV}/requests`, { status: 'pending', name }))).requests).toEqual([]);
  });

  it('refuses a request on an alias that is not protected, or for a version that does not exist', async () => {
    const name = await model(t, 1);
    const open = await call(t, 'post', `${GOV}/models/${name}/aliases/free/requests`, { version: '1' });
    expect(open.status).toBe(400);
    expect(open.body.message).toBe(`Alias 'free' of model '${name}' is not protected: change it directly, no request is needed.`);
    await ok(call(t, 'put', `${GOV}/models/${name}/aliases/free/protection`, {}));
    expect((await call(t, 'post', `${GOV}/models/${name}/aliases/free/requests`, { version: '9' })).status).toBe(404);
  });

  it('keeps the history, protections and requests of a renamed model', async () => {
    const name = await model(t, 2);
    await ok(setAlias(t, name, 'champion', '1'));
    await ok(call(t, 'put', `${GOV}/models/${name}/aliases/champion/protection`, {}));
    const renamed = `${name}-renamed`;
    await ok(call(t, 'post', `${MLFLOW}/registered-models/rename`, { name, new_name: renamed }));
    expect((await history(t, renamed, 'champion')).history.map((h: any) => h.version)).toEqual(['1']);
    expect((await history(t, name, 'champion')).history).toEqual([]);
    expectProtected(
      await setAlias(t, renamed, 'champion', '2'),
      `Alias 'champion' of model '${renamed}' is protected: request the change with POST /api/flowreg/v1/models/${renamed}/aliases/champion/requests`,
    );
  });

  it('forgets the history and protections of a deleted model: a new model of that name starts clean', async () => {
    const name = await model(t, 1);
    await ok(setAlias(t, name, 'champion', '1'));
    await ok(call(t, 'put', `${GOV}/models/${name}/aliases/gold/protection`, {}));
    await ok(call(t, 'delete', `${MLFLOW}/registered-models/delete`, { name }));
    await ok(call(t, 'post', `${MLFLOW}/registered-models/create`, { name }));
    expect((await history(t, name, 'champion')).history).toEqual([]);
    expect((await ok(call(t, 'get', `${GOV}/models/${name}/aliases/gold/protection`))).protection).toBeNull();
  });

  it('refuses a native publish that would set a protected alias before storing anything', async () => {
    const name = await model(t, 1);
    await ok(call(t, 'put', `${GOV}/models/${name}/aliases/champion/protection`, {}));
    const { body, contentType } = multipart([metadataPart({ aliases: ['champion'] }), filePart('model.bin', 'x')]);
    const res = await t.request.post(`${GOV}/models/${name}/versions`).set('Content-Type', contentType).send(body);
    expect(res.status).toBe(403);
    expect(res.body.message).toContain(`Alias 'champion' of model '${name}' is protected`);
    expect((await ok(call(t, 'get', `${MLFLOW}/registered-models/get`, { name }))).registered_model.latest_versions).toHaveLength(1);
  });

  it('validates its input', async () => {
    const name = await model(t, 1);
    expect((await call(t, 'put', `${GOV}/models/${name}/aliases/champion/protection`, { approvals_required: 11 })).status).toBe(400);
    expect((await call(t, 'put', `${GOV}/models/${name}/aliases/champion/protection`, { required_tags: ['x'] })).status).toBe(400);
    expect((await call(t, 'put', `${GOV}/models/${name}/aliases/latest/protection`, {})).status).toBe(400);
    expect((await call(t, 'put', `${GOV}/models/${name}/stages/Live/protection`, {})).status).toBe(400);
    expect((await call(t, 'put', `${GOV}/models/no-such-model/aliases/champion/protection`, {})).status).toBe(404);
    expect((await call(t, 'get', `${GOV}/requests`, { status: 'maybe' })).status).toBe(400);
    expect((await call(t, 'get', `${GOV}/requests/abc`)).status).toBe(404);
    expect((await call(t, 'get', `${GOV}/models/${name}/aliases/champion/history`, { max_results: '0' })).status).toBe(400);
    expect((await ok(call(t, 'get', `${GOV}/models/${name}/aliases/champion/protection`))).protection).toBeNull();
  });
});

describe.each(backends())('governance, server-wide protection (%s)', (backend) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp(backend, { governance: { aliases: ['production'], stages: ['Production'], approvalsRequired: 2 } });
  });
  afterAll(() => t.close());

  it('protects the configured aliases and stages on every model', async () => {
    const name = await model(t, 1);
    expect((await setAlias(t, name, 'production', '1')).status).toBe(403);
    expect((await call(t, 'post', `${MLFLOW}/model-versions/transition-stage`, { name, version: '1', stage: 'Production', archive_existing_versions: false })).status).toBe(403);
    await ok(setAlias(t, name, 'other', '1'));
    const shown = await ok(call(t, 'get', `${GOV}/models/${name}/aliases/production/protection`));
    expect(shown.protection).toEqual({ name, alias: 'production', approvals_required: 2, required_tags: {}, source: 'server' });
    const request = await ok(call(t, 'post', `${GOV}/models/${name}/stages/Production/requests`, { version: '1', archive_existing_versions: true }));
    expect(request.request).toMatchObject({ stage: 'Production', approvals_required: 2, archive_existing_versions: true, status: 'pending' });
  });
});

describe.each(backends())('governance, authentication on (%s)', (backend) => {
  let t: TestApp;
  const ADMIN = basic('admin', TEST_ADMIN_PASSWORD);
  const PW = 'a-long-enough-password';
  let alice: string; // creates the model: MANAGE
  let bob: string; // MANAGE by grant
  let carol: string; // EDIT by grant: may request, may not approve
  let name: string;

  beforeAll(async () => {
    t = await createTestApp(backend, { auth: { default_permission: 'READ' } });
    for (const u of ['alice', 'bob', 'carol']) await ok(call(t, 'post', `${MLFLOW}/users/create`, { username: u, password: PW }, ADMIN));
    [alice, bob, carol] = ['alice', 'bob', 'carol'].map((u) => basic(u, PW)) as [string, string, string];
    name = await model(t, 3, alice);
    await ok(call(t, 'post', `${MLFLOW}/registered-models/permissions/create`, { name, username: 'bob', permission: 'MANAGE' }, ADMIN));
    await ok(call(t, 'post', `${MLFLOW}/registered-models/permissions/create`, { name, username: 'carol', permission: 'EDIT' }, ADMIN));
    await ok(setAlias(t, name, 'champion', '1', alice));
  });
  afterAll(() => t.close());

  it('lets only MANAGE users protect an alias', async () => {
    expect((await call(t, 'put', `${GOV}/models/${name}/aliases/champion/protection`, { approvals_required: 1 }, carol)).status).toBe(403);
    await ok(call(t, 'put', `${GOV}/models/${name}/aliases/champion/protection`, { approvals_required: 1, required_tags: { validation: 'passed' } }, alice));
    expect((await setAlias(t, name, 'champion', '2', alice)).status).toBe(403);
  });

  it('moves the alias when another MANAGE user approves, and refuses the requester and non-MANAGE users', async () => {
    const created = await ok(call(t, 'post', `${GOV}/models/${name}/aliases/champion/requests`, { version: '2', comment: 'ship it' }, carol));
    const id = created.request.id as string;
    expect(created.request).toMatchObject({ requester: 'carol', status: 'pending' });

    // carol lacks MANAGE: the guard refuses her vote, even on her own request.
    expect((await call(t, 'post', `${GOV}/requests/${id}/approve`, {}, carol)).body).toEqual({ error_code: 'PERMISSION_DENIED', message: 'Permission denied' });
    // A request whose model the caller may not see is no oracle either.
    expect((await call(t, 'post', `${GOV}/requests/999999/approve`, {}, carol)).status).toBe(403);

    // The version lacks the required tag: approved, not applied.
    const approved = await ok(call(t, 'post', `${GOV}/requests/${id}/approve`, { comment: 'looks good' }, bob));
    expect(approved.request).toMatchObject({ status: 'approved', approvals: 1 });
    expect(approved.missing_tags).toEqual({ validation: 'passed' });
    expect(await aliasOf(t, name, 'champion', alice)).toBe('1');

    await ok(call(t, 'post', `${MLFLOW}/model-versions/set-tag`, { name, version: '2', key: 'validation', value: 'passed' }, alice));
    const applied = await ok(call(t, 'post', `${GOV}/requests/${id}/apply`, {}, alice));
    expect(applied.request.status).toBe('applied');
    expect(await aliasOf(t, name, 'champion', alice)).toBe('2');
    const newest = (await ok(call(t, 'get', `${GOV}/models/${name}/aliases/champion/history`, undefined, carol))).history[0];
    expect(newest).toEqual({
      kind: 'approval',
      version: '2',
      previous_version: '1',
      request_id: id,
      user: 'alice',
      timestamp: expect.any(Number),
      requester: 'carol',
      approved_by: ['bob'],
    });

    // The trail: the request, the vote, the move with via 'approval', the apply.
    const events = (await t.services.auditTrails.registry.list({ name, limit: 50 })).events;
    const actions = events.map((e) => `${e.user} ${e.action}`);
    expect(actions).toEqual(expect.arrayContaining(['carol approval_request.create', 'bob approval_request.approve', 'alice approval_request.apply', 'alice model_version.alias.set']));
    const move = events.find((e) => e.action === 'model_version.alias.set' && (e.after as any)?.via === 'approval');
    expect(move?.after).toEqual({ alias: 'champion', version: '2', via: 'approval', request_id: id });
  });

  it('refuses self-approval with four eyes, and lets a rejection close the request', async () => {
    const created = await ok(call(t, 'post', `${GOV}/models/${name}/aliases/champion/requests`, { version: '3' }, alice));
    const id = created.request.id as string;
    const self = await call(t, 'post', `${GOV}/requests/${id}/approve`, {}, alice);
    expectProtected(self, `User 'alice' made request ${id} and cannot approve it: another user with MANAGE on model '${name}' must (four eyes).`);
    const rejected = await ok(call(t, 'post', `${GOV}/requests/${id}/reject`, { comment: 'not yet' }, bob));
    expect(rejected.request).toMatchObject({ status: 'rejected', votes: [{ user: 'bob', decision: 'reject', comment: 'not yet' }] });
    expect((await call(t, 'post', `${GOV}/requests/${id}/approve`, {}, bob)).status).toBe(400);
    expect(await aliasOf(t, name, 'champion', alice)).toBe('2');
  });

  it('moves a version into a protected stage on approval, archiving the one there when asked', async () => {
    const staged = await model(t, 2, alice, 'stage');
    await ok(call(t, 'put', `${GOV}/models/${staged}/stages/Production/protection`, {}, alice));
    await ok(call(t, 'post', `${MLFLOW}/registered-models/permissions/create`, { name: staged, username: 'bob', permission: 'MANAGE' }, ADMIN));
    const first = (await ok(call(t, 'post', `${GOV}/models/${staged}/stages/Production/requests`, { version: '1' }, alice))).request.id;
    await ok(call(t, 'post', `${GOV}/requests/${first}/approve`, {}, bob));
    const second = (await ok(call(t, 'post', `${GOV}/models/${staged}/stages/Production/requests`, { version: '2', archive_existing_versions: true }, alice))).request.id;
    await ok(call(t, 'post', `${GOV}/requests/${second}/approve`, {}, bob));
    const stageOf = async (v: string) => (await ok(call(t, 'get', `${MLFLOW}/model-versions/get`, { name: staged, version: v }, alice))).model_version.current_stage;
    expect([await stageOf('1'), await stageOf('2')]).toEqual(['Archived', 'Production']);
    const rows = (await ok(call(t, 'get', `${GOV}/models/${staged}/stages/Production/history`, undefined, alice))).history;
    expect(rows.map((h: any) => [h.kind, h.version, h.previous_version, h.request_id])).toEqual([
      ['approval', '2', '1', second],
      ['approval', '1', undefined, first],
    ]);
  });

  it('lets a MANAGE user roll a protected alias back without approval, flagged as an emergency; refuses others', async () => {
    const refused = await call(t, 'post', `${GOV}/models/${name}/aliases/champion/rollback`, {}, carol);
    expect(refused.status).toBe(403);
    expect(refused.body.message).toContain('an emergency rollback needs MANAGE on the model');
    const done = await ok(call(t, 'post', `${GOV}/models/${name}/aliases/champion/rollback`, {}, bob));
    expect(done).toEqual({ name, alias: 'champion', version: '1', kind: 'emergency_rollback' });
    expect(await aliasOf(t, name, 'champion', alice)).toBe('1');
    const newest = (await ok(call(t, 'get', `${GOV}/models/${name}/aliases/champion/history`, undefined, bob))).history[0];
    expect(newest).toMatchObject({ kind: 'emergency_rollback', version: '1', previous_version: '2', user: 'bob' });
    const events = (await t.services.auditTrails.registry.list({ name, action: 'model_version.alias.set', limit: 1 })).events;
    expect(events[0]).toMatchObject({ user: 'bob', after: { alias: 'champion', version: '1', via: 'emergency_rollback' } });
  });

  it('applies only when the number of approvals is reached, one vote per user', async () => {
    const second = await model(t, 2, alice, 'two');
    await ok(call(t, 'put', `${GOV}/models/${second}/aliases/champion/protection`, { approvals_required: 2 }, alice));
    await ok(call(t, 'post', `${MLFLOW}/registered-models/permissions/create`, { name: second, username: 'bob', permission: 'MANAGE' }, ADMIN));
    await ok(call(t, 'post', `${MLFLOW}/registered-models/permissions/create`, { name: second, username: 'carol', permission: 'EDIT' }, ADMIN));
    const id = (await ok(call(t, 'post', `${GOV}/models/${second}/aliases/champion/requests`, { version: '2' }, carol))).request.id;
    expect((await ok(call(t, 'post', `${GOV}/requests/${id}/approve`, {}, bob))).request).toMatchObject({ status: 'pending', approvals: 1 });
    const twice = await call(t, 'post', `${GOV}/requests/${id}/approve`, {}, bob);
    expect(twice.status).toBe(400);
    expect(twice.body.message).toBe(`User 'bob' has already voted on request ${id}.`);
    expect((await call(t, 'get', `${MLFLOW}/registered-models/alias`, { name: second, alias: 'champion' }, alice)).status).toBe(400);
    expect((await ok(call(t, 'post', `${GOV}/requests/${id}/approve`, {}, alice))).request).toMatchObject({ status: 'applied', approvals: 2 });
    expect(await aliasOf(t, second, 'champion', alice)).toBe('2');
  });

  it('counts two approvals arriving at once: the request is applied exactly once', async () => {
    const third = await model(t, 2, alice, 'race');
    await ok(call(t, 'put', `${GOV}/models/${third}/aliases/champion/protection`, { approvals_required: 2 }, alice));
    await ok(call(t, 'post', `${MLFLOW}/registered-models/permissions/create`, { name: third, username: 'bob', permission: 'MANAGE' }, ADMIN));
    const id = (await ok(call(t, 'post', `${GOV}/models/${third}/aliases/champion/requests`, { version: '2' }, alice))).request.id;
    // A fresh agent per request, so that the two run at once.
    const approve = (auth: string) => supertest(t.app).post(`${GOV}/requests/${id}/approve`).set('Authorization', auth).set('Content-Type', 'application/json').send('{}');
    const results = await Promise.all([approve(bob), approve(ADMIN)]);
    expect(results.map((r) => r.status)).toEqual([200, 200]);
    expect(results.map((r) => r.body.request.status).sort()).toEqual(['applied', 'pending']);
    const after = (await ok(call(t, 'get', `${GOV}/requests/${id}`, undefined, alice))).request;
    expect(after).toMatchObject({ status: 'applied', approvals: 2 });
    const rows = (await ok(call(t, 'get', `${GOV}/models/${third}/aliases/champion/history`, undefined, alice))).history;
    expect(rows.map((h: any) => [h.kind, h.version, h.request_id])).toEqual([['approval', '2', id]]);
  });

  it('lists requests only for models the caller may read, and records the actors', async () => {
    const hidden = await model(t, 1, alice, 'hidden');
    await ok(call(t, 'post', `${MLFLOW}/registered-models/permissions/create`, { name: hidden, username: 'carol', permission: 'DENY' }, ADMIN));
    await ok(call(t, 'put', `${GOV}/models/${hidden}/aliases/champion/protection`, {}, alice));
    await ok(call(t, 'post', `${GOV}/models/${hidden}/aliases/champion/requests`, { version: '1' }, alice));
    const forAlice = await ok(call(t, 'get', `${GOV}/requests`, { name: hidden }, alice));
    expect(forAlice.requests).toHaveLength(1);
    expect((await ok(call(t, 'get', `${GOV}/requests`, { name: hidden }, carol))).requests).toEqual([]);
    expect((await call(t, 'get', `${GOV}/requests/${forAlice.requests[0].id}`, undefined, carol)).status).toBe(403);
    // A body naming another model does not move the check away from the path's model.
    expect((await call(t, 'put', `${GOV}/models/${hidden}/aliases/x/protection`, { name }, carol)).status).toBe(403);
  });
});
