/**
 * OIDC against an issuer the test serves itself over loopback HTTP (discovery document and JWKS):
 * the table of refused tokens, key rotation, an issuer that is down or hangs (503, not 401), and
 * the Authenticator and AccessControl over the auth store on every backend: a JWT's user is created
 * on first sight and holds the grants of the roles its groups name.
 */
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { authConfigFrom } from '../../src/auth/auth-config.js';
import { createAuthServices, type AuthServices } from '../../src/auth/auth-services.js';
import type { Credentials } from '../../src/auth/authenticator.js';
import { OidcVerifier, type OidcVerifierOptions } from '../../src/auth/oidc-verifier.js';
import { toMlflowError } from '../../src/http/error-writer.js';
import type { AuthStore } from '../../src/store/auth-store.js';
import { StoreUnavailable } from '../../src/store/store-errors.js';
import { backends } from '../helpers/databases.js';
import { authDatabase, FAST_SCRYPT } from '../helpers/auth.js';
import { NOW_S, refusals, refusedTokens, signToken, startIssuer, testKey, testSettings, type TestIssuer, type TestKey } from '../helpers/oidc.js';

let key1: TestKey;
let key2: TestKey;
let issuer: TestIssuer;
let logs: string[];

beforeAll(async () => {
  [key1, key2] = await Promise.all([testKey('key-1'), testKey('key-2', 'ES256')]);
});
beforeEach(async () => {
  issuer = await startIssuer(key1);
  logs = [];
});
afterEach(async () => issuer.stop());

function verifier(options: Partial<OidcVerifierOptions> = {}, extra: Record<string, string> = {}): OidcVerifier {
  return new OidcVerifier(testSettings(issuer.url, extra), {
    clock: () => NOW_S * 1000,
    logger: (level, message) => void logs.push(`${level}: ${message}`),
    cooldownMs: 0,
    ...options,
  });
}

async function unavailable(check: Promise<unknown>): Promise<StoreUnavailable> {
  const err = await check.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(StoreUnavailable);
  // The edge's one error writer answers it as MLflow's retryable 503.
  expect(toMlflowError(err, 'r1')).toMatchObject({ code: 'TEMPORARILY_UNAVAILABLE', httpStatus: 503 });
  return err as StoreUnavailable;
}

describe('a JWKS served by the issuer', () => {
  it('accepts a good token, finding the JWKS through the discovery document once', async () => {
    const v = verifier();
    for (let i = 0; i < 3; i++) {
      expect(await v.verify(await signToken(key1, issuer.url, { groups: ['data-science', 'ops'] }))).toEqual({
        ok: true,
        identity: { username: 'alice', groups: ['data-science', 'ops'], inAdminGroup: false, expiresAt: (NOW_S + 600) * 1000 },
      });
    }
    expect(issuer.requests).toEqual(['/.well-known/openid-configuration', '/jwks']);
  });

  it('refuses every forged, misdirected or stale token', async () => {
    const v = verifier();
    const { got, want } = await refusals((token) => v.verify(token), await refusedTokens(key1, issuer.url));
    expect(got).toEqual(want);
  });

  it('uses a configured JWKS URL without discovery', async () => {
    const v = verifier({}, { FLOWREG_OIDC_JWKS_URL: `${issuer.url}/jwks` });
    expect((await v.verify(await signToken(key1, issuer.url))).ok).toBe(true);
    expect(issuer.requests).toEqual(['/jwks']);
  });

  it('follows key rotation: a new kid is fetched, a retired one refused', async () => {
    const v = verifier();
    expect((await v.verify(await signToken(key1, issuer.url))).ok).toBe(true);
    issuer.publish(key1, key2);
    expect((await v.verify(await signToken(key2, issuer.url))).ok).toBe(true);
    issuer.publish(key2);
    expect((await v.verify(await signToken(key2, issuer.url))).ok).toBe(true);
    // A retired key is trusted until the set is fetched again: after jose's 10-minute cache age, or
    // sooner when a token names a kid the cached set lacks.
    expect((await v.verify(await signToken(key1, issuer.url))).ok).toBe(true);
    expect((await v.verify(await signToken(await testKey('key-3'), issuer.url))).ok).toBe(false);
    expect(await v.verify(await signToken(key1, issuer.url))).toMatchObject({ ok: false, reason: expect.stringMatching(/ERR_JWKS_NO_MATCHING_KEY/) });
  });

  it('does not fetch the JWKS again for every unknown kid within the cooldown', async () => {
    const v = verifier({ cooldownMs: 60_000 });
    expect((await v.verify(await signToken(key1, issuer.url))).ok).toBe(true);
    const stranger = await testKey('stranger');
    for (let i = 0; i < 5; i++) expect((await v.verify(await signToken(stranger, issuer.url))).ok).toBe(false);
    expect(issuer.requests.filter((p) => p === '/jwks')).toHaveLength(1);
  });
});

