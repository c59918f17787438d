/**
 * The verified-credential cache: a successful password or token check is remembered for a few
 * seconds, keyed by a hash of the credentials, so that the KDF and the token lookup stay off the
 * hot path (MLflow's `auth_cache_ttl_seconds`, auth/__init__.py: _authenticate_cached).
 *
 * The TTL bounds staleness across replicas: a password change, token revocation, admin-flag change
 * or user deletion made on another replica is honoured here at most `ttlMs` later. On the replica
 * that makes the change, `dropUser` forgets the user's entries at once. Only successes are cached:
 * a wrong password never becomes right by being remembered.
 */
import { createHash } from 'node:crypto';
import type { Clock } from '../domain/clock.js';

/** A hash of the credential material; the cache never holds a password or a token. */
export function credentialKey(...parts: readonly string[]): string {
  const h = createHash('sha256');
  for (const part of parts) h.update(`${Buffer.byteLength(part)}:`).update(part);
  return h.digest('hex');
}

interface Entry<V> {
  readonly username: string;
  readonly value: V;
  readonly expiresAt: number;
}

export interface CredentialCacheOptions {
  /** 0 turns the cache off. */
  readonly ttlMs: number;
  readonly maxSize: number;
  readonly clock: Clock;
}

export class CredentialCache<V> {
  private readonly entries = new Map<string, Entry<V>>();

  constructor(private readonly options: CredentialCacheOptions) {}

  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (this.options.clock() >= entry.expiresAt) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  /** `notAfter` caps the entry's life below the TTL, e.g. at a token's expiry. */
  set(key: string, username: string, value: V, notAfter?: number | null): void {
    if (this.options.ttlMs <= 0 || this.options.maxSize <= 0) return;
    const ttlEnd = this.options.clock() + this.options.ttlMs;
    const expiresAt = notAfter === undefined || notAfter === null ? ttlEnd : Math.min(ttlEnd, notAfter);
    this.entries.delete(key);
    // Insertion order is age order: evict the oldest when full.
    while (this.entries.size >= this.options.maxSize) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(key, { username, value, expiresAt });
  }

  /** Forgets every entry of the user (after a change to them on this replica). */
  dropUser(username: string): void {
    for (const [key, entry] of this.entries) if (entry.username === username) this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}
