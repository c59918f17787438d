/**
 * OIDC: checks a JWT sent as `Authorization: Bearer` (what MLFLOW_TRACKING_TOKEN produces) against
 * the configured issuer's keys, and reads who the caller is from its claims. MLflow has no OIDC;
 * this is flowreg's.
 *
 * What a token must pass (jose's jwtVerify does the cryptography and the time checks):
 * - a signature by a key of the issuer's JWKS, with an asymmetric algorithm only. `none` and the
 *   HMAC algorithms are refused before any key is looked at, so a token "signed" with the issuer's
 *   public key as an HMAC secret (the classic algorithm confusion) is refused too;
 * - `iss` equal to the configured issuer, `aud` containing the configured audience, an `exp` (a
 *   token that never expires is refused), `exp` and `nbf` within the clock tolerance;
 * - the username claim a non-empty string, the groups claim absent or a list of strings.
 *
 * The JWKS URL comes from the issuer's `/.well-known/openid-configuration` unless configured; it is
 * discovered on the first token, not at start-up, so that flowreg starts while the issuer is down.
 * jose caches the key set (10 minutes) and fetches it again, at most every `cooldownMs`, when a
 * token names a key it does not hold: key rotation needs no restart. When the issuer cannot be
 * reached, the request fails with StoreUnavailable (503 TEMPORARILY_UNAVAILABLE, which clients
 * retry), not 401: the caller's token may well be good.
 */
import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { checkOidcUrl, type OidcSettings } from '../config/oidc.js';
import type { Clock } from '../domain/clock.js';
import type { Logger } from '../logger.js';
import { StoreUnavailable } from '../store/store-errors.js';

/** Asymmetric JWS algorithms (RFC 7518 §3.3–3.5, RFC 8037); HS* and `none` are never accepted. */
export const OIDC_ALGORITHMS: readonly string[] = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'];

/** Longest user name a token may give: the width of the users table's column. */
const MAX_USERNAME_LENGTH = 255;
/** More groups than this is refused rather than cut: a dropped group could be one that carries a DENY. */
export const MAX_GROUPS = 1000;
const MAX_GROUP_LENGTH = 255;

/** A compact JWS: three base64url parts. API tokens (`flowreg_…`) never contain a dot. */
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

export function looksLikeJwt(value: string): boolean {
  return JWT_SHAPE.test(value);
}

/** Who a verified token says the caller is. */
export interface OidcIdentity {
  readonly username: string;
  readonly groups: readonly string[];
  /** Member of the configured admin group. */
  readonly inAdminGroup: boolean;
  /** `exp`, in milliseconds: the token is not remembered past it. */
  readonly expiresAt: number;
}

/** Why a token was refused; the edge answers 401 in every case and logs the reason. */
export type OidcCheck = { readonly ok: true; readonly identity: OidcIdentity } | { readonly ok: false; readonly reason: string };

export interface OidcVerifierOptions {
  readonly clock: Clock;
  readonly logger: Logger;
  /** Per fetch of the discovery document or the JWKS (default 5 s). */
  readonly timeoutMs?: number;
  /** Least time between two JWKS fetches caused by unknown key ids (default 30 s). */
  readonly cooldownMs?: number;
  /** Keys to check signatures with instead of the issuer's JWKS (unit tests). */
  readonly keys?: JWTVerifyGetKey;
}

const DEFAULT_TIMEOUT_MS = 5000;

/** Raised inside key resolution; turned into StoreUnavailable once jose has unwound. */
class IssuerUnreachable extends Error {
  override name = 'IssuerUnreachable';
}

