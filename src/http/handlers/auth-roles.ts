/**
 * MLflow 3.x's role API (mlflow/server/auth/__init__.py: create_role … list_role_users, 3.17.2):
 * a role is a named set of grants that many users share. flowreg has one workspace, `default`.
 */
import type { AuthServices } from '../../auth/auth-services.js';
import type { Roles } from '../../auth/roles.js';
import { assignmentJson, DEFAULT_WORKSPACE, roleJson, rolePermissionJson } from '../../protocol/messages/auth.js';
import { invalidParameter } from '../../protocol/errors.js';
import type { RequestMessage } from '../../protocol/request-message.js';
import { field } from '../../protocol/request-schema.js';
import type { Role } from '../../store/auth-store.js';
import type { RouteDef } from '../router.js';
import { rpc } from './rpc.js';

const id = (m: RequestMessage, n: string) => m.int64(n);

/** Workspaces are off: the only one is `default` (MLflow validates a non-empty string). */
function workspace(value: string | undefined, required: boolean): void {
  if (value === undefined && !required) return;
  if (!value || !value.trim()) throw invalidParameter(required ? 'Workspace cannot be empty.' : "Parameter 'workspace' must be a non-empty string when provided.");
  if (value !== DEFAULT_WORKSPACE) throw invalidParameter(`Workspace '${value}' does not exist; this server has only the '${DEFAULT_WORKSPACE}' workspace.`);
}

async function withPermissions(roles: Roles, role: Role): Promise<object> {
  return roleJson(role, await roles.listPermissions(role.id));
}

export function roleRoutes(auth: AuthServices): RouteDef[] {
  const { roles, users } = auth;
  const base = '/mlflow/roles';
  return [
    rpc('POST', '3.0', `${base}/create`, { name: field.optionalString, workspace: field.optionalString, description: field.optionalString }, async (req) => {
      if (!req.name || !req.name.trim()) throw invalidParameter('Role name cannot be empty.');
      workspace(req.workspace, true);
      return { role: await withPermissions(roles, await roles.create(req.name, req.description ?? null)) };
    }),
    rpc('GET', '3.0', `${base}/get`, { role_id: id }, async (req) => ({ role: await withPermissions(roles, await roles.get(req.roleId)) })),
    rpc('GET', '3.0', `${base}/list`, { workspace: field.optionalString }, async (req) => {
      workspace(req.workspace, false);
      return { roles: await Promise.all((await roles.list()).map((r) => withPermissions(roles, r))) };
    }),
    rpc('PATCH', '3.0', `${base}/update`, { role_id: id, name: field.optionalString, description: field.optionalString }, async (req) => {
      if (req.name !== undefined && !req.name.trim()) throw invalidParameter('Role name cannot be empty.');
      const change = { ...(req.name === undefined ? {} : { name: req.name }), ...(req.description === undefined ? {} : { description: req.description }) };
      return { role: await withPermissions(roles, await roles.update(req.roleId, change)) };
    }),
    rpc('DELETE', '3.0', `${base}/delete`, { role_id: id }, async (req) => {
      await roles.delete(req.roleId);
      return {};
    }),
    rpc(
      'POST',
      '3.0',
      `${base}/permissions/add`,
      { role_id: id, resource_type: field.string, resource_pattern: field.string, permission: field.string },
      async (req) => ({
        role_permission: rolePermissionJson(await roles.addPermission(req.roleId, req.resourceType, req.resourcePattern, req.permission)),
      }),
    ),
    rpc('DELETE', '3.0', `${base}/permissions/remove`, { role_permission_id: id }, async (req) => {
      await roles.removePermission(req.rolePermissionId);
      return {};
    }),
    rpc('GET', '3.0', `${base}/permissions/list`, { role_id: id }, async (req) => ({
      role_permissions: (await roles.listPermissions(req.roleId)).map(rolePermissionJson),
    })),
    rpc('PATCH', '3.0', `${base}/permissions/update`, { role_permission_id: id, permission: field.string }, async (req) => ({
      role_permission: rolePermissionJson(await roles.updatePermission(req.rolePermissionId, req.permission)),
    })),
    rpc('POST', '3.0', `${base}/assign`, { username: field.string, role_id: id }, async (req) => ({
      assignment: assignmentJson(await roles.assign((await users.get(req.username)).id, req.roleId)),
    })),
    rpc('DELETE', '3.0', `${base}/unassign`, { username: field.string, role_id: id }, async (req) => {
      await roles.unassign((await users.get(req.username)).id, req.roleId);
      return {};
    }),
    rpc('GET', '3.0', '/mlflow/users/roles/list', { username: field.string }, async (req) => ({
      roles: await Promise.all((await roles.listUserRoles((await users.get(req.username)).id)).map((r) => withPermissions(roles, r))),
    })),
    rpc('GET', '3.0', `${base}/users/list`, { role_id: id }, async (req) => ({
      assignments: (await roles.listRoleUsers(req.roleId)).map(assignmentJson),
    })),
  ];
}