describe('an issuer that cannot be reached', () => {
  it('is unavailable (503), not a refusal, when down; keys already fetched keep working', async () => {
    const warm = verifier();
    expect((await warm.verify(await signToken(key1, issuer.url))).ok).toBe(true);
    await issuer.stop();
    await unavailable(verifier().verify(await signToken(key1, issuer.url)));
    expect(logs.join('\n')).toMatch(/warn: OIDC: cannot read .*openid-configuration/);
    expect((await warm.verify(await signToken(key1, issuer.url))).ok).toBe(true);
    // A new kid needs the issuer: unavailable too.
    await unavailable(warm.verify(await signToken(key2, issuer.url)));
  });

  it('is unavailable when it hangs, after the timeout', async () => {
    issuer.hang = true;
    const started = Date.now();
    await unavailable(verifier({ timeoutMs: 300 }).verify(await signToken(key1, issuer.url)));
    expect(Date.now() - started).toBeLessThan(5000);
    await unavailable(verifier({ timeoutMs: 300 }, { FLOWREG_OIDC_JWKS_URL: `${issuer.url}/jwks` }).verify(await signToken(key1, issuer.url)));
  });

  it.each([
    ['names another issuer', (url: string) => ({ issuer: 'https://evil.example.com', jwks_uri: `${url}/jwks` }), /names issuer/],
    ['has no jwks_uri', (url: string) => ({ issuer: url }), /names issuer/],
    ['points to an http JWKS elsewhere', (url: string) => ({ issuer: url, jwks_uri: 'http://evil.example.com/jwks' }), /expected an https/],
  ])('is unavailable when its discovery document %s', async (_name, doc, log) => {
    issuer.discovery = doc(issuer.url);
    await unavailable(verifier().verify(await signToken(key1, issuer.url)));
    expect(logs.join('\n')).toMatch(log);
  });

  it('is unavailable when the JWKS URL answers 404', async () => {
    await unavailable(verifier({}, { FLOWREG_OIDC_JWKS_URL: `${issuer.url}/missing` }).verify(await signToken(key1, issuer.url)));
  });
});

