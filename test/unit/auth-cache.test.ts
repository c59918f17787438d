/**
 * The verified-credential cache: a change made on one replica is honoured on every other replica
 * within the TTL (the staleness bound), and at once on the replica that made it.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiTokens } from '../../src/auth/api-tokens.js';
import { Authenticator, type Credentials, type Principal } from '../../src/auth/authenticator.js';
import { credentialKey, CredentialCache } from '../../src/auth/credential-cache.js';
import { UserAccounts } from '../../src/auth/user-accounts.js';
import { authHarness, FAST_SCRYPT, type AuthHarness } from '../helpers/auth.js';

const TTL = 5000;

describe('CredentialCache', () => {
  let now = 0;
  const clock = () => now;
  beforeEach(() => {
    now = 1000;
  });

  it('keeps an entry for the TTL and not a millisecond longer', () => {
    const cache = new CredentialCache<string>({ ttlMs: TTL, maxSize: 10, clock });
    cache.set('k', 'alice', 'v');
    now += TTL - 1;
    expect(cache.get('k')).toBe('v');
    now += 1;
    expect(cache.get('k')).toBeUndefined();
  });

  it('caps an entry at its notAfter time (a token expiring sooner than the TTL)', () => {
    const cache = new CredentialCache<string>({ ttlMs: TTL, maxSize: 10, clock });
    cache.set('k', 'alice', 'v', now + 100);
    now += 99;
    expect(cache.get('k')).toBe('v');
    now += 1;
    expect(cache.get('k')).toBeUndefined();
  });

  it('drops every entry of a user, and only theirs', () => {
    const cache = new CredentialCache<string>({ ttlMs: TTL, maxSize: 10, clock });
    cache.set('a1', 'alice', 'x');
    cache.set('a2', 'alice', 'y');
    cache.set('b1', 'bob', 'z');
    cache.dropUser('alice');
    expect([cache.get('a1'), cache.get('a2'), cache.get('b1')]).toEqual([undefined, undefined, 'z']);
  });

  it('is bounded, evicting the oldest entry', () => {
    const cache = new CredentialCache<string>({ ttlMs: TTL, maxSize: 2, clock });
    cache.set('1', 'u', 'a');
    cache.set('2', 'u', 'b');
    cache.set('3', 'u', 'c');
    expect(cache.size).toBe(2);
    expect([cache.get('1'), cache.get('2'), cache.get('3')]).toEqual([undefined, 'b', 'c']);
  });

  it('is off with a TTL of 0', () => {
    const cache = new CredentialCache<string>({ ttlMs: 0, maxSize: 10, clock });
    cache.set('k', 'alice', 'v');
    expect(cache.get('k')).toBeUndefined();
  });

  it('keys by a hash that keeps the parts apart', () => {
    expect(credentialKey('basic', 'ab', 'c')).not.toBe(credentialKey('basic', 'a', 'bc'));
    expect(credentialKey('basic', 'a', 'secret')).not.toContain('secret');
  });
});

describe('staleness across replicas', () => {
  let h: AuthHarness;
  /** A second replica: its own cache and authenticator over the same store and clock. */
  let other: { authenticator: Authenticator; users: UserAccounts; tokens: ApiTokens };

  beforeEach(async () => {
    h = await authHarness({ ttlMs: TTL });
    const cache = new CredentialCache<Principal>({ ttlMs: TTL, maxSize: 100, clock: h.now });
    const tokens = new ApiTokens(h.store, h.now, (u) => cache.dropUser(u));
    const authenticator = new Authenticator({ store: h.store, tokens, cache, logger: () => {}, scrypt: FAST_SCRYPT });
    const users = new UserAccounts({ store: h.store, clock: h.now, onUserChanged: (u) => authenticator.forget(u), scrypt: FAST_SCRYPT });
    other = { authenticator, users, tokens };
    await h.users.create('alice', 'old-password-123');
  });
  afterEach(async () => h.close());

  const basic = (password: string): Credentials => ({ scheme: 'basic', username: 'alice', password });

  it('a password change: at once where it is made, within the TTL elsewhere', async () => {
    expect(await h.authenticator.authenticate(basic('old-password-123'))).toMatchObject({ username: 'alice' });
    h.advance(1000);
    await other.users.updatePassword('alice', 'new-password-456');
    expect(await other.authenticator.authenticate(basic('old-password-123'))).toBeUndefined();
    // This replica still trusts what it verified, but never beyond the TTL of that check.
    h.advance(TTL - 1000 - 1);
    expect(await h.authenticator.authenticate(basic('old-password-123'))).toBeDefined();
    h.advance(1);
    expect(await h.authenticator.authenticate(basic('old-password-123'))).toBeUndefined();
    expect(await h.authenticator.authenticate(basic('new-password-456'))).toMatchObject({ username: 'alice' });
  });

  it('a user deletion', async () => {
    expect(await h.authenticator.authenticate(basic('old-password-123'))).toBeDefined();
    await other.users.delete('alice');
    h.advance(TTL);
    expect(await h.authenticator.authenticate(basic('old-password-123'))).toBeUndefined();
  });

  it('a change on this replica applies at once', async () => {
    expect(await h.authenticator.authenticate(basic('old-password-123'))).toBeDefined();
    await h.users.updatePassword('alice', 'new-password-456');
    expect(await h.authenticator.authenticate(basic('old-password-123'))).toBeUndefined();
    await h.users.updateAdmin('alice', true);
    expect(await h.authenticator.authenticate(basic('new-password-456'))).toMatchObject({ isAdmin: true });
    await h.users.delete('alice');
    expect(await h.authenticator.authenticate(basic('new-password-456'))).toBeUndefined();
  });

  it('an admin flag change reaches the other replica within the TTL', async () => {
    expect(await h.authenticator.authenticate(basic('old-password-123'))).toMatchObject({ isAdmin: false });
    await other.users.updateAdmin('alice', true);
    h.advance(TTL);
    expect(await h.authenticator.authenticate(basic('old-password-123'))).toMatchObject({ isAdmin: true });
  });

  it('a token revocation', async () => {
    const alice = await h.users.get('alice');
    const { secret, token } = await h.tokens.create(alice, 'ci');
    const bearer: Credentials = { scheme: 'bearer', token: secret };
    expect(await h.authenticator.authenticate(bearer)).toMatchObject({ username: 'alice', tokenId: token.id });
    expect(await other.authenticator.authenticate(bearer)).toBeDefined();
    await other.tokens.revoke(alice, token.id);
    expect(await other.authenticator.authenticate(bearer)).toBeUndefined();
    h.advance(TTL - 1);
    expect(await h.authenticator.authenticate(bearer)).toBeDefined();
    h.advance(1);
    expect(await h.authenticator.authenticate(bearer)).toBeUndefined();
  });

  it('a token is not trusted past its expiry, even when cached', async () => {
    const alice = await h.users.get('alice');
    const { secret } = await h.tokens.create(alice, 'short', h.now() + 1000);
    const bearer: Credentials = { scheme: 'bearer', token: secret };
    expect(await h.authenticator.authenticate(bearer)).toBeDefined();
    h.advance(1000);
    expect(await h.authenticator.authenticate(bearer)).toBeUndefined();
  });

  it('keeps the KDF off the hot path: one check per TTL, one for concurrent first requests', async () => {
    const spy = vi.spyOn(h.store, 'getUser');
    const results = await Promise.all(Array.from({ length: 5 }, () => h.authenticator.authenticate(basic('old-password-123'))));
    expect(results.every((r) => r?.username === 'alice')).toBe(true);
    for (let i = 0; i < 10; i++) await h.authenticator.authenticate(basic('old-password-123'));
    expect(spy).toHaveBeenCalledTimes(1);
    h.advance(TTL);
    await h.authenticator.authenticate(basic('old-password-123'));
    expect(spy).toHaveBeenCalledTimes(2);
  });

  it('never caches a failure', async () => {
    expect(await h.authenticator.authenticate(basic('wrong-password-1'))).toBeUndefined();
    expect(await h.authenticator.authenticate({ scheme: 'basic', username: 'nobody', password: 'old-password-123' })).toBeUndefined();
    expect(h.cache.size).toBe(0);
  });

  it('refuses an admin on the legacy default password (GHSA-gq3w-7jj3-x7gr)', async () => {
    await h.users.create('root', 'password1234', { isAdmin: true });
    expect(await h.authenticator.authenticate({ scheme: 'basic', username: 'root', password: 'password1234' })).toBeUndefined();
    expect(h.logs.join('\n')).toContain('insecure default password');
  });
});
