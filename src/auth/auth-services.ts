/**
 * Access control assembled from the configuration over the backend store's database: what the
 * composition root builds once per process and the edge uses on every request.
 */
import type { Kysely } from 'kysely';
import type { Clock } from '../domain/clock.js';
import type { Logger } from '../logger.js';
import type { SqlDialect } from '../store/sql/dialect.js';
import type { Journal } from '../store/sql/journal.js';
import type { Database } from '../store/sql/schema.js';
import { SqlAuthStore } from '../store/sql/auth-sql-store.js';
import { AccessControl } from './access-control.js';
import { ApiTokens } from './api-tokens.js';
import type { AuthConfig } from './auth-config.js';
import { Authenticator, type Principal } from './authenticator.js';
import { bootstrapAdmin } from './bootstrap.js';
import { CredentialCache } from './credential-cache.js';
import type { GrantRow } from './requirements.js';
import type { OidcVerifier } from './oidc-verifier.js';
import type { ScryptParams } from './passwords.js';
import { ResourceGrants } from './resource-grants.js';
import { Roles } from './roles.js';
import { UserAccounts } from './user-accounts.js';
import { Sessions } from './sessions.js';
import { SqlSessionStore } from '../store/sql/session-sql-store.js';

export interface AuthServices {
  readonly authenticator: Authenticator;
  readonly access: AccessControl;
  readonly users: UserAccounts;
  readonly tokens: ApiTokens;
  readonly grants: ResourceGrants;
  readonly roles: Roles;
  /** The web UI's browser sessions (sessions.ts). */
  readonly sessions: Sessions;
  /** Creates the configured admin if absent; a ConfigError when it cannot (refuse to start). */
  bootstrap(): Promise<void>;
}

export interface AuthServicesDeps {
  readonly db: Kysely<Database>;
  readonly dialect: SqlDialect;
  readonly journal: Journal;
  readonly config: AuthConfig;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Tests lower the KDF cost; production keeps the default. */
  readonly scrypt?: ScryptParams;
  /** Present when OIDC is configured: Bearer JWTs of the issuer sign in too. */
  readonly oidc?: OidcVerifier;
}

export function createAuthServices(deps: AuthServicesDeps): AuthServices {
  const store = new SqlAuthStore(deps.db, deps.dialect, deps.journal);
  const cache = new CredentialCache<Principal>({ ttlMs: deps.config.credentialCacheTtlMs, maxSize: deps.config.credentialCacheMaxSize, clock: deps.clock });
  const forget = (username: string) => cache.dropUser(username);
  const tokens = new ApiTokens(store, deps.clock, forget);
  const scrypt = deps.scrypt === undefined ? {} : { scrypt: deps.scrypt };
  const grantsCache = new CredentialCache<readonly GrantRow[]>({
    ttlMs: deps.config.credentialCacheTtlMs,
    maxSize: deps.config.credentialCacheMaxSize,
    clock: deps.clock,
  });
  const access = new AccessControl(store, { defaultPermission: deps.config.defaultPermission, grantsCache });
  const grantsChanged = () => access.forgetGrants();
  const sessions = new Sessions(new SqlSessionStore(deps.db, deps.dialect, deps.journal), deps.clock, deps.config.sessionTtlMs);
  return {
    authenticator: new Authenticator({ store, tokens, cache, logger: deps.logger, sessions, ...scrypt, ...(deps.oidc ? { oidc: deps.oidc } : {}) }),
    sessions,
    access,
    users: new UserAccounts({
      store,
      clock: deps.clock,
      onUserChanged: (username) => {
        forget(username);
        grantsChanged();
      },
      ...scrypt,
    }),
    tokens,
    grants: new ResourceGrants(store, grantsChanged),
    roles: new Roles(store, grantsChanged),
    bootstrap: () => bootstrapAdmin(deps.config, { store, now: deps.clock(), logger: deps.logger, ...scrypt }),
  };
}
