/**
 * Browser sessions of the web UI (auth/sessions.ts): one row per signed-in browser, in the backend
 * store so that every replica accepts a session any replica created. The row holds a digest of the
 * session's secret, never the secret itself.
 */
import type { User } from './auth-store.js';

export interface SessionRow {
  /** SHA-256 (hex) of the secret the cookie carries. */
  readonly idHash: string;
  readonly userId: number;
  readonly createdAt: number;
  readonly expiresAt: number;
  /**
   * A digest of the user's password hash when the session was made: a password change makes it
   * differ, and the session stops working on every replica at once.
   */
  readonly passwordStamp: string;
}

export interface SessionStore {
  createSession(row: SessionRow): Promise<void>;
  /** The session with its user's current password hash; undefined when either is gone. */
  findSession(idHash: string): Promise<(SessionRow & { readonly user: User }) | undefined>;
  deleteSession(idHash: string): Promise<void>;
  /** Drops every session of the user (logout everywhere, a password change). */
  deleteUserSessions(userId: number): Promise<void>;
  /** Drops sessions that expired before `now`; returns how many. */
  deleteExpiredSessions(now: number): Promise<number>;
}
