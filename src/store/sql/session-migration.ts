/**
 * Migration 0009_sessions: the web UI's browser sessions. A row is keyed by the digest of the
 * cookie's secret; deleting a user deletes their sessions (the foreign key), and the expiry index
 * lets the sweep on each login drop what has lapsed.
 */
import type { Kysely, Migration } from 'kysely';
import type { SqlDialect } from './dialect.js';

export function sessionTables(_dialect: SqlDialect): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('sessions')
        .addColumn('id_hash', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('password_stamp', 'varchar(64)', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('sessions_expires_at').on('sessions').column('expires_at').execute();
      await db.schema.createIndex('sessions_user_id').on('sessions').column('user_id').execute();
    },
  };
}
