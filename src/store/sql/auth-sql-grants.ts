/**
 * A user's own grants on one experiment or registered model (MLflow's experiment_permissions and
 * registered_model_permissions), and the one read that resolution makes per request: the user's
 * own grants and those of their roles. Writes are one transaction, reads one statement.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Change } from '../change.js';
import type { GrantRecord, UserGrant, UserGrantType } from '../auth-store.js';
import { SqlAuthRoles, type AuthDb } from './auth-sql-roles.js';

/** Where each kind of a user's own grant lives, and the column naming the resource. */
const GRANT_TABLES = {
  experiment: { table: 'experiment_permissions', column: 'experiment_id' },
  registered_model: { table: 'registered_model_permissions', column: 'name' },
} as const;

export abstract class SqlAuthGrants extends SqlAuthRoles {
  // ---- a user's own per-resource grants ----

  async createUserGrant(grant: UserGrant): Promise<void> {
    await this.run(async (trx, changes) => {
      changes.push(await this.grantChange(trx, 'permission.create', grant, undefined, { permission: grant.permission }));
      if (grant.resourceType === 'experiment') {
        await trx
          .insertInto('experiment_permissions')
          .values({ experiment_id: grant.resourceId, user_id: grant.userId, permission: grant.permission })
          .execute();
      } else {
        await trx
          .insertInto('registered_model_permissions')
          .values({ name: grant.resourceId, user_id: grant.userId, permission: grant.permission })
          .execute();
      }
    });
  }

  getUserGrant(type: UserGrantType, resourceId: string, userId: number): Promise<UserGrant | undefined> {
    const { table, column } = GRANT_TABLES[type];
    return this.read(async (db) => {
      const row = await db
        .selectFrom(table)
        .select('permission')
        .where(sql.ref(column), '=', resourceId)
        .where('user_id', '=', userId)
        .executeTakeFirst();
      return row && { resourceType: type, resourceId, userId, permission: row.permission };
    });
  }

  listUserGrants(type: UserGrantType, userId: number): Promise<UserGrant[]> {
    return this.read(async (db) =>
      (await this.ownGrants(db, type, userId)).map((g) => ({ resourceType: type, resourceId: g.resourcePattern, userId, permission: g.permission })),
    );
  }

