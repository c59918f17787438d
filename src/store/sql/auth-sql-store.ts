/**
 * The access-control store on SQLite and PostgreSQL (migration 0004_auth): users, API tokens and
 * a user's own grants here, roles in auth-sql-roles.ts. Each method is one transaction; a unique
 * violation becomes StoreConflict through SqlStoreBase.
 */
import { sql, type Selectable, type Transaction } from 'kysely';
import type {
  ApiToken,
  AuthStore,
  GrantRecord,
  NewApiToken,
  NewUser,
  User,
  UserGrant,
  UserGrantType,
} from '../auth-store.js';
import type { ApiTokensTable, UsersTable } from './auth-schema.js';
import { SqlAuthRoles, type AuthDb } from './auth-sql-roles.js';

function userOf(row: Selectable<UsersTable>): User {
  return {
    id: row.id,
    username: row.username,
    passwordHash: row.password_hash,
    isAdmin: Number(row.is_admin) === 1,
    isServiceAccount: Number(row.is_service_account) === 1,
    creationTime: Number(row.creation_time),
    lastUpdatedTime: Number(row.last_updated_time),
  };
}

const nullableNumber = (v: number | null) => (v === null ? null : Number(v));

function tokenOf(row: Selectable<ApiTokensTable>): ApiToken {
  return {
    id: row.id,
    userId: row.user_id,
    name: row.name,
    creationTime: Number(row.creation_time),
    expirationTime: nullableNumber(row.expiration_time),
    lastUsedTime: nullableNumber(row.last_used_time),
    revokedTime: nullableNumber(row.revoked_time),
  };
}

/** Where each kind of a user's own grant lives, and the column naming the resource. */
const GRANT_TABLES = {
  experiment: { table: 'experiment_permissions', column: 'experiment_id' },
  registered_model: { table: 'registered_model_permissions', column: 'name' },
} as const;

export class SqlAuthStore extends SqlAuthRoles implements AuthStore {
  // ---- users ----

