/**
 * Migration 0004_registry_name_collation: registry names sort and compare byte-wise on every
 * backend, as experiment, run and logged-model names have since 0002_tracking. Without it a
 * PostgreSQL database created with a linguistic locale (en_US, ICU) orders registered models
 * `a,A,b,B` where SQLite orders `A,B,a,b`; MLflow's reference store is SQLite.
 *
 * The columns keep their types and gain the dialect's byte-wise collation (PostgreSQL "C").
 * PostgreSQL rebuilds the indexes over them (the unique name index, the primary keys holding tag
 * keys and aliases) in that collation, and a "C" B-tree index also serves `LIKE 'prefix%'`.
 * SQLite's default collation is already byte-wise (and SQLite cannot alter a column): nothing to do.
 */
import type { Kysely, Migration } from 'kysely';
import type { SqlDialect } from './dialect.js';

/** Every registry column holding a name, with the type migration 0001_registry gave it. */
export const REGISTRY_NAME_COLUMNS: ReadonlyArray<{ table: string; column: string; type: string }> = [
  { table: 'registered_models', column: 'name', type: 'varchar(256)' },
  { table: 'registered_model_tags', column: 'key', type: 'varchar(250)' },
  { table: 'model_version_tags', column: 'key', type: 'varchar(250)' },
  { table: 'registered_model_aliases', column: 'alias', type: 'varchar(256)' },
];

export function registryNameCollation(dialect: SqlDialect): Migration {
  return {
    async up(db: Kysely<any>) {
      if (dialect.nameCollation === undefined) return;
      for (const { table, column, type } of REGISTRY_NAME_COLUMNS) {
        await db.schema
          .alterTable(table)
          .alterColumn(column, (c) => c.setDataType(dialect.nameColumn(type)))
          .execute();
      }
    },
  };
}
