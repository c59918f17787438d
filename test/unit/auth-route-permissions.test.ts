/**
 * Every route the app serves has an entry in the permission table, so a new route cannot go
 * unguarded: its test fails until it is given one.
 */
import { describe, expect, it } from 'vitest';
import { ROUTE_PERMISSIONS, routePermission } from '../../src/auth/route-permissions.js';
import { anchorType, type RouteRule } from '../../src/auth/route-rules.js';
import { routeKeys } from '../../src/http/routes.js';

/**
 * Every route of the one route index (http/routes.ts), with authentication on so that the user,
 * role and token routes are there too (the services are never called).
 */
function appRouteKeys(): string[] {
  const none = {} as never;
  return routeKeys({
    registeredModels: none,
    modelVersions: none,
    experiments: none,
    runs: none,
    loggedModels: none,
    governance: none,
    artifacts: none,
    logger: () => undefined,
    options: { staticPrefix: '', serveArtifacts: true, artifactsOnly: false, maxPublishBytes: 1 },
    audit: none,
    auth: none,
  });
}

describe('route permission table', () => {
  const keys = appRouteKeys();

  it('sees the routes the app registers', () => {
    expect(keys.length).toBeGreaterThan(50);
    expect(keys).toContain('POST 2.0/mlflow/registered-models/create');
  });

  it.each(keys)('%s has an entry', (key) => {
    expect(routePermission(key), `no permission entry for ${key}`).toBeDefined();
  });

  it('fails closed for a route it does not know', () => {
    expect(routePermission('POST 2.0/mlflow/something/new')).toBeUndefined();
    expect(routePermission('constructor')).toBeUndefined();
  });

  it('gives every resource rule a need on its anchor type first, as MLflow checks the container', () => {
    for (const [key, rule] of Object.entries(ROUTE_PERMISSIONS) as [string, RouteRule][]) {
      if (rule.access !== 'resource') continue;
      expect(rule.needs.length, key).toBeGreaterThan(0);
      expect(rule.needs[0]?.tier, key).toBe(anchorType(rule.anchor, rule.needs));
    }
  });

  it.each([
    ['GET 2.0/mlflow/registered-models/get', 'read'],
    ['PATCH 2.0/mlflow/registered-models/update', 'update'],
    ['DELETE 2.0/mlflow/registered-models/delete', 'delete'],
    ['POST 2.0/mlflow/model-versions/create', 'update'],
    ['POST 2.0/mlflow/registered-models/alias', 'update'],
    ['POST 2.0/mlflow/experiments/delete', 'delete'],
    ['POST 2.0/mlflow/experiments/permissions/create', 'manage'],
    ['DELETE 2.0/mlflow-artifacts/artifacts/{path+}', 'manage'],
    ['POST flowreg/v1/models/{name}/versions', 'update'],
  ])('%s needs %s on its resource (auth/__init__.py)', (key, action) => {
    const rule = routePermission(key);
    expect(rule?.access).toBe('resource');
    expect(rule?.access === 'resource' && rule.needs[0]?.action).toBe(action);
  });

  it.each([
    ['GET 2.0/mlflow/registered-models/search', 'filter'],
    ['POST 2.0/mlflow/runs/search', 'filter'],
    ['GET 3.0/mlflow/server-info', 'public'],
    ['PATCH 2.0/mlflow/users/update-admin', 'admin'],
    ['DELETE 2.0/mlflow/users/delete', 'admin'],
    ['POST 3.0/mlflow/roles/create', 'workspace-admin'],
    ['POST 3.0/mlflow/users/permissions/grant', 'manage-target'],
  ])('%s is %s', (key, access) => {
    expect(routePermission(key)?.access).toBe(access);
  });

  it('grants the creator MANAGE after a create, and keeps grants with a renamed or deleted model', () => {
    const after = (key: string) => {
      const rule = routePermission(key);
      return rule?.access === 'resource' ? rule.after : undefined;
    };
    expect(after('POST 2.0/mlflow/experiments/create')).toBe('grant-creator');
    expect(after('POST 2.0/mlflow/registered-models/create')).toBe('grant-creator');
    expect(after('POST 2.0/mlflow/registered-models/rename')).toBe('rename-grants');
    expect(after('DELETE 2.0/mlflow/registered-models/delete')).toBe('delete-grants');
  });
});
