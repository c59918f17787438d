/**
 * What an operation requires, and how a caller's grants answer it: a copy of MLflow 3.17's
 * mlflow/server/auth/requirements.py, pure (grant rows in, a decision out) so that the precedence
 * rules are tested without a database.
 *
 * Two folds, as in MLflow:
 * - within a key (`foldGrantsForKey`): a user holds their own grants and those of every role they
 *   are assigned; several can match one key. A DENY among them wins; otherwise the highest level.
 *   A user's own per-resource grants are folded with their roles' grants (MLflow 3.17 keeps them as
 *   rows of a per-user `__user_<id>__` role), so an explicit READ beside a role's EDIT gives EDIT,
 *   and a DENY from either side vetoes.
 * - across keys (`governingPermission`): a requirement's own key, then each fallback key in order;
 *   the first key holding ANY grant decides (tier override), so a DENY is never rescued by a more
 *   permissive parent.
 */
import {
  getPermission,
  isDenied,
  MANAGE,
  maxPermission,
  patternMatches,
  type Permission,
  type PermissionName,
  type ResourceType,
} from './permissions.js';

/** One grant the caller holds: their own, or one of a role assigned to them. */
export interface GrantRow {
  readonly resourceType: string;
  readonly resourcePattern: string;
  readonly permission: PermissionName;
}

/**
 * `create` has no capability of its own: it needs `can_use` (requirements.py: _ACTION_CAPABILITY);
 * `not_denied` is a veto-only requirement (ACTION_NOT_DENIED).
 */
export type Action = 'read' | 'use' | 'update' | 'delete' | 'manage' | 'create' | 'not_denied';

export interface GrantKey {
  readonly resourceType: ResourceType;
  /** A resource id, or `*` for a wildcard-only tier. */
  readonly resourceId: string;
}

/** One thing an operation requires: `action` on a resource (requirements.py: Requirement). */
export interface Requirement {
  readonly resourceType: ResourceType;
  /** `*` for a tier (runs of an experiment, versions of a model). */
  readonly resourceId: string;
  readonly action: Action;
  /** Keys consulted, in order, only when the caller holds no grant on the requirement's own key. */
  readonly fallback?: readonly GrantKey[];
}

export function isWorkspaceAdminGrant(grant: GrantRow): boolean {
  return grant.resourceType === 'workspace' && grant.resourcePattern === '*' && grant.permission === 'MANAGE';
}

/** The permission at one key; undefined when no grant speaks there (requirements.py: fold_grants_for_key). */
export function foldGrantsForKey(grants: readonly GrantRow[], key: GrantKey): Permission | undefined {
  let denied = false;
  let best: PermissionName | undefined;
  for (const grant of grants) {
    if (grant.resourceType !== key.resourceType) continue;
    if (!patternMatches(grant.resourcePattern, key.resourceType, key.resourceId)) continue;
    if (grant.permission === 'DENY') denied = true;
    else best = best === undefined ? grant.permission : maxPermission(best, grant.permission);
  }
  if (denied) return getPermission('DENY');
  return best === undefined ? undefined : getPermission(best);
}

/**
 * A positive grant never resolves below `default_permission`; DENY and NO_PERMISSIONS are exempt,
 * flooring a veto would void it (requirements.py: floor_positive_permission).
 */
export function floorPositive(permission: Permission, defaultPermission: PermissionName): Permission {
  if (permission.name === 'NO_PERMISSIONS' || permission.name === 'DENY') return permission;
  return getPermission(maxPermission(permission.name, defaultPermission));
}

function rungs(requirement: Requirement): GrantKey[] {
  return [{ resourceType: requirement.resourceType, resourceId: requirement.resourceId }, ...(requirement.fallback ?? [])];
}

/** The permission that governs a requirement (requirements.py: governing_permission). */
export function governingPermission(requirement: Requirement, grants: readonly GrantRow[], defaultPermission: PermissionName): Permission {
  for (const key of rungs(requirement)) {
    const grant = foldGrantsForKey(grants, key);
    if (grant !== undefined) return isDenied(grant) ? grant : floorPositive(grant, defaultPermission);
  }
  // No key holds a grant: the default (with workspaces off, MLflow's `_absent_permission` is
  // default_permission itself).
  return getPermission(defaultPermission);
}

export function actionMet(action: Action, permission: Permission): boolean {
  switch (action) {
    case 'not_denied':
      return !isDenied(permission);
    case 'read':
      return permission.canRead;
    case 'use':
    case 'create':
      return permission.canUse;
    case 'update':
      return permission.canUpdate;
    case 'delete':
      return permission.canDelete;
    case 'manage':
      return permission.canManage;
  }
}

/**
 * The caller as the resolver sees them: a super admin bypasses every check (auth/__init__.py:
 * _before_request returns early for `sender_is_admin()`); a `(workspace, *, MANAGE)` grant makes
 * them MANAGE on everything, ahead of any DENY (auth/__init__.py: resolve_permissions).
 */
export interface Subject {
  readonly isAdmin: boolean;
  readonly grants: readonly GrantRow[];
}

export function resolvePermission(subject: Subject, requirement: Requirement, defaultPermission: PermissionName): Permission {
  if (subject.isAdmin || subject.grants.some(isWorkspaceAdminGrant)) return MANAGE;
  return governingPermission(requirement, subject.grants, defaultPermission);
}

/** Allow only if every requirement is met by the permission that governs it (auth/__init__.py: authorize). */
export function authorize(subject: Subject, requirements: readonly Requirement[], defaultPermission: PermissionName): boolean {
  return requirements.every((r) => actionMet(r.action, resolvePermission(subject, r, defaultPermission)));
}
