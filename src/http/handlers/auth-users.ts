/**
 * MLflow's user API (mlflow/server/auth/__init__.py: create_user … get_current_user, 3.17.2) and
 * the per-user grants both client majors call: the 2.x `experiments/permissions/*` and
 * `registered-models/permissions/*` (2.22.5: create_experiment_permission …) and the 3.x
 * `users/permissions/{grant,revoke,get}`. Who may call each is the route's rule
 * (auth/route-permissions.ts), checked by the dispatcher before these run.
 */
import type { AuthServices } from '../../auth/auth-services.js';
import { principalOf } from '../../auth/authenticator.js';
import { verifyPassword } from '../../auth/passwords.js';
import { grantJson, listedUserJson, userJson, userWithGrantsJson } from '../../protocol/messages/auth.js';
import { invalidParameter, MlflowError } from '../../protocol/errors.js';
import type { RequestMessage } from '../../protocol/request-message.js';
import { field } from '../../protocol/request-schema.js';
import type { UserGrantType } from '../../store/auth-store.js';
import { callerOf } from '../access-guard.js';
import type { RouteDef } from '../router.js';
import { rpc } from './rpc.js';

const USERNAME = { username: field.string };

/** resource_type of the 3.x grant API: flowreg keeps per-user grants on experiments and registered models. */
function grantType(type: string): UserGrantType {
  if (type === 'experiment' || type === 'registered_model') return type;
  throw invalidParameter(`resource_type '${type}' is not supported by this server; use 'experiment' or 'registered_model'.`);
}

export function userRoutes(auth: AuthServices): RouteDef[] {
  const { users, grants, roles } = auth;
  const base = '/mlflow/users';
  return [
    rpc('POST', '2.0', `${base}/create`, { username: field.optionalString, password: field.optionalString }, async (req) => {
      if (!req.username || !req.password) throw invalidParameter('Username and password cannot be empty.');
      return { user: userWithGrantsJson(await users.create(req.username, req.password), []) };
    }),
    rpc('GET', '2.0', `${base}/get`, USERNAME, async (req) => {
      const user = await users.get(req.username);
      const own = [...(await grants.list('experiment', user.username)), ...(await grants.list('registered_model', user.username))];
      return { user: userWithGrantsJson(user, own) };
    }),
    rpc('GET', '2.0', `${base}/list`, {}, async () => {
      const all = await users.list();
      return { users: await Promise.all(all.map(async (u) => listedUserJson(u, await roles.listUserRoles(u.id)))) };
    }),
    rpc('GET', '2.0', `${base}/current`, {}, async (_req, { res }) => ({
      user: userJson(await users.get(callerOf(res).username)),
      is_basic_auth: true,
    })),
    rpc(
      'PATCH',
      '2.0',
      `${base}/update-password`,
      { username: field.string, password: field.string, current_password: field.optionalString },
      async (req, { res }) => {
        // Changing one's own password re-asserts the current one (3.17.2 update_user_password).
        if (callerOf(res).username === req.username) {
          if (!req.currentPassword) throw invalidParameter('Current password is required when changing your own password.');
          const user = await users.get(req.username);
          if (!user.passwordHash || !(await verifyPassword(req.currentPassword, user.passwordHash))) {
            throw invalidParameter('Current password does not match.');
          }
          if (req.password === req.currentPassword) throw invalidParameter('New password must differ from the current password.');
        }
        await users.updatePassword(req.username, req.password);
        return {};
      },
    ),
    rpc('PATCH', '2.0', `${base}/update-admin`, { username: field.string, is_admin: field.bool }, async (req) => {
      await users.updateAdmin(req.username, req.isAdmin);
      return {};
    }),
    rpc('DELETE', '2.0', `${base}/delete`, USERNAME, async (req, { res }) => {
      if (callerOf(res).username === req.username) {
        throw new MlflowError('BAD_REQUEST', 'Users cannot delete their own account. Ask another admin to delete this user instead.');
      }
      await users.delete(req.username);
      return {};
    }),
    ...legacyGrantRoutes(grants, 'experiment', '/mlflow/experiments/permissions', 'experiment_id'),
    ...legacyGrantRoutes(grants, 'registered_model', '/mlflow/registered-models/permissions', 'name'),
    ...userGrantRoutes(auth),
  ];
}

/** The 2.x per-resource grant routes: the resource is named by `experiment_id` or `name`. */
function legacyGrantRoutes(grants: AuthServices['grants'], type: UserGrantType, path: string, idField: 'experiment_id' | 'name'): RouteDef[] {
  // Declared for the decoder's checks; read back under the wire name, which differs per route.
  const shape = { [idField]: field.string, username: field.string } as Record<string, typeof field.string>;
  const ids = (msg: RequestMessage) => ({ id: msg.string(idField), username: msg.string('username') });
  return [
    rpc('POST', '2.0', `${path}/create`, { ...shape, permission: field.string }, async (req, _ctx, msg) => {
      const { id, username } = ids(msg);
      return grantJson(await grants.create(type, id, username, req.permission as string));
    }),
    rpc('GET', '2.0', `${path}/get`, shape, async (_req, _ctx, msg) => {
      const { id, username } = ids(msg);
      return grantJson(await grants.get(type, id, username));
    }),
    rpc('PATCH', '2.0', `${path}/update`, { ...shape, permission: field.string }, async (req, _ctx, msg) => {
      const { id, username } = ids(msg);
      await grants.update(type, id, username, req.permission as string);
      return {};
    }),
    rpc('DELETE', '2.0', `${path}/delete`, shape, async (_req, _ctx, msg) => {
      const { id, username } = ids(msg);
      await grants.delete(type, id, username);
      return {};
    }),
  ];
}

function userGrantRoutes(auth: AuthServices): RouteDef[] {
  const { users, grants, access } = auth;
  const base = '/mlflow/users/permissions';
  const target = { username: field.string, resource_type: field.string, resource_id: field.string };
  return [
    // An upsert, as MLflow's grant_user_resource_permission.
    rpc('POST', '3.0', `${base}/grant`, { ...target, permission: field.string }, async (req) => {
      const type = grantType(req.resourceType);
      await users.get(req.username);
      try {
        await grants.create(type, req.resourceId, req.username, req.permission);
      } catch (err) {
        if (!(err instanceof MlflowError && err.code === 'RESOURCE_ALREADY_EXISTS')) throw err;
        await grants.update(type, req.resourceId, req.username, req.permission);
      }
      return {};
    }),
    rpc('POST', '3.0', `${base}/revoke`, target, async (req) => {
      await grants.delete(grantType(req.resourceType), req.resourceId, req.username);
      return {};
    }),
    // `allowed` mirrors can_use; an unknown resource is simply not allowed (get_user_permission).
    rpc('GET', '3.0', `${base}/get`, target, async (req) => {
      const user = await users.get(req.username);
      const permission = await access.permission(principalOf(user), grantType(req.resourceType), req.resourceId);
      return { allowed: permission.canUse, permission: permission.name };
    }),
  ];
}
