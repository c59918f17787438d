/**
 * API tokens: the secret's shape, shown once and stored only as a hash; expiry and revocation
 * refuse a token; a service account signs in with tokens only.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hashToken, looksLikeToken, TOKEN_PREFIX } from '../../src/auth/api-tokens.js';
import { parseAuthorization } from '../../src/auth/authenticator.js';
import { authHarness, type AuthHarness } from '../helpers/auth.js';

let h: AuthHarness;
beforeEach(async () => {
  h = await authHarness();
});
afterEach(async () => h.close());

describe('API tokens', () => {
  it('have a recognisable format and distinct high-entropy secrets', async () => {
    const user = await h.users.create('alice', 'alice-password-1');
    const a = await h.tokens.create(user, 'ci');
    const b = await h.tokens.create(user, 'ci');
    expect(a.secret.startsWith(TOKEN_PREFIX)).toBe(true);
    expect(a.secret).toMatch(/^flowreg_[A-Za-z0-9_-]{43}$/);
    expect(looksLikeToken(a.secret)).toBe(true);
    expect(a.secret).not.toBe(b.secret);
    expect(a.token).toMatchObject({ userId: user.id, name: 'ci', expirationTime: null, revokedTime: null, lastUsedTime: null });
  });

  it('are stored as a sha256 hash and never listed with their secret', async () => {
    const user = await h.users.create('alice', 'alice-password-1');
    const { secret } = await h.tokens.create(user, 'laptop');
    const rows = await h.database.db.withTables<{ api_tokens: { token_hash: string } }>().selectFrom('api_tokens').select('token_hash').execute();
    expect(rows).toEqual([{ token_hash: hashToken(secret) }]);
    const listed = JSON.stringify(await h.tokens.list(user));
    expect(listed).not.toContain(secret);
    expect(listed).not.toContain(hashToken(secret));
    expect(JSON.parse(listed)).toEqual([expect.objectContaining({ name: 'laptop' })]);
  });

  it('verify to their owner and record the use', async () => {
    const user = await h.users.create('alice', 'alice-password-1');
    const { secret, token } = await h.tokens.create(user, 'ci');
    const check = await h.tokens.verify(secret);
    expect(check).toMatchObject({ ok: true, user: { username: 'alice' }, token: { id: token.id } });
    expect((await h.tokens.list(user))[0]?.lastUsedTime).toBe(h.now());
  });

  it('refuse expired, revoked, unknown and malformed secrets', async () => {
    const user = await h.users.create('alice', 'alice-password-1');
    const expiring = await h.tokens.create(user, 'short', h.now() + 60_000);
    const revoked = await h.tokens.create(user, 'gone');
    await h.tokens.revoke(user, revoked.token.id);
    expect((await h.tokens.verify(expiring.secret)).ok).toBe(true);
    h.advance(60_000);
    expect(await h.tokens.verify(expiring.secret)).toEqual({ ok: false, reason: 'expired' });
    expect(await h.tokens.verify(revoked.secret)).toEqual({ ok: false, reason: 'revoked' });
    expect(await h.tokens.verify(`${TOKEN_PREFIX}${'A'.repeat(43)}`)).toEqual({ ok: false, reason: 'unknown' });
    for (const bad of ['', 'flowreg_', revoked.secret.slice(0, -1), `Bearer ${revoked.secret}`, revoked.secret.replace(TOKEN_PREFIX, 'mlflow_')]) {
      expect(await h.tokens.verify(bad)).toEqual({ ok: false, reason: 'malformed' });
    }
    const listed = await h.tokens.list(user);
    expect(listed.find((t) => t.name === 'gone')?.revokedTime).toBe(h.now() - 60_000);
  });

  it('validate name and expiry, and revoke only the owner’s live tokens', async () => {
    const alice = await h.users.create('alice', 'alice-password-1');
    const bob = await h.users.create('bob', 'bob-password-123');
    await expect(h.tokens.create(alice, '')).rejects.toThrow('Token name cannot be empty.');
    await expect(h.tokens.create(alice, 'x'.repeat(256))).rejects.toThrow('at most 255');
    await expect(h.tokens.create(alice, 'past', h.now())).rejects.toThrow('in the future');
    const { token } = await h.tokens.create(alice, 'ci');
    await expect(h.tokens.revoke(bob, token.id)).rejects.toMatchObject({ code: 'RESOURCE_DOES_NOT_EXIST' });
    await h.tokens.revoke(alice, token.id);
    await expect(h.tokens.revoke(alice, token.id)).rejects.toMatchObject({ code: 'RESOURCE_DOES_NOT_EXIST' });
  });

  it('are the only way in for a service account', async () => {
    const robot = await h.users.createServiceAccount('ci-bot');
    expect(robot).toMatchObject({ isServiceAccount: true, passwordHash: null });
    const { secret } = await h.tokens.create(robot, 'pipeline');
    expect(await h.authenticator.authenticate({ scheme: 'bearer', token: secret })).toMatchObject({ username: 'ci-bot', isServiceAccount: true });
    expect(await h.authenticator.authenticate({ scheme: 'basic', username: 'ci-bot', password: secret })).toBeUndefined();
    await expect(h.users.updatePassword('ci-bot', 'a-long-password')).rejects.toThrow('service account');
  });

  it('are gone with their user', async () => {
    const user = await h.users.create('alice', 'alice-password-1');
    const { secret } = await h.tokens.create(user, 'ci');
    await h.users.delete('alice');
    expect(await h.tokens.verify(secret)).toEqual({ ok: false, reason: 'unknown' });
  });
});

describe('Authorization header', () => {
  const basic = (s: string) => `Basic ${Buffer.from(s).toString('base64')}`;
  it.each([
    [basic('alice:pw'), { scheme: 'basic', username: 'alice', password: 'pw' }],
    [basic('alice:pa:ss'), { scheme: 'basic', username: 'alice', password: 'pa:ss' }],
    [basic('alice:'), { scheme: 'basic', username: 'alice', password: '' }],
    [`basic ${Buffer.from('a:b').toString('base64')}`, { scheme: 'basic', username: 'a', password: 'b' }],
    ['Bearer flowreg_abc', { scheme: 'bearer', token: 'flowreg_abc' }],
    [undefined, undefined],
    ['', undefined],
    [basic('no-colon'), undefined],
    ['Basic !!!', undefined],
    ['Digest abc', undefined],
    ['Bearer', undefined],
    ['Bearer a b', undefined],
  ])('%j', (header, expected) => {
    expect(parseAuthorization(header)).toEqual(expected);
  });
});
