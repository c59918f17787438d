/**
 * The OIDC keys: absent → no OIDC; complete → frozen settings with the defaults; partial or unsafe →
 * a ConfigError (one line, refuse to start), never a server that checks tokens against nothing.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/config-error.js';
import { checkOidcNeedsAuth, oidcSettingsFrom } from '../../src/config/oidc.js';

const ISSUER = 'https://idp.example.com/realms/ml';

describe('oidcSettingsFrom', () => {
  it('is undefined without any OIDC key (empty values count as unset)', () => {
    expect(oidcSettingsFrom({})).toBeUndefined();
    expect(oidcSettingsFrom({ FLOWREG_OIDC_ISSUER: '', FLOWREG_OIDC_AUDIENCE: ' ' })).toBeUndefined();
  });

  it('gives frozen settings with the defaults', () => {
    const settings = oidcSettingsFrom({ FLOWREG_OIDC_ISSUER: ISSUER, FLOWREG_OIDC_AUDIENCE: 'flowreg' });
    expect(settings).toEqual({
      issuer: ISSUER,
      audience: 'flowreg',
      jwksUrl: undefined,
      usernameClaim: 'preferred_username',
      groupsClaim: 'groups',
      adminGroup: undefined,
      clockToleranceSeconds: 30,
    });
    expect(Object.isFrozen(settings)).toBe(true);
  });

  it('reads every key, flags winning over the environment', () => {
    const env = {
      FLOWREG_OIDC_ISSUER: 'https://wrong.example.com',
      FLOWREG_OIDC_AUDIENCE: 'flowreg',
      FLOWREG_OIDC_JWKS_URL: 'https://idp.example.com/keys',
      FLOWREG_OIDC_USERNAME_CLAIM: 'email',
      FLOWREG_OIDC_GROUPS_CLAIM: 'realm_access.roles',
      FLOWREG_OIDC_ADMIN_GROUP: 'ml-admins',
      FLOWREG_OIDC_CLOCK_TOLERANCE_SECONDS: '5',
    };
    expect(oidcSettingsFrom(env, { issuer: ISSUER })).toEqual({
      issuer: ISSUER,
      audience: 'flowreg',
      jwksUrl: 'https://idp.example.com/keys',
      usernameClaim: 'email',
      groupsClaim: 'realm_access.roles',
      adminGroup: 'ml-admins',
      clockToleranceSeconds: 5,
    });
  });

  it.each(['http://127.0.0.1:8080', 'http://localhost:8080/realms/test', 'http://[::1]:9000'])('accepts plain http to this machine: %s', (issuer) => {
    expect(oidcSettingsFrom({ FLOWREG_OIDC_ISSUER: issuer, FLOWREG_OIDC_AUDIENCE: 'a' })?.issuer).toBe(issuer);
  });

  it.each([
    ['issuer without audience', { FLOWREG_OIDC_ISSUER: ISSUER }, /FLOWREG_OIDC_AUDIENCE is not/],
    ['audience without issuer', { FLOWREG_OIDC_AUDIENCE: 'flowreg' }, /FLOWREG_OIDC_AUDIENCE set without FLOWREG_OIDC_ISSUER/],
    ['admin group without issuer', { FLOWREG_OIDC_ADMIN_GROUP: 'admins' }, /FLOWREG_OIDC_ADMIN_GROUP set without/],
    ['plain http to another host', { FLOWREG_OIDC_ISSUER: 'http://idp.example.com', FLOWREG_OIDC_AUDIENCE: 'a' }, /expected an https:\/\/ URL/],
    ['not a URL', { FLOWREG_OIDC_ISSUER: 'idp.example.com', FLOWREG_OIDC_AUDIENCE: 'a' }, /is not a URL/],
    ['issuer with a query', { FLOWREG_OIDC_ISSUER: `${ISSUER}?x=1`, FLOWREG_OIDC_AUDIENCE: 'a' }, /must not carry a query/],
    ['http JWKS URL', { FLOWREG_OIDC_ISSUER: ISSUER, FLOWREG_OIDC_AUDIENCE: 'a', FLOWREG_OIDC_JWKS_URL: 'http://idp.example.com/keys' }, /FLOWREG_OIDC_JWKS_URL: expected an https/],
    ['bad claim name', { FLOWREG_OIDC_ISSUER: ISSUER, FLOWREG_OIDC_AUDIENCE: 'a', FLOWREG_OIDC_GROUPS_CLAIM: 'a b' }, /is not a claim name/],
    ['tolerance too large', { FLOWREG_OIDC_ISSUER: ISSUER, FLOWREG_OIDC_AUDIENCE: 'a', FLOWREG_OIDC_CLOCK_TOLERANCE_SECONDS: '3600' }, /0 to 300 seconds/],
  ])('refuses %s', (_name, env, message) => {
    expect(() => oidcSettingsFrom(env)).toThrow(ConfigError);
    expect(() => oidcSettingsFrom(env)).toThrow(message);
  });

  it('refuses OIDC settings on a server without authentication', () => {
    const settings = oidcSettingsFrom({ FLOWREG_OIDC_ISSUER: ISSUER, FLOWREG_OIDC_AUDIENCE: 'flowreg' });
    expect(() => checkOidcNeedsAuth(settings, false)).toThrow(/authentication is off/);
    expect(() => checkOidcNeedsAuth(settings, true)).not.toThrow();
    expect(() => checkOidcNeedsAuth(undefined, false)).not.toThrow();
  });
});
