/**
 * Just-in-time provisioning of the users that OIDC tokens name: the first verified token of a user
 * creates them in the auth store (no password, not admin), so that grants, roles and the user API
 * work for them as for anyone else.
 *
 * A token never signs in as a local account (a user with a password, or a service account): an
 * issuer whose user happens to be called `admin` must not become flowreg's bootstrap admin.
 */
import type { Logger } from '../logger.js';
import type { AuthStore, User } from '../store/auth-store.js';
import { StoreConflict } from '../store/store-errors.js';

export type OidcUserCheck = { readonly ok: true; readonly user: User } | { readonly ok: false; readonly reason: string };

/** True for a user that only tokens of the issuer sign in as: no password, not a service account. */
export function isOidcUser(user: User): boolean {
  return user.passwordHash === null && !user.isServiceAccount;
}

/** The user a verified token names, created on first sight. */
export async function provisionOidcUser(store: AuthStore, username: string, now: number, logger: Logger): Promise<OidcUserCheck> {
  let user = await store.getUser(username);
  if (!user) {
    try {
      user = await store.createUser({ username, passwordHash: null, isAdmin: false, isServiceAccount: false, now });
      logger('info', `OIDC: created user '${username}' on their first sign-in`);
    } catch (err) {
      // Another request (or replica) created them first.
      if (!(err instanceof StoreConflict)) throw err;
      user = await store.getUser(username);
      if (!user) throw err;
    }
  }
  if (!isOidcUser(user)) {
    return { ok: false, reason: `'${username}' is a local account (password or service account), which tokens of the issuer do not sign in as` };
  }
  return { ok: true, user };
}
