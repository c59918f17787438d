/**
 * The dialect module's promises, checked on every backend: LIKE is case-sensitive with no escape
 * character (backslash is literal), ILIKE ignores case, and unique violations are recognised.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { openDatabase, type SqlDatabase } from '../../src/store/sql/database.js';
import type { StoreLocation } from '../../src/config/store-uri.js';
import { backends } from '../helpers/app.js';

describe.each(backends())('dialect on %s', (backend) => {
  let database: SqlDatabase;
  let dir: string;
  let dropDb = async () => {};

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowreg-dialect-'));
    let location: StoreLocation = { kind: 'sqlite', file: path.join(dir, 'd.db'), uri: 'sqlite:///d.db' };
    if (backend === 'postgres') {
      const { default: pg } = await import('pg');
      const name = `flowreg_dialect_${process.pid}_${Date.now()}`;
      const admin = new pg.Client({ connectionString: process.env.FLOWREG_TEST_PG_URL });
      await admin.connect();
      await admin.query(`CREATE DATABASE ${name}`);
      await admin.end();
      const url = new URL(process.env.FLOWREG_TEST_PG_URL as string);
      url.pathname = `/${name}`;
      location = { kind: 'postgres', connectionString: url.toString(), uri: url.toString() };
      dropDb = async () => {
        const c = new pg.Client({ connectionString: process.env.FLOWREG_TEST_PG_URL });
        await c.connect();
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await c.end();
      };
    }
    database = await openDatabase(location);
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
});
