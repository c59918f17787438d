/**
 * Opens the SQL database behind the stores: better-sqlite3 for the embedded default, a node-postgres
 * pool for production. Returns the query builder, the dialect and a close function.
 */
import fs from 'node:fs';
import path from 'node:path';
import {
  CompiledQuery,
  Kysely,
  PostgresDialect,
  SqliteDialect,
  SqliteDriver,
  type DatabaseConnection,
  type Driver,
} from 'kysely';
import type { StoreLocation } from '../../config/store-uri.js';
import { postgresDialect, sqliteDialect, type SqlDialect } from './dialect.js';
import { Journal } from './journal.js';
import { migrateToLatest } from './migrations.js';
import type { Database } from './schema.js';

export interface SqlDatabase {
  readonly db: Kysely<Database>;
  readonly dialect: SqlDialect;
  /** Where every store over this database journals its changes (sinks are added by composition). */
  readonly journal: Journal;
  close(): Promise<void>;
}

/**
 * Write transactions take SQLite's write lock up front (BEGIN IMMEDIATE): a deferred transaction
 * that reads first and writes later can fail with SQLITE_BUSY without waiting when another process
 * (a second worker) wrote in between. With the lock taken first, the busy timeout applies.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

class ImmediateSqliteDialect extends SqliteDialect {
  readonly #database: ConstructorParameters<typeof SqliteDialect>[0]['database'];
  constructor(config: ConstructorParameters<typeof SqliteDialect>[0]) {
    super(config);
    this.#database = config.database;
  }
  override createDriver(): Driver {
    return new ImmediateSqliteDriver({ database: this.#database });
  }
}

/**
 * The query builder prepares every statement it runs; SQLite statements are reusable, so keep the
 * prepared ones (bounded: search queries vary with the filter).
 */
function withStatementCache(raw: import('better-sqlite3').Database, limit = 500) {
  const cache = new Map<string, import('better-sqlite3').Statement>();
  return {
    prepare(source: string) {
      let stmt = cache.get(source);
      if (!stmt) {
        stmt = raw.prepare(source);
        if (cache.size >= limit) cache.delete(cache.keys().next().value as string);
        cache.set(source, stmt);
      }
      return stmt;
    },
    close() {
      cache.clear();
      raw.close();
    },
  };
}

async function openSqlite(file: string): Promise<SqlDatabase> {
  const { default: BetterSqlite3 } = await import('better-sqlite3');
  if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
  const raw = new BetterSqlite3(file);
  // WAL lets readers run beside the writer; NORMAL is durable across process crashes in WAL mode.
  raw.pragma('journal_mode = WAL');
  raw.pragma('synchronous = NORMAL');
  raw.pragma('busy_timeout = 10000');
  raw.pragma('foreign_keys = ON');
  raw.pragma('case_sensitive_like = ON');
  const db = new Kysely<Database>({
    dialect: new ImmediateSqliteDialect({ database: withStatementCache(raw) as never }),
  });
  return { db, dialect: sqliteDialect, journal: new Journal(), close: () => db.destroy() };
}

async function openPostgres(connectionString: string, poolSize: number): Promise<SqlDatabase> {
  const { default: pg } = await import('pg');
  // int8 (bigint, count(*)) as JS numbers: epoch-ms timestamps and ids stay far below 2^53.
  const types = {
    getTypeParser: (oid: number, format?: 'text' | 'binary') =>
      oid === 20 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as 'text'),
  };
  const pool = new pg.Pool({
    connectionString,
    max: poolSize,
    types: types as never,
    connectionTimeoutMillis: 5000,
    idleTimeoutMillis: 30000,
  });
  // An idle client losing its connection emits 'error' on the pool; without a listener that
  // would crash the process. The next query reports the outage instead.
  pool.on('error', () => {});
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { db, dialect: postgresDialect, journal: new Journal(), close: () => db.destroy() };
}

/**
 * Opens the database and brings its schema to the latest migration (or to `migrateUpTo`, which
 * only upgrade tests use, to start from an older schema).
 */
export async function openDatabase(
  location: StoreLocation,
  options: { poolSize?: number; migrateUpTo?: string } = {},
): Promise<SqlDatabase> {
  const opened =
    location.kind === 'sqlite'
      ? await openSqlite(location.file)
      : await openPostgres(location.connectionString, options.poolSize ?? 10);
  try {
    await migrateToLatest(opened.db, opened.dialect, options.migrateUpTo);
  } catch (err) {
    await opened.close();
    throw err;
  }
  return opened;
}
