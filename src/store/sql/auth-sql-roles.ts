/**
 * Roles of the access-control store (migration 0005_auth): named sets of grants that many users
 * share, their grants and who holds them (MLflow 3.17: roles, role_permissions,
 * user_role_assignments). Each method is one transaction.
 */
import type { Kysely, Selectable, Transaction } from 'kysely';
import type { Role, RoleAssignment, RolePermission } from '../auth-store.js';
import type { Change } from '../change.js';
import type { AuthTables, RolePermissionsTable } from './auth-schema.js';
import type { Database } from './schema.js';
import { SqlStoreBase } from './sql-store-base.js';

export type AuthDb = Database & AuthTables;

function rolePermissionOf(row: Selectable<RolePermissionsTable>): RolePermission {
  return { id: row.id, roleId: row.role_id, resourceType: row.resource_type, resourcePattern: row.resource_pattern, permission: row.permission };
}

export abstract class SqlAuthRoles extends SqlStoreBase {
  /** A write: one transaction over the query builder that knows the auth tables. */
  protected run<T>(fn: (trx: Transaction<AuthDb>, changes: Change[]) => Promise<T>): Promise<T> {
    return this.tx((trx, changes) => fn(trx.withTables<AuthTables>(), changes));
  }

  /** A user's name for a change record (grants and assignments hold the id). */
  protected async usernameOf(trx: Transaction<AuthDb>, userId: number): Promise<string> {
    const row = await trx.selectFrom('users').select('username').where('id', '=', userId).executeTakeFirst();
    return row?.username ?? `#${userId}`;
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
    return this.run(async (trx, changes) => {
      const row = await trx.insertInto('roles').values(role).returningAll().executeTakeFirstOrThrow();
      changes.push({ action: 'role.create', resourceType: 'role', name: row.name, after: { id: row.id, name: row.name, description: row.description } });
      return row;
    });
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
    return this.run(async (trx, changes) => {
      const set = {
        ...(change.name === undefined ? {} : { name: change.name }),
        ...(change.description === undefined ? {} : { description: change.description }),
      };
      if (Object.keys(set).length === 0) return trx.selectFrom('roles').selectAll().where('id', '=', id).executeTakeFirst();
      const before = await trx.selectFrom('roles').selectAll().where('id', '=', id).executeTakeFirst();
      const row = await trx.updateTable('roles').set(set).where('id', '=', id).returningAll().executeTakeFirst();
      if (row && before) {
        changes.push({ action: 'role.update', resourceType: 'role', name: row.name, before: { name: before.name, description: before.description }, after: { name: row.name, description: row.description } });
      }
      return row;
    });
  }

  deleteRole(id: number): Promise<boolean> {
    return this.run(async (trx, changes) => {
      const row = await trx.deleteFrom('roles').where('id', '=', id).returning(['name']).executeTakeFirst();
      if (!row) return false;
      changes.push({ action: 'role.delete', resourceType: 'role', name: row.name, before: { id } });
      return true;
    });
  }

  addRolePermission(p: Omit<RolePermission, 'id'>): Promise<RolePermission> {
    return this.run(async (trx, changes) => {
      const row = rolePermissionOf(
        await trx
          .insertInto('role_permissions')
          .values({ role_id: p.roleId, resource_type: p.resourceType, resource_pattern: p.resourcePattern, permission: p.permission })
          .returningAll()
          .executeTakeFirstOrThrow(),
      );
      changes.push({ action: 'role.permission.add', resourceType: 'permission', name: `role:${p.roleId}`, after: { id: row.id, role_id: p.roleId, resource_type: p.resourceType, resource_pattern: p.resourcePattern, permission: p.permission } });
      return row;
    });
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
    return this.run(async (trx, changes) => {
      const before = await trx.selectFrom('role_permissions').select('permission').where('id', '=', id).executeTakeFirst();
      const row = await trx.updateTable('role_permissions').set({ permission }).where('id', '=', id).returningAll().executeTakeFirst();
      if (row) {
        changes.push({ action: 'role.permission.update', resourceType: 'permission', name: `role:${row.role_id}`, before: { id, permission: before?.permission ?? null }, after: { id, resource_type: row.resource_type, resource_pattern: row.resource_pattern, permission } });
      }
      return row && rolePermissionOf(row);
    });
  }

  removeRolePermission(id: number): Promise<boolean> {
    return this.run(async (trx, changes) => {
      const row = await trx.deleteFrom('role_permissions').where('id', '=', id).returningAll().executeTakeFirst();
      if (!row) return false;
      changes.push({ action: 'role.permission.remove', resourceType: 'permission', name: `role:${row.role_id}`, before: { id, resource_type: row.resource_type, resource_pattern: row.resource_pattern, permission: row.permission } });
      return true;
    });
  }

  assignRole(userId: number, roleId: number): Promise<RoleAssignment> {
    return this.run(async (trx, changes) => {
      const row = await trx.insertInto('user_role_assignments').values({ user_id: userId, role_id: roleId }).returningAll().executeTakeFirstOrThrow();
      changes.push({ action: 'user.role.assign', resourceType: 'user', name: await this.usernameOf(trx, userId), after: { role_id: roleId } });
      return { id: row.id, userId: row.user_id, roleId: row.role_id };
    });
  }

  unassignRole(userId: number, roleId: number): Promise<boolean> {
    return this.run(async (trx, changes) => {
      const result = await trx.deleteFrom('user_role_assignments').where('user_id', '=', userId).where('role_id', '=', roleId).executeTakeFirst();
      if (Number(result.numDeletedRows) === 0) return false;
      changes.push({ action: 'user.role.unassign', resourceType: 'user', name: await this.usernameOf(trx, userId), before: { role_id: roleId } });
      return true;
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
