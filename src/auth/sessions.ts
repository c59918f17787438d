/**
 * Browser sessions of the web UI: one more kind of credential, checked by the Authenticator
 * (authenticator.ts) like Basic and Bearer ones, never a second way in.
 *
 * - The cookie carries a random 256-bit secret; the backend store keeps only its SHA-256, so a
 *   copy of the database signs nobody in, and every replica accepts a session any replica made.
 * - The CSRF token is derived from the secret (a keyed digest, the "signed double submit"
 *   pattern): the page reads it from the sign-in answer or from GET session, and sends it as
 *   `X-CSRF-Token` on every state-changing request. Another site can make the browser send the
 *   cookie but can read neither the cookie nor the token, so its forged POST is refused.
 * - A session ends at its expiry, on logout, when its user is deleted (the row's foreign key) and
 *   when the user's password changes (the row's stamp of the password hash no longer matches).
 * - Failed sign-ins are counted per user name (10) and per address (100) in 15-minute windows; past the limit the sign-in answers
 *   429 until the window ends. The password check itself is the Authenticator's, which takes the
 *   same time for an unknown user (a stand-in hash).
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../domain/clock.js';
import type { SessionStore } from '../store/session-store.js';
import type { User } from '../store/auth-store.js';
import { principalOf, type Principal } from './authenticator.js';

/** The cookie's name: one per server; the static prefix is its path. */
export const SESSION_COOKIE = 'flowreg_session';
/** The header a state-changing request made with the cookie must carry. */
export const CSRF_HEADER = 'x-csrf-token';

/** Failed sign-ins allowed per user name in one window. */
export const LOGIN_FAILURE_LIMIT = 10;
/** Failed sign-ins allowed per client address in one window: higher, as one office may share an address. */
export const LOGIN_ADDRESS_FAILURE_LIMIT = 100;
export const LOGIN_WINDOW_MS = 15 * 60 * 1000;

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The CSRF token of a session secret: not the secret, and nothing to learn it from. */
export function csrfTokenOf(secret: string): string {
  return createHmac('sha256', secret).update('flowreg csrf').digest('base64url');
}

function passwordStamp(user: User): string {
  return sha256(`stamp:${user.passwordHash ?? ''}`);
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The credentials a request carries in its cookie, for the Authenticator. */
export interface SessionCredentials {
  readonly scheme: 'session';
  readonly secret: string;
  readonly method: string;
  readonly csrfToken: string | undefined;
}

export type SessionCheck = { ok: true; principal: Principal } | { ok: false; reason: string };

/** Counts failures in fixed windows; a success clears the user name's count. */
class FailureCounter {
  private readonly counts = new Map<string, { n: number; until: number }>();
  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly clock: Clock,
  ) {}

  /** Milliseconds until `key` may try again; 0 when it may now. */
  blockedFor(key: string): number {
    const c = this.counts.get(key);
    if (!c) return 0;
    const now = this.clock();
    if (c.until <= now) {
      this.counts.delete(key);
      return 0;
    }
    return c.n >= this.limit ? c.until - now : 0;
  }

  fail(key: string): void {
    const now = this.clock();
    const c = this.counts.get(key);
    if (!c || c.until <= now) this.counts.set(key, { n: 1, until: now + this.windowMs });
    else c.n += 1;
    // Bounded memory under a spray of names: forget the oldest.
    if (this.counts.size > 10_000) this.counts.delete(this.counts.keys().next().value as string);
  }

  clear(key: string): void {
    this.counts.delete(key);
  }
}

export class Sessions {
  private readonly failures: FailureCounter;
  private readonly addressFailures: FailureCounter;

  constructor(
    private readonly store: SessionStore,
    private readonly clock: Clock,
    readonly ttlMs: number,
  ) {
    this.failures = new FailureCounter(LOGIN_FAILURE_LIMIT, LOGIN_WINDOW_MS, clock);
    this.addressFailures = new FailureCounter(LOGIN_ADDRESS_FAILURE_LIMIT, LOGIN_WINDOW_MS, clock);
  }

  /** A new session for `user`: the cookie's secret and its CSRF token. */
  async create(user: User): Promise<{ secret: string; csrfToken: string; expiresAt: number }> {
    const now = this.clock();
    await this.store.deleteExpiredSessions(now);
    const secret = randomBytes(32).toString('base64url');
    const expiresAt = now + this.ttlMs;
    await this.store.createSession({ idHash: sha256(secret), userId: user.id, createdAt: now, expiresAt, passwordStamp: passwordStamp(user) });
    return { secret, csrfToken: csrfTokenOf(secret), expiresAt };
  }

  /**
   * The session's user, or why not. A state-changing method needs the CSRF token of this very
   * session; a token of another session (another user's) does not match.
   */
  async check(credentials: SessionCredentials): Promise<SessionCheck> {
    if (!/^[A-Za-z0-9_-]{43}$/.test(credentials.secret)) return { ok: false, reason: 'malformed session cookie' };
    const found = await this.store.findSession(sha256(credentials.secret));
    if (!found) return { ok: false, reason: 'unknown session' };
    if (found.expiresAt <= this.clock()) {
      await this.store.deleteSession(found.idHash);
      return { ok: false, reason: 'expired session' };
    }
    if (!sameText(found.passwordStamp, passwordStamp(found.user))) {
      await this.store.deleteSession(found.idHash);
      return { ok: false, reason: 'the password changed since the session began' };
    }
    if (!SAFE_METHODS.has(credentials.method.toUpperCase())) {
      const token = credentials.csrfToken;
      if (token === undefined || !sameText(token, csrfTokenOf(credentials.secret))) return { ok: false, reason: 'missing or wrong CSRF token' };
    }
    return { ok: true, principal: principalOf(found.user) };
  }

  /** The session's user and CSRF token, for the page that loads without one (GET session). */
  async describe(secret: string): Promise<{ principal: Principal; csrfToken: string; } | undefined> {
    const result = await this.check({ scheme: 'session', secret, method: 'GET', csrfToken: undefined });
    return result.ok ? { principal: result.principal, csrfToken: csrfTokenOf(secret) } : undefined;
  }

  async revoke(secret: string): Promise<void> {
    await this.store.deleteSession(sha256(secret));
  }

  /** Milliseconds this sign-in must wait (0: go ahead). */
  loginBlockedFor(username: string, address: string): number {
    return Math.max(this.failures.blockedFor(username), this.addressFailures.blockedFor(address));
  }

  loginFailed(username: string, address: string): void {
    this.failures.fail(username);
    this.addressFailures.fail(address);
  }

  loginSucceeded(username: string): void {
    this.failures.clear(username);
  }
}

/** The value of cookie `name` in a `Cookie` header. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
