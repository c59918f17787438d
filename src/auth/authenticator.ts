/**
 * Who is calling: checks the credentials MLflow clients send (`Authorization: Basic` from
 * MLFLOW_TRACKING_USERNAME/PASSWORD, `Authorization: Bearer` from MLFLOW_TRACKING_TOKEN, here an
 * API token, or with OIDC configured a JWT of the issuer) against the users in the backend store,
 * through the verified-credential cache.
 */
import type { Logger } from '../logger.js';
import type { AuthStore, User } from '../store/auth-store.js';
import type { ApiTokens } from './api-tokens.js';
import { credentialKey, CredentialCache } from './credential-cache.js';
import { provisionOidcUser } from './oidc-users.js';
import { looksLikeJwt, type OidcVerifier } from './oidc-verifier.js';
import { DEFAULT_SCRYPT, hashPassword, verifyPassword, type ScryptParams } from './passwords.js';
import type { SessionCredentials, Sessions } from './sessions.js';

/** The authenticated caller, as the authorizer and the handlers see them. */
export interface Principal {
  readonly userId: number;
  readonly username: string;
  readonly isAdmin: boolean;
  readonly isServiceAccount: boolean;
  /** Set when the caller signed in with an API token. */
  readonly tokenId?: number;
  /**
   * The groups an OIDC token lists: each names the role of the same name, whose grants the caller
   * holds for this request as if the role were assigned to them (access-control.ts).
   */
  readonly groups?: readonly string[];
}

export type Credentials =
  | { readonly scheme: 'basic'; readonly username: string; readonly password: string }
  | { readonly scheme: 'bearer'; readonly token: string }
  | SessionCredentials;

/**
 * The credentials of an `Authorization` header, or undefined when there are none it understands
 * (the edge then answers 401 with `WWW-Authenticate: Basic realm="mlflow"`). Basic is
 * `base64(username:password)`, split at the first colon (RFC 7617).
 */
