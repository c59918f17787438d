/**
 * Migration 0008_governance: protections of aliases and stages, approval requests and their votes,
 * and the history of every position an alias or stage has had. Rows name the model by name (not
 * by the registry's id) so that the history outlives nothing it should not and follows a rename
 * through one UPDATE (the history sink does it); names compare byte-wise as the registry's do.
 */
import { type Kysely, type Migration } from 'kysely';
import type { SqlDialect } from './dialect.js';

export function governanceTables(dialect: SqlDialect): Migration {
  const name = (type: string) => dialect.nameColumn(type);
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('governance_history')
        .addColumn('id', dialect.serialType, dialect.autoIncrementPrimaryKey)
        .addColumn('model_name', name('varchar(256)'), (c) => c.notNull())
        .addColumn('target_type', 'varchar(10)', (c) => c.notNull())
        .addColumn('target', name('varchar(256)'), (c) => c.notNull())
        .addColumn('version', 'bigint')
        .addColumn('previous_version', 'bigint')
        .addColumn('user_name', 'varchar(255)', (c) => c.notNull())
        .addColumn('time', 'bigint', (c) => c.notNull())
        .addColumn('kind', 'varchar(30)', (c) => c.notNull())
        .addColumn('request_id', 'bigint')
        .execute();
      await db.schema.createIndex('governance_history_target').on('governance_history').columns(['model_name', 'target_type', 'target', 'id']).execute();

      await db.schema
        .createTable('governance_protections')
        .addColumn('model_name', name('varchar(256)'), (c) => c.notNull())
        .addColumn('target_type', 'varchar(10)', (c) => c.notNull())
        .addColumn('target', name('varchar(256)'), (c) => c.notNull())
        .addColumn('approvals_required', 'integer', (c) => c.notNull())
        .addColumn('required_tags', 'text', (c) => c.notNull())
        .addColumn('user_name', 'varchar(255)', (c) => c.notNull())
        .addColumn('time', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('governance_protections_pk', ['model_name', 'target_type', 'target'])
        .execute();

      await db.schema
        .createTable('governance_requests')
        .addColumn('id', dialect.serialType, dialect.autoIncrementPrimaryKey)
        .addColumn('model_name', name('varchar(256)'), (c) => c.notNull())
        .addColumn('target_type', 'varchar(10)', (c) => c.notNull())
        .addColumn('target', name('varchar(256)'), (c) => c.notNull())
        .addColumn('version', 'bigint', (c) => c.notNull())
        .addColumn('comment', 'text')
        .addColumn('requester', 'varchar(255)', (c) => c.notNull())
        .addColumn('status', 'varchar(20)', (c) => c.notNull())
        .addColumn('approvals_required', 'integer', (c) => c.notNull())
        .addColumn('required_tags', 'text', (c) => c.notNull())
        .addColumn('archive_existing', 'integer', (c) => c.notNull())
        .addColumn('created_time', 'bigint', (c) => c.notNull())
        .addColumn('updated_time', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('governance_requests_status').on('governance_requests').columns(['status', 'id']).execute();
      await db.schema.createIndex('governance_requests_model').on('governance_requests').columns(['model_name', 'id']).execute();

      await db.schema
        .createTable('governance_votes')
        .addColumn('request_id', 'bigint', (c) => c.notNull())
        .addColumn('user_name', 'varchar(255)', (c) => c.notNull())
        .addColumn('decision', 'varchar(10)', (c) => c.notNull())
        .addColumn('comment', 'text')
        .addColumn('time', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('governance_votes_pk', ['request_id', 'user_name'])
        .execute();
    },
  };
}
