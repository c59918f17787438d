/**
 * The web UI's sessions (auth/sessions.ts) as attacks on them: each row is a request an attacker
 * (or a stale browser) could make with a session cookie, and what the server must answer. Plus
 * the cookie's attributes, sign-out, the sign-in rate limit, and Basic credentials unchanged.
 */
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API, backends, createTestApp, TEST_ADMIN_PASSWORD, type TestApp } from '../helpers/app.js';

const SESSION = '/api/flowreg/v1/session';
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const ADMIN = basic('admin', TEST_ADMIN_PASSWORD);

/** A cookie-less client: supertest's agent would keep the cookies a sign-in sets. */
const http = (t: TestApp) => supertest(t.app);

interface Signed {
  cookie: string;
  csrf: string;
}

async function signIn(t: TestApp, username: string, password: string): Promise<Signed> {
  const res = await http(t).post(SESSION).send({ username, password });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  const set = String(res.headers['set-cookie']?.[0] ?? '');
  return { cookie: set.split(';')[0] as string, csrf: res.body.csrf_token };
}

/** A request with this cookie and, when given, this CSRF token. */
function withCookie(t: TestApp, method: 'get' | 'post' | 'delete', url: string, cookie: string, csrf?: string) {
  let r = http(t)[method](url).set('Cookie', cookie);
  if (csrf !== undefined) r = r.set('X-CSRF-Token', csrf);
  return r;
}

async function modelExists(t: TestApp, name: string): Promise<boolean> {
  const res = await http(t).get(`${API}/registered-models/get`).query({ name }).set('Authorization', ADMIN);
  return res.status === 200;
}

