/**
 * The resolution order of MLflow 3.17 (auth/requirements.py, auth/__init__.py: resolve_permissions),
 * table-driven: admin → workspace admin → the caller's grants on the key, their own and their
 * roles' folded together (DENY wins, else the highest) and floored at default_permission → the
 * fallback key → default_permission.
 */
import { describe, expect, it } from 'vitest';
import { ALL_PERMISSIONS, maxPermission, type PermissionName } from '../../src/auth/permissions.js';
import { authorize, resolvePermission, type GrantRow, type Requirement, type Subject } from '../../src/auth/requirements.js';
import { requirementsFor } from '../../src/auth/route-rules.js';
import { artifactPathCheck } from '../../src/auth/artifact-paths.js';

const g = (resourceType: string, resourcePattern: string, permission: PermissionName): GrantRow => ({ resourceType, resourcePattern, permission });
const user = (...grants: GrantRow[]): Subject => ({ isAdmin: false, grants });
const exp7: Requirement = { resourceType: 'experiment', resourceId: '7', action: 'read' };

describe('permission levels (permissions.py)', () => {
  it.each([
    ['READ', [true, false, false, false, false]],
    ['USE', [true, true, false, false, false]],
    ['EDIT', [true, true, true, false, false]],
    ['MANAGE', [true, true, true, true, true]],
    ['NO_PERMISSIONS', [false, false, false, false, false]],
    ['DENY', [false, false, false, false, false]],
  ] as const)('%s', (name, caps) => {
    const p = ALL_PERMISSIONS[name];
    expect([p.canRead, p.canUse, p.canUpdate, p.canDelete, p.canManage]).toEqual(caps);
  });
  it('orders levels with DENY below everything', () => {
    expect(maxPermission('READ', 'EDIT')).toBe('EDIT');
    expect(maxPermission('DENY', 'NO_PERMISSIONS')).toBe('NO_PERMISSIONS');
    expect(maxPermission('MANAGE', 'USE')).toBe('MANAGE');
  });
});

describe('resolution order', () => {
  const cases: ReadonlyArray<readonly [string, Subject, PermissionName, PermissionName]> = [
    ['admin bypasses everything, DENY included', { isAdmin: true, grants: [g('experiment', '7', 'DENY')] }, 'NO_PERMISSIONS', 'MANAGE'],
    ['a workspace MANAGE grant outranks a DENY', user(g('workspace', '*', 'MANAGE'), g('experiment', '7', 'DENY')), 'READ', 'MANAGE'],
    ['a workspace USE grant is no admin', user(g('workspace', '*', 'USE')), 'NO_PERMISSIONS', 'NO_PERMISSIONS'],
    ['no grant: default_permission', user(), 'READ', 'READ'],
    ['no grant, default NO_PERMISSIONS', user(), 'NO_PERMISSIONS', 'NO_PERMISSIONS'],
    ['an explicit grant on the resource', user(g('experiment', '7', 'EDIT')), 'NO_PERMISSIONS', 'EDIT'],
    ['a grant on another resource does not apply', user(g('experiment', '8', 'MANAGE')), 'NO_PERMISSIONS', 'NO_PERMISSIONS'],
    ['a positive grant is floored at the default', user(g('experiment', '7', 'READ')), 'EDIT', 'EDIT'],
    ['own grant and role grants fold: the highest wins', user(g('experiment', '7', 'READ'), g('experiment', '7', 'MANAGE'), g('experiment', '*', 'USE')), 'NO_PERMISSIONS', 'MANAGE'],
    ['a role wildcard applies to every experiment', user(g('experiment', '*', 'EDIT')), 'READ', 'EDIT'],
    ['an explicit DENY beats a role MANAGE', user(g('experiment', '7', 'DENY'), g('experiment', '*', 'MANAGE')), 'READ', 'DENY'],
    ['a role DENY beats an explicit MANAGE', user(g('experiment', '7', 'MANAGE'), g('experiment', '*', 'DENY')), 'READ', 'DENY'],
    ['DENY is not floored at the default', user(g('experiment', '7', 'DENY')), 'MANAGE', 'DENY'],
    ['grants of another type do not apply', user(g('registered_model', '7', 'MANAGE')), 'NO_PERMISSIONS', 'NO_PERMISSIONS'],
    ['an unknown type never matches', user(g('bogus', '*', 'MANAGE')), 'NO_PERMISSIONS', 'NO_PERMISSIONS'],
  ];
  it.each(cases)('%s', (_name, subject, defaultPermission, expected) => {
    expect(resolvePermission(subject, exp7, defaultPermission).name).toBe(expected);
  });

  it('a per-id pattern on a wildcard-only tier never matches', () => {
    const subject = user(g('run', 'abc', 'DENY'));
    expect(resolvePermission(subject, { resourceType: 'run', resourceId: 'abc', action: 'read' }, 'READ').name).toBe('READ');
  });
});

