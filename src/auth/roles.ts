/**
 * Roles: a named set of `(resource_type, resource_pattern, permission)` grants that many users
 * share, what a platform team calls a group (MLflow 3.17, auth/sqlalchemy_store.py: create_role …
 * list_role_users, and the validation of auth/permissions.py). flowreg has one workspace, MLflow's
 * `default`. Grants are read per request, so a change to a role applies to the next request on
 * every replica.
 */
import { alreadyExists, invalidParameter, notFound } from '../protocol/errors.js';
import type { AuthStore, Role, RoleAssignment, RolePermission } from '../store/auth-store.js';
import { validateGrant, validatePattern, WORKSPACE } from './permissions.js';
import { onConflict } from './store-conflict.js';

/** Held for MLflow's per-user roles (`__user_<id>__`); refused for a role a user creates or renames. */
export const RESERVED_ROLE_PREFIX = '__user_';

function checkName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || name.trim() === '') throw invalidParameter('Role name cannot be empty.');
  if (name.startsWith(RESERVED_ROLE_PREFIX)) {
    throw invalidParameter(
      `Role name '${name}' uses the reserved '__user_' prefix, which is held for the per-user permission representation. Choose a different name.`,
    );
  }
}

export class Roles {
  /** `changed` runs after every change that can move a grant (the access control's grants cache forgets). */
  constructor(
    private readonly store: AuthStore,
    private readonly changed: () => void = () => undefined,
  ) {}

  private after<T>(value: T): T {
    this.changed();
    return value;
  }

  async create(name: string, description: string | null = null): Promise<Role> {
    checkName(name);
    return this.after(
      await onConflict(this.store.createRole({ name, description }), () => alreadyExists(`Role (name=${name}, workspace=${WORKSPACE}) already exists.`)),
    );
  }

  async get(id: number): Promise<Role> {
    const role = await this.store.getRole(id);
    if (!role) throw notFound(`Role with id=${id} not found`);
    return role;
  }

  async getByName(name: string): Promise<Role> {
    const role = await this.store.getRoleByName(name);
    if (!role) throw notFound(`Role with name=${name} in workspace=${WORKSPACE} not found`);
    return role;
  }

  list(): Promise<Role[]> {
    return this.store.listRoles();
  }

  async update(id: number, change: { name?: string; description?: string | null }): Promise<Role> {
    if (change.name !== undefined) checkName(change.name);
    const role = await onConflict(this.store.updateRole(id, change), () =>
      alreadyExists(`Role (name=${change.name}, workspace=${WORKSPACE}) already exists.`),
    );
    if (!role) throw notFound(`Role with id=${id} not found`);
    return this.after(role);
  }

  async delete(id: number): Promise<void> {
    if (!(await this.store.deleteRole(id))) throw notFound(`Role with id=${id} not found`);
    this.changed();
  }

  async addPermission(roleId: number, resourceType: string, resourcePattern: string, permission: string): Promise<RolePermission> {
    validatePattern(resourcePattern, resourceType);
    validateGrant(permission, resourceType);
    await this.get(roleId);
    return this.after(
      await onConflict(this.store.addRolePermission({ roleId, resourceType, resourcePattern, permission }), () =>
        alreadyExists(
          `Role permission (role_id=${roleId}, resource_type=${resourceType}, resource_pattern=${resourcePattern}) already exists.`,
        ),
      ),
    );
  }

  async getPermission(id: number): Promise<RolePermission> {
    const p = await this.store.getRolePermission(id);
    if (!p) throw notFound(`Role permission with id=${id} not found`);
    return p;
  }

  async listPermissions(roleId: number): Promise<RolePermission[]> {
    await this.get(roleId);
    return this.store.listRolePermissions(roleId);
  }

  async updatePermission(id: number, permission: string): Promise<RolePermission> {
    const existing = await this.getPermission(id);
    validateGrant(permission, existing.resourceType);
    const updated = await this.store.updateRolePermission(id, permission);
    if (!updated) throw notFound(`Role permission with id=${id} not found`);
    return this.after(updated);
  }

  async removePermission(id: number): Promise<void> {
    if (!(await this.store.removeRolePermission(id))) throw notFound(`Role permission with id=${id} not found`);
    this.changed();
  }

  async assign(userId: number, roleId: number): Promise<RoleAssignment> {
    if (!(await this.store.getUserById(userId))) throw notFound(`User with id=${userId} not found`);
    await this.get(roleId);
    return this.after(
      await onConflict(this.store.assignRole(userId, roleId), () =>
        alreadyExists(`User role assignment (user_id=${userId}, role_id=${roleId}) already exists`),
      ),
    );
  }

  async unassign(userId: number, roleId: number): Promise<void> {
    if (!(await this.store.unassignRole(userId, roleId))) throw notFound(`User role assignment (user_id=${userId}, role_id=${roleId}) not found`);
    this.changed();
  }

  listUserRoles(userId: number): Promise<Role[]> {
    return this.store.listUserRoles(userId);
  }

  async listRoleUsers(roleId: number): Promise<RoleAssignment[]> {
    await this.get(roleId);
    return this.store.listRoleUsers(roleId);
  }
}
