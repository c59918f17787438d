/**
 * Migration 0007_webhooks: MLflow's webhooks (store/model_registry/dbmodels/models.py: SqlWebhook,
 * SqlWebhookEvent, here with the events as a JSON list on the row) and flowreg's delivery outbox.
 * A delivery row is written in the transaction of the change it reports and sent by whichever
 * replica leases it (`lease_owner`, `lease_expires`).
 */
import type { Kysely, Migration } from 'kysely';
import type { SqlDialect } from './dialect.js';

export function webhookTables(_dialect: SqlDialect): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('webhooks')
        .addColumn('webhook_id', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('name', 'varchar(256)', (c) => c.notNull())
        .addColumn('description', 'text')
        .addColumn('url', 'text', (c) => c.notNull())
        .addColumn('status', 'varchar(20)', (c) => c.notNull())
        .addColumn('secret', 'text')
        .addColumn('events', 'text', (c) => c.notNull())
        .addColumn('extra_events', 'text', (c) => c.notNull())
        .addColumn('creation_timestamp', 'bigint', (c) => c.notNull())
        .addColumn('last_updated_timestamp', 'bigint', (c) => c.notNull())
        .addColumn('deleted_timestamp', 'bigint')
        .execute();
      await db.schema.createIndex('webhooks_creation').on('webhooks').columns(['creation_timestamp', 'webhook_id']).execute();

      await db.schema
        .createTable('webhook_deliveries')
        .addColumn('delivery_id', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('webhook_id', 'varchar(64)', (c) => c.notNull())
        .addColumn('event', 'varchar(100)', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('creation_timestamp', 'bigint', (c) => c.notNull())
        .addColumn('status', 'varchar(20)', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull())
        .addColumn('next_attempt_timestamp', 'bigint', (c) => c.notNull())
        .addColumn('lease_owner', 'varchar(64)')
        .addColumn('lease_expires', 'bigint')
        .addColumn('last_attempt_timestamp', 'bigint')
        .addColumn('last_status_code', 'integer')
        .addColumn('last_error', 'text')
        .addColumn('response_excerpt', 'text')
        .addColumn('delivered_timestamp', 'bigint')
        .execute();
      // The worker's claim (due pending deliveries) and the delivery log (a webhook's, newest first).
      await db.schema.createIndex('webhook_deliveries_due').on('webhook_deliveries').columns(['status', 'next_attempt_timestamp']).execute();
      await db.schema.createIndex('webhook_deliveries_log').on('webhook_deliveries').columns(['webhook_id', 'creation_timestamp']).execute();
    },
  };
}
