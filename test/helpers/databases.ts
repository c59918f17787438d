/**
 * A fresh, empty database for a test: a SQLite file in the test's directory, or a new database on
 * the PostgreSQL server named by FLOWREG_TEST_PG_URL (dropped again by `drop()`). The one place
 * tests create databases; `backends()` lists the backends a run covers.
 */
import path from 'node:path';
import type { StoreLocation } from '../../src/config/store-uri.js';

export type BackendName = 'sqlite' | 'postgres';

export function backends(): BackendName[] {
  return process.env.FLOWREG_TEST_PG_URL ? ['sqlite', 'postgres'] : ['sqlite'];
}

export interface FreshDatabase {
  readonly location: StoreLocation;
  /** The store URI, as `--backend-store-uri` takes it. */
  readonly uri: string;
  drop(): Promise<void>;
}

export interface FreshDatabaseOptions {
  /**
   * PostgreSQL only: create the database with a linguistic (non-byte-wise) collation, to check
   * that names still sort byte-wise. Throws if the server has none (see `linguisticLocale`).
   */
  readonly linguisticCollation?: boolean;
}

let counter = 0;

async function adminQuery(query: string): Promise<Array<Record<string, unknown>>> {
  const { default: pg } = await import('pg');
  const admin = new pg.Client({ connectionString: process.env.FLOWREG_TEST_PG_URL });
  await admin.connect();
  try {
    return (await admin.query(query)).rows;
  } finally {
    await admin.end();
  }
}

/**
 * The clause of CREATE DATABASE that gives a database a linguistic collation on this server: an ICU
 * locale if PostgreSQL was built with ICU, otherwise a generated libc en_US locale; `undefined` if
 * neither is there. (Nothing is installed: the test says what is missing instead.)
 */
export async function linguisticLocale(): Promise<string | undefined> {
  const rows = await adminQuery(
    `SELECT collname, collprovider, collcollate FROM pg_collation
     WHERE collname IN ('en-US-x-icu', 'und-x-icu') OR collcollate ILIKE 'en_US.utf%8'`,
  );
  const icu = rows.find((r) => r.collname === 'en-US-x-icu') ?? rows.find((r) => r.collname === 'und-x-icu');
  if (icu) return `LOCALE_PROVIDER icu ICU_LOCALE '${icu.collname === 'en-US-x-icu' ? 'en-US' : 'und'}'`;
  const libc = rows.find((r) => r.collprovider === 'c');
  return libc ? `LC_COLLATE '${String(libc.collcollate)}' LC_CTYPE '${String(libc.collcollate)}'` : undefined;
}

export async function freshDatabase(backend: BackendName, dir: string, options: FreshDatabaseOptions = {}): Promise<FreshDatabase> {
  if (backend === 'sqlite') {
    const file = path.join(dir, 'flowreg.db');
    const uri = `sqlite:///${file}`;
    return { location: { kind: 'sqlite', file, uri }, uri, drop: async () => {} };
  }
  const base = process.env.FLOWREG_TEST_PG_URL;
  if (!base) throw new Error('FLOWREG_TEST_PG_URL is not set: no PostgreSQL server to create a database on');
  let locale = '';
  if (options.linguisticCollation) {
    const clause = await linguisticLocale();
    if (!clause) throw new Error('the PostgreSQL server has neither ICU nor an en_US libc locale');
    locale = ` TEMPLATE template0 ${clause}`;
  }
  const name = `flowreg_test_${process.pid}_${Date.now()}_${counter++}`;
  await adminQuery(`CREATE DATABASE ${name}${locale}`);
  const url = new URL(base);
  url.pathname = `/${name}`;
  const uri = url.toString();
  return {
    location: { kind: 'postgres', connectionString: uri, uri },
    uri,
    drop: async () => {
      await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}