export function parseAuthorization(header: string | undefined): Credentials | undefined {
  if (!header) return undefined;
  const m = /^([A-Za-z]+) +(\S+) *$/.exec(header);
  if (!m) return undefined;
  const scheme = (m[1] as string).toLowerCase();
  const value = m[2] as string;
  if (scheme === 'bearer') return { scheme: 'bearer', token: value };
  if (scheme !== 'basic' || !/^[A-Za-z0-9+/]*={0,2}$/.test(value)) return undefined;
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { scheme: 'basic', username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/**
 * The password older MLflow versions shipped in basic_auth.ini (GHSA-gq3w-7jj3-x7gr): never
 * accepted for an admin login (auth/__init__.py: _is_disabled_legacy_admin_login).
 */
export const LEGACY_DEFAULT_ADMIN_PASSWORD = 'password1234';

export function principalOf(user: User, tokenId?: number): Principal {
  return {
    userId: user.id,
    username: user.username,
    isAdmin: user.isAdmin,
    isServiceAccount: user.isServiceAccount,
    ...(tokenId === undefined ? {} : { tokenId }),
  };
}

export interface AuthenticatorDeps {
  readonly store: AuthStore;
  readonly tokens: ApiTokens;
  readonly cache: CredentialCache<Principal>;
  readonly logger: Logger;
  /** The KDF cost of the stand-in hash checked for an unknown user: the one users' hashes have. */
  readonly scrypt?: ScryptParams;
  /** With OIDC configured, a Bearer value that is a JWT is checked against the issuer. */
  readonly oidc?: OidcVerifier;
  /** The web UI's browser sessions (sessions.ts): the cookie credential. */
  readonly sessions?: Sessions;
}

export class Authenticator {
  /** Concurrent checks of the same uncached credentials share one KDF run. */
  private readonly inFlight = new Map<string, Promise<Principal | undefined>>();
  /** Checked instead of a real hash when the user does not exist, so that timing does not tell who does. */
  private standIn: Promise<string> | undefined;

  constructor(private readonly deps: AuthenticatorDeps) {}

  /** The caller, or undefined when the credentials are wrong, revoked, expired or unknown. */
  async authenticate(credentials: Credentials): Promise<Principal | undefined> {
    // A session is looked up every time, never cached: a logout or a deleted user ends it on
    // every replica at once.
    if (credentials.scheme === 'session') return this.checkSession(credentials);
    const key =
      credentials.scheme === 'basic' ? credentialKey('basic', credentials.username, credentials.password) : credentialKey('bearer', credentials.token);
    const cached = this.deps.cache.get(key);
    if (cached) return cached;
    const pending = this.inFlight.get(key);
    if (pending) return pending;
    const check = this.check(credentials, key).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, check);
    return check;
  }

  private async checkSession(credentials: SessionCredentials): Promise<Principal | undefined> {
    if (!this.deps.sessions) return undefined;
    const result = await this.deps.sessions.check(credentials);
    if (result.ok) return result.principal;
    this.deps.logger('debug', `session refused: ${result.reason}`);
    return undefined;
  }

  /** Forgets the user's cached credentials on this replica (after a change to the user or their tokens). */
  forget(username: string): void {
    this.deps.cache.dropUser(username);
  }

  private async check(credentials: Exclude<Credentials, SessionCredentials>, key: string): Promise<Principal | undefined> {
    if (credentials.scheme === 'bearer') {
      // A JWT is never an API token (`flowreg_…` has no dot): with OIDC on, the issuer decides.
      if (this.deps.oidc && looksLikeJwt(credentials.token)) return this.checkJwt(this.deps.oidc, credentials.token, key);
      const result = await this.deps.tokens.verify(credentials.token);
      if (!result.ok) {
        this.deps.logger('debug', `bearer token refused: ${result.reason}`);
        return undefined;
      }
      const principal = principalOf(result.user, result.token.id);
      this.deps.cache.set(key, principal.username, principal, result.token.expirationTime);
      return principal;
    }
    const user = await this.deps.store.getUser(credentials.username);
    if (!user?.passwordHash || user.isServiceAccount) {
      // Unknown user, or a service account (no password: it signs in with tokens only).
      this.standIn ??= hashPassword('flowreg stand-in password', this.deps.scrypt ?? DEFAULT_SCRYPT);
      await verifyPassword(credentials.password, await this.standIn);
      return undefined;
    }
    if (!(await verifyPassword(credentials.password, user.passwordHash))) return undefined;
    if (user.isAdmin && credentials.password === LEGACY_DEFAULT_ADMIN_PASSWORD) {
      this.deps.logger(
        'warn',
        `Rejected a login by admin user '${user.username}' with the insecure default password that older MLflow versions shipped in basic_auth.ini ` +
          '(https://github.com/advisories/GHSA-gq3w-7jj3-x7gr). Change it with users/update-password or set MLFLOW_AUTH_ADMIN_PASSWORD.',
      );
      return undefined;
    }
    const principal = principalOf(user);
    this.deps.cache.set(key, principal.username, principal);
    return principal;
  }

  /**
   * A JWT of the configured issuer: its user, created on first sight; admin while the token lists
   * the admin group; remembered until the token's `exp` at the latest. An unreachable issuer
   * throws StoreUnavailable (503), never a refusal.
   */
  private async checkJwt(oidc: OidcVerifier, token: string, key: string): Promise<Principal | undefined> {
    const result = await oidc.verify(token);
    if (!result.ok) {
      this.deps.logger('debug', `OIDC token refused: ${result.reason}`);
      return undefined;
    }
    const { identity } = result;
    const found = await provisionOidcUser(this.deps.store, identity.username, oidc.now(), this.deps.logger);
    if (!found.ok) {
      this.deps.logger('warn', `OIDC token refused: ${found.reason}`);
      return undefined;
    }
    const principal: Principal = {
      ...principalOf(found.user),
      isAdmin: found.user.isAdmin || identity.inAdminGroup,
      groups: identity.groups,
    };
    this.deps.cache.set(key, principal.username, principal, identity.expiresAt);
    return principal;
  }
}

