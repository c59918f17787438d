/**
 * Access control as the composition root builds it: the configured admin is bootstrapped, signs
 * in, and a change through the services is honoured at once on this replica.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { authConfigFrom } from '../../src/auth/auth-config.js';
import { createAuthServices, type AuthServices } from '../../src/auth/auth-services.js';
import { openDatabase, type SqlDatabase } from '../../src/store/sql/database.js';
import { FAST_SCRYPT } from '../helpers/auth.js';

let database: SqlDatabase;
let auth: AuthServices;
const now = 1_700_000_000_000;

beforeEach(async () => {
  database = await openDatabase({ kind: 'sqlite', file: ':memory:', uri: 'sqlite:///:memory:' });
  const config = authConfigFrom({ admin_username: 'admin', admin_password: 'admin-password-1', default_permission: 'NO_PERMISSIONS' }, { backendStoreUri: 'sqlite:///:memory:' });
  auth = createAuthServices({ db: database.db, dialect: database.dialect, config, clock: () => now, logger: () => {}, scrypt: FAST_SCRYPT });
});
afterEach(async () => database.close());

it('bootstraps the admin, who signs in and is refused at once after a password change', async () => {
  await auth.bootstrap();
  await auth.bootstrap();
  const basic = (password: string) => ({ scheme: 'basic' as const, username: 'admin', password });
  const admin = await auth.authenticator.authenticate(basic('admin-password-1'));
  expect(admin).toMatchObject({ username: 'admin', isAdmin: true });
  await auth.users.updatePassword('admin', 'admin-password-2');
  expect(await auth.authenticator.authenticate(basic('admin-password-1'))).toBeUndefined();
  expect(await auth.authenticator.authenticate(basic('admin-password-2'))).toBeDefined();
});

it('resolves with the configured default_permission and refuses a revoked token at once', async () => {
  const bob = await auth.users.create('bob', 'bob-password-123');
  const principal = await auth.authenticator.authenticate({ scheme: 'basic', username: 'bob', password: 'bob-password-123' });
  expect(principal).toBeDefined();
  expect((await auth.access.permission(principal!, 'experiment', '1')).name).toBe('NO_PERMISSIONS');
  await auth.grants.grantCreator(principal!, 'experiment', '1');
  expect((await auth.access.permission(principal!, 'experiment', '1')).name).toBe('MANAGE');
  const { secret, token } = await auth.tokens.create(bob, 'ci');
  expect(await auth.authenticator.authenticate({ scheme: 'bearer', token: secret })).toMatchObject({ username: 'bob', tokenId: token.id });
  await auth.tokens.revoke(bob, token.id);
  expect(await auth.authenticator.authenticate({ scheme: 'bearer', token: secret })).toBeUndefined();
});
