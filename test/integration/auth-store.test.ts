/**
 * The access-control store and the services over it, on every backend: users (byte-wise names,
 * conflicts, cascading deletes), API tokens, a user's own grants, roles, resolution through the
 * store, and the admin bootstrap when several replicas start at once.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AccessControl } from '../../src/auth/access-control.js';
import { ApiTokens } from '../../src/auth/api-tokens.js';
import type { Principal } from '../../src/auth/authenticator.js';
import { principalOf } from '../../src/auth/authenticator.js';
import { bootstrapAdmin } from '../../src/auth/bootstrap.js';
import { ResourceGrants } from '../../src/auth/resource-grants.js';
import { Roles } from '../../src/auth/roles.js';
import { UserAccounts } from '../../src/auth/user-accounts.js';
import { verifyPassword } from '../../src/auth/passwords.js';
import { ConfigError } from '../../src/config/config-error.js';
import type { SqlAuthStore } from '../../src/store/sql/auth-sql-store.js';
import { StoreConflict } from '../../src/store/store-errors.js';
import { backends } from '../helpers/app.js';
import { authDatabase, FAST_SCRYPT } from '../helpers/auth.js';

describe.each(backends())('auth store on %s', (backend) => {
  let store: SqlAuthStore;
  let close: () => Promise<void>;
  let users: UserAccounts;
  let grants: ResourceGrants;
  let roles: Roles;
  const now = 1_700_000_000_000;

  beforeEach(async () => {
    const opened = await authDatabase(backend);
    store = opened.store;
    close = opened.close;
    users = new UserAccounts({ store, clock: () => now, onUserChanged: () => {}, scrypt: FAST_SCRYPT });
    grants = new ResourceGrants(store);
    roles = new Roles(store);
  });
  afterEach(async () => close());

  const count = async (table: string) =>
    Number(
      (
        await store['db']
          .withTables<Record<string, Record<string, unknown>>>()
          .selectFrom(table)
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('keeps users with byte-wise names and refuses a duplicate', async () => {
    const alice = await users.create('alice', 'alice-password-1');
    const upper = await users.create('Alice', 'alice-password-2');
    expect(alice.id).not.toBe(upper.id);
    expect(await store.getUser('ALICE')).toBeUndefined();
    expect(await store.getUser('alice')).toMatchObject({ username: 'alice', isAdmin: false, isServiceAccount: false, creationTime: now });
    await expect(store.createUser({ username: 'alice', passwordHash: null, isAdmin: false, isServiceAccount: false, now })).rejects.toBeInstanceOf(StoreConflict);
    await expect(users.create('alice', 'another-password')).rejects.toMatchObject({ code: 'RESOURCE_ALREADY_EXISTS', message: 'User (username=alice) already exists.' });
    await expect(users.get('nobody')).rejects.toMatchObject({ code: 'RESOURCE_DOES_NOT_EXIST', message: 'User with username=nobody not found' });
    expect((await users.list()).map((u) => u.username)).toEqual(['alice', 'Alice']);
  });

  it('updates a password and the admin flag', async () => {
    await users.create('alice', 'alice-password-1');
    const updated = await users.updatePassword('alice', 'alice-password-2');
    expect(await verifyPassword('alice-password-2', updated.passwordHash)).toBe(true);
    expect((await users.updateAdmin('alice', true)).isAdmin).toBe(true);
    await expect(users.updatePassword('alice', 'short')).rejects.toThrow('Password must be at least 12 characters.');
    await expect(users.updateAdmin('nobody', true)).rejects.toMatchObject({ code: 'RESOURCE_DOES_NOT_EXIST' });
  });

  it('deletes a user with their tokens, grants and role assignments', async () => {
    const alice = await users.create('alice', 'alice-password-1');
    const bob = await users.create('bob', 'bob-password-123');
    await new ApiTokens(store, () => now).create(alice, 'ci');
    await grants.create('experiment', '1', 'alice', 'EDIT');
    await grants.create('registered_model', 'm', 'alice', 'READ');
    await grants.create('registered_model', 'm', 'bob', 'READ');
    const role = await roles.create('team');
    await roles.assign(alice.id, role.id);
    await roles.assign(bob.id, role.id);
    await users.delete('alice');
    expect([await count('api_tokens'), await count('experiment_permissions'), await count('registered_model_permissions'), await count('user_role_assignments')]).toEqual([
      0, 0, 1, 1,
    ]);
    await expect(users.delete('alice')).rejects.toMatchObject({ code: 'RESOURCE_DOES_NOT_EXIST' });
  });

  it('finds, revokes and throttles the last-use time of tokens', async () => {
    const alice = await users.create('alice', 'alice-password-1');
    const tokens = new ApiTokens(store, () => now);
    const { secret, token } = await tokens.create(alice, 'ci', now + 1000);
    expect(token).toMatchObject({ name: 'ci', expirationTime: now + 1000, creationTime: now });
    const { createHash } = await import('node:crypto');
    const hash = createHash('sha256').update(secret).digest('hex');
    expect((await store.findToken(hash))?.user.username).toBe('alice');
    await store.touchToken(token.id, now, 60_000);
    await store.touchToken(token.id, now + 30_000, 60_000);
    expect((await store.listTokens(alice.id))[0]?.lastUsedTime).toBe(now);
    await store.touchToken(token.id, now + 60_001, 60_000);
    expect((await store.listTokens(alice.id))[0]?.lastUsedTime).toBe(now + 60_001);
    expect(await store.revokeToken(alice.id, token.id, now)).toBe(true);
    expect(await store.revokeToken(alice.id, token.id, now)).toBe(false);
    expect((await store.findToken(hash))?.token.revokedTime).toBe(now);
  });

  it('keeps a user’s own grants with MLflow’s messages and validation', async () => {
    await users.create('alice', 'alice-password-1');
    expect(await grants.create('experiment', '7', 'alice', 'READ')).toMatchObject({ resourceId: '7', permission: 'READ' });
    await expect(grants.create('experiment', '7', 'alice', 'EDIT')).rejects.toMatchObject({
      code: 'RESOURCE_ALREADY_EXISTS',
      message: 'Experiment permission (experiment_id=7, username=alice) already exists.',
    });
    await expect(grants.create('experiment', '8', 'alice', 'NO_PERMISSIONS')).rejects.toThrow(
      "Invalid permission 'NO_PERMISSIONS' for resource_type='experiment'. Resource-level grants accept only: ('DENY', 'EDIT', 'MANAGE', 'READ', 'USE').",
    );
    await expect(grants.create('experiment', '8', 'alice', 'OWNER')).rejects.toThrow(
      "Invalid permission 'OWNER'. Valid permissions are: ('READ', 'USE', 'EDIT', 'MANAGE', 'NO_PERMISSIONS', 'DENY')",
    );
    expect((await grants.update('experiment', '7', 'alice', 'MANAGE')).permission).toBe('MANAGE');
    expect((await grants.get('experiment', '7', 'alice')).permission).toBe('MANAGE');
    await grants.delete('experiment', '7', 'alice');
    await expect(grants.get('experiment', '7', 'alice')).rejects.toMatchObject({
      code: 'RESOURCE_DOES_NOT_EXIST',
      message: 'Experiment permission with experiment_id=7 and username=alice not found',
    });
    // Registered model names compare byte-wise.
    await grants.create('registered_model', 'Model', 'alice', 'READ');
    await grants.create('registered_model', 'model', 'alice', 'EDIT');
    expect((await grants.list('registered_model', 'alice')).map((g) => [g.resourceId, g.permission])).toEqual([
      ['Model', 'READ'],
      ['model', 'EDIT'],
    ]);
    await expect(grants.get('registered_model', 'MODEL', 'alice')).rejects.toThrow(
      'Registered model permission with workspace=default, name=MODEL and username=alice not found',
    );
    await expect(grants.create('experiment', '1', 'nobody', 'READ')).rejects.toThrow('User with username=nobody not found');
  });

  it('moves grants with a renamed model and drops them with a deleted one', async () => {
    const alice = await users.create('alice', 'alice-password-1');
    await grants.create('registered_model', 'old', 'alice', 'EDIT');
    const role = await roles.create('team');
    await roles.addPermission(role.id, 'registered_model', 'old', 'READ');
    await grants.renamed('registered_model', 'old', 'new');
    expect((await grants.get('registered_model', 'new', 'alice')).permission).toBe('EDIT');
    expect((await roles.listPermissions(role.id)).map((p) => p.resourcePattern)).toEqual(['new']);
    await grants.deleted('registered_model', 'new');
    expect(await store.listGrants(alice.id, ['registered_model'])).toEqual([]);
    expect(await roles.listPermissions(role.id)).toEqual([]);
  });

  it('keeps roles, their grants and their holders', async () => {
    const alice = await users.create('alice', 'alice-password-1');
    const role = await roles.create('ml-team', 'the ML team');
    expect(role).toMatchObject({ name: 'ml-team', description: 'the ML team' });
    await expect(roles.create('ml-team')).rejects.toMatchObject({ code: 'RESOURCE_ALREADY_EXISTS', message: 'Role (name=ml-team, workspace=default) already exists.' });
    await expect(roles.create('__user_5__')).rejects.toThrow("uses the reserved '__user_' prefix");
    await expect(roles.create(' ')).rejects.toThrow('Role name cannot be empty.');
    expect(await roles.create('ML-team')).toMatchObject({ name: 'ML-team' });

    const p = await roles.addPermission(role.id, 'experiment', '*', 'EDIT');
    await expect(roles.addPermission(role.id, 'experiment', '*', 'READ')).rejects.toThrow(
      `Role permission (role_id=${role.id}, resource_type=experiment, resource_pattern=*) already exists.`,
    );
    await expect(roles.addPermission(role.id, 'run', 'abc', 'READ')).rejects.toThrow("This resource type supports only wildcard ('*') grants.");
    await expect(roles.addPermission(role.id, 'workspace', '*', 'READ')).rejects.toThrow("Workspace-wide grants accept only: ('MANAGE', 'USE').");
    await expect(roles.addPermission(role.id, 'gadget', '*', 'READ')).rejects.toThrow("Invalid resource type 'gadget'.");
    await expect(roles.addPermission(9999, 'experiment', '1', 'READ')).rejects.toThrow('Role with id=9999 not found');
    expect((await roles.updatePermission(p.id, 'MANAGE')).permission).toBe('MANAGE');

    await roles.assign(alice.id, role.id);
    await expect(roles.assign(alice.id, role.id)).rejects.toThrow(`User role assignment (user_id=${alice.id}, role_id=${role.id}) already exists`);
    await expect(roles.assign(9999, role.id)).rejects.toThrow('User with id=9999 not found');
    expect((await roles.listUserRoles(alice.id)).map((r) => r.name)).toEqual(['ml-team']);
    expect((await roles.listRoleUsers(role.id)).map((a) => a.userId)).toEqual([alice.id]);
    expect(await store.listGrants(alice.id, ['experiment'])).toEqual([{ resourceType: 'experiment', resourcePattern: '*', permission: 'MANAGE' }]);

    expect(await roles.update(role.id, { description: 'renamed' })).toMatchObject({ name: 'ml-team', description: 'renamed' });
    await expect(roles.update(role.id, { name: 'ML-team' })).rejects.toMatchObject({ code: 'RESOURCE_ALREADY_EXISTS' });
    await roles.unassign(alice.id, role.id);
    await expect(roles.unassign(alice.id, role.id)).rejects.toThrow('not found');
    await roles.delete(role.id);
    expect(await count('role_permissions')).toBe(0);
    await expect(roles.get(role.id)).rejects.toMatchObject({ code: 'RESOURCE_DOES_NOT_EXIST' });
  });

  it('resolves permissions through the store: own grants, roles, DENY, default, creator', async () => {
    const alice = principalOf(await users.create('alice', 'alice-password-1'));
    const admin: Principal = principalOf(await users.create('root', 'root-password-1', { isAdmin: true }));
    const access = new AccessControl(store, { defaultPermission: 'READ' });
    const team = await roles.create('team');
    await roles.addPermission(team.id, 'experiment', '*', 'EDIT');
    await roles.addPermission(team.id, 'registered_model', 'secret', 'DENY');
    await roles.assign(alice.userId, team.id);
    await grants.create('registered_model', 'secret', 'alice', 'MANAGE');
    await grants.create('registered_model', 'mine', 'alice', 'READ');

    expect((await access.permission(alice, 'experiment', '3')).name).toBe('EDIT');
    expect((await access.permission(alice, 'registered_model', 'secret')).name).toBe('DENY');
    expect((await access.permission(alice, 'registered_model', 'other')).name).toBe('READ');
    expect((await access.permission(admin, 'registered_model', 'secret')).name).toBe('MANAGE');

    const readable = await access.readable(alice, 'registered_model');
    expect(['secret', 'mine', 'other'].filter(readable)).toEqual(['mine', 'other']);

    await grants.grantCreator(alice, 'registered_model', 'mine');
    await grants.grantCreator(alice, 'registered_model', 'fresh');
    expect((await access.permission(alice, 'registered_model', 'mine')).name).toBe('MANAGE');
    expect(await access.authorize(alice, [{ resourceType: 'registered_model', resourceId: 'fresh', action: 'manage' }])).toBe(true);

    expect(await access.isWorkspaceAdmin(alice)).toBe(false);
    expect(await access.holdsAnyRole(alice)).toBe(true);
    const admins = await roles.create('platform');
    await roles.addPermission(admins.id, 'workspace', '*', 'MANAGE');
    await roles.assign(alice.userId, admins.id);
    expect(await access.isWorkspaceAdmin(alice)).toBe(true);
    // A workspace admin is not restrictable (auth/__init__.py: resolve_permissions).
    expect((await access.permission(alice, 'registered_model', 'secret')).name).toBe('MANAGE');
  });

  it('bootstraps the admin once when several replicas start at once', async () => {
    const logs: string[] = [];
    const deps = { store, now, logger: (_l: string, m: string) => void logs.push(m), scrypt: FAST_SCRYPT };
    const config = { adminUsername: 'admin', adminPassword: 'admin-password-1' };
    await Promise.all([bootstrapAdmin(config, deps), bootstrapAdmin(config, deps), bootstrapAdmin(config, deps)]);
    const all = await store.listUsers();
    expect(all.map((u) => [u.username, u.isAdmin])).toEqual([['admin', true]]);
    expect(await verifyPassword('admin-password-1', all[0]?.passwordHash ?? null)).toBe(true);
    // Later starts leave the admin alone, whatever password is configured.
    await bootstrapAdmin({ adminUsername: 'admin', adminPassword: 'different-pass-2' }, deps);
    expect(await verifyPassword('admin-password-1', (await store.getUser('admin'))?.passwordHash ?? null)).toBe(true);
    await bootstrapAdmin({ adminUsername: 'admin', adminPassword: undefined }, deps);
  });

  it('refuses to start without a usable admin password, and rotates the legacy default one', async () => {
    const deps = { store, now, logger: () => {}, scrypt: FAST_SCRYPT };
    await expect(bootstrapAdmin({ adminUsername: undefined, adminPassword: 'x' }, deps)).rejects.toThrow(ConfigError);
    await expect(bootstrapAdmin({ adminUsername: 'admin', adminPassword: undefined }, deps)).rejects.toThrow(
      "MLflow Authentication needs a password to create the admin user 'admin'",
    );
    await expect(bootstrapAdmin({ adminUsername: 'admin', adminPassword: 'short' }, deps)).rejects.toThrow(
      "The configured password for the admin user 'admin' is invalid: Password must be at least 12 characters.",
    );
    await expect(bootstrapAdmin({ adminUsername: 'admin', adminPassword: 'password1234' }, deps)).rejects.toThrow('Refusing to use the insecure default password');
    expect(await store.listUsers()).toEqual([]);

    await users.create('admin', 'password1234', { isAdmin: true });
    await bootstrapAdmin({ adminUsername: 'admin', adminPassword: 'rotated-password' }, deps);
    expect(await verifyPassword('rotated-password', (await store.getUser('admin'))?.passwordHash ?? null)).toBe(true);
  });
});
