/**
 * OIDC token checks with keys generated in the test and a local key set (no issuer to reach): the
 * claims a token must carry, the algorithms refused, and what the caller's name and groups are read
 * from. The same refusals against an issuer served over HTTP: test/integration/oidc-issuer.test.ts.
 */
import { createLocalJWKSet } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { claimAt, looksLikeJwt, OidcVerifier } from '../../src/auth/oidc-verifier.js';
import { NOW_S, refusals, refusedTokens, signToken, testKey, testSettings, type TestKey } from '../helpers/oidc.js';

const ISSUER = 'https://idp.example.com/realms/ml';
let rsa: TestKey;
let ec: TestKey;
let ed: TestKey;
let ps: TestKey;

beforeAll(async () => {
  [rsa, ec, ed, ps] = await Promise.all([testKey('rsa-1'), testKey('ec-1', 'ES256'), testKey('ed-1', 'EdDSA'), testKey('ps-1', 'PS256')]);
});

function verifier(extra: Record<string, string> = {}, clockS = NOW_S): OidcVerifier {
  const keys = createLocalJWKSet({ keys: [rsa, ec, ed, ps].map((k) => k.publicJwk) });
  return new OidcVerifier(testSettings(ISSUER, extra), { clock: () => clockS * 1000, logger: () => {}, keys });
}

describe('tokens refused', () => {
  it('refuses every forged, misdirected or stale token', async () => {
    const v = verifier();
    const { got, want } = await refusals((token) => v.verify(token), await refusedTokens(rsa, ISSUER));
    expect(got).toEqual(want);
  });

  it.each([
    ['an API token', 'flowreg_' + 'a'.repeat(43)],
    ['two parts', 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0'],
    ['garbage in the parts', 'eyJ!.e30.sig'],
  ])('refuses %s without looking at keys', async (_name, value) => {
    expect(looksLikeJwt(value)).toBe(false);
    expect(await verifier().verify(value)).toEqual({ ok: false, reason: 'not a JWT' });
  });
});

describe('tokens accepted', () => {
  it.each([
    ['RS256', () => rsa],
    ['ES256', () => ec],
    ['EdDSA', () => ed],
    ['PS256', () => ps],
  ])('%s', async (_alg, key) => {
    const result = await verifier().verify(await signToken(key(), ISSUER));
    expect(result).toEqual({ ok: true, identity: { username: 'alice', groups: ['data-science'], inAdminGroup: false, expiresAt: (NOW_S + 600) * 1000 } });
  });

  it.each([
    ['expired, within the 30 s tolerance', { exp: NOW_S - 29 }],
    ['not yet valid, within the tolerance', { nbf: NOW_S + 29 }],
    ['an audience list holding ours', { aud: ['other', 'flowreg'] }],
  ])('%s', async (_name, claims) => {
    expect((await verifier().verify(await signToken(rsa, ISSUER, claims))).ok).toBe(true);
  });

  it('applies a configured clock tolerance', async () => {
    const token = await signToken(rsa, ISSUER, { exp: NOW_S - 5 });
    expect((await verifier({ FLOWREG_OIDC_CLOCK_TOLERANCE_SECONDS: '0' }).verify(token)).ok).toBe(false);
    expect((await verifier({ FLOWREG_OIDC_CLOCK_TOLERANCE_SECONDS: '10' }).verify(token)).ok).toBe(true);
  });
});

describe('who the caller is', () => {
  const identity = async (claims: Record<string, unknown>, extra: Record<string, string> = {}) => {
    const result = await verifier(extra).verify(await signToken(rsa, ISSUER, claims));
    return result.ok ? result.identity : result.reason;
  };

  it.each([
    ['no groups claim', { groups: undefined }, []],
    ['one group as a string', { groups: 'ops' }, ['ops']],
    ['duplicates kept once', { groups: ['a', 'b', 'a'] }, ['a', 'b']],
  ])('groups: %s', async (_name, claims, groups) => {
    expect(await identity(claims)).toMatchObject({ groups });
  });

  it('refuses a groups claim longer than the cap rather than dropping groups (one could carry a DENY)', async () => {
    expect(await identity({ groups: Array.from({ length: 1001 }, (_, i) => `g${i}`) })).toMatch(/at most 1000/);
  });

  it('reads the configured claims, dotted paths included', async () => {
    const claims = { sub: 'u-123', preferred_username: 'chosen-name', realm_access: { roles: ['ml-admins', 'ops'] } };
    const settings = { FLOWREG_OIDC_USERNAME_CLAIM: 'sub', FLOWREG_OIDC_GROUPS_CLAIM: 'realm_access.roles', FLOWREG_OIDC_ADMIN_GROUP: 'ml-admins' };
    expect(await identity(claims, settings)).toMatchObject({ username: 'u-123', groups: ['ml-admins', 'ops'], inAdminGroup: true });
  });

  it('does not fall back to sub when the username claim is missing', async () => {
    expect(await identity({ preferred_username: undefined, sub: 'u-123' })).toMatch(/claim preferred_username is missing/);
  });

  it('claimAt prefers a top-level claim whose name has a dot', () => {
    expect(claimAt({ 'a.b': 1, a: { b: 2 } }, 'a.b')).toBe(1);
    expect(claimAt({ a: { b: 2 } }, 'a.b')).toBe(2);
    expect(claimAt({ a: [{ b: 2 }] }, 'a.0.b')).toBeUndefined();
  });
});
