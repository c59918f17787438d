/**
 * Migration 0006_audit: the audit trail. `audit_events` is append-only (no API updates or deletes
 * a row). `id` is the order events were written in; `seq`, `prev_hash` and `hash` are the event's
 * place in the hash chain, set when it is sealed (audit-sql.ts): each hash covers the event's
 * content and the previous event's hash. `audit_chain_head` is one row, the chain's tip: whoever
 * seals takes its row lock first, so replicas extend one chain in one order instead of forking it.
 */
import type { Kysely, Migration } from 'kysely';
import type { SqlDialect } from './dialect.js';

/** The hash a chain starts from. */
export const GENESIS_HASH = '0'.repeat(64);

export function auditTables(dialect: SqlDialect): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('audit_events')
        .addColumn('id', dialect.name === 'postgres' ? 'bigserial' : dialect.serialType, dialect.autoIncrementPrimaryKey)
        .addColumn('seq', 'bigint', (c) => c.unique())
        .addColumn('time', 'bigint', (c) => c.notNull())
        .addColumn('user_name', 'varchar(255)', (c) => c.notNull())
        .addColumn('action', 'varchar(100)', (c) => c.notNull())
        .addColumn('resource_type', 'varchar(50)', (c) => c.notNull())
        .addColumn('resource_name', 'text', (c) => c.notNull())
        .addColumn('resource_version', 'varchar(50)')
        .addColumn('before_json', 'text')
        .addColumn('after_json', 'text')
        .addColumn('request_id', 'varchar(64)')
        .addColumn('client_address', 'varchar(100)')
        .addColumn('user_agent', 'text')
        .addColumn('prev_hash', 'varchar(64)')
        .addColumn('hash', 'varchar(64)')
        .execute();
      // The API's filters: a model's (or a version's) history, one user's actions, a time range.
      await db.schema.createIndex('audit_events_resource').on('audit_events').columns(['resource_type', 'resource_name', 'id']).execute();
      await db.schema.createIndex('audit_events_user').on('audit_events').columns(['user_name', 'id']).execute();
      await db.schema.createIndex('audit_events_time').on('audit_events').columns(['time']).execute();
      // What the sealer looks for: events not yet in the chain (NULLs first, as written).
      await db.schema.createIndex('audit_events_unsealed').on('audit_events').columns(['seq', 'id']).execute();

      await db.schema
        .createTable('audit_chain_head')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('seq', 'bigint', (c) => c.notNull())
        .addColumn('hash', 'varchar(64)', (c) => c.notNull())
        .execute();
      await db.insertInto('audit_chain_head').values({ id: 1, seq: 0, hash: GENESIS_HASH }).execute();
    },
  };
}
