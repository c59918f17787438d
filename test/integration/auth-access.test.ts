/**
 * Authentication and permissions as an attacker meets them, on every backend: credentials that
 * must not get in, users who must not do what their grants do not allow, searches that must not
 * show what the caller may not read, and the grant upkeep MLflow's auth app does after a create,
 * rename or delete (mlflow/server/auth/__init__.py).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API, backends, createTestApp, TEST_ADMIN_PASSWORD, type TestApp } from '../helpers/app.js';
import { filePart, metadataPart, multipart, versionsUrl } from './native-support.js';

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const ADMIN = basic('admin', TEST_ADMIN_PASSWORD);
const PW = 'a-long-enough-password';
const TOKENS = '/api/flowreg/v1/tokens';

type Method = 'get' | 'post' | 'patch' | 'delete' | 'put';

function call(t: TestApp, auth: string | undefined, method: Method, path: string, body?: object) {
  let r = t.request[method](path);
  if (auth !== undefined) r = r.set('Authorization', auth);
  if (body === undefined) return r;
  return method === 'get' ? r.query(body as Record<string, string>) : r.send(body);
}

async function createUser(t: TestApp, name: string): Promise<string> {
  const res = await call(t, ADMIN, 'post', `${API}/users/create`, { username: name, password: PW });
  expect(res.status, res.text).toBe(200);
  return basic(name, PW);
}

function expectDenied(res: { status: number; body: unknown }): void {
  expect(res.status).toBe(403);
  expect(res.body).toEqual({ error_code: 'PERMISSION_DENIED', message: 'Permission denied' });
}

describe.each(backends())('authentication and permissions (%s)', (backend) => {
  let t: TestApp;
  let alice: string;
  let bob: string;

  beforeAll(async () => {
    t = await createTestApp(backend, { auth: { default_permission: 'READ' } });
    alice = await createUser(t, 'alice');
    bob = await createUser(t, 'bob');
  });
  afterAll(() => t.close());

  describe('who gets in', () => {
    const cases: [string, () => string | undefined][] = [
      ['no credentials', () => undefined],
      ['wrong password', () => basic('alice', 'not-her-password')],
      ['unknown user', () => basic('mallory', PW)],
      ['bad base64', () => 'Basic !!!not-base64!!!'],
      ['no colon', () => `Basic ${Buffer.from('alice').toString('base64')}`],
      ['empty Basic', () => 'Basic '],
      ['empty header', () => ''],
      ['unknown scheme', () => `Digest ${Buffer.from(`alice:${PW}`).toString('base64')}`],
      ['huge header', () => `Basic ${'A'.repeat(12_000)}`],
      ['empty bearer', () => 'Bearer '],
      ['bearer that is no token', () => 'Bearer not-a-token'],
      ['bearer shaped like a token, unknown', () => `Bearer flowreg_${'A'.repeat(43)}`],
      ['a password as a bearer token', () => `Bearer ${PW}`],
    ];

    it.each(cases)('%s → 401 with the Basic challenge', async (_label, header) => {
      const res = await call(t, header(), 'get', `${API}/registered-models/search`);
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Basic realm="mlflow"');
      expect(res.body.error_code).toBe('UNAUTHENTICATED');
      expect(res.body.message).toContain('You are not authenticated');
    });

    it('asks for credentials before it says an endpoint does not exist', async () => {
      expect((await call(t, undefined, 'get', '/api/2.0/mlflow/no-such-endpoint')).status).toBe(401);
      expect((await call(t, alice, 'get', '/api/2.0/mlflow/no-such-endpoint')).status).toBe(404);
    });

    it.each(['/health', '/version', '/api/3.0/mlflow/server-info'])('%s stays open', async (path) => {
      expect((await call(t, undefined, 'get', path)).status).toBe(200);
    });

    it('lets a good password in', async () => {
      expect((await call(t, alice, 'get', `${API}/registered-models/search`)).status).toBe(200);
    });

    it('a password change takes effect at once', async () => {
      const carol = await createUser(t, 'carol');
      expect((await call(t, carol, 'get', `${API}/users/current`)).status).toBe(200);
      const res = await call(t, ADMIN, 'patch', `${API}/users/update-password`, { username: 'carol', password: 'another-long-password' });
      expect(res.status, res.text).toBe(200);
      expect((await call(t, carol, 'get', `${API}/users/current`)).status).toBe(401);
      expect((await call(t, basic('carol', 'another-long-password'), 'get', `${API}/users/current`)).status).toBe(200);
    });

    it('a self-service password change needs the current password', async () => {
      const dave = await createUser(t, 'dave');
      const res = await call(t, dave, 'patch', `${API}/users/update-password`, { username: 'dave', password: 'new-long-password-1' });
      expect(res.status).toBe(400);
      expect(res.body.message).toBe('Current password is required when changing your own password.');
      const ok = await call(t, dave, 'patch', `${API}/users/update-password`, { username: 'dave', password: 'new-long-password-1', current_password: PW });
      expect(ok.status, ok.text).toBe(200);
    });

    it('a deleted user is out at once', async () => {
      const erin = await createUser(t, 'erin');
      expect((await call(t, erin, 'get', `${API}/users/current`)).status).toBe(200);
      expect((await call(t, ADMIN, 'delete', `${API}/users/delete`, { username: 'erin' })).status).toBe(200);
      expect((await call(t, erin, 'get', `${API}/users/current`)).status).toBe(401);
    });

    it('users/current says who is calling', async () => {
      const res = await call(t, alice, 'get', `${API}/users/current`);
      expect(res.body).toMatchObject({ user: { username: 'alice', is_admin: false }, is_basic_auth: true });
    });
  });

  describe('API tokens and service accounts', () => {
    it('a token signs in until it is revoked', async () => {
      const created = await call(t, alice, 'post', TOKENS, { name: 'ci' });
      expect(created.status, created.text).toBe(200);
      const bearer = `Bearer ${created.body.secret}`;
      expect((await call(t, bearer, 'get', `${API}/users/current`)).body.user.username).toBe('alice');
      const listed = await call(t, alice, 'get', TOKENS);
      expect(listed.body.tokens.map((x: { name: string }) => x.name)).toContain('ci');
      expect(JSON.stringify(listed.body)).not.toContain(created.body.secret);
      expect((await call(t, alice, 'delete', `${TOKENS}/${created.body.token.id}`)).status).toBe(200);
      expect((await call(t, bearer, 'get', `${API}/users/current`)).status).toBe(401);
    });

    it('an expired token is refused', async () => {
      const created = await call(t, alice, 'post', TOKENS, { name: 'short', expiration_time: Date.now() + 600 });
      expect(created.status, created.text).toBe(200);
      const bearer = `Bearer ${created.body.secret}`;
      expect((await call(t, bearer, 'get', `${API}/users/current`)).status).toBe(200);
      await new Promise((r) => setTimeout(r, 800));
      expect((await call(t, bearer, 'get', `${API}/users/current`)).status).toBe(401);
    });

    it('a user cannot manage another user’s tokens; an admin can', async () => {
      expectDenied(await call(t, bob, 'post', TOKENS, { name: 'x', username: 'alice' }));
      expectDenied(await call(t, bob, 'get', TOKENS, { username: 'alice' }));
      expect((await call(t, ADMIN, 'get', TOKENS, { username: 'alice' })).status).toBe(200);
    });

    it('a service account signs in with tokens only', async () => {
      expectDenied(await call(t, bob, 'post', '/api/flowreg/v1/service-accounts', { username: 'ci-bot' }));
      const made = await call(t, ADMIN, 'post', '/api/flowreg/v1/service-accounts', { username: 'ci-bot' });
      expect(made.status, made.text).toBe(200);
      expect((await call(t, basic('ci-bot', ''), 'get', `${API}/users/current`)).status).toBe(401);
      const token = await call(t, ADMIN, 'post', TOKENS, { name: 'deploy', username: 'ci-bot' });
      expect(token.status, token.text).toBe(200);
      expect((await call(t, `Bearer ${token.body.secret}`, 'get', `${API}/users/current`)).body.user.username).toBe('ci-bot');
    });
  });

  describe('admin APIs', () => {
    it.each([
      ['post', `${API}/users/create`, { username: 'zed', password: PW }],
      ['patch', `${API}/users/update-admin`, { username: 'bob', is_admin: true }],
      ['delete', `${API}/users/delete`, { username: 'alice' }],
      ['get', `${API}/users/get`, { username: 'alice' }],
      ['patch', `${API}/users/update-password`, { username: 'alice', password: 'stolen-password-123' }],
      ['post', '/api/3.0/mlflow/roles/create', { name: 'r', workspace: 'default' }],
    ] as [Method, string, object][])('a non-admin is refused %s %s', async (method, path, body) => {
      expectDenied(await call(t, bob, method, path, body));
    });

    it('an admin cannot delete their own account', async () => {
      const res = await call(t, ADMIN, 'delete', `${API}/users/delete`, { username: 'admin' });
      expect(res.status).toBe(400);
    });
  });

  describe('registered model grants', () => {
    const rm = `${API}/registered-models`;
    beforeAll(async () => {
      expect((await call(t, alice, 'post', `${rm}/create`, { name: 'm1' })).status).toBe(200);
    });

    it('the creator gets MANAGE', async () => {
      const res = await call(t, alice, 'get', `${rm}/permissions/get`, { name: 'm1', username: 'alice' });
      expect(res.status, res.text).toBe(200);
      expect(res.body.registered_model_permission).toMatchObject({ name: 'm1', permission: 'MANAGE' });
    });

    it('a READ user reads but does not write', async () => {
      expect((await call(t, bob, 'get', `${rm}/get`, { name: 'm1' })).status).toBe(200);
      expectDenied(await call(t, bob, 'patch', `${rm}/update`, { name: 'm1', description: 'x' }));
      expectDenied(await call(t, bob, 'post', `${rm}/set-tag`, { name: 'm1', key: 'k', value: 'v' }));
    });

    it('an EDIT user writes but does not delete or grant', async () => {
      const grant = await call(t, alice, 'post', `${rm}/permissions/create`, { name: 'm1', username: 'bob', permission: 'EDIT' });
      expect(grant.status, grant.text).toBe(200);
      expect((await call(t, bob, 'patch', `${rm}/update`, { name: 'm1', description: 'x' })).status).toBe(200);
      expectDenied(await call(t, bob, 'delete', `${rm}/delete`, { name: 'm1' }));
      expectDenied(await call(t, bob, 'patch', `${rm}/permissions/update`, { name: 'm1', username: 'bob', permission: 'MANAGE' }));
    });

    it('a MANAGE user grants; DENY shuts the reader out', async () => {
      const res = await call(t, alice, 'patch', `${rm}/permissions/update`, { name: 'm1', username: 'bob', permission: 'DENY' });
      expect(res.status, res.text).toBe(200);
      expectDenied(await call(t, bob, 'get', `${rm}/get`, { name: 'm1' }));
      const search = await call(t, bob, 'get', `${rm}/search`);
      expect((search.body.registered_models ?? []).map((m: { name: string }) => m.name)).not.toContain('m1');
    });

    it('the 3.x grant API agrees with the 2.x one', async () => {
      const base = '/api/3.0/mlflow/users/permissions';
      const grant = await call(t, alice, 'post', `${base}/grant`, { username: 'bob', resource_type: 'registered_model', resource_id: 'm1', permission: 'READ' });
      expect(grant.status, grant.text).toBe(200);
      const got = await call(t, ADMIN, 'get', `${base}/get`, { username: 'bob', resource_type: 'registered_model', resource_id: 'm1' });
      expect(got.body).toEqual({ allowed: false, permission: 'READ' });
      expectDenied(await call(t, bob, 'post', `${base}/grant`, { username: 'bob', resource_type: 'registered_model', resource_id: 'm1', permission: 'MANAGE' }));
    });

    it('a rename moves the grants', async () => {
      expect((await call(t, alice, 'post', `${rm}/rename`, { name: 'm1', new_name: 'm1-renamed' })).status).toBe(200);
      const res = await call(t, alice, 'get', `${rm}/permissions/get`, { name: 'm1-renamed', username: 'alice' });
      expect(res.body.registered_model_permission?.permission).toBe('MANAGE');
    });

    it('a delete takes the grants with it', async () => {
      expect((await call(t, alice, 'delete', `${rm}/delete`, { name: 'm1-renamed' })).status).toBe(200);
      expect((await call(t, bob, 'post', `${rm}/create`, { name: 'm1-renamed' })).status).toBe(200);
      // alice's MANAGE did not survive into bob's new model of the same name.
      expectDenied(await call(t, alice, 'delete', `${rm}/delete`, { name: 'm1-renamed' }));
    });
  });

  describe('native publish and download', () => {
    const publishAs = (auth: string, name: string) => {
      const { body, contentType } = multipart([metadataPart({}), filePart('VERSION', 'v')]);
      return t.request.post(versionsUrl(name)).set('Authorization', auth).set('Content-Type', contentType).send(body);
    };

    it('a publish of a new model is a create: the publisher gets MANAGE, others may not publish', async () => {
      const res = await publishAs(alice, 'native-m');
      expect(res.status, res.text).toBe(200);
      const perm = await call(t, alice, 'get', `${API}/registered-models/permissions/get`, { name: 'native-m', username: 'alice' });
      expect(perm.body.registered_model_permission?.permission).toBe('MANAGE');
      expectDenied(await publishAs(bob, 'native-m'));
      expect((await call(t, bob, 'get', `${versionsUrl('native-m')}/1`)).status).toBe(200);
      expect((await call(t, undefined, 'get', `${versionsUrl('native-m')}/1/files/VERSION`)).status).toBe(401);
    });
  });
});

describe.each(backends())('what a user with no default permission sees (%s)', (backend) => {
  let t: TestApp;
  let bob: string;

  beforeAll(async () => {
    t = await createTestApp(backend, { auth: { default_permission: 'NO_PERMISSIONS' } });
    bob = await createUser(t, 'bob');
  });
  afterAll(() => t.close());

  it('a search page is filled up to max_results with readable models, and paging finds them all', async () => {
    for (let i = 0; i < 12; i++) {
      expect((await call(t, ADMIN, 'post', `${API}/registered-models/create`, { name: `s${String(i).padStart(2, '0')}` })).status).toBe(200);
      if (i % 3 === 0) {
        await call(t, ADMIN, 'post', `${API}/registered-models/permissions/create`, { name: `s${String(i).padStart(2, '0')}`, username: 'bob', permission: 'READ' });
      }
    }
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const res = await call(t, bob, 'get', `${API}/registered-models/search`, {
        max_results: '2',
        order_by: 'name ASC',
        ...(token ? { page_token: token } : {}),
      });
      expect(res.status, res.text).toBe(200);
      const names = (res.body.registered_models ?? []).map((m: { name: string }) => m.name);
      if (res.body.next_page_token) expect(names).toHaveLength(2);
      seen.push(...names);
      token = res.body.next_page_token;
      pages++;
    } while (token && pages < 10);
    expect(seen).toEqual(['s00', 's03', 's06', 's09']);
    const all = await call(t, ADMIN, 'get', `${API}/registered-models/search`, { max_results: '100' });
    expect(all.body.registered_models).toHaveLength(12);
  });

  it('experiment search shows only readable experiments', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await call(t, ADMIN, 'post', `${API}/experiments/create`, { name: `e${i}` });
      ids.push(res.body.experiment_id);
    }
    await call(t, ADMIN, 'post', `${API}/experiments/permissions/create`, { experiment_id: ids[2], username: 'bob', permission: 'READ' });
    const res = await call(t, bob, 'post', `${API}/experiments/search`, { max_results: 1 });
    expect(res.status, res.text).toBe(200);
    expect(res.body.experiments.map((e: { name: string }) => e.name)).toEqual(['e2']);
  });

  it('a run search keeps only the experiments the caller may read', async () => {
    const open = (await call(t, ADMIN, 'post', `${API}/experiments/create`, { name: 'runs-open' })).body.experiment_id as string;
    const closed = (await call(t, ADMIN, 'post', `${API}/experiments/create`, { name: 'runs-closed' })).body.experiment_id as string;
    for (const id of [open, closed]) expect((await call(t, ADMIN, 'post', `${API}/runs/create`, { experiment_id: id })).status).toBe(200);
    await call(t, ADMIN, 'post', `${API}/experiments/permissions/create`, { experiment_id: open, username: 'bob', permission: 'READ' });
    const both = await call(t, bob, 'post', `${API}/runs/search`, { experiment_ids: [open, closed] });
    expect(both.status, both.text).toBe(200);
    expect(both.body.runs.map((r: { info: { experiment_id: string } }) => r.info.experiment_id)).toEqual([open]);
    const none = await call(t, bob, 'post', `${API}/runs/search`, { experiment_ids: [closed] });
    expect(none.body).toEqual({});
    expectDenied(await call(t, bob, 'post', `${API}/runs/create`, { experiment_id: open }));
  });

  it('the artifact proxy judges a path by its experiment', async () => {
    const exp = await call(t, ADMIN, 'post', `${API}/experiments/create`, { name: 'artifacts' });
    const id = exp.body.experiment_id as string;
    const url = `/api/2.0/mlflow-artifacts/artifacts/${id}/notes.txt`;
    const put = (auth: string) => t.request.put(url).set('Authorization', auth).set('Content-Type', 'application/octet-stream').send(Buffer.from('hi'));
    expectDenied(await put(bob));
    expect((await put(ADMIN)).status).toBe(200);
    expectDenied(await call(t, bob, 'get', url));
    await call(t, ADMIN, 'post', `${API}/experiments/permissions/create`, { experiment_id: id, username: 'bob', permission: 'READ' });
    expect((await call(t, bob, 'get', url)).status).toBe(200);
    expectDenied(await put(bob));
    // A double-encoded segment names the same experiment to the check and to the handler.
    expectDenied(await call(t, bob, 'get', `/api/2.0/mlflow-artifacts/artifacts/%2531/notes.txt`));
  });

  it('a user who may not read a model may not download its versions', async () => {
    const { body, contentType } = multipart([metadataPart({}), filePart('VERSION', 'v')]);
    const res = await t.request.post(versionsUrl('secret')).set('Authorization', ADMIN).set('Content-Type', contentType).send(body);
    expect(res.status, res.text).toBe(200);
    expectDenied(await call(t, bob, 'get', `${versionsUrl('secret')}/1/files/VERSION`));
    expectDenied(await call(t, bob, 'get', `${versionsUrl('secret')}/1/archive`));
  });
});