describe('tiers and fallbacks (requirements.py: governing_permission)', () => {
  const anchor = { resourceType: 'experiment' as const, resourceId: '7' };
  const updateRun = requirementsFor(
    [
      { tier: 'experiment', action: 'read' },
      { tier: 'run', action: 'update' },
    ],
    anchor,
  );
  it.each([
    ['experiment EDIT reaches its runs', [g('experiment', '7', 'EDIT')], 'NO_PERMISSIONS', true],
    ['experiment READ does not', [g('experiment', '7', 'READ')], 'NO_PERMISSIONS', false],
    ['a run-tier grant decides over the experiment (upward)', [g('experiment', '7', 'READ'), g('run', '*', 'EDIT')], 'NO_PERMISSIONS', true],
    ['a run-tier grant decides over the experiment (downward)', [g('experiment', '7', 'MANAGE'), g('run', '*', 'READ')], 'NO_PERMISSIONS', false],
    ['a run-tier DENY is not rescued by the experiment', [g('experiment', '7', 'MANAGE'), g('run', '*', 'DENY')], 'NO_PERMISSIONS', false],
    ['nothing granted: the default decides', [], 'EDIT', true],
    ['the experiment READ baseline still applies', [g('experiment', '7', 'DENY'), g('run', '*', 'EDIT')], 'EDIT', false],
  ] as const)('%s', (_name, grants, defaultPermission, allowed) => {
    expect(authorize(user(...grants), updateRun, defaultPermission)).toBe(allowed);
  });

  it('a not_denied veto has no fallback: an experiment DENY does not veto creating runs there, but a run DENY does', () => {
    const createRun = requirementsFor(
      [
        { tier: 'experiment', action: 'update' },
        { tier: 'run', action: 'not_denied' },
      ],
      anchor,
    );
    expect(createRun[1]).toEqual({ resourceType: 'run', resourceId: '*', action: 'not_denied' });
    expect(authorize(user(g('experiment', '7', 'EDIT')), createRun, 'READ')).toBe(true);
    expect(authorize(user(g('experiment', '7', 'EDIT'), g('run', '*', 'DENY')), createRun, 'READ')).toBe(false);
  });

  it('creating a registered model is vetoed only by a wildcard DENY', () => {
    const create = requirementsFor([{ tier: 'registered_model', action: 'not_denied' }], { resourceType: 'registered_model', resourceId: '*' });
    expect(authorize(user(), create, 'NO_PERMISSIONS')).toBe(true);
    expect(authorize(user(g('registered_model', 'other', 'DENY')), create, 'READ')).toBe(true);
    expect(authorize(user(g('registered_model', '*', 'DENY')), create, 'READ')).toBe(false);
  });
});

describe('proxied artifact paths (auth/__init__.py: _artifact_proxy_child)', () => {
  const run = 'a'.repeat(32);
  it.each([
    ['7/plain.txt', 'read', ['experiment:7:read']],
    [`7/${run}/artifacts/model.pkl`, 'update', ['experiment:7:read', 'run:*:update']],
    ['7/x/artifacts/model.pkl', 'read', ['experiment:7:read', 'run:*:read']],
    ['7/models/m-1/artifacts/MLmodel', 'read', ['experiment:7:read', 'logged_model:*:read']],
    ['7/traces/t-1/data.json', 'read', ['experiment:7:read', 'trace:*:read']],
    ['7', 'manage', ['experiment:7:read', 'run:*:manage', 'trace:*:manage', 'logged_model:*:manage']],
    ['7/somedir', 'manage', ['experiment:7:read', 'run:*:manage']],
    ['not-an-id/file', 'read', []],
    [undefined, 'read', []],
  ] as const)('%s (%s)', (path, action, expected) => {
    const check = artifactPathCheck(path, action);
    expect(check.requirements.map((r) => `${r.resourceType}:${r.resourceId}:${r.action}`)).toEqual(expected);
    expect(check.experimentId).toBe(expected.length ? '7' : undefined);
  });
});
