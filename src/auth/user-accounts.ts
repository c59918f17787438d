/**
 * Users: MLflow's user CRUD (auth/sqlalchemy_store.py: create_user, get_user, update_user,
 * delete_user) with its messages, plus service accounts, which sign in with API tokens only.
 * Every change forgets the user's cached credentials on this replica; other replicas follow within
 * the cache TTL.
 */
import type { Clock } from '../domain/clock.js';
import { alreadyExists, invalidParameter, notFound } from '../protocol/errors.js';
import type { AuthStore, User } from '../store/auth-store.js';
import { DEFAULT_SCRYPT, hashPassword, validatePassword, validateUsername, type ScryptParams } from './passwords.js';
import { onConflict } from './store-conflict.js';

export interface UserAccountsDeps {
  readonly store: AuthStore;
  readonly clock: Clock;
  /** Called after a change to the user (Authenticator.forget). */
  readonly onUserChanged: (username: string) => void;
  readonly scrypt?: ScryptParams;
}

export class UserAccounts {
  constructor(private readonly deps: UserAccountsDeps) {}

  async create(username: string, password: string, options: { isAdmin?: boolean } = {}): Promise<User> {
    validateUsername(username);
    validatePassword(password);
    const passwordHash = await hashPassword(password, this.deps.scrypt ?? DEFAULT_SCRYPT);
    return this.insert(username, passwordHash, options.isAdmin ?? false, false);
  }

  /** A user without a password, for CI: it signs in with the API tokens created for it. */
  async createServiceAccount(username: string, options: { isAdmin?: boolean } = {}): Promise<User> {
    validateUsername(username);
    return this.insert(username, null, options.isAdmin ?? false, true);
  }

  private insert(username: string, passwordHash: string | null, isAdmin: boolean, isServiceAccount: boolean): Promise<User> {
    return onConflict(
      this.deps.store.createUser({ username, passwordHash, isAdmin, isServiceAccount, now: this.deps.clock() }),
      () => alreadyExists(`User (username=${username}) already exists.`),
    );
  }

  async get(username: string): Promise<User> {
    const user = await this.deps.store.getUser(username);
    if (!user) throw userNotFound(username);
    return user;
  }

  async find(username: string): Promise<User | undefined> {
    return this.deps.store.getUser(username);
  }

  list(): Promise<User[]> {
    return this.deps.store.listUsers();
  }

  async updatePassword(username: string, password: string): Promise<User> {
    const user = await this.get(username);
    if (user.isServiceAccount) throw invalidParameter(`User ${username} is a service account and signs in with API tokens only.`);
    validatePassword(password);
    const passwordHash = await hashPassword(password, this.deps.scrypt ?? DEFAULT_SCRYPT);
    return this.update(username, { passwordHash });
  }

  updateAdmin(username: string, isAdmin: boolean): Promise<User> {
    return this.update(username, { isAdmin });
  }

  private async update(username: string, change: { passwordHash?: string; isAdmin?: boolean }): Promise<User> {
    const user = await this.deps.store.updateUser(username, { ...change, now: this.deps.clock() });
    if (!user) throw userNotFound(username);
    this.deps.onUserChanged(username);
    return user;
  }

  async delete(username: string): Promise<void> {
    if (!(await this.deps.store.deleteUser(username))) throw userNotFound(username);
    this.deps.onUserChanged(username);
  }
}

export function userNotFound(username: string) {
  return notFound(`User with username=${username} not found`);
}