describe.each(backends())('signing in with a JWT on %s', (backend) => {
  let auth: AuthServices;
  let store: AuthStore;
  let close: () => Promise<void>;
  let time: number;

  beforeEach(async () => {
    const opened = await authDatabase(backend);
    close = opened.close;
    store = opened.store;
    time = NOW_S * 1000;
    const config = authConfigFrom({ default_permission: 'READ' }, { backendStoreUri: 'unused' });
    const logger = (level: string, message: string) => void logs.push(`${level}: ${message}`);
    // No clock tolerance here, so that the test can tell a token's `exp` from the cache TTL (5 s).
    const settings = testSettings(issuer.url, { FLOWREG_OIDC_ADMIN_GROUP: 'ml-admins', FLOWREG_OIDC_CLOCK_TOLERANCE_SECONDS: '0' });
    const oidc = new OidcVerifier(settings, { clock: () => time, logger });
    auth = createAuthServices({ db: opened.database.db, dialect: opened.database.dialect, journal: opened.database.journal, config, clock: () => time, logger, scrypt: FAST_SCRYPT, oidc });
    const ds = await auth.roles.create('data-science');
    await auth.roles.addPermission(ds.id, 'experiment', '7', 'EDIT');
    const contractors = await auth.roles.create('contractors');
    await auth.roles.addPermission(contractors.id, 'experiment', '7', 'DENY');
  });
  afterEach(async () => close());

  const bearer = async (claims: Record<string, unknown> = {}): Promise<Credentials> => ({ scheme: 'bearer', token: await signToken(key1, issuer.url, claims) });

  it('creates the user on first sight and gives them the grants of the roles their groups name', async () => {
    const alice = await auth.authenticator.authenticate(await bearer({ groups: ['data-science', 'no-such-role'] }));
    expect(alice).toMatchObject({ username: 'alice', isAdmin: false, isServiceAccount: false, groups: ['data-science', 'no-such-role'] });
    expect(await auth.users.get('alice')).toMatchObject({ passwordHash: null, isAdmin: false, isServiceAccount: false });
    expect((await auth.access.permission(alice!, 'experiment', '7')).name).toBe('EDIT');
    expect((await auth.access.permission(alice!, 'experiment', '8')).name).toBe('READ');
    expect(await auth.access.holdsAnyRole(alice!)).toBe(true);
    // Roles come from the token, not from an assignment: a token without the group has no grant.
    const again = await auth.authenticator.authenticate(await bearer({ groups: [], exp: NOW_S + 601 }));
    expect(again).toMatchObject({ userId: alice!.userId, groups: [] });
    expect((await auth.access.permission(again!, 'experiment', '7')).name).toBe('READ');
    expect(await auth.access.holdsAnyRole(again!)).toBe(false);
    expect(await auth.users.list()).toHaveLength(1);
  });

  it("folds group roles with the user's own grants: a group role's DENY vetoes", async () => {
    const alice = await auth.authenticator.authenticate(await bearer({ groups: ['data-science', 'contractors'] }));
    expect((await auth.access.permission(alice!, 'experiment', '7')).name).toBe('DENY');
    await auth.grants.grantCreator(alice!, 'experiment', '9');
    expect((await auth.access.permission(alice!, 'experiment', '9')).name).toBe('MANAGE');
  });

  it('never lets a group name a per-user role', async () => {
    // Roles cannot be created with the reserved prefix through the API; one left in the store by a migration must not be reachable.
    const perUser = await store.createRole({ name: '__user_1__', description: null });
    await store.addRolePermission({ roleId: perUser.id, resourceType: 'experiment', resourcePattern: '*', permission: 'MANAGE' });
    const alice = await auth.authenticator.authenticate(await bearer({ groups: ['__user_1__'] }));
    expect((await auth.access.permission(alice!, 'experiment', '7')).name).toBe('READ');
  });

  it('makes members of the admin group admins while their token says so, without storing it', async () => {
    const admin = await auth.authenticator.authenticate(await bearer({ groups: ['ml-admins'] }));
    expect(admin).toMatchObject({ username: 'alice', isAdmin: true });
    expect((await auth.users.get('alice')).isAdmin).toBe(false);
    const plain = await auth.authenticator.authenticate(await bearer({ groups: ['data-science'] }));
    expect(plain).toMatchObject({ username: 'alice', isAdmin: false });
  });

  it('never signs in as a local account: a user with a password or a service account', async () => {
    await auth.users.create('admin', 'admin-password-1', { isAdmin: true });
    await auth.users.createServiceAccount('ci');
    expect(await auth.authenticator.authenticate(await bearer({ preferred_username: 'admin' }))).toBeUndefined();
    expect(await auth.authenticator.authenticate(await bearer({ preferred_username: 'ci' }))).toBeUndefined();
    expect(logs.join('\n')).toMatch(/warn: OIDC token refused: 'admin' is a local account/);
    // And a provisioned user has no password to sign in with.
    await auth.authenticator.authenticate(await bearer());
    expect(await auth.authenticator.authenticate({ scheme: 'basic', username: 'alice', password: '' })).toBeUndefined();
  });

  it('remembers a verified token until its exp at the latest', async () => {
    const creds = await bearer({ exp: NOW_S + 3 });
    expect(await auth.authenticator.authenticate(creds)).toBeDefined();
    await issuer.stop();
    // Cached: the issuer is not asked again.
    time += 2000;
    expect(await auth.authenticator.authenticate(creds)).toBeDefined();
    // Past exp, though within the cache TTL, the token is checked again and refused.
    time += 2000;
    expect(await auth.authenticator.authenticate(creds)).toBeUndefined();
  });

  it('answers 503 for a token while the issuer is down, and still takes API tokens and passwords', async () => {
    await issuer.stop();
    await unavailable(auth.authenticator.authenticate(await bearer()));
    const bob = await auth.users.create('bob', 'bob-password-123');
    const { secret } = await auth.tokens.create(bob, 'ci');
    expect(await auth.authenticator.authenticate({ scheme: 'bearer', token: secret })).toMatchObject({ username: 'bob' });
    expect(await auth.authenticator.authenticate({ scheme: 'basic', username: 'bob', password: 'bob-password-123' })).toMatchObject({ username: 'bob' });
  });

  it('creates a deleted user anew on their next token: deleting is no ban, the issuer decides who signs in', async () => {
    const creds = await bearer();
    const first = await auth.authenticator.authenticate(creds);
    await auth.users.delete('alice');
    const second = await auth.authenticator.authenticate(creds);
    expect(second?.userId).not.toBe(first?.userId);
  });
});
