/**
 * The dialect module's promises, one case per property, checked on every backend (PostgreSQL in a
 * database with a linguistic collation, where byte-wise order is not the default): LIKE is
 * case-sensitive with no escape character (backslash is literal), ILIKE ignores case, names sort
 * byte-wise, an OFFSET runs without a bound, ids are never reused, and unique violations and
 * outages are recognised.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql, type Kysely } from 'kysely';
import { openDatabase, type SqlDatabase } from '../../src/store/sql/database.js';
import { backends, freshDatabase } from '../helpers/databases.js';

describe.each(backends())('dialect on %s', (backend) => {
  let database: SqlDatabase;
  let dir: string;
  let dropDb = async () => {};

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowreg-dialect-'));
    const fresh = await freshDatabase(backend, dir, { linguisticCollation: true });
    dropDb = fresh.drop;
    database = await openDatabase(fresh.location);
    const now = Date.now();
    await database.db
      .insertInto('registered_models')
      .values(['Alpha', 'alpha', 'a_b', 'axb', 'back\\slash', '100%'].map((name) => ({ name, creation_time: now, last_updated_time: now, description: null, last_version: 0 })))
      .execute();
  });

  afterAll(async () => {
    await database.close();
    await dropDb();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function names(kind: 'like' | 'ilike', pattern: string): Promise<string[]> {
    const rows = await database.db
      .selectFrom('registered_models')
      .select('name')
      .where(({ ref }) => database.dialect[kind](ref('name'), pattern))
      .orderBy('name')
      .execute();
    return rows.map((r) => r.name).sort();
  }

  it('LIKE is case-sensitive', async () => {
    expect(await names('like', 'al%')).toEqual(['alpha']);
    expect(await names('like', 'Al%')).toEqual(['Alpha']);
  });

  it('ILIKE ignores case', async () => {
    expect(await names('ilike', 'AL%')).toEqual(['Alpha', 'alpha']);
  });

  it('_ matches one character and backslash is literal (no escape character)', async () => {
    expect(await names('like', 'a_b')).toEqual(['a_b', 'axb']);
    expect(await names('like', 'back\\slash')).toEqual(['back\\slash']);
    expect(await names('like', '100\\%')).toEqual([]);
  });

  it('recognises a unique violation', async () => {
    const now = Date.now();
    const err = await database.db
      .insertInto('registered_models')
      .values({ name: 'alpha', creation_time: now, last_updated_time: now, description: null, last_version: 0 })
      .execute()
      .catch((e: unknown) => e);
    expect(database.dialect.isUniqueViolation(err)).toBe(true);
    expect(database.dialect.isUnavailable(err)).toBe(false);
    const other = await sql`select 1/0`.execute(database.db).catch((e: unknown) => e);
    expect(database.dialect.isUniqueViolation(other)).toBe(false);
  });

  it('autoIncrementPrimaryKey: a serialType id is never handed out twice, even after the highest is deleted', async () => {
    const db = database.db as unknown as Kysely<any>;
    await db.schema
      .createTable('dialect_ids')
      .addColumn('id', database.dialect.serialType, database.dialect.autoIncrementPrimaryKey)
      .addColumn('label', 'text')
      .execute();
    const add = async (label: string) => (await db.insertInto('dialect_ids').values({ label }).returning('id').executeTakeFirstOrThrow()).id;
    expect([await add('a'), await add('b'), await add('c')]).toEqual([1, 2, 3]);
    await db.deleteFrom('dialect_ids').where('id', '=', 3).execute();
    expect(await add('d')).toBe(4);
  });

  it('nameColumn / nameCollation: names sort and compare byte-wise whatever the database locale', async () => {
    const db = database.db as unknown as Kysely<any>;
    await db.schema
      .createTable('dialect_names')
      .addColumn('plain', 'varchar(50)')
      .addColumn('named', database.dialect.nameColumn('varchar(50)'))
      .execute();
    await db.insertInto('dialect_names').values(['b', 'B', 'a', 'A'].map((n) => ({ plain: n, named: n }))).execute();
    const column = async (c: 'plain' | 'named', below?: string) =>
      (await db.selectFrom('dialect_names').select(c).$if(below !== undefined, (q) => q.where(c, '<', below)).orderBy(c).execute()).map((r) => r[c]);
    expect(await column('named')).toEqual(['A', 'B', 'a', 'b']);
    expect(await column('named', 'a')).toEqual(['A', 'B']);
    // The control: this database's own collation is linguistic on PostgreSQL.
    expect(await column('plain')).toEqual(backend === 'postgres' ? ['a', 'A', 'b', 'B'] : ['A', 'B', 'a', 'b']);
    expect(database.dialect.nameCollation).toBe(backend === 'postgres' ? 'C' : undefined);
  });

  it('unboundedLimit: an OFFSET with no bound runs and returns every later row', async () => {
    const limit = database.dialect.unboundedLimit;
    const rows = await database.db
      .selectFrom('registered_models')
      .select('name')
      .orderBy('name')
      .offset(2)
      .$if(limit !== undefined, (q) => q.limit(limit as number))
      .execute();
    expect(rows.map((r) => r.name)).toEqual(['a_b', 'alpha', 'axb', 'back\\slash']);
  });

  it('recognises an unavailable database', async () => {
    let err: unknown;
    if (backend === 'sqlite') {
      // Another process holds the write lock, and this connection will not wait for it.
      const { default: BetterSqlite3 } = await import('better-sqlite3');
      const file = path.join(dir, 'flowreg.db');
      const holder = new BetterSqlite3(file);
      const waiter = new BetterSqlite3(file);
      waiter.pragma('busy_timeout = 0');
      holder.exec('BEGIN IMMEDIATE');
      try {
        waiter.exec("INSERT INTO registered_models (name, creation_time, last_updated_time, last_version) VALUES ('busy', 0, 0, 0)");
      } catch (e) {
        err = e;
      } finally {
        holder.exec('ROLLBACK');
        holder.close();
        waiter.close();
      }
    } else {
      const { default: pg } = await import('pg');
      const client = new pg.Client({ connectionString: 'postgresql://postgres@127.0.0.1:1/none', connectionTimeoutMillis: 2000 });
      err = await client.connect().catch((e: unknown) => e);
    }
    expect(err).toBeDefined();
    expect(database.dialect.isUnavailable(err)).toBe(true);
    expect(database.dialect.isUniqueViolation(err)).toBe(false);
  });
});
