/**
 * "May U do A on R?": loads the caller's grants (their own and their roles', one store
 * statement) and answers with the pure rules of requirements.ts. `default_permission` speaks
 * where no grant does.
 *
 * A caller's grants are remembered for the credential cache's TTL (`auth_cache_ttl_seconds`), so
 * a read costs no grants query on the hot path. As with credentials, the TTL bounds staleness
 * across replicas; on the replica that changes a grant or a role, `forgetGrants` applies it at
 * once. MLflow reads grants on every request; a TTL of 0 restores that.
 *
 * A caller signed in with an OIDC token also holds, for that request, the grants of each role named
 * like one of the token's groups, folded with the rest exactly as an assigned role's are (so a
 * group role's DENY vetoes too).
 */
import type { AuthStore, GrantRecord } from '../store/auth-store.js';
import type { Principal } from './authenticator.js';
import type { CredentialCache } from './credential-cache.js';
import { getPermission, isPermissionName, type Permission, type PermissionName, type ResourceType } from './permissions.js';
import { actionMet, authorize, isWorkspaceAdminGrant, resolvePermission, type Action, type GrantRow, type Requirement, type Subject } from './requirements.js';
import { RESERVED_ROLE_PREFIX } from './roles.js';

export interface AccessControlOptions {
  /** MLflow's `default_permission` (basic_auth.ini), READ unless configured. */
  readonly defaultPermission: PermissionName;
  /** Remembers each caller's grants by user, resource types and groups; absent: no caching. */
  readonly grantsCache?: CredentialCache<readonly GrantRow[]>;
}

function grantRows(records: readonly GrantRecord[]): GrantRow[] {
  const rows: GrantRow[] = [];
  // A row with a level this version does not know grants nothing (fail closed).
  for (const r of records) if (isPermissionName(r.permission)) rows.push({ resourceType: r.resourceType, resourcePattern: r.resourcePattern, permission: r.permission });
  return rows;
}

/** The roles a caller's groups name; a group can never name a per-user role (`__user_<id>__`). */
function groupRoles(principal: Principal): readonly string[] {
  return (principal.groups ?? []).filter((g) => !g.startsWith(RESERVED_ROLE_PREFIX));
}

function typesOf(requirements: readonly Requirement[]): ResourceType[] {
  const types = new Set<ResourceType>();
  for (const r of requirements) {
    types.add(r.resourceType);
    for (const f of r.fallback ?? []) types.add(f.resourceType);
  }
  return [...types];
}

export class AccessControl {
  constructor(
    private readonly store: AuthStore,
    private readonly options: AccessControlOptions,
  ) {}

  get defaultPermission(): Permission {
    return getPermission(this.options.defaultPermission);
  }

  /** The caller with the grants of the given types; an admin's grants are not loaded (they bypass). */
  async subject(principal: Principal, types: readonly ResourceType[]): Promise<Subject> {
    if (principal.isAdmin) return { isAdmin: true, grants: [] };
    const groups = groupRoles(principal);
    const cache = this.options.grantsCache;
    const key = cache && `${principal.userId}\u0000${types.join(',')}\u0000${groups.join('\u0000')}`;
    let grants = key === undefined ? undefined : cache?.get(key);
    if (!grants) {
      grants = grantRows(await this.store.listGrants(principal.userId, types, groups));
      if (key !== undefined) cache?.set(key, principal.username, grants);
    }
    return { isAdmin: false, grants };
  }

  /** After a grant or role changed on this replica: every caller's grants are read again. */
  forgetGrants(): void {
    this.options.grantsCache?.clear();
  }

  /** True when every requirement is met (auth/__init__.py: authorize). */
  async authorize(principal: Principal, requirements: readonly Requirement[]): Promise<boolean> {
    if (principal.isAdmin) return true;
    const subject = await this.subject(principal, typesOf(requirements));
    return authorize(subject, requirements, this.options.defaultPermission);
  }

  /** The caller's effective level on one resource. */
  async permission(principal: Principal, resourceType: ResourceType, resourceId: string): Promise<Permission> {
    const requirement: Requirement = { resourceType, resourceId, action: 'read' };
    return resolvePermission(await this.subject(principal, [resourceType]), requirement, this.options.defaultPermission);
  }

  /**
   * For a search: a predicate over resource ids that keeps what the caller may read, from one
   * grants load (auth/__init__.py: filter_search_experiments, filter_search_registered_models,
   * RetentionGate).
   */
  async readable(principal: Principal, resourceType: ResourceType): Promise<(resourceId: string) => boolean> {
    if (principal.isAdmin) return () => true;
    const subject = await this.subject(principal, [resourceType]);
    const decided = new Map<string, boolean>();
    return (resourceId) => {
      let ok = decided.get(resourceId);
      if (ok === undefined) {
        ok = resolvePermission(subject, { resourceType, resourceId, action: 'read' }, this.options.defaultPermission).canRead;
        decided.set(resourceId, ok);
      }
      return ok;
    };
  }

  /** For a proxied artifact path that names no experiment: `default_permission` decides. */
  defaultAllows(principal: Principal, action: Action): boolean {
    return principal.isAdmin || actionMet(action, this.defaultPermission);
  }

  /** Admin, or holder of a `(workspace, *, MANAGE)` grant: may manage roles and create users (validate_can_manage_roles). */
  async isWorkspaceAdmin(principal: Principal): Promise<boolean> {
    if (principal.isAdmin) return true;
    return (await this.subject(principal, ['workspace'])).grants.some(isWorkspaceAdminGrant);
  }

  /** Admin, or assigned any role (or a group naming one): may view roles (validate_can_view_roles). */
  async holdsAnyRole(principal: Principal): Promise<boolean> {
    if (principal.isAdmin || (await this.store.listUserRoles(principal.userId)).length > 0) return true;
    const groups = new Set(groupRoles(principal));
    return groups.size > 0 && (await this.store.listRoles()).some((role) => groups.has(role.name));
  }
}
