/**
 * flowreg's schema, as an ordered static list of migrations (static so that it works from dist/
 * without reading a directory). Run at start-up; the migrator's lock table makes it safe when
 * several replicas start at once on one PostgreSQL database.
 */
import { Migrator, type Kysely, type Migration } from 'kysely';
import type { SqlDialect } from './dialect.js';
import { registryNameCollation } from './registry-collation-migration.js';
import { trackingTables } from './tracking-migration.js';
import { authTables } from './auth-migration.js';
import { auditTables } from './audit-migration.js';
import { webhookTables } from './webhook-migration.js';
import { governanceTables } from './governance-migration.js';
import { sessionTables } from './session-migration.js';

type MigrationFactory = (dialect: SqlDialect) => Migration;

const registryTables: MigrationFactory = (dialect) => ({
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('registered_models')
      .addColumn('id', dialect.serialType, dialect.autoIncrementPrimaryKey)
      .addColumn('name', 'varchar(256)', (c) => c.notNull().unique())
      .addColumn('creation_time', 'bigint', (c) => c.notNull())
      .addColumn('last_updated_time', 'bigint', (c) => c.notNull())
      .addColumn('description', 'text')
      .addColumn('last_version', 'bigint', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema.createIndex('registered_models_last_updated').on('registered_models').columns(['last_updated_time', 'name']).execute();

    await db.schema
      .createTable('registered_model_tags')
      .addColumn('model_id', 'integer', (c) => c.notNull().references('registered_models.id').onDelete('cascade'))
      .addColumn('key', 'varchar(250)', (c) => c.notNull())
      .addColumn('value', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('registered_model_tags_pk', ['model_id', 'key'])
      .execute();

    await db.schema
      .createTable('model_versions')
      .addColumn('model_id', 'integer', (c) => c.notNull().references('registered_models.id').onDelete('cascade'))
      .addColumn('version', 'bigint', (c) => c.notNull())
      .addColumn('creation_time', 'bigint', (c) => c.notNull())
      .addColumn('last_updated_time', 'bigint', (c) => c.notNull())
      .addColumn('description', 'text')
      .addColumn('user_id', 'text')
      .addColumn('current_stage', 'varchar(20)', (c) => c.notNull())
      .addColumn('source', 'text', (c) => c.notNull())
      .addColumn('run_id', 'varchar(256)')
      .addColumn('run_link', 'text')
      .addColumn('status', 'varchar(20)', (c) => c.notNull())
      .addColumn('status_message', 'text')
      .addColumn('storage_location', 'text')
      .addColumn('logged_model_id', 'varchar(256)')
      .addPrimaryKeyConstraint('model_versions_pk', ['model_id', 'version'])
      .execute();
    // Latest version per stage, and stage filters. Tag filters run as correlated EXISTS on the tag
    // tables' primary keys; no index holds a tag value or a source, whose length PostgreSQL's
    // B-tree entries (about 2.7 kB) could not take.
    await db.schema.createIndex('model_versions_stage').on('model_versions').columns(['model_id', 'current_stage', 'version']).execute();
    await db.schema.createIndex('model_versions_run_id').on('model_versions').column('run_id').execute();
    await db.schema.createIndex('model_versions_last_updated').on('model_versions').columns(['last_updated_time']).execute();

    await db.schema
      .createTable('model_version_tags')
      .addColumn('model_id', 'integer', (c) => c.notNull())
      .addColumn('version', 'bigint', (c) => c.notNull())
      .addColumn('key', 'varchar(250)', (c) => c.notNull())
      .addColumn('value', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('model_version_tags_pk', ['model_id', 'version', 'key'])
      .addForeignKeyConstraint('model_version_tags_fk', ['model_id', 'version'], 'model_versions', ['model_id', 'version'], (c) =>
        c.onDelete('cascade'),
      )
      .execute();

    await db.schema
      .createTable('registered_model_aliases')
      .addColumn('model_id', 'integer', (c) => c.notNull().references('registered_models.id').onDelete('cascade'))
      .addColumn('alias', 'varchar(256)', (c) => c.notNull())
      .addColumn('version', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('registered_model_aliases_pk', ['model_id', 'alias'])
      .execute();
    await db.schema.createIndex('registered_model_aliases_version').on('registered_model_aliases').columns(['model_id', 'version']).execute();
  },
});

/**
 * Version searches leave out every model that has a version tagged as a prompt: one lookup of the
 * tag key, instead of a scan of each model's version tags for every row returned.
 */
const versionTagKeyIndex: MigrationFactory = () => ({
  async up(db: Kysely<any>) {
    await db.schema.createIndex('model_version_tags_key_model').on('model_version_tags').columns(['key', 'model_id']).execute();
  },
});

const MIGRATIONS: ReadonlyArray<readonly [string, MigrationFactory]> = [
  ['0001_registry', registryTables],
  ['0002_tracking', trackingTables],
  ['0003_version_tag_key_index', versionTagKeyIndex],
  ['0004_registry_name_collation', registryNameCollation],
  ['0005_auth', authTables],
  ['0006_audit', auditTables],
  ['0007_webhooks', webhookTables],
  ['0008_governance', governanceTables],
  ['0009_sessions', sessionTables],
];

/** Runs every pending migration, or those up to `upTo` (upgrade tests start from an older schema). */
export async function migrateToLatest(db: Kysely<any>, dialect: SqlDialect, upTo?: string): Promise<void> {
  const migrator = new Migrator({
    db,
    provider: {
      getMigrations: async () => Object.fromEntries(MIGRATIONS.map(([name, make]) => [name, make(dialect)])),
    },
    migrationTableName: 'flowreg_migrations',
    migrationLockTableName: 'flowreg_migrations_lock',
    // Numbers are reserved per feature and land in any order (0008 was merged before 0007): a
    // database that has a later one still gets an earlier one that arrives after it. Each
    // migration creates tables of its own, so their order does not matter.
    allowUnorderedMigrations: true,
  });
  const { error, results } = upTo === undefined ? await migrator.migrateToLatest() : await migrator.migrateTo(upTo);
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    throw new Error(`database migration ${failed ?? ''} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}

