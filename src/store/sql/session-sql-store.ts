/** The web UI's sessions in the backend store (session-migration.ts). Sessions are not journalled: they are credentials, not registry state. */
import type { SessionRow, SessionStore } from '../session-store.js';
import type { AuthTables } from './auth-schema.js';
import type { SessionTables } from './session-schema.js';
import { SqlStoreBase } from './sql-store-base.js';

export class SqlSessionStore extends SqlStoreBase implements SessionStore {
  /** Sessions join users, an auth table: typed as the auth store types it (auth-sql-roles.ts). */
  private get sdb() {
    return this.db.withTables<AuthTables & SessionTables>();
  }

  async createSession(row: SessionRow): Promise<void> {
    await this.guard(() =>
      this.sdb
        .insertInto('sessions')
        .values({ id_hash: row.idHash, user_id: row.userId, created_at: row.createdAt, expires_at: row.expiresAt, password_stamp: row.passwordStamp })
        .execute(),
    );
  }

  async findSession(idHash: string) {
    const row = await this.guard(() =>
      this.sdb
        .selectFrom('sessions')
        .innerJoin('users', 'users.id', 'sessions.user_id')
        .select(['sessions.id_hash', 'sessions.user_id', 'sessions.created_at', 'sessions.expires_at', 'sessions.password_stamp', 'users.username', 'users.password_hash', 'users.is_admin', 'users.is_service_account', 'users.creation_time', 'users.last_updated_time'])
        .where('sessions.id_hash', '=', idHash)
        .executeTakeFirst(),
    );
    if (!row) return undefined;
    return {
      idHash: row.id_hash,
      userId: Number(row.user_id),
      createdAt: Number(row.created_at),
      expiresAt: Number(row.expires_at),
      passwordStamp: row.password_stamp,
      user: {
        id: Number(row.user_id),
        username: row.username,
        passwordHash: row.password_hash,
        isAdmin: Number(row.is_admin) === 1,
        isServiceAccount: Number(row.is_service_account) === 1,
        creationTime: Number(row.creation_time),
        lastUpdatedTime: Number(row.last_updated_time),
      },
    };
  }

  async deleteSession(idHash: string): Promise<void> {
    await this.guard(() => this.sdb.deleteFrom('sessions').where('id_hash', '=', idHash).execute());
  }

  async deleteUserSessions(userId: number): Promise<void> {
    await this.guard(() => this.sdb.deleteFrom('sessions').where('user_id', '=', userId).execute());
  }

  async deleteExpiredSessions(now: number): Promise<number> {
    const result = await this.guard(() => this.sdb.deleteFrom('sessions').where('expires_at', '<', now).executeTakeFirst());
    return Number(result.numDeletedRows);
  }
}
