/**
 * Access control over a fresh in-memory SQLite store, with a clock the test moves and a fast KDF,
 * for the unit tests of auth/; and a fresh auth store on either backend for the integration tests.
 */
import { ApiTokens } from '../../src/auth/api-tokens.js';
import { Authenticator, type Principal } from '../../src/auth/authenticator.js';
import { CredentialCache } from '../../src/auth/credential-cache.js';
import { UserAccounts } from '../../src/auth/user-accounts.js';
import { openDatabase, type SqlDatabase } from '../../src/store/sql/database.js';
import { SqlAuthStore } from '../../src/store/sql/auth-sql-store.js';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freshDatabase, type BackendName } from './databases.js';

export const FAST_SCRYPT = { N: 2 ** 10, r: 8, p: 1 };

export interface AuthHarness {
  readonly database: SqlDatabase;
  readonly store: SqlAuthStore;
  readonly tokens: ApiTokens;
  readonly cache: CredentialCache<Principal>;
  readonly authenticator: Authenticator;
  readonly users: UserAccounts;
  readonly logs: string[];
  /** The current time; move it with `advance`. */
  now(): number;
  advance(ms: number): void;
  close(): Promise<void>;
}

export async function authHarness(options: { ttlMs?: number; maxSize?: number } = {}): Promise<AuthHarness> {
  const database = await openDatabase({ kind: 'sqlite', file: ':memory:', uri: 'sqlite:///:memory:' });
  const store = new SqlAuthStore(database.db, database.dialect, database.journal);
  let time = 1_700_000_000_000;
  const clock = () => time;
  const logs: string[] = [];
  const logger = (level: string, message: string) => void logs.push(`${level}: ${message}`);
  const cache = new CredentialCache<Principal>({ ttlMs: options.ttlMs ?? 5000, maxSize: options.maxSize ?? 100, clock });
  const tokens = new ApiTokens(store, clock, (u) => cache.dropUser(u));
  const authenticator = new Authenticator({ store, tokens, cache, logger, scrypt: FAST_SCRYPT });
  const users = new UserAccounts({ store, clock, onUserChanged: (u) => authenticator.forget(u), scrypt: FAST_SCRYPT });
  return {
    database,
    store,
    tokens,
    cache,
    authenticator,
    users,
    logs,
    now: clock,
    advance: (ms) => void (time += ms),
    close: () => database.close(),
  };
}

/** A fresh database on the backend, migrated, and the auth store over it. */
export async function authDatabase(backend: BackendName): Promise<{ database: SqlDatabase; store: SqlAuthStore; close(): Promise<void> }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowreg-auth-'));
  const { location, drop } = await freshDatabase(backend, dir);
  const database = await openDatabase(location);
  return {
    database,
    store: new SqlAuthStore(database.db, database.dialect, database.journal),
    close: async () => {
      await database.close();
      await drop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
