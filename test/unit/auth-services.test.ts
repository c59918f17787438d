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
  auth = createAuthServices({ db: database.db, dialect: database.dialect, journal: database.journal, config, clock: () => now, logger: () => {}, scrypt: FAST_SCRYPT });
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

it("keeps a caller's grants off the hot path: a change applies at once here, within the TTL on another replica", async () => {
  // Two replicas over one database, each with its own caches and a clock the test moves.
  let time = now;
  const config = authConfigFrom({ admin_username: 'admin', admin_password: 'admin-password-1', default_permission: 'NO_PERMISSIONS' }, { backendStoreUri: 'sqlite:///:memory:' });
  const replica = createAuthServices({ db: database.db, dialect: database.dialect, journal: database.journal, config, clock: () => time, logger: () => {}, scrypt: FAST_SCRYPT });
  const here = createAuthServices({ db: database.db, dialect: database.dialect, journal: database.journal, config, clock: () => time, logger: () => {}, scrypt: FAST_SCRYPT });
  await here.users.create('carol', 'carol-password-1');
  const carol = (await here.authenticator.authenticate({ scheme: 'basic', username: 'carol', password: 'carol-password-1' }))!;
  const level = async (services: AuthServices) => (await services.access.permission(carol, 'registered_model', 'm')).name;

  expect(await level(replica)).toBe('NO_PERMISSIONS');
  expect(await level(here)).toBe('NO_PERMISSIONS');
  await here.grants.create('registered_model', 'm', 'carol', 'READ');
  expect(await level(here)).toBe('READ');
  // The other replica answers from its cache until the TTL has passed, then reads the grant.
  expect(await level(replica)).toBe('NO_PERMISSIONS');
  time += config.credentialCacheTtlMs;
  expect(await level(replica)).toBe('READ');

  // Role changes count too: a role's grant reaches its members at once on this replica.
  const role = await here.roles.create('readers-of-n');
  await here.roles.addPermission(role.id, 'registered_model', 'n', 'EDIT');
  expect((await here.access.permission(carol, 'registered_model', 'n')).name).toBe('NO_PERMISSIONS');
  await here.roles.assign(carol.userId, role.id);
  expect((await here.access.permission(carol, 'registered_model', 'n')).name).toBe('EDIT');
});
