/**
 * API tokens, something MLflow does not have: a user (or an admin for them) creates a named token
 * with an optional expiry, sees its secret once, lists and revokes tokens; clients send it as
 * `Authorization: Bearer <token>` (what MLFLOW_TRACKING_TOKEN produces). Service accounts sign in
 * with tokens only.
 *
 * The secret is `flowreg_` + 32 random bytes (base64url), recognisable to secret scanners. Only
 * its sha256 is stored; a token is found by an indexed equality lookup of that hash. No timing
 * attack follows from the lookup, because the attacker would have to guess a hash preimage of a
 * 256-bit random secret.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Clock } from '../domain/clock.js';
import { invalidParameter, notFound } from '../protocol/errors.js';
import type { ApiToken, AuthStore, User } from '../store/auth-store.js';

export const TOKEN_PREFIX = 'flowreg_';
const SECRET_BYTES = 32;
/** `flowreg_` and 43 base64url characters. */
const TOKEN_SHAPE = /^flowreg_[A-Za-z0-9_-]{43}$/;
const MAX_NAME_LENGTH = 255;
/** `last_used_time` is written at most once a minute per token, not on every request. */
const TOUCH_INTERVAL_MS = 60_000;

export function newTokenSecret(): string {
  return TOKEN_PREFIX + randomBytes(SECRET_BYTES).toString('base64url');
}

export function looksLikeToken(value: string): boolean {
  return TOKEN_SHAPE.test(value);
}

export function hashToken(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export interface CreatedToken {
  readonly token: ApiToken;
  /** Shown once, never stored. */
  readonly secret: string;
}

/** Why a token was refused; the edge answers 401 in every case and logs the reason. */
export type TokenRefusal = 'malformed' | 'unknown' | 'revoked' | 'expired';

export type TokenCheck = { readonly ok: true; readonly token: ApiToken; readonly user: User } | { readonly ok: false; readonly reason: TokenRefusal };

export class ApiTokens {
  constructor(
    private readonly store: AuthStore,
    private readonly clock: Clock,
    /** Called after a revocation (Authenticator.forget), so that this replica refuses the token at once. */
    private readonly onUserChanged: (username: string) => void = () => {},
  ) {}

  async create(user: User, name: string, expirationTime?: number | null): Promise<CreatedToken> {
    if (typeof name !== 'string' || name.trim() === '') throw invalidParameter('Token name cannot be empty.');
    if (name.length > MAX_NAME_LENGTH) throw invalidParameter(`Token name must be at most ${MAX_NAME_LENGTH} characters.`);
    const now = this.clock();
    if (expirationTime !== undefined && expirationTime !== null && !(Number.isSafeInteger(expirationTime) && expirationTime > now)) {
      throw invalidParameter('Token expiration_time must be a time in the future (milliseconds since the epoch).');
    }
    const secret = newTokenSecret();
    const token = await this.store.createToken({
      userId: user.id,
      name,
      tokenHash: hashToken(secret),
      now,
      expirationTime: expirationTime ?? null,
    });
    return { token, secret };
  }

  list(user: User): Promise<ApiToken[]> {
    return this.store.listTokens(user.id);
  }

  /** Revokes one of the user's tokens; other replicas refuse it within the credential cache TTL. */
  async revoke(user: User, tokenId: number): Promise<void> {
    if (!(await this.store.revokeToken(user.id, tokenId, this.clock()))) {
      throw notFound(`API token with id=${tokenId} not found for user ${user.username}`);
    }
    this.onUserChanged(user.username);
  }

  async verify(secret: string): Promise<TokenCheck> {
    if (!looksLikeToken(secret)) return { ok: false, reason: 'malformed' };
    const found = await this.store.findToken(hashToken(secret));
    if (!found) return { ok: false, reason: 'unknown' };
    const now = this.clock();
    if (found.token.revokedTime !== null) return { ok: false, reason: 'revoked' };
    if (found.token.expirationTime !== null && found.token.expirationTime <= now) return { ok: false, reason: 'expired' };
    await this.store.touchToken(found.token.id, now, TOUCH_INTERVAL_MS);
    return { ok: true, token: found.token, user: found.user };
  }
}
