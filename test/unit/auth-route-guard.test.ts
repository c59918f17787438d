/**
 * The per-request decision from a route's rule: fail closed without a rule, admin and self
 * checks, resources found through their experiment (a missing one denies), the extra resources a
 * request names, proxied artifact paths and the grant-management routes.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AccessControl } from '../../src/auth/access-control.js';
import { principalOf, type Principal } from '../../src/auth/authenticator.js';
import { ResourceGrants } from '../../src/auth/resource-grants.js';
import { Roles } from '../../src/auth/roles.js';
import { mayCall, type RequestFacts, type ResourceLocator } from '../../src/auth/route-guard.js';
import { routePermission } from '../../src/auth/route-permissions.js';
import { authHarness, type AuthHarness } from '../helpers/auth.js';

let h: AuthHarness;
let access: AccessControl;
let grants: ResourceGrants;
let alice: Principal;
let admin: Principal;

const locator: ResourceLocator = {
  experimentOfRun: async (id) => ({ r1: '1', r2: '2' })[id],
  experimentOfLoggedModel: async (id) => ({ 'm-1': '1', 'm-2': '2' })[id],
  experimentIdByName: async (name) => ({ one: '1' })[name],
};

function facts(params: Record<string, string | string[]>, artifactPath?: string): RequestFacts {
  return {
    param: (name) => {
      const v = params[name];
      return typeof v === 'string' ? v : undefined;
    },
    params: (path) => {
      const v = params[path];
      return Array.isArray(v) ? v : [];
    },
    ...(artifactPath === undefined ? {} : { artifactPath }),
  };
}

const may = (who: Principal, key: string, params: Record<string, string | string[]> = {}, artifactPath?: string) =>
  mayCall(access, who, routePermission(key), facts(params, artifactPath), locator);

beforeEach(async () => {
  h = await authHarness();
  access = new AccessControl(h.store, { defaultPermission: 'READ' });
  grants = new ResourceGrants(h.store);
  alice = principalOf(await h.users.create('alice', 'alice-password-1'));
  admin = principalOf(await h.users.create('root', 'root-password-1', { isAdmin: true }));
});
afterEach(async () => h.close());

describe('mayCall', () => {
  it('refuses a route without a rule', async () => {
    expect(await may(admin, 'POST 2.0/mlflow/unknown')).toBe(false);
  });

  it('answers the access kinds that need no resource', async () => {
    expect(await may(alice, 'GET 3.0/mlflow/server-info')).toBe(true);
    expect(await may(alice, 'GET 2.0/mlflow/users/current')).toBe(true);
    expect(await may(alice, 'GET 2.0/mlflow/registered-models/search')).toBe(true);
    expect(await may(alice, 'DELETE 2.0/mlflow/users/delete', { username: 'bob' })).toBe(false);
    expect(await may(admin, 'DELETE 2.0/mlflow/users/delete', { username: 'bob' })).toBe(true);
    expect(await may(alice, 'GET 2.0/mlflow/users/get', { username: 'alice' })).toBe(true);
    expect(await may(alice, 'GET 2.0/mlflow/users/get', { username: 'root' })).toBe(false);
    expect(await may(admin, 'GET 2.0/mlflow/users/get', { username: 'alice' })).toBe(true);
    expect(await may(alice, 'GET flowreg/v1/tokens')).toBe(true);
    expect(await may(alice, 'POST 3.0/mlflow/roles/create')).toBe(false);
    expect(await may(alice, 'GET 3.0/mlflow/roles/get')).toBe(false);
    const roles = new Roles(h.store);
    const role = await roles.create('platform');
    await roles.assign(alice.userId, role.id);
    expect(await may(alice, 'GET 3.0/mlflow/roles/get')).toBe(true);
    expect(await may(alice, 'POST 3.0/mlflow/roles/create')).toBe(false);
    await roles.addPermission(role.id, 'workspace', '*', 'MANAGE');
    expect(await may(alice, 'POST 3.0/mlflow/roles/create')).toBe(true);
  });

  it('checks a registered model by name', async () => {
    expect(await may(alice, 'GET 2.0/mlflow/registered-models/get', { name: 'm' })).toBe(true);
    expect(await may(alice, 'PATCH 2.0/mlflow/registered-models/update', { name: 'm' })).toBe(false);
    await grants.create('registered_model', 'm', 'alice', 'EDIT');
    expect(await may(alice, 'PATCH 2.0/mlflow/registered-models/update', { name: 'm' })).toBe(true);
    expect(await may(alice, 'DELETE 2.0/mlflow/registered-models/delete', { name: 'm' })).toBe(false);
    expect(await may(alice, 'POST flowreg/v1/models/{name}/versions', { name: 'm' })).toBe(true);
    await grants.update('registered_model', 'm', 'alice', 'DENY');
    expect(await may(alice, 'GET 2.0/mlflow/model-versions/get', { name: 'm', version: '1' })).toBe(false);
    await expect(may(alice, 'GET 2.0/mlflow/registered-models/get')).rejects.toThrow("Missing value for required parameter 'name'.");
  });

  it('finds a run’s experiment, and denies a run that does not exist', async () => {
    expect(await may(alice, 'GET 2.0/mlflow/runs/get', { run_id: 'r1' })).toBe(true);
    expect(await may(alice, 'GET 2.0/mlflow/runs/get', { run_uuid: 'r1' })).toBe(true);
    expect(await may(alice, 'POST 2.0/mlflow/runs/update', { run_id: 'r1' })).toBe(false);
    expect(await may(alice, 'GET 2.0/mlflow/runs/get', { run_id: 'nope' })).toBe(false);
    await grants.create('experiment', '1', 'alice', 'EDIT');
    expect(await may(alice, 'POST 2.0/mlflow/runs/update', { run_id: 'r1' })).toBe(true);
    expect(await may(alice, 'POST 2.0/mlflow/runs/update', { run_id: 'r2' })).toBe(false);
    expect(await may(alice, 'POST 2.0/mlflow/experiments/update', { experiment_id: '1' })).toBe(true);
    expect(await may(alice, 'GET 2.0/mlflow/experiments/get-by-name', { experiment_name: 'one' })).toBe(true);
    expect(await may(alice, 'GET 2.0/mlflow/experiments/get-by-name', { experiment_name: 'none' })).toBe(false);
  });

  it('checks the logged models a run write aims at', async () => {
    await grants.create('experiment', '1', 'alice', 'EDIT');
    expect(await may(alice, 'POST 2.0/mlflow/runs/log-batch', { run_id: 'r1', 'metrics[].model_id': ['m-1'] })).toBe(true);
    expect(await may(alice, 'POST 2.0/mlflow/runs/log-batch', { run_id: 'r1', 'metrics[].model_id': ['m-1', 'm-2'] })).toBe(false);
    expect(await may(alice, 'POST 2.0/mlflow/runs/log-metric', { run_id: 'r1', model_id: 'm-missing' })).toBe(false);
    expect(await may(alice, 'POST 2.0/mlflow/model-versions/create', { name: 'm', run_id: 'r2' })).toBe(false);
    await grants.create('registered_model', 'm', 'alice', 'EDIT');
    expect(await may(alice, 'POST 2.0/mlflow/model-versions/create', { name: 'm', run_id: 'r2' })).toBe(true);
    await grants.create('experiment', '2', 'alice', 'DENY');
    expect(await may(alice, 'POST 2.0/mlflow/model-versions/create', { name: 'm', run_id: 'r2' })).toBe(false);
  });

  it('judges a proxied artifact by the experiment its path names', async () => {
    const get = 'GET 2.0/mlflow-artifacts/artifacts/{path+}';
    const put = 'PUT 2.0/mlflow-artifacts/artifacts/{path*}';
    expect(await may(alice, get, {}, '1/abc/artifacts/model.pkl')).toBe(true);
    expect(await may(alice, put, {}, '1/abc/artifacts/model.pkl')).toBe(false);
    expect(await may(alice, put, {}, 'loose/file')).toBe(false);
    await grants.create('experiment', '1', 'alice', 'EDIT');
    expect(await may(alice, put, {}, '1/abc/artifacts/model.pkl')).toBe(true);
    expect(await may(alice, 'DELETE 2.0/mlflow-artifacts/artifacts/{path+}', {}, '1/abc/artifacts/model.pkl')).toBe(false);
    expect(await may(admin, put, {}, 'loose/file')).toBe(true);
  });

  it('lets a resource’s manager grant on it (users/permissions/grant)', async () => {
    const grant = 'POST 3.0/mlflow/users/permissions/grant';
    expect(await may(alice, grant, { resource_type: 'experiment', resource_id: '1' })).toBe(false);
    await grants.create('experiment', '1', 'alice', 'MANAGE');
    expect(await may(alice, grant, { resource_type: 'experiment', resource_id: '1' })).toBe(true);
    expect(await may(alice, grant, { resource_type: 'experiment', resource_id: '*' })).toBe(false);
    expect(await may(admin, grant, { resource_type: 'experiment', resource_id: '*' })).toBe(true);
    await expect(may(alice, grant, { resource_type: 'workspace', resource_id: '*' })).rejects.toThrow("resource_type 'workspace' is not supported");
    await expect(may(alice, grant, { resource_type: 'gadget', resource_id: '1' })).rejects.toThrow("Invalid resource type 'gadget'");
  });
});
