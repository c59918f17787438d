/**
 * The users, API tokens, per-resource grants and roles behind access control (MLflow 3.17's
 * mlflow/server/auth/db/models.py, plus API tokens and service accounts of our own). Lives in the
 * backend store so that every replica sees the same users.
 *
 * Every method is atomic (a write one transaction, a read one statement). A write that would duplicate a unique key throws StoreConflict
 * (the auth service words MLflow's message); a missing row is `undefined` / `false`.
 */
export interface User {
  readonly id: number;
  readonly username: string;
  /** `scrypt$N$r$p$salt$hash`; null for a service account, which signs in with tokens only. */
  readonly passwordHash: string | null;
  readonly isAdmin: boolean;
  readonly isServiceAccount: boolean;
  readonly creationTime: number;
  readonly lastUpdatedTime: number;
}

export interface NewUser {
  readonly username: string;
  readonly passwordHash: string | null;
  readonly isAdmin: boolean;
  readonly isServiceAccount: boolean;
  readonly now: number;
}

export interface ApiToken {
  readonly id: number;
  readonly userId: number;
  readonly name: string;
  readonly creationTime: number;
  readonly expirationTime: number | null;
  readonly lastUsedTime: number | null;
  readonly revokedTime: number | null;
}

export interface NewApiToken {
  readonly userId: number;
  readonly name: string;
  /** Hex sha256 of the secret; the secret itself is never stored. */
  readonly tokenHash: string;
  readonly now: number;
  readonly expirationTime: number | null;
}

/** `experiment` grants are keyed by experiment id, `registered_model` grants by model name. */
export type UserGrantType = 'experiment' | 'registered_model';

export interface UserGrant {
  readonly resourceType: UserGrantType;
  readonly resourceId: string;
  readonly userId: number;
  readonly permission: string;
}

export interface Role {
  readonly id: number;
  readonly name: string;
  readonly description: string | null;
}

export interface RolePermission {
  readonly id: number;
  readonly roleId: number;
  readonly resourceType: string;
  readonly resourcePattern: string;
  readonly permission: string;
}

export interface RoleAssignment {
  readonly id: number;
  readonly userId: number;
  readonly roleId: number;
}

/** A grant as the resolver folds it: the user's own, or one of a role assigned to them. */
export interface GrantRecord {
  readonly resourceType: string;
  readonly resourcePattern: string;
  readonly permission: string;
}

export interface AuthStore {
  // ---- users ----
  createUser(user: NewUser): Promise<User>;
  getUser(username: string): Promise<User | undefined>;
  getUserById(id: number): Promise<User | undefined>;
  listUsers(): Promise<User[]>;
  /** Returns the updated user, or undefined when there is none by that name. */
  updateUser(username: string, change: { passwordHash?: string; isAdmin?: boolean; now: number }): Promise<User | undefined>;
  /** Deletes the user with their tokens, grants and role assignments. */
  deleteUser(username: string): Promise<boolean>;

  // ---- API tokens ----
  createToken(token: NewApiToken): Promise<ApiToken>;
  listTokens(userId: number): Promise<ApiToken[]>;
  /** Marks the token revoked (kept for the listing); false when the user has no such live token. */
  revokeToken(userId: number, tokenId: number, now: number): Promise<boolean>;
  /** The token with that hash and its owner, revoked and expired ones included (the caller decides). */
  findToken(tokenHash: string): Promise<{ token: ApiToken; user: User } | undefined>;
  /** Records a use; writes only when the stored time is older than `now - minIntervalMs`. */
  touchToken(tokenId: number, now: number, minIntervalMs: number): Promise<void>;

  // ---- a user's own per-resource grants ----
  createUserGrant(grant: UserGrant): Promise<void>;
  getUserGrant(type: UserGrantType, resourceId: string, userId: number): Promise<UserGrant | undefined>;
  listUserGrants(type: UserGrantType, userId: number): Promise<UserGrant[]>;
  updateUserGrant(grant: UserGrant): Promise<boolean>;
  deleteUserGrant(type: UserGrantType, resourceId: string, userId: number): Promise<boolean>;
  /** After a registered model is renamed, its grants follow it (auth: rename_registered_model_permission). */
  renameResourceGrants(type: UserGrantType, from: string, to: string): Promise<void>;
  /** After a resource is deleted, nobody keeps a grant on it (auth: delete_can_manage_registered_model_permission). */
  deleteResourceGrants(type: UserGrantType, resourceId: string): Promise<void>;

  // ---- roles ----
  createRole(role: { name: string; description: string | null }): Promise<Role>;
  getRole(id: number): Promise<Role | undefined>;
  getRoleByName(name: string): Promise<Role | undefined>;
  listRoles(): Promise<Role[]>;
  updateRole(id: number, change: { name?: string; description?: string | null }): Promise<Role | undefined>;
  /** Deletes the role with its grants and assignments. */
  deleteRole(id: number): Promise<boolean>;
  addRolePermission(p: Omit<RolePermission, 'id'>): Promise<RolePermission>;
  getRolePermission(id: number): Promise<RolePermission | undefined>;
  listRolePermissions(roleId: number): Promise<RolePermission[]>;
  updateRolePermission(id: number, permission: string): Promise<RolePermission | undefined>;
  removeRolePermission(id: number): Promise<boolean>;
  assignRole(userId: number, roleId: number): Promise<RoleAssignment>;
  unassignRole(userId: number, roleId: number): Promise<boolean>;
  listUserRoles(userId: number): Promise<Role[]>;
  listRoleUsers(roleId: number): Promise<RoleAssignment[]>;

  // ---- resolution ----
  /**
   * The user's own grants and those of every role assigned to them, of the given types; with
   * `roleNames`, also those of the roles so named (the groups of an OIDC token).
   */
  listGrants(userId: number, resourceTypes: readonly string[], roleNames?: readonly string[]): Promise<GrantRecord[]>;
}
