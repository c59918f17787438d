/**
 * Backend store URIs as MLflow users write them (mlflow/store/db/db_types.py):
 *   sqlite:///relative/path.db   (relative to the working directory)
 *   sqlite:////absolute/path.db
 *   sqlite:///:memory:           (tests)
 *   postgresql://user:pass@host:5432/db, postgresql+psycopg2://…, postgres://…
 */
import path from 'node:path';
import { ConfigError } from './config-error.js';

export type StoreLocation =
  | { readonly kind: 'sqlite'; readonly file: string; readonly uri: string }
  | { readonly kind: 'postgres'; readonly connectionString: string; readonly uri: string };

export function parseStoreUri(uri: string, cwd: string): StoreLocation {
  const trimmed = uri.trim();
  if (trimmed.startsWith('sqlite:')) {
    const rest = trimmed.slice('sqlite:'.length);
    if (rest === '' || rest === '//' || rest === '///:memory:' || rest === '//:memory:') {
      return { kind: 'sqlite', file: ':memory:', uri: trimmed };
    }
    if (!rest.startsWith('///')) {
      throw new ConfigError(
        `invalid SQLite URI '${uri}': use sqlite:///relative/path.db or sqlite:////absolute/path.db`,
      );
    }
    const filePart = decodeURIComponent(rest.slice(3).split('?')[0] ?? '');
    if (filePart === '') throw new ConfigError(`invalid SQLite URI '${uri}': no database file`);
    return { kind: 'sqlite', file: path.resolve(cwd, filePart), uri: trimmed };
  }
  const pg = /^(postgresql|postgres)(\+[a-z0-9_]+)?:\/\//i.exec(trimmed);
  if (pg) {
    // The SQLAlchemy driver suffix (+psycopg2, +pg8000, …) means nothing to node-postgres.
    const connectionString = 'postgresql://' + trimmed.slice(pg[0].length);
    return { kind: 'postgres', connectionString, uri: trimmed };
  }
  if (/^(mysql|mssql)/i.test(trimmed)) {
    throw new ConfigError(`unsupported backend store '${uri}': flowreg supports SQLite and PostgreSQL`);
  }
  throw new ConfigError(
    `unsupported backend store URI '${uri}': expected sqlite:///path.db or postgresql://user:pass@host:port/db`,
  );
}
