/**
 * Typed table definitions of the access-control tables (migration 0005_auth in auth-migration.ts).
 * The auth store adds them to the query builder with `withTables`, so the registry and tracking
 * stores never see them.
 */
import type { Generated } from 'kysely';

export interface UsersTable {
  id: Generated<number>;
  username: string;
  password_hash: string | null;
  /** 0 or 1. */
  is_admin: number;
  /** 0 or 1: a service account signs in with API tokens only. */
  is_service_account: number;
  creation_time: number;
  last_updated_time: number;
}

export interface ApiTokensTable {
  id: Generated<number>;
  user_id: number;
  name: string;
  token_hash: string;
  creation_time: number;
  expiration_time: number | null;
  last_used_time: number | null;
  revoked_time: number | null;
}

export interface ExperimentPermissionsTable {
  id: Generated<number>;
  experiment_id: string;
  user_id: number;
  permission: string;
}

export interface RegisteredModelPermissionsTable {
  id: Generated<number>;
  name: string;
  user_id: number;
  permission: string;
}

export interface RolesTable {
  id: Generated<number>;
  name: string;
  description: string | null;
}

export interface RolePermissionsTable {
  id: Generated<number>;
  role_id: number;
  resource_type: string;
  resource_pattern: string;
  permission: string;
}

export interface UserRoleAssignmentsTable {
  id: Generated<number>;
  user_id: number;
  role_id: number;
}

/** A type, not an interface: `withTables` needs an index signature. */
export type AuthTables = {
  users: UsersTable;
  api_tokens: ApiTokensTable;
  experiment_permissions: ExperimentPermissionsTable;
  registered_model_permissions: RegisteredModelPermissionsTable;
  roles: RolesTable;
  role_permissions: RolePermissionsTable;
  user_role_assignments: UserRoleAssignmentsTable;
};
