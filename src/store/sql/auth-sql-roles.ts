/**
 * Roles of the access-control store (migration 0005_auth): named sets of grants that many users
 * share, their grants and who holds them (MLflow 3.17: roles, role_permissions,
 * user_role_assignments). Each method is one transaction.
 */
import type { Kysely, Selectable, Transaction } from 'kysely';
import type { Role, RoleAssignment, RolePermission } from '../auth-store.js';
import type { AuthTables, RolePermissionsTable } from './auth-schema.js';
import type { Database } from './schema.js';
import { SqlStoreBase } from './sql-store-base.js';

export type AuthDb = Database & AuthTables;

function rolePermissionOf(row: Selectable<RolePermissionsTable>): RolePermission {
  return { id: row.id, roleId: row.role_id, resourceType: row.resource_type, resourcePattern: row.resource_pattern, permission: row.permission };
}

export abstract class SqlAuthRoles extends SqlStoreBase {
  /** A write: one transaction over the query builder that knows the auth tables. */
  protected run<T>(fn: (trx: Transaction<AuthDb>) => Promise<T>): Promise<T> {
    return this.tx((trx) => fn(trx.withTables<AuthTables>()));
  }

  /**
   * A read: one statement, atomic by itself. Not a transaction, because SQLite transactions here
   * take the write lock up front (database.ts) and these reads run on every request.
   */
  protected read<T>(fn: (db: Kysely<AuthDb>) => Promise<T>): Promise<T> {
    return this.guard(() => fn(this.db.withTables<AuthTables>()));
  }

  // ---- roles ----

  createRole(role: { name: string; description: string | null }): Promise<Role> {
    return this.run((trx) => trx.insertInto('roles').values(role).returningAll().executeTakeFirstOrThrow());
  }

  getRole(id: number): Promise<Role | undefined> {
    return this.read((db) => db.selectFrom('roles').selectAll().where('id', '=', id).executeTakeFirst());
  }

  getRoleByName(name: string): Promise<Role | undefined> {
    return this.read((db) => db.selectFrom('roles').selectAll().where('name', '=', name).executeTakeFirst());
  }

  listRoles(): Promise<Role[]> {
    return this.read((db) => db.selectFrom('roles').selectAll().orderBy('id').execute());
  }

  updateRole(id: number, change: { name?: string; description?: string | null }): Promise<Role | undefined> {
    return this.run(async (trx) => {
      const set = {
        ...(change.name === undefined ? {} : { name: change.name }),
        ...(change.description === undefined ? {} : { description: change.description }),
      };
      if (Object.keys(set).length === 0) return trx.selectFrom('roles').selectAll().where('id', '=', id).executeTakeFirst();
      return trx.updateTable('roles').set(set).where('id', '=', id).returningAll().executeTakeFirst();
    });
  }

  deleteRole(id: number): Promise<boolean> {
    return this.run(async (trx) => {
      const result = await trx.deleteFrom('roles').where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    });
  }

  addRolePermission(p: Omit<RolePermission, 'id'>): Promise<RolePermission> {
    return this.run(async (trx) =>
      rolePermissionOf(
        await trx
          .insertInto('role_permissions')
          .values({ role_id: p.roleId, resource_type: p.resourceType, resource_pattern: p.resourcePattern, permission: p.permission })
          .returningAll()
          .executeTakeFirstOrThrow(),
      ),
    );
  }

  getRolePermission(id: number): Promise<RolePermission | undefined> {
    return this.read(async (db) => {
      const row = await db.selectFrom('role_permissions').selectAll().where('id', '=', id).executeTakeFirst();
      return row && rolePermissionOf(row);
    });
  }

  listRolePermissions(roleId: number): Promise<RolePermission[]> {
    return this.read(async (db) =>
      (await db.selectFrom('role_permissions').selectAll().where('role_id', '=', roleId).orderBy('id').execute()).map(rolePermissionOf),
    );
  }

  updateRolePermission(id: number, permission: string): Promise<RolePermission | undefined> {
    return this.run(async (trx) => {
      const row = await trx.updateTable('role_permissions').set({ permission }).where('id', '=', id).returningAll().executeTakeFirst();
      return row && rolePermissionOf(row);
    });
  }

  removeRolePermission(id: number): Promise<boolean> {
    return this.run(async (trx) => {
      const result = await trx.deleteFrom('role_permissions').where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    });
  }

  assignRole(userId: number, roleId: number): Promise<RoleAssignment> {
    return this.run(async (trx) => {
      const row = await trx.insertInto('user_role_assignments').values({ user_id: userId, role_id: roleId }).returningAll().executeTakeFirstOrThrow();
      return { id: row.id, userId: row.user_id, roleId: row.role_id };
    });
  }

  unassignRole(userId: number, roleId: number): Promise<boolean> {
    return this.run(async (trx) => {
      const result = await trx.deleteFrom('user_role_assignments').where('user_id', '=', userId).where('role_id', '=', roleId).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    });
  }

  listUserRoles(userId: number): Promise<Role[]> {
    return this.read((db) =>
      db
        .selectFrom('roles')
        .innerJoin('user_role_assignments as a', 'a.role_id', 'roles.id')
        .selectAll('roles')
        .where('a.user_id', '=', userId)
        .orderBy('roles.id')
        .execute(),
    );
  }

  listRoleUsers(roleId: number): Promise<RoleAssignment[]> {
    return this.read(async (db) => {
      const rows = await db.selectFrom('user_role_assignments').selectAll().where('role_id', '=', roleId).orderBy('id').execute();
      return rows.map((r) => ({ id: r.id, userId: r.user_id, roleId: r.role_id }));
    });
  }
}
