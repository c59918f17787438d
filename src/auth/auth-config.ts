/**
 * What access control needs from the configuration, and the checks of the values MLflow's
 * `basic_auth.ini` (section `[mlflow]`, found through MLFLOW_AUTH_CONFIG_PATH) and its environment
 * variables give (auth/config.py: read_auth_config). config/ reads the file and the environment
 * (an environment variable that is set wins over the file, even when empty, as in MLflow) and
 * passes the merged raw values here.
 *
 * A key flowreg cannot honour refuses start-up with one line rather than being ignored.
 */
import { ConfigError } from '../config/config-error.js';
import { isPermissionName, type PermissionName } from './permissions.js';

export interface AuthConfig {
  /** `default_permission`: what a user has on a resource nobody granted them anything on. */
  readonly defaultPermission: PermissionName;
  /** `admin_username` / MLFLOW_AUTH_ADMIN_USERNAME: the admin created on first start. */
  readonly adminUsername: string | undefined;
  /** `admin_password` / MLFLOW_AUTH_ADMIN_PASSWORD. */
  readonly adminPassword: string | undefined;
  /** `auth_cache_ttl_seconds`: how long a verified credential is remembered; bounds staleness across replicas. */
  readonly credentialCacheTtlMs: number;
  /** `auth_cache_max_size`. */
  readonly credentialCacheMaxSize: number;
  /** `session_ttl_seconds` (flowreg's): how long a web UI sign-in lasts (auth/sessions.ts). */
  readonly sessionTtlMs: number;
}

/** The raw `[mlflow]` values, environment already merged in; absent keys are undefined. */
export type RawAuthConfig = Readonly<Record<string, string | undefined>>;

/** MLflow's default is 0 (off); flowreg keeps a few seconds so that the KDF stays off the hot path. */
export const DEFAULT_CACHE_TTL_SECONDS = 5;
const DEFAULT_CACHE_MAX_SIZE = 10_000;
/** A working day: a browser left signed in overnight asks again. */
export const DEFAULT_SESSION_TTL_SECONDS = 12 * 60 * 60;
const BASIC_AUTH_FUNCTION = 'mlflow.server.auth:authenticate_request_basic_auth';

/** Keys MLflow reads that have no effect on a server without workspaces; accepted as they are. */
const WITHOUT_EFFECT = new Set(['grant_default_workspace_access', 'workspace_cache_max_size', 'workspace_cache_ttl_seconds']);
const KNOWN = new Set([
  'default_permission',
  'admin_username',
  'admin_password',
  'auth_cache_ttl_seconds',
  'auth_cache_max_size',
  'session_ttl_seconds',
  'authorization_function',
  'database_uri',
  'read_database_uri',
  ...WITHOUT_EFFECT,
]);

function nonNegativeInt(raw: RawAuthConfig, key: string, fallback: number): number {
  const value = raw[key];
  if (value === undefined || value.trim() === '') return fallback;
  if (!/^\s*\d+\s*$/.test(value)) throw new ConfigError(`auth config: ${key} = ${value}: expected a whole number`);
  return Number(value);
}

/**
 * `backendStoreUri`: users live in the backend store, so `database_uri` is accepted only when it
 * names that same store (or is absent).
 */
export function authConfigFrom(raw: RawAuthConfig, options: { backendStoreUri: string }): AuthConfig {
  for (const key of Object.keys(raw)) {
    if (raw[key] !== undefined && !KNOWN.has(key)) throw new ConfigError(`auth config: unknown key ${key}`);
  }
  const permission = (raw.default_permission ?? 'READ').trim();
  if (!isPermissionName(permission) || permission === 'DENY') {
    throw new ConfigError(`auth config: default_permission = ${permission}: expected READ, USE, EDIT, MANAGE or NO_PERMISSIONS`);
  }
  const fn = raw.authorization_function?.trim();
  if (fn && fn !== BASIC_AUTH_FUNCTION) {
    throw new ConfigError(`auth config: authorization_function = ${fn} is not supported; flowreg authenticates with Basic credentials and API tokens`);
  }
  const db = raw.database_uri?.trim();
  if (db && db !== options.backendStoreUri) {
    throw new ConfigError(
      `auth config: database_uri = ${db}: flowreg keeps users in the backend store (${options.backendStoreUri}); remove database_uri or set it to that URI`,
    );
  }
  if (raw.read_database_uri?.trim()) throw new ConfigError('auth config: read_database_uri is not supported');
  return {
    defaultPermission: permission,
    adminUsername: raw.admin_username || undefined,
    adminPassword: raw.admin_password || undefined,
    credentialCacheTtlMs: nonNegativeInt(raw, 'auth_cache_ttl_seconds', DEFAULT_CACHE_TTL_SECONDS) * 1000,
    credentialCacheMaxSize: nonNegativeInt(raw, 'auth_cache_max_size', DEFAULT_CACHE_MAX_SIZE),
    sessionTtlMs: nonNegativeInt(raw, 'session_ttl_seconds', DEFAULT_SESSION_TTL_SECONDS) * 1000,
  };
}
