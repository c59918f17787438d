/**
 * The access-control store on SQLite and PostgreSQL (migration 0005_auth): users and API tokens
 * here, a user's own grants and the grants resolution reads in auth-sql-grants.ts, roles in
 * auth-sql-roles.ts. Every method is atomic: a write is one transaction, a read one statement. A
 * unique violation becomes StoreConflict through SqlStoreBase.
 */
import type { Selectable } from 'kysely';
import type {
  ApiToken,
  AuthStore,
  NewApiToken,
  NewUser,
  User,
} from '../auth-store.js';
import type { ApiTokensTable, UsersTable } from './auth-schema.js';
import { SqlAuthGrants } from './auth-sql-grants.js';

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

export class SqlAuthStore extends SqlAuthGrants implements AuthStore {
  // ---- users ----

  createUser(user: NewUser): Promise<User> {
    return this.run(async (trx, changes) => {
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
      // Never a password hash in the trail.
      changes.push({ action: 'user.create', resourceType: 'user', name: user.username, after: { is_admin: user.isAdmin, is_service_account: user.isServiceAccount } });
      return userOf(row);
    });
  }

  getUser(username: string): Promise<User | undefined> {
    return this.read(async (db) => {
      const row = await db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
      return row && userOf(row);
    });
  }

  getUserById(id: number): Promise<User | undefined> {
    return this.read(async (db) => {
      const row = await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
      return row && userOf(row);
    });
  }

  listUsers(): Promise<User[]> {
    return this.read(async (db) => (await db.selectFrom('users').selectAll().orderBy('id').execute()).map(userOf));
  }

  updateUser(username: string, change: { passwordHash?: string; isAdmin?: boolean; now: number }): Promise<User | undefined> {
    return this.run(async (trx, changes) => {
      const before = await trx.selectFrom('users').select('is_admin').where('username', '=', username).executeTakeFirst();
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
      if (row) {
        changes.push({
          action: 'user.update',
          resourceType: 'user',
          name: username,
          before: { is_admin: before?.is_admin === 1 },
          after: { is_admin: row.is_admin === 1, ...(change.passwordHash === undefined ? {} : { password_changed: true }) },
        });
      }
      return row && userOf(row);
    });
  }

  deleteUser(username: string): Promise<boolean> {
    // Tokens, grants and assignments go with the user (ON DELETE CASCADE).
    return this.run(async (trx, changes) => {
      const result = await trx.deleteFrom('users').where('username', '=', username).executeTakeFirst();
      if (Number(result.numDeletedRows) === 0) return false;
      changes.push({ action: 'user.delete', resourceType: 'user', name: username });
      return true;
    });
  }

  // ---- API tokens ----

  createToken(token: NewApiToken): Promise<ApiToken> {
    return this.run(async (trx, changes) => {
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
      // The token's id and name, never its secret or hash.
      changes.push({ action: 'token.create', resourceType: 'token', name: await this.usernameOf(trx, token.userId), after: { id: row.id, name: token.name, expiration_time: token.expirationTime } });
      return tokenOf(row);
    });
  }

  listTokens(userId: number): Promise<ApiToken[]> {
    return this.read(async (db) =>
      (await db.selectFrom('api_tokens').selectAll().where('user_id', '=', userId).orderBy('id').execute()).map(tokenOf),
    );
  }

  revokeToken(userId: number, tokenId: number, now: number): Promise<boolean> {
    return this.run(async (trx, changes) => {
      const result = await trx
        .updateTable('api_tokens')
        .set({ revoked_time: now })
        .where('id', '=', tokenId)
        .where('user_id', '=', userId)
        .where('revoked_time', 'is', null)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) return false;
      changes.push({ action: 'token.revoke', resourceType: 'token', name: await this.usernameOf(trx, userId), before: { id: tokenId } });
      return true;
    });
  }

  findToken(tokenHash: string): Promise<{ token: ApiToken; user: User } | undefined> {
    return this.read(async (db) => {
      const row = await db
        .selectFrom('api_tokens as t')
        .innerJoin('users as u', 'u.id', 't.user_id')
        .selectAll('t')
        .select([
          'u.username',
          'u.password_hash',
          'u.is_admin',
          'u.is_service_account',
          'u.creation_time as user_creation_time',
          'u.last_updated_time as user_last_updated_time',
        ])
        .where('t.token_hash', '=', tokenHash)
        .executeTakeFirst();
      if (!row) return undefined;
      const user = userOf({ ...row, id: row.user_id, creation_time: row.user_creation_time, last_updated_time: row.user_last_updated_time });
      return { token: tokenOf(row), user };
    });
  }

  /** Last-use bookkeeping, not a change anyone made: not journalled. */
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
}
