/**
 * flowreg's API tokens (auth/api-tokens.ts), something MLflow does not have: a user creates named
 * tokens for MLFLOW_TRACKING_TOKEN, sees each secret once, lists and revokes them; an admin does
 * so for any user (`username`) and creates service accounts, users that sign in with tokens only.
 */
import type { AuthServices } from '../../auth/auth-services.js';
import type { Principal } from '../../auth/authenticator.js';
import { tokenJson, userJson } from '../../protocol/messages/auth.js';
import { invalidParameter } from '../../protocol/errors.js';
import type { RequestMessage } from '../../protocol/request-message.js';
import { field } from '../../protocol/request-schema.js';
import { callerOf, permissionDenied } from '../access-guard.js';
import type { RouteDef } from '../router.js';
import { rpc } from './rpc.js';

const BASE = '/tokens';
const optionalInt = (m: RequestMessage, n: string) => m.optionalInt(n);

/** The user a token request is about: the caller, or for an admin the one `username` names. */
function subject(caller: Principal, username: string | undefined): string {
  const name = username ?? caller.username;
  // The route's rule checks this too; the handler does not rely on it.
  if (name !== caller.username && !caller.isAdmin) throw permissionDenied();
  return name;
}

export function tokenRoutes(auth: AuthServices): RouteDef[] {
  const { users, tokens } = auth;
  return [
    rpc('POST', 'flowreg/v1', BASE, { name: field.string, expiration_time: optionalInt, username: field.optionalString }, async (req, { res }) => {
      const user = await users.get(subject(callerOf(res), req.username));
      const created = await tokens.create(user, req.name, req.expirationTime);
      return { token: tokenJson(created.token), secret: created.secret };
    }),
    rpc('GET', 'flowreg/v1', BASE, { username: field.optionalString }, async (req, { res }) => {
      const user = await users.get(subject(callerOf(res), req.username));
      const list = await tokens.list(user);
      return list.length === 0 ? {} : { tokens: list.map(tokenJson) };
    }),
    rpc('DELETE', 'flowreg/v1', `${BASE}/{token_id}`, { username: field.optionalString }, async (req, { res, pathParams }) => {
      const user = await users.get(subject(callerOf(res), req.username));
      const id = Number(pathParams.token_id);
      if (!Number.isSafeInteger(id) || id <= 0) throw invalidParameter(`Invalid token id '${pathParams.token_id}'`);
      await tokens.revoke(user, id);
      return {};
    }),
    rpc('POST', 'flowreg/v1', '/service-accounts', { username: field.string, is_admin: field.optionalBool }, async (req) => ({
      user: { ...userJson(await users.createServiceAccount(req.username, { isAdmin: req.isAdmin ?? false })), is_service_account: true },
    })),
  ];
}