/** The value at `name`: a top-level claim, else a dotted path (`realm_access.roles`). */
export function claimAt(payload: JWTPayload, name: string): unknown {
  if (Object.hasOwn(payload, name)) return payload[name];
  let value: unknown = payload;
  for (const part of name.split('.')) {
    if (typeof value !== 'object' || value === null || Array.isArray(value) || !Object.hasOwn(value, part)) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

function groupsOf(value: unknown): string[] | undefined {
  if (value === undefined || value === null) return [];
  if (typeof value === 'string') return [value];
  if (!Array.isArray(value) || value.length > MAX_GROUPS) return undefined;
  if (!value.every((g) => typeof g === 'string' && g.length > 0 && g.length <= MAX_GROUP_LENGTH)) return undefined;
  return [...new Set(value as string[])];
}

export class OidcVerifier {
  private keys: JWTVerifyGetKey | undefined;
  private discovering: Promise<JWTVerifyGetKey> | undefined;

  constructor(
    readonly settings: OidcSettings,
    private readonly options: OidcVerifierOptions,
  ) {
    this.keys = options.keys;
  }

  /** The time a provisioned user is created at. */
  now(): number {
    return this.options.clock();
  }

  /** The identity in a token, or why it is refused; throws StoreUnavailable when the issuer cannot be reached. */
  async verify(token: string): Promise<OidcCheck> {
    if (!looksLikeJwt(token)) return { ok: false, reason: 'not a JWT' };
    const keys = await this.keySet();
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keys, {
        algorithms: [...OIDC_ALGORITHMS],
        issuer: this.settings.issuer,
        audience: this.settings.audience,
        requiredClaims: ['exp'],
        clockTolerance: this.settings.clockToleranceSeconds,
        currentDate: new Date(this.options.clock()),
      }));
    } catch (err) {
      if (err instanceof IssuerUnreachable) throw new StoreUnavailable(err.message, { cause: err.cause });
      if (err instanceof errors.JOSEError) return { ok: false, reason: `${err.code}: ${err.message}` };
      // jose throws a TypeError for a key it will not use (an RSA key under 2048 bits): refused.
      return { ok: false, reason: describe(err) };
    }
    const username = claimAt(payload, this.settings.usernameClaim);
    if (typeof username !== 'string' || username === '' || username.length > MAX_USERNAME_LENGTH) {
      return { ok: false, reason: `claim ${this.settings.usernameClaim} is missing or not a user name` };
    }
    const groups = groupsOf(claimAt(payload, this.settings.groupsClaim));
    if (!groups) return { ok: false, reason: `claim ${this.settings.groupsClaim} is not a list of at most ${MAX_GROUPS} group names` };
    const adminGroup = this.settings.adminGroup;
    return {
      ok: true,
      identity: {
        username,
        groups,
        inAdminGroup: adminGroup !== undefined && groups.includes(adminGroup),
        expiresAt: (payload.exp as number) * 1000,
      },
    };
  }

  /** The issuer's key resolver, discovered once; concurrent first requests share one discovery. */
  private async keySet(): Promise<JWTVerifyGetKey> {
    if (this.keys) return this.keys;
    this.discovering ??= this.discover().finally(() => (this.discovering = undefined));
    this.keys = await this.discovering;
    return this.keys;
  }

  private async discover(): Promise<JWTVerifyGetKey> {
    const url = new URL(this.settings.jwksUrl ?? (await this.jwksUriFromDiscovery()));
    const remote = createRemoteJWKSet(url, {
      timeoutDuration: this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      ...(this.options.cooldownMs === undefined ? {} : { cooldownDuration: this.options.cooldownMs }),
    });
    return async (header, token) => {
      try {
        return await remote(header, token);
      } catch (err) {
        // An unknown key id is the token's fault; anything else (no answer, a timeout, not 200,
        // not a key set) is the issuer's.
        if (err instanceof errors.JWKSNoMatchingKey || err instanceof errors.JWKSMultipleMatchingKeys) throw err;
        this.options.logger('warn', `OIDC: cannot fetch the key set from ${url.href}: ${describe(err)}`);
        throw new IssuerUnreachable(`The OIDC issuer's keys cannot be fetched; retry the request.`, { cause: err });
      }
    };
  }

  /** OIDC Discovery §4: the issuer without a trailing `/`, then `/.well-known/openid-configuration`. */
  private async jwksUriFromDiscovery(): Promise<string> {
    const where = `${this.settings.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
    let document: unknown;
    try {
      const response = await fetch(where, {
        redirect: 'manual',
        headers: { accept: 'application/json' },
        signal: AbortSignal.timeout(this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS),
      });
      if (response.status !== 200) throw new Error(`HTTP ${response.status}`);
      document = await response.json();
    } catch (err) {
      this.options.logger('warn', `OIDC: cannot read ${where}: ${describe(err)}`);
      throw new StoreUnavailable('The OIDC issuer cannot be reached; retry the request.', { cause: err });
    }
    const doc = (typeof document === 'object' && document !== null ? document : {}) as Record<string, unknown>;
    // OIDC Discovery §4.3: the document's issuer must be the one it was fetched for.
    if (doc.issuer !== this.settings.issuer || typeof doc.jwks_uri !== 'string') {
      this.options.logger('error', `OIDC: ${where} names issuer ${JSON.stringify(doc.issuer)} and jwks_uri ${JSON.stringify(doc.jwks_uri)}; expected issuer ${this.settings.issuer} and a jwks_uri`);
      throw new StoreUnavailable('The OIDC issuer is misconfigured; see the server log.');
    }
    try {
      checkOidcUrl(doc.jwks_uri, 'jwks_uri');
    } catch (err) {
      this.options.logger('error', `OIDC: ${where}: ${describe(err)}`);
      throw new StoreUnavailable('The OIDC issuer is misconfigured; see the server log.');
    }
    return doc.jwks_uri;
  }
}

function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause instanceof Error ? ` (${err.cause.message})` : '';
  return `${err.message}${cause}`;
}