  createUser(user: NewUser): Promise<User> {
    return this.run(async (trx) => {
      const row = await trx
        .insertInto('users')
        .values({
          username: user.username,
          password_hash: user.passwordHash,
          is_admin: user.isAdmin ? 1 : 0,
          is_service_account: user.isServiceAccount ? 1 : 0,
          creation_time: user.now,
          last_updated_time: user.now,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return userOf(row);
    });
  }

  getUser(username: string): Promise<User | undefined> {
    return this.run(async (trx) => {
      const row = await trx.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
      return row && userOf(row);
    });
  }

  getUserById(id: number): Promise<User | undefined> {
    return this.run(async (trx) => {
      const row = await trx.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
      return row && userOf(row);
    });
  }

  listUsers(): Promise<User[]> {
    return this.run(async (trx) => (await trx.selectFrom('users').selectAll().orderBy('id').execute()).map(userOf));
  }

  updateUser(username: string, change: { passwordHash?: string; isAdmin?: boolean; now: number }): Promise<User | undefined> {
    return this.run(async (trx) => {
      const row = await trx
        .updateTable('users')
        .set({
          last_updated_time: change.now,
          ...(change.passwordHash === undefined ? {} : { password_hash: change.passwordHash }),
          ...(change.isAdmin === undefined ? {} : { is_admin: change.isAdmin ? 1 : 0 }),
        })
        .where('username', '=', username)
        .returningAll()
        .executeTakeFirst();
      return row && userOf(row);
    });
  }

  deleteUser(username: string): Promise<boolean> {
    // Tokens, grants and assignments go with the user (ON DELETE CASCADE).
    return this.run(async (trx) => {
      const result = await trx.deleteFrom('users').where('username', '=', username).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    });
  }

  // ---- API tokens ----

  createToken(token: NewApiToken): Promise<ApiToken> {
    return this.run(async (trx) => {
      const row = await trx
        .insertInto('api_tokens')
        .values({
          user_id: token.userId,
          name: token.name,
          token_hash: token.tokenHash,
          creation_time: token.now,
          expiration_time: token.expirationTime,
          last_used_time: null,
          revoked_time: null,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return tokenOf(row);
    });
  }

  listTokens(userId: number): Promise<ApiToken[]> {
    return this.run(async (trx) =>
      (await trx.selectFrom('api_tokens').selectAll().where('user_id', '=', userId).orderBy('id').execute()).map(tokenOf),
    );
  }

  revokeToken(userId: number, tokenId: number, now: number): Promise<boolean> {
    return this.run(async (trx) => {
      const result = await trx
        .updateTable('api_tokens')
        .set({ revoked_time: now })
        .where('id', '=', tokenId)
        .where('user_id', '=', userId)
        .where('revoked_time', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    });
  }

  findToken(tokenHash: string): Promise<{ token: ApiToken; user: User } | undefined> {
    return this.run(async (trx) => {
      const token = await trx.selectFrom('api_tokens').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
      if (!token) return undefined;
      const user = await trx.selectFrom('users').selectAll().where('id', '=', token.user_id).executeTakeFirst();
      return user && { token: tokenOf(token), user: userOf(user) };
    });
  }

  async touchToken(tokenId: number, now: number, minIntervalMs: number): Promise<void> {
    await this.run((trx) =>
      trx
        .updateTable('api_tokens')
        .set({ last_used_time: now })
        .where('id', '=', tokenId)
        .where((eb) => eb.or([eb('last_used_time', 'is', null), eb('last_used_time', '<', now - minIntervalMs)]))
        .execute(),
    );
  }

  // ---- a user's own per-resource grants ----

  async createUserGrant(grant: UserGrant): Promise<void> {
    await this.run(async (trx) => {
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
    return this.run(async (trx) => {
      const row = await trx
        .selectFrom(table)
        .select('permission')
        .where(sql.ref(column), '=', resourceId)
        .where('user_id', '=', userId)
        .executeTakeFirst();
      return row && { resourceType: type, resourceId, userId, permission: row.permission };
    });
  }

  listUserGrants(type: UserGrantType, userId: number): Promise<UserGrant[]> {
    return this.run(async (trx) =>
      (await this.ownGrants(trx, type, userId)).map((g) => ({ resourceType: type, resourceId: g.resourcePattern, userId, permission: g.permission })),
    );
  }

  updateUserGrant(grant: UserGrant): Promise<boolean> {
    const { table, column } = GRANT_TABLES[grant.resourceType];
    return this.run(async (trx) => {
      const result = await trx
        .updateTable(table)
        .set({ permission: grant.permission })
        .where(sql.ref(column), '=', grant.resourceId)
        .where('user_id', '=', grant.userId)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    });
  }

  deleteUserGrant(type: UserGrantType, resourceId: string, userId: number): Promise<boolean> {
    const { table, column } = GRANT_TABLES[type];
    return this.run(async (trx) => {
      const result = await trx
        .deleteFrom(table)
        .where(sql.ref(column), '=', resourceId)
        .where('user_id', '=', userId)
        .executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    });
  }

  async renameResourceGrants(type: UserGrantType, from: string, to: string): Promise<void> {
    const { table, column } = GRANT_TABLES[type];
    await this.run(async (trx) => {
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
    await this.run(async (trx) => {
      await trx
        .deleteFrom(table)
        .where(sql.ref(column), '=', resourceId)
        .execute();
      await trx.deleteFrom('role_permissions').where('resource_type', '=', type).where('resource_pattern', '=', resourceId).execute();
    });
  }

  // ---- resolution ----

  listGrants(userId: number, resourceTypes: readonly string[]): Promise<GrantRecord[]> {
    return this.run(async (trx) => {
      const out: GrantRecord[] = [];
      for (const type of ['experiment', 'registered_model'] as const) {
        if (!resourceTypes.includes(type)) continue;
        for (const g of await this.ownGrants(trx, type, userId)) out.push(g);
      }
      // The workspace slot is always loaded: a (workspace, *, MANAGE) grant decides everything.
      const types = [...new Set([...resourceTypes, 'workspace'])];
      const roleRows = await trx
        .selectFrom('role_permissions as p')
        .innerJoin('user_role_assignments as a', 'a.role_id', 'p.role_id')
        .select(['p.resource_type', 'p.resource_pattern', 'p.permission'])
        .where('a.user_id', '=', userId)
        .where('p.resource_type', 'in', types)
        .execute();
      for (const r of roleRows) out.push({ resourceType: r.resource_type, resourcePattern: r.resource_pattern, permission: r.permission });
      return out;
    });
  }

  private async ownGrants(trx: Transaction<AuthDb>, type: UserGrantType, userId: number): Promise<GrantRecord[]> {
    const rows =
      type === 'experiment'
        ? await trx.selectFrom('experiment_permissions').select(['experiment_id as resource_id', 'permission']).where('user_id', '=', userId).orderBy('id').execute()
        : await trx.selectFrom('registered_model_permissions').select(['name as resource_id', 'permission']).where('user_id', '=', userId).orderBy('id').execute();
    return rows.map((r) => ({ resourceType: type, resourcePattern: r.resource_id, permission: r.permission }));
  }
}
