/**
 * Every route the app serves has an entry in the permission table, so a new route cannot go
 * unguarded: its test fails until it is given one.
 */
import { describe, expect, it } from 'vitest';
import { ROUTE_PERMISSIONS, routePermission } from '../../src/auth/route-permissions.js';
import { anchorType, type RouteRule } from '../../src/auth/route-rules.js';
import { experimentRoutes } from '../../src/http/handlers/experiments.js';
import { loggedModelRoutes } from '../../src/http/handlers/logged-models.js';
import { modelVersionRoutes } from '../../src/http/handlers/model-versions.js';
import { registeredModelRoutes } from '../../src/http/handlers/registered-models.js';
import { runRoutes } from '../../src/http/handlers/runs.js';
import { serverInfoRoutes } from '../../src/http/handlers/server-info.js';
import type { RouteDef } from '../../src/http/router.js';

/** The JSON routes, built the way app.ts and compose.ts build them (the services are never called). */
function jsonRouteKeys(): string[] {
  const none = {} as never;
  const defs: RouteDef[] = [
    ...registeredModelRoutes(none, none),
    ...modelVersionRoutes(none),
    ...serverInfoRoutes(),
    ...experimentRoutes(none),
    ...runRoutes(none, none),
    ...loggedModelRoutes(none, none),
  ];
  return defs.flatMap((d) => (Array.isArray(d.method) ? d.method : [d.method]).map((m: string) => `${m} ${d.version}${d.path}`));
}

/**
 * The streamed routes outside the RouteTable: http/artifacts.ts (fileRoutes and listRoutes, under
 * /api/2.0/mlflow-artifacts) and http/native-api.ts (ROUTE, under /api/flowreg/v1). Add a line
 * here with every route added there.
 */
const STREAM_ROUTE_KEYS = [
  'GET 2.0/mlflow-artifacts/artifacts',
  'HEAD 2.0/mlflow-artifacts/artifacts',
  'GET 2.0/mlflow-artifacts/artifacts/{artifact_path+}',
  'HEAD 2.0/mlflow-artifacts/artifacts/{artifact_path+}',
  'PUT 2.0/mlflow-artifacts/artifacts/{artifact_path+}',
  'DELETE 2.0/mlflow-artifacts/artifacts/{artifact_path+}',
  'POST 2.0/mlflow-artifacts/mpu/create/{artifact_path+}',
  'POST 2.0/mlflow-artifacts/mpu/complete/{artifact_path+}',
  'POST 2.0/mlflow-artifacts/mpu/abort/{artifact_path+}',
  'GET 2.0/mlflow-artifacts/presigned/{artifact_path+}',
  'POST flowreg/v1/models/{name}/versions',
  'GET flowreg/v1/models/{name}/versions/{version}',
  'HEAD flowreg/v1/models/{name}/versions/{version}',
  'GET flowreg/v1/models/{name}/versions/{version}/files',
  'GET flowreg/v1/models/{name}/versions/{version}/files/{path+}',
  'HEAD flowreg/v1/models/{name}/versions/{version}/files/{path+}',
  'GET flowreg/v1/models/{name}/versions/{version}/archive',
  'HEAD flowreg/v1/models/{name}/versions/{version}/archive',
];

describe('route permission table', () => {
  const keys = jsonRouteKeys();

  it('sees the routes the app registers', () => {
    expect(keys.length).toBeGreaterThan(50);
    expect(keys).toContain('POST 2.0/mlflow/registered-models/create');
  });

  it.each([...keys, ...STREAM_ROUTE_KEYS])('%s has an entry', (key) => {
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
    ['DELETE 2.0/mlflow-artifacts/artifacts/{artifact_path+}', 'manage'],
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
