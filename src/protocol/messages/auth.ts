/**
 * The JSON of MLflow's auth entities (mlflow/server/auth/entities.py: User, ExperimentPermission,
 * RegisteredModelPermission, Role, RolePermission, UserRoleAssignment to_json) and of flowreg's
 * API tokens. One workspace: `default`, as MLflow without workspaces.
 */
import type { ApiToken, Role, RoleAssignment, RolePermission, User, UserGrantType } from '../../store/auth-store.js';

export const DEFAULT_WORKSPACE = 'default';

export function userJson(user: User): object {
  return { id: user.id, username: user.username, is_admin: user.isAdmin };
}

/**
 * A user with their own grants, as MLflow 2.x's User.to_json answers users/create and users/get
 * (its client's User.from_json requires both lists; 3.x's ignores them).
 */
export function userWithGrantsJson(user: User, grants: readonly GrantJson[]): object {
  const of = (type: UserGrantType) => grants.filter((g) => g.resourceType === type).map((g) => Object.values(grantJson(g))[0]);
  return { ...userJson(user), experiment_permissions: of('experiment'), registered_model_permissions: of('registered_model') };
}

/** A user in `users/list`, with their roles (list_users). */
export function listedUserJson(user: User, roles: readonly Role[]): object {
  return { ...userJson(user), roles: roles.map((r) => roleJson(r, [])) };
}

export interface GrantJson {
  readonly resourceType: UserGrantType;
  readonly resourceId: string;
  readonly userId: number;
  readonly permission: string;
}

/** `{experiment_permission}` or `{registered_model_permission}` (MLflow 2.x routes). */
export function grantJson(grant: GrantJson): object {
  if (grant.resourceType === 'experiment') {
    return { experiment_permission: { experiment_id: grant.resourceId, user_id: grant.userId, permission: grant.permission } };
  }
  return {
    registered_model_permission: { workspace: DEFAULT_WORKSPACE, name: grant.resourceId, user_id: grant.userId, permission: grant.permission },
  };
}

export function rolePermissionJson(p: RolePermission): object {
  return { id: p.id, role_id: p.roleId, resource_type: p.resourceType, resource_pattern: p.resourcePattern, permission: p.permission };
}

export function roleJson(role: Role, permissions: readonly RolePermission[]): object {
  return { id: role.id, name: role.name, workspace: DEFAULT_WORKSPACE, description: role.description, permissions: permissions.map(rolePermissionJson) };
}

export function assignmentJson(a: RoleAssignment): object {
  return { id: a.id, user_id: a.userId, role_id: a.roleId };
}

/** A token's metadata; the secret is added once, by the create answer only. */
export function tokenJson(token: ApiToken): object {
  return {
    id: token.id,
    name: token.name,
    creation_time: token.creationTime,
    ...(token.expirationTime === null ? {} : { expiration_time: token.expirationTime }),
    ...(token.lastUsedTime === null ? {} : { last_used_time: token.lastUsedTime }),
    ...(token.revokedTime === null ? {} : { revoked_time: token.revokedTime }),
  };
}
