/**
 * The `[mlflow]` keys of basic_auth.ini that access control reads: defaults, and a one-line
 * refusal for a value or key flowreg cannot honour.
 */
import { describe, expect, it } from 'vitest';
import { authConfigFrom } from '../../src/auth/auth-config.js';
import { ConfigError } from '../../src/config/config-error.js';

const backendStoreUri = 'postgresql://db/flowreg';

describe('auth config', () => {
  it('defaults as MLflow does, with a short credential cache', () => {
    expect(authConfigFrom({}, { backendStoreUri })).toEqual({
      defaultPermission: 'READ',
      adminUsername: undefined,
      adminPassword: undefined,
      credentialCacheTtlMs: 5000,
      credentialCacheMaxSize: 10000,
      sessionTtlMs: 12 * 60 * 60 * 1000,
    });
  });

  it('reads the keys of basic_auth.ini', () => {
    const config = authConfigFrom(
      {
        default_permission: 'NO_PERMISSIONS',
        admin_username: 'root',
        admin_password: 'a-long-password',
        auth_cache_ttl_seconds: '2',
        auth_cache_max_size: '50',
        session_ttl_seconds: '600',
        authorization_function: 'mlflow.server.auth:authenticate_request_basic_auth',
        database_uri: backendStoreUri,
        grant_default_workspace_access: 'false',
      },
      { backendStoreUri },
    );
    expect(config).toEqual({
      defaultPermission: 'NO_PERMISSIONS',
      adminUsername: 'root',
      adminPassword: 'a-long-password',
      credentialCacheTtlMs: 2000,
      credentialCacheMaxSize: 50,
      sessionTtlMs: 600_000,
    });
  });

  it('treats an empty admin value as unset (auth/config.py)', () => {
    expect(authConfigFrom({ admin_username: '', admin_password: '' }, { backendStoreUri })).toMatchObject({ adminUsername: undefined, adminPassword: undefined });
  });

  it.each([
    [{ default_permission: 'OWNER' }, 'default_permission = OWNER'],
    [{ default_permission: 'DENY' }, 'default_permission = DENY'],
    [{ auth_cache_ttl_seconds: '-1' }, 'auth_cache_ttl_seconds = -1'],
    [{ auth_cache_max_size: 'lots' }, 'auth_cache_max_size = lots'],
    [{ authorization_function: 'mlflow.server.auth.session:authenticate_request_session' }, 'is not supported'],
    [{ database_uri: 'sqlite:///basic_auth.db' }, 'flowreg keeps users in the backend store'],
    [{ read_database_uri: 'postgresql://replica/db' }, 'read_database_uri is not supported'],
    [{ admin_pasword: 'typo' }, 'unknown key admin_pasword'],
  ])('refuses %j', (raw, message) => {
    expect(() => authConfigFrom(raw, { backendStoreUri })).toThrow(ConfigError);
    expect(() => authConfigFrom(raw, { backendStoreUri })).toThrow(message);
  });
});