describe.each(backends())('web UI sessions (%s)', (backend) => {
  let t: TestApp;
  let alice: Signed;
  let bob: Signed;

  beforeAll(async () => {
    t = await createTestApp(backend, { auth: { default_permission: 'READ' } });
    for (const [username, password] of [
      ['alice', 'alice-password-1'],
      ['bob', 'bob-password-12'],
      ['carol', 'carol-password-1'],
    ]) {
      const res = await http(t).post(`${API}/users/create`).set('Authorization', ADMIN).send({ username, password });
      expect(res.status).toBe(200);
    }
    alice = await signIn(t, 'alice', 'alice-password-1');
    bob = await signIn(t, 'bob', 'bob-password-12');
  });
  afterAll(async () => t?.close());

  it('sets an HttpOnly, SameSite=Strict cookie (not Secure over http) and answers who is signed in', async () => {
    const res = await http(t).post(SESSION).send({ username: 'alice', password: 'alice-password-1' });
    const set = String(res.headers['set-cookie']?.[0]);
    expect(set).toMatch(/^flowreg_session=[A-Za-z0-9_-]{43}; Path=\/; Max-Age=43200; HttpOnly; SameSite=Strict$/);
    expect(res.body).toMatchObject({ authentication: true, user: { username: 'alice', is_admin: false }, csrf_header: 'x-csrf-token' });
    const me = await withCookie(t, 'get', SESSION, set.split(';')[0] as string);
    expect(me.body).toMatchObject({ authentication: true, user: { username: 'alice' }, csrf_token: res.body.csrf_token });
    expect((await http(t).get(SESSION)).body).toEqual({ authentication: true });
  });

  it('marks the cookie Secure when the browser came over https (a TLS-terminating proxy says so)', async () => {
    const res = await http(t).post(SESSION).set('X-Forwarded-Proto', 'https').send({ username: 'alice', password: 'alice-password-1' });
    expect(String(res.headers['set-cookie']?.[0])).toMatch(/; HttpOnly; SameSite=Strict; Secure$/);
  });

  it('refuses a wrong password with one message for unknown users and wrong passwords', async () => {
    const wrong = await http(t).post(SESSION).send({ username: 'alice', password: 'nope' });
    const unknown = await http(t).post(SESSION).send({ username: 'nobody', password: 'nope' });
    expect([wrong.status, unknown.status]).toEqual([401, 401]);
    expect(wrong.body).toEqual(unknown.body);
    expect(wrong.headers['set-cookie']).toBeUndefined();
  });

  // name, the request, expected status, whether the model `attack-<n>` exists afterwards
  const attacks: [string, (n: string) => ReturnType<typeof withCookie>, number][] = [
    ['cookie without CSRF token on POST', (n) => withCookie(t, 'post', `${API}/registered-models/create`, alice.cookie).send({ name: n }), 401],
    ['cookie with an empty CSRF token', (n) => withCookie(t, 'post', `${API}/registered-models/create`, alice.cookie, '').send({ name: n }), 401],
    ["cookie with another user's CSRF token", (n) => withCookie(t, 'post', `${API}/registered-models/create`, alice.cookie, bob.csrf).send({ name: n }), 401],
    ["another user's cookie with my CSRF token", (n) => withCookie(t, 'post', `${API}/registered-models/create`, bob.cookie, alice.csrf).send({ name: n }), 401],
    [
      'forged session cookie with a CSRF token',
      (n) => withCookie(t, 'post', `${API}/registered-models/create`, `flowreg_session=${'A'.repeat(43)}`, alice.csrf).send({ name: n }),
      401,
    ],
    ['malformed session cookie', (n) => withCookie(t, 'post', `${API}/registered-models/create`, 'flowreg_session=../../x', alice.csrf).send({ name: n }), 401],
    ['CSRF token as the cookie', (n) => withCookie(t, 'post', `${API}/registered-models/create`, `flowreg_session=${alice.csrf}`, alice.csrf).send({ name: n }), 401],
    ['the right cookie and token', (n) => withCookie(t, 'post', `${API}/registered-models/create`, alice.cookie, alice.csrf).send({ name: n }), 200],
  ];

  it.each(attacks.map((a, i) => [i, ...a] as const))('attack %i: %s → %i', async (i, _name, send, status) => {
    const name = `attack-${i}-${backend}`;
    const res = await send(name);
    expect(res.status, JSON.stringify(res.body)).toBe(status);
    // A refused cookie gets no Basic challenge: the browser must not pop its own dialog.
    if (status === 401) expect(res.headers['www-authenticate']).toBeUndefined();
    expect(await modelExists(t, name)).toBe(status === 200);
  });

  it('a GET needs no CSRF token, and the cookie acts as its own user only', async () => {
    const read = await withCookie(t, 'get', `${API}/users/current`, alice.cookie);
    expect(read.status).toBe(200);
    expect(read.body.user.username).toBe('alice');
    const admin = await withCookie(t, 'post', `${API}/users/create`, alice.cookie, alice.csrf).send({ username: 'mallory', password: 'mallory-pass-1' });
    expect(admin.status).toBe(403);
  });

  it('an Authorization header wins over a cookie, and Basic works as before', async () => {
    const res = await http(t).get(`${API}/users/current`).set('Cookie', alice.cookie).set('Authorization', basic('bob', 'bob-password-12'));
    expect(res.body.user.username).toBe('bob');
    const plain = await http(t).get(`${API}/users/current`);
    expect(plain.status).toBe(401);
    expect(plain.headers['www-authenticate']).toBe('Basic realm="mlflow"');
  });

  it('sign-out needs the CSRF token, then ends the session', async () => {
    const s = await signIn(t, 'carol', 'carol-password-1');
    expect((await withCookie(t, 'delete', SESSION, s.cookie)).status).toBe(401);
    expect((await withCookie(t, 'get', `${API}/users/current`, s.cookie)).status).toBe(200);
    const out = await withCookie(t, 'delete', SESSION, s.cookie, s.csrf);
    expect(out.status).toBe(200);
    expect(String(out.headers['set-cookie']?.[0])).toMatch(/^flowreg_session=; Path=\/; Max-Age=0;/);
    expect((await withCookie(t, 'get', `${API}/users/current`, s.cookie)).status).toBe(401);
    expect((await withCookie(t, 'get', SESSION, s.cookie)).body).toEqual({ authentication: true });
  });

  it('a password change ends the user’s sessions', async () => {
    const s = await signIn(t, 'carol', 'carol-password-1');
    const change = await http(t)
      .patch(`${API}/users/update-password`)
      .set('Authorization', ADMIN)
      .send({ username: 'carol', password: 'carol-password-2' });
    expect(change.status).toBe(200);
    expect((await withCookie(t, 'get', `${API}/users/current`, s.cookie)).status).toBe(401);
    await signIn(t, 'carol', 'carol-password-2');
  });

  it('deleting the user ends their sessions', async () => {
    await http(t).post(`${API}/users/create`).set('Authorization', ADMIN).send({ username: 'dave', password: 'dave-password-1' });
    const s = await signIn(t, 'dave', 'dave-password-1');
    expect((await http(t).delete(`${API}/users/delete`).set('Authorization', ADMIN).send({ username: 'dave' })).status).toBe(200);
    expect((await withCookie(t, 'get', `${API}/users/current`, s.cookie)).status).toBe(401);
    // Recreated under the same name: the old cookie still names nobody.
    await http(t).post(`${API}/users/create`).set('Authorization', ADMIN).send({ username: 'dave', password: 'dave-password-1' });
    expect((await withCookie(t, 'get', `${API}/users/current`, s.cookie)).status).toBe(401);
  });

  it('limits failed sign-ins per user name', async () => {
    await http(t).post(`${API}/users/create`).set('Authorization', ADMIN).send({ username: 'erin', password: 'erin-password-1' });
    for (let i = 0; i < 10; i++) expect((await http(t).post(SESSION).send({ username: 'erin', password: `wrong-${i}` })).status).toBe(401);
    const blocked = await http(t).post(SESSION).send({ username: 'erin', password: 'erin-password-1' });
    expect(blocked.status).toBe(429);
    expect(blocked.body.error_code).toBe('RESOURCE_EXHAUSTED');
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
  });
});

describe.each(backends())('web UI session expiry (%s)', (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(backend, { auth: { session_ttl_seconds: '1' } });
  });
  afterAll(async () => t?.close());

  it('an expired session is refused', async () => {
    const s = await signIn(t, 'admin', TEST_ADMIN_PASSWORD);
    expect((await withCookie(t, 'get', `${API}/users/current`, s.cookie)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1100));
    const res = await withCookie(t, 'get', `${API}/users/current`, s.cookie);
    expect(res.status).toBe(401);
    expect((await withCookie(t, 'get', SESSION, s.cookie)).body).toEqual({ authentication: true });
  });
});

describe('web UI sessions with authentication off', () => {
  it('says so, and refuses a sign-in', async () => {
    const t = await createTestApp('sqlite');
    try {
      expect((await http(t).get(SESSION)).body).toEqual({ authentication: false });
      const res = await http(t).post(SESSION).send({ username: 'a', password: 'b' });
      expect(res.status).toBe(400);
    } finally {
      await t.close();
    }
  });
});
