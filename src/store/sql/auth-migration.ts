/**
 * Migration 0005_auth: users, API tokens, per-resource grants and roles, in the backend store so
 * that every replica sees the same users. Table and constraint names are MLflow 3.17's
 * (mlflow/server/auth/db/models.py and its migrations) where MLflow has the table; `api_tokens`
 * and `users.is_service_account` are ours.
 *
 * User, role and registered model names compare byte-wise on both backends (SQLite's default
 * BINARY collation, `COLLATE "C"` on PostgreSQL), as the registry's own names do. Booleans are
 * integers (0/1) so both backends read them alike.
 */
import { sql, type Kysely, type Migration } from 'kysely';
import type { SqlDialect } from './dialect.js';

export function authTables(dialect: SqlDialect): Migration {
  const pg = dialect.name === 'postgres';
  const name = (type: string) => sql.raw(pg ? `${type} COLLATE "C"` : type);
  const serialKey = (c: any) => c.primaryKey().$call((b: any) => (pg ? b : b.autoIncrement()));
  const userRef = (c: any) => c.notNull().references('users.id').onDelete('cascade');
  const roleRef = (c: any) => c.notNull().references('roles.id').onDelete('cascade');

  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('users')
        .addColumn('id', dialect.serialType, serialKey)
        .addColumn('username', name('varchar(255)'), (c) => c.notNull().unique())
        .addColumn('password_hash', 'varchar(255)')
        .addColumn('is_admin', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('is_service_account', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('creation_time', 'bigint', (c) => c.notNull())
        .addColumn('last_updated_time', 'bigint', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('api_tokens')
        .addColumn('id', dialect.serialType, serialKey)
        .addColumn('user_id', 'integer', userRef)
        .addColumn('name', 'varchar(255)', (c) => c.notNull())
        // Hex sha256 of the secret: looked up by equality, never compared byte by byte in JS.
        .addColumn('token_hash', 'varchar(64)', (c) => c.notNull().unique())
        .addColumn('creation_time', 'bigint', (c) => c.notNull())
        .addColumn('expiration_time', 'bigint')
        .addColumn('last_used_time', 'bigint')
        .addColumn('revoked_time', 'bigint')
        .execute();
      await db.schema.createIndex('api_tokens_user').on('api_tokens').column('user_id').execute();

      await db.schema
        .createTable('experiment_permissions')
        .addColumn('id', dialect.serialType, serialKey)
        .addColumn('experiment_id', 'varchar(255)', (c) => c.notNull())
        .addColumn('user_id', 'integer', userRef)
        .addColumn('permission', 'varchar(255)', (c) => c.notNull())
        .addUniqueConstraint('unique_experiment_user', ['experiment_id', 'user_id'])
        .execute();
      await db.schema.createIndex('experiment_permissions_user').on('experiment_permissions').column('user_id').execute();

      await db.schema
        .createTable('registered_model_permissions')
        .addColumn('id', dialect.serialType, serialKey)
        .addColumn('name', name('varchar(256)'), (c) => c.notNull())
        .addColumn('user_id', 'integer', userRef)
        .addColumn('permission', 'varchar(255)', (c) => c.notNull())
        .addUniqueConstraint('unique_name_user', ['name', 'user_id'])
        .execute();
      await db.schema.createIndex('registered_model_permissions_user').on('registered_model_permissions').column('user_id').execute();

      await db.schema
        .createTable('roles')
        .addColumn('id', dialect.serialType, serialKey)
        .addColumn('name', name('varchar(255)'), (c) => c.notNull().unique())
        .addColumn('description', 'varchar(1024)')
        .execute();

      await db.schema
        .createTable('role_permissions')
        .addColumn('id', dialect.serialType, serialKey)
        .addColumn('role_id', 'integer', roleRef)
        .addColumn('resource_type', 'varchar(64)', (c) => c.notNull())
        .addColumn('resource_pattern', name('varchar(256)'), (c) => c.notNull())
        .addColumn('permission', 'varchar(255)', (c) => c.notNull())
        .addUniqueConstraint('unique_role_resource_perm', ['role_id', 'resource_type', 'resource_pattern'])
        .execute();

      await db.schema
        .createTable('user_role_assignments')
        .addColumn('id', dialect.serialType, serialKey)
        .addColumn('user_id', 'integer', userRef)
        .addColumn('role_id', 'integer', roleRef)
        .addUniqueConstraint('unique_user_role', ['user_id', 'role_id'])
        .execute();
      await db.schema.createIndex('idx_user_role_assignments_role_id').on('user_role_assignments').column('role_id').execute();
    },
  };
}
