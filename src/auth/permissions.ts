/**
 * MLflow's permission levels and resource types, copied from MLflow 3.17
 * (mlflow/server/auth/permissions.py): what a grant IS. What an operation needs, and how grants
 * answer it, is requirements.ts.
 */
import { invalidParameter } from '../protocol/errors.js';

export type PermissionName = 'READ' | 'USE' | 'EDIT' | 'MANAGE' | 'NO_PERMISSIONS' | 'DENY';

export interface Permission {
  readonly name: PermissionName;
  readonly canRead: boolean;
  readonly canUse: boolean;
  readonly canUpdate: boolean;
  readonly canDelete: boolean;
  readonly canManage: boolean;
}

function level(name: PermissionName, rank: number): Permission {
  return Object.freeze({ name, canRead: rank >= 1, canUse: rank >= 2, canUpdate: rank >= 3, canDelete: rank >= 4, canManage: rank >= 4 });
}

export const READ = level('READ', 1);
export const USE = level('USE', 2);
export const EDIT = level('EDIT', 3);
export const MANAGE = level('MANAGE', 4);
/** An explicit veto, distinct from merely lacking a capability (permissions.py: Permission.denied). */
export const DENY = level('DENY', 0);
export const NO_PERMISSIONS = level('NO_PERMISSIONS', 0);

/** In MLflow's order (permissions.py: ALL_PERMISSIONS), which its error messages list. */
export const ALL_PERMISSIONS: Readonly<Record<PermissionName, Permission>> = {
  READ,
  USE,
  EDIT,
  MANAGE,
  NO_PERMISSIONS,
  DENY,
};

/**
 * DENY is negative so that it never wins a max fold; the folds look for it first anyway
 * (permissions.py: PERMISSION_PRIORITY).
 */
const PRIORITY: Readonly<Record<PermissionName, number>> = { DENY: -1, NO_PERMISSIONS: 0, READ: 1, USE: 2, EDIT: 3, MANAGE: 4 };

export function isPermissionName(name: string): name is PermissionName {
  return Object.prototype.hasOwnProperty.call(ALL_PERMISSIONS, name);
}

export function getPermission(name: PermissionName): Permission {
  return ALL_PERMISSIONS[name];
}

/** The higher of two levels; the first on a tie (permissions.py: max_permission). */
export function maxPermission(a: PermissionName, b: PermissionName): PermissionName {
  return PRIORITY[a] >= PRIORITY[b] ? a : b;
}

export function isDenied(permission: Permission): boolean {
  return permission.name === 'DENY';
}

/** flowreg serves one workspace; MLflow names it `default` in its messages (DEFAULT_WORKSPACE_NAME). */
export const WORKSPACE = 'default';

/** `role_permissions.resource_type` values (permissions.py: RESOURCE_TYPE_*). */
export type ResourceType =
  | 'workspace'
  | 'experiment'
  | 'registered_model'
  | 'prompt'
  | 'scorer'
  | 'gateway_secret'
  | 'gateway_endpoint'
  | 'gateway_model_definition'
  | 'mcp_server'
  | 'run'
  | 'trace'
  | 'assessment'
  | 'logged_model'
  | 'review_queue'
  | 'registered_model_version'
  | 'prompt_version'
  | 'scorer_version'
  | 'mcp_server_version';

/**
 * Whether a type's grants may name one resource or only `*` (permissions.py: TYPE). Sub-resources
 * are wildcard-only: a per-id child grant could not be honoured in searches.
 */
const PER_ID: Readonly<Record<ResourceType, boolean>> = {
  workspace: false,
  experiment: true,
  registered_model: true,
  prompt: true,
  scorer: true,
  gateway_secret: true,
  gateway_endpoint: true,
  gateway_model_definition: true,
  mcp_server: true,
  run: false,
  trace: false,
  assessment: false,
  logged_model: false,
  review_queue: false,
  registered_model_version: false,
  prompt_version: false,
  scorer_version: false,
  mcp_server_version: false,
};

const VALID_RESOURCE_TYPES = Object.keys(PER_ID).sort() as ResourceType[];

export function isResourceType(type: string): type is ResourceType {
  return Object.prototype.hasOwnProperty.call(PER_ID, type);
}

/** Does a grant's pattern on `type` apply to `resourceId`? (permissions.py: matches) */
export function patternMatches(pattern: string, type: string, resourceId: string): boolean {
  if (!isResourceType(type)) return false;
  return pattern === '*' || (PER_ID[type] && pattern === resourceId);
}

const tuple = (items: readonly string[]) => `(${items.map((s) => `'${s}'`).join(', ')}${items.length === 1 ? ',' : ''})`;

/** permissions.py: _validate_permission */
export function validatePermission(permission: string): asserts permission is PermissionName {
  if (!isPermissionName(permission)) {
    throw invalidParameter(`Invalid permission '${permission}'. Valid permissions are: ${tuple(Object.keys(ALL_PERMISSIONS))}`);
  }
}

/** permissions.py: _validate_resource_type */
export function validateResourceType(type: string): asserts type is ResourceType {
  if (!isResourceType(type)) {
    throw invalidParameter(`Invalid resource type '${type}'. Valid resource types are: ${tuple(VALID_RESOURCE_TYPES)}`);
  }
}

const WORKSPACE_GRANTABLE: readonly PermissionName[] = ['MANAGE', 'USE'];
/** NO_PERMISSIONS is not grantable on a resource: an absent grant plus the default says "no access". */
const RESOURCE_GRANTABLE: readonly PermissionName[] = ['DENY', 'EDIT', 'MANAGE', 'READ', 'USE'];

/** Is `permission` a legal grant on `type`? (permissions.py: _validate_permission_for_resource_type) */
export function validateGrant(permission: string, type: string): asserts permission is PermissionName {
  validatePermission(permission);
  validateResourceType(type);
  if (type === 'workspace') {
    if (!WORKSPACE_GRANTABLE.includes(permission)) {
      throw invalidParameter(
        `Invalid permission '${permission}' for resource_type='workspace'. Workspace-wide grants accept only: ${tuple(WORKSPACE_GRANTABLE)}.`,
      );
    }
    return;
  }
  if (!RESOURCE_GRANTABLE.includes(permission)) {
    throw invalidParameter(
      `Invalid permission '${permission}' for resource_type='${type}'. Resource-level grants accept only: ${tuple(RESOURCE_GRANTABLE)}.`,
    );
  }
}

/** A per-id pattern on a wildcard-only type is refused (permissions.py: _validate_resource_pattern). */
export function validatePattern(pattern: string, type: string): asserts type is ResourceType {
  validateResourceType(type);
  if (pattern === '*' || PER_ID[type]) return;
  throw invalidParameter(
    `Invalid resource_pattern '${pattern}' for resource_type='${type}'. This resource type supports only wildcard ('*') grants.`,
  );
}