  updateUserGrant(grant: UserGrant): Promise<boolean> {
    const { table, column } = GRANT_TABLES[grant.resourceType];
    return this.run(async (trx, changes) => {
      const before = await trx.selectFrom(table).select('permission').where(sql.ref(column), '=', grant.resourceId).where('user_id', '=', grant.userId).executeTakeFirst();
      const result = await trx
        .updateTable(table)
        .set({ permission: grant.permission })
        .where(sql.ref(column), '=', grant.resourceId)
        .where('user_id', '=', grant.userId)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) return false;
      changes.push(await this.grantChange(trx, 'permission.update', grant, { permission: before?.permission ?? null }, { permission: grant.permission }));
      return true;
    });
  }

  deleteUserGrant(type: UserGrantType, resourceId: string, userId: number): Promise<boolean> {
    const { table, column } = GRANT_TABLES[type];
    return this.run(async (trx, changes) => {
      const row = await trx
        .deleteFrom(table)
        .where(sql.ref(column), '=', resourceId)
        .where('user_id', '=', userId)
        .returning('permission')
        .executeTakeFirst();
      if (!row) return false;
      changes.push(await this.grantChange(trx, 'permission.delete', { resourceType: type, resourceId, userId, permission: row.permission }, { permission: row.permission }, undefined));
      return true;
    });
  }

  async renameResourceGrants(type: UserGrantType, from: string, to: string): Promise<void> {
    const { table, column } = GRANT_TABLES[type];
    await this.run(async (trx, changes) => {
      changes.push({ action: 'permission.rename_resource', resourceType: 'permission', name: to, before: { resource_type: type, resource: from }, after: { resource_type: type, resource: to } });
      await trx
        .updateTable(table)
        .set({ [column]: to } as never)
        .where(sql.ref(column), '=', from)
        .execute();
      // Role grants that name the resource follow it too.
      await trx
        .updateTable('role_permissions')
        .set({ resource_pattern: to })
        .where('resource_type', '=', type)
        .where('resource_pattern', '=', from)
        .execute();
    });
  }

  async deleteResourceGrants(type: UserGrantType, resourceId: string): Promise<void> {
    const { table, column } = GRANT_TABLES[type];
    await this.run(async (trx, changes) => {
      const removed = await trx
        .deleteFrom(table)
        .where(sql.ref(column), '=', resourceId)
        .executeTakeFirst();
      if (Number(removed.numDeletedRows) > 0) {
        changes.push({ action: 'permission.delete_resource', resourceType: 'permission', name: resourceId, before: { resource_type: type, grants: Number(removed.numDeletedRows) } });
      }
      await trx.deleteFrom('role_permissions').where('resource_type', '=', type).where('resource_pattern', '=', resourceId).execute();
    });
  }

  /** A change to one user's grant: named by the resource, the user by name. */
  private async grantChange(trx: Transaction<AuthDb>, action: string, grant: UserGrant, before: unknown, after: unknown): Promise<Change> {
    const user = await this.usernameOf(trx, grant.userId);
    return {
      action,
      resourceType: 'permission',
      name: grant.resourceId,
      before: before === undefined ? undefined : { resource_type: grant.resourceType, user, ...(before as object) },
      after: after === undefined ? undefined : { resource_type: grant.resourceType, user, ...(after as object) },
    };
  }

  // ---- resolution ----

  listGrants(userId: number, resourceTypes: readonly string[], roleNames: readonly string[] = []): Promise<GrantRecord[]> {
    // One statement (a consistent snapshot): the user's own grants and their roles' grants. The
    // workspace slot is always loaded: a (workspace, *, MANAGE) grant decides everything.
    const types = [...new Set([...resourceTypes, 'workspace'])];
    return this.read(async (db) => {
      let q = db
        .selectFrom('role_permissions as p')
        .innerJoin('user_role_assignments as a', 'a.role_id', 'p.role_id')
        .select(['p.resource_type', 'p.resource_pattern', 'p.permission'])
        .where('a.user_id', '=', userId)
        .where('p.resource_type', 'in', types);
      if (roleNames.length > 0) {
        q = q.unionAll(
          db
            .selectFrom('role_permissions as p')
            .innerJoin('roles as r', 'r.id', 'p.role_id')
            .select(['p.resource_type', 'p.resource_pattern', 'p.permission'])
            .where('r.name', 'in', [...roleNames])
            .where('p.resource_type', 'in', types),
        );
      }
      if (types.includes('experiment')) {
        q = q.unionAll(
          db
            .selectFrom('experiment_permissions')
            .select([sql.lit('experiment').as('resource_type'), 'experiment_id as resource_pattern', 'permission'])
            .where('user_id', '=', userId),
        );
      }
      if (types.includes('registered_model')) {
        q = q.unionAll(
          db
            .selectFrom('registered_model_permissions')
            .select([sql.lit('registered_model').as('resource_type'), 'name as resource_pattern', 'permission'])
            .where('user_id', '=', userId),
        );
      }
      const rows = await q.execute();
      return rows.map((r) => ({ resourceType: r.resource_type, resourcePattern: r.resource_pattern, permission: r.permission }));
    });
  }

  private async ownGrants(db: Kysely<AuthDb>, type: UserGrantType, userId: number): Promise<GrantRecord[]> {
    const rows =
      type === 'experiment'
        ? await db.selectFrom('experiment_permissions').select(['experiment_id as resource_id', 'permission']).where('user_id', '=', userId).orderBy('id').execute()
        : await db.selectFrom('registered_model_permissions').select(['name as resource_id', 'permission']).where('user_id', '=', userId).orderBy('id').execute();
    return rows.map((r) => ({ resourceType: type, resourcePattern: r.resource_id, permission: r.permission }));
  }
}
