/**
 * Every difference between SQLite and PostgreSQL that the store cares about lives here, as a
 * named, documented property (the shape of Kysely's DialectAdapter: src/dialect/dialect-adapter.ts),
 * so the queries and migrations themselves are written once. test/integration/dialect.test.ts
 * checks each property on every backend.
 */
import { sql, type ColumnDefinitionBuilder, type Expression, type RawBuilder, type SqlBool } from 'kysely';

export type DialectName = 'sqlite' | 'postgres';

export interface SqlDialect {
  readonly name: DialectName;
  /** Column type of a surrogate integer primary key that the database numbers itself. */
  readonly serialType: 'integer' | 'serial';
  /**
   * Makes a `serialType` column the primary key, numbered so that an id is never handed out twice,
   * even after the row holding the highest one is deleted. SQLite reuses the highest rowid unless
   * the key is declared AUTOINCREMENT; a PostgreSQL sequence never goes back.
   */
  autoIncrementPrimaryKey(column: ColumnDefinitionBuilder): ColumnDefinitionBuilder;
  /**
   * The collation that makes text sort and compare byte-wise (as SQLite's default BINARY and
   * MLflow on its reference SQLite store do), whatever the database's own locale; `undefined`
   * where the default already does. PostgreSQL's "C": byte order, and its B-tree indexes then
   * serve `LIKE 'prefix%'` too.
   */
  readonly nameCollation: string | undefined;
  /** Column type for a name (names sort and compare byte-wise on both backends): `type` with `nameCollation`. */
  nameColumn(type: string): RawBuilder<unknown>;
  /**
   * The LIMIT to give a query that has an OFFSET but no bound, or `undefined` if none is needed:
   * SQLite's grammar has no OFFSET without a LIMIT, and -1 means no limit; PostgreSQL takes
   * OFFSET alone.
   */
  readonly unboundedLimit: number | undefined;
  /**
   * Case-sensitive SQL LIKE with no escape character, as MLflow's SQL store does on every backend
   * (mlflow/utils/search_utils.py: get_sql_comparison_func; SQLite runs with
   * `PRAGMA case_sensitive_like = ON`, set when the connection is opened).
   */
  like(column: Expression<string | null>, pattern: string): RawBuilder<SqlBool>;
  /** Case-insensitive LIKE (ILIKE on PostgreSQL, lower() LIKE lower() on SQLite). */
  ilike(column: Expression<string | null>, pattern: string): RawBuilder<SqlBool>;
  /** A unique or primary-key constraint was violated. */
  isUniqueViolation(err: unknown): boolean;
  /** The database is unreachable, shutting down or locked: worth a 503 the client will retry. */
  isUnavailable(err: unknown): boolean;
}

function nameColumnWith(collation: string | undefined): (type: string) => RawBuilder<unknown> {
  return (type) => sql.raw(collation ? `${type} COLLATE "${collation}"` : type);
}

function codeOf(err: unknown): string {
  return typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : '';
}

export const sqliteDialect: SqlDialect = {
  name: 'sqlite',
  serialType: 'integer',
  autoIncrementPrimaryKey: (column) => column.primaryKey().autoIncrement(),
  nameCollation: undefined,
  nameColumn: nameColumnWith(undefined),
  unboundedLimit: -1,
  like: (column, pattern) => sql<SqlBool>`${column} LIKE ${pattern}`,
  ilike: (column, pattern) => sql<SqlBool>`lower(${column}) LIKE lower(${pattern})`,
  isUniqueViolation: (err) => /^SQLITE_CONSTRAINT_(UNIQUE|PRIMARYKEY)$/.test(codeOf(err)),
  isUnavailable: (err) => /^SQLITE_(BUSY|LOCKED)/.test(codeOf(err)),
};

/** SQLSTATE classes 08 (connection), 53 (resources), 57P (operator intervention). */
const PG_UNAVAILABLE = /^(08|53|57P)/;
const NET_UNAVAILABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN']);

export const postgresDialect: SqlDialect = {
  name: 'postgres',
  serialType: 'serial',
  autoIncrementPrimaryKey: (column) => column.primaryKey(),
  nameCollation: 'C',
  nameColumn: nameColumnWith('C'),
  unboundedLimit: undefined,
  // ESCAPE '' turns off PostgreSQL's default backslash escape, matching SQLite.
  like: (column, pattern) => sql<SqlBool>`${column} LIKE ${pattern} ESCAPE ''`,
  ilike: (column, pattern) => sql<SqlBool>`${column} ILIKE ${pattern} ESCAPE ''`,
  isUniqueViolation: (err) => codeOf(err) === '23505',
  isUnavailable: (err) => {
    const code = codeOf(err);
    if (PG_UNAVAILABLE.test(code) || NET_UNAVAILABLE.has(code)) return true;
    const message = err instanceof Error ? err.message : '';
    // node-postgres reports a dropped connection or an exhausted pool by message only.
    return /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(
      message,
    );
  },
};
