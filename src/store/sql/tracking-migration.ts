/**
 * Migration 0002_tracking: experiments, runs (tags, params, metric history and latest values,
 * inputs, outputs) and MLflow 3 logged models. Experiment 0 is created when the store opens
 * (its artifact location depends on the server configuration), not here.
 *
 * Every lookup and search path has an index: names, the (experiment, lifecycle, time) orders of
 * the searches, metric history by (run, key, timestamp, step), a logged model's metrics by
 * (model, key), logged models by experiment, name and source run.
 */
import type { Kysely, Migration } from 'kysely';
import type { SqlDialect } from './dialect.js';

export function trackingTables(dialect: SqlDialect): Migration {
  // Names sort and compare byte-wise on both backends (SQLite's default BINARY collation).
  const name = dialect.nameColumn;

  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('experiments')
        .addColumn('experiment_id', dialect.serialType, dialect.autoIncrementPrimaryKey)
        .addColumn('name', name('varchar(500)'), (c) => c.notNull().unique())
        .addColumn('artifact_location', 'text', (c) => c.notNull())
        .addColumn('lifecycle_stage', 'varchar(32)', (c) => c.notNull())
        .addColumn('creation_time', 'bigint', (c) => c.notNull())
        .addColumn('last_update_time', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('experiments_stage_created').on('experiments').columns(['lifecycle_stage', 'creation_time']).execute();

      await db.schema
        .createTable('experiment_tags')
        .addColumn('experiment_id', 'integer', (c) => c.notNull().references('experiments.experiment_id').onDelete('cascade'))
        .addColumn('key', 'varchar(250)', (c) => c.notNull())
        .addColumn('value', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('experiment_tags_pk', ['experiment_id', 'key'])
        .execute();

      await db.schema
        .createTable('runs')
        .addColumn('run_uuid', 'varchar(32)', (c) => c.primaryKey())
        .addColumn('experiment_id', 'integer', (c) => c.notNull().references('experiments.experiment_id').onDelete('cascade'))
        .addColumn('name', name('text'))
        .addColumn('user_id', 'text')
        .addColumn('status', 'varchar(20)', (c) => c.notNull())
        .addColumn('start_time', 'bigint')
        .addColumn('end_time', 'bigint')
        .addColumn('deleted_time', 'bigint')
        .addColumn('artifact_uri', 'text', (c) => c.notNull())
        .addColumn('lifecycle_stage', 'varchar(20)', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('runs_experiment_stage_start')
        .on('runs')
        .columns(['experiment_id', 'lifecycle_stage', 'start_time', 'run_uuid'])
        .execute();
      await db.schema.createIndex('runs_experiment_name').on('runs').columns(['experiment_id', 'name']).execute();

      for (const table of ['run_tags', 'params'] as const) {
        await db.schema
          .createTable(table)
          .addColumn('run_uuid', 'varchar(32)', (c) => c.notNull().references('runs.run_uuid').onDelete('cascade'))
          .addColumn('key', 'varchar(250)', (c) => c.notNull())
          .addColumn('value', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint(`${table}_pk`, ['run_uuid', 'key'])
          .execute();
        await db.schema.createIndex(`${table}_key`).on(table).columns(['key', 'run_uuid']).execute();
      }

      await db.schema
        .createTable('metrics')
        .addColumn('run_uuid', 'varchar(32)', (c) => c.notNull().references('runs.run_uuid').onDelete('cascade'))
        .addColumn('key', 'varchar(250)', (c) => c.notNull())
        .addColumn('value', 'double precision', (c) => c.notNull())
        .addColumn('is_nan', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('timestamp', 'bigint', (c) => c.notNull())
        .addColumn('step', 'bigint', (c) => c.notNull())
        // One point per identity, as MLflow's primary key; also the history index.
        .addPrimaryKeyConstraint('metrics_pk', ['run_uuid', 'key', 'timestamp', 'step', 'value', 'is_nan'])
        .execute();

      await db.schema
        .createTable('latest_metrics')
        .addColumn('run_uuid', 'varchar(32)', (c) => c.notNull().references('runs.run_uuid').onDelete('cascade'))
        .addColumn('key', 'varchar(250)', (c) => c.notNull())
        .addColumn('value', 'double precision', (c) => c.notNull())
        .addColumn('is_nan', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('timestamp', 'bigint', (c) => c.notNull())
        .addColumn('step', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('latest_metrics_pk', ['run_uuid', 'key'])
        .execute();
      await db.schema.createIndex('latest_metrics_key').on('latest_metrics').columns(['key', 'run_uuid']).execute();

      await db.schema
        .createTable('datasets')
        .addColumn('dataset_uuid', 'varchar(36)', (c) => c.primaryKey())
        .addColumn('experiment_id', 'integer', (c) => c.notNull().references('experiments.experiment_id').onDelete('cascade'))
        .addColumn('name', 'varchar(500)', (c) => c.notNull())
        .addColumn('digest', 'varchar(36)', (c) => c.notNull())
        .addColumn('source_type', 'text', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('schema', 'text')
        .addColumn('profile', 'text')
        .addUniqueConstraint('datasets_identity', ['experiment_id', 'name', 'digest'])
        .execute();

      await db.schema
        .createTable('run_inputs')
        .addColumn('run_uuid', 'varchar(32)', (c) => c.notNull().references('runs.run_uuid').onDelete('cascade'))
        .addColumn('source_type', 'varchar(16)', (c) => c.notNull())
        .addColumn('source_id', 'text', (c) => c.notNull())
        .addColumn('tags', 'text')
        .addPrimaryKeyConstraint('run_inputs_pk', ['run_uuid', 'source_type', 'source_id'])
        .execute();

      await db.schema
        .createTable('run_outputs')
        .addColumn('run_uuid', 'varchar(32)', (c) => c.notNull().references('runs.run_uuid').onDelete('cascade'))
        .addColumn('model_id', 'text', (c) => c.notNull())
        .addColumn('step', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('run_outputs_pk', ['run_uuid', 'model_id', 'step'])
        .execute();

      await db.schema
        .createTable('logged_models')
        .addColumn('model_id', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('experiment_id', 'integer', (c) => c.notNull().references('experiments.experiment_id').onDelete('cascade'))
        .addColumn('name', name('text'), (c) => c.notNull())
        .addColumn('artifact_location', 'text', (c) => c.notNull())
        .addColumn('creation_timestamp_ms', 'bigint', (c) => c.notNull())
        .addColumn('last_updated_timestamp_ms', 'bigint', (c) => c.notNull())
        .addColumn('status', 'integer', (c) => c.notNull())
        .addColumn('status_message', 'text')
        .addColumn('model_type', 'text')
        .addColumn('source_run_id', 'text')
        .addColumn('lifecycle_stage', 'varchar(32)', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('logged_models_experiment_created')
        .on('logged_models')
        .columns(['experiment_id', 'lifecycle_stage', 'creation_timestamp_ms'])
        .execute();
      await db.schema.createIndex('logged_models_experiment_name').on('logged_models').columns(['experiment_id', 'name']).execute();
      await db.schema.createIndex('logged_models_source_run').on('logged_models').column('source_run_id').execute();

      await db.schema
        .createTable('logged_model_metrics')
        .addColumn('model_id', 'text', (c) => c.notNull())
        .addColumn('run_uuid', 'varchar(32)', (c) => c.notNull().references('runs.run_uuid').onDelete('cascade'))
        .addColumn('key', 'varchar(250)', (c) => c.notNull())
        .addColumn('value', 'double precision', (c) => c.notNull())
        .addColumn('is_nan', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('timestamp', 'bigint', (c) => c.notNull())
        .addColumn('step', 'bigint', (c) => c.notNull())
        .addColumn('dataset_name', 'text')
        .addColumn('dataset_digest', 'text')
        .addPrimaryKeyConstraint('logged_model_metrics_pk', ['model_id', 'key', 'timestamp', 'step', 'run_uuid'])
        .execute();

      for (const table of ['logged_model_tags', 'logged_model_params'] as const) {
        await db.schema
          .createTable(table)
          .addColumn('model_id', 'varchar(64)', (c) => c.notNull().references('logged_models.model_id').onDelete('cascade'))
          .addColumn('key', 'text', (c) => c.notNull())
          .addColumn('value', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint(`${table}_pk`, ['model_id', 'key'])
          .execute();
      }
    },
  };
}
