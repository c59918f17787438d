/**
 * The vocabulary of the per-route permission table (route-permissions.ts): what a route touches
 * and what it needs there, as data, and the one function that turns a rule and the resolved
 * resource into MLflow requirements.
 */
import type { ResourceType } from './permissions.js';
import type { Action, GrantKey, Requirement } from './requirements.js';

/**
 * Where the resource a route acts on comes from. The edge resolves it before the handler runs;
 * a resource that does not exist denies (403), so the answer is no oracle for which ids exist
 * (auth/__init__.py: _run_requirement, _authorize_logged_model_id).
 *
 * - `experiment_id`, `experiment_name`: request parameters naming an experiment.
 * - `run_id`: the run's experiment (`run_id`, or the older `run_uuid`).
 * - `model_id`: a logged model's experiment (`{model_id}` of the path).
 * - `name`: a registered model (`name` parameter).
 * - `native_name`: a registered model (`{name}` of a native API path).
 * - `artifact_path`: a proxied artifact path; its first segment is the experiment id, and
 *   artifact-paths.ts says which sub-resource tier it names.
 * - `none`: a create, anchored at the created type's `*` (one workspace).
 * - `path_name`: a registered model named by `{name}` of the path only (governance routes: a body
 *   or query `name` must not point the check at another model than the one the handler acts on).
 * - `approval_request`: the registered model an approval request (`{id}` of the path) is about.
 */
export type Anchor =
  | 'experiment_id'
  | 'experiment_name'
  | 'run_id'
  | 'model_id'
  | 'name'
  | 'native_name'
  | 'path_name'
  | 'approval_request'
  | 'artifact_path'
  | 'none';

export function anchorType(anchor: Anchor, needs: readonly Need[]): ResourceType {
  switch (anchor) {
    case 'name':
    case 'native_name':
    case 'path_name':
    case 'approval_request':
      return 'registered_model';
    case 'none':
      return needs[0]?.tier ?? 'experiment';
    default:
      return 'experiment';
  }
}

/**
 * One requirement of a route. On the anchor's own type it is checked on the anchor; on another
 * type it is that wildcard tier (runs, logged models, versions), which falls back to the anchor
 * when the caller holds no grant on the tier. A `not_denied` veto has no fallback, as in MLflow.
 */
export interface Need {
  readonly tier: ResourceType;
  readonly action: Action;
}

/**
 * A further check when the request names another resource (e.g. the run a model version is
 * registered from must be readable, auth/__init__.py: validate_can_create_model_version).
 * Applied only when the parameter is present.
 */
export interface Also {
  /** The request parameter naming it. */
  readonly param: string;
  readonly anchor: 'run_id' | 'model_id';
  readonly needs: readonly Need[];
}

/** What the edge does after a successful response (auth/__init__.py: AFTER_REQUEST_PATH_HANDLERS). */
export type After =
  /** The caller gets MANAGE on what they created (set_can_manage_*_permission). */
  | 'grant-creator'
  /** Grants follow a renamed registered model (rename_registered_model_permission). */
  | 'rename-grants'
  /** Grants on a deleted registered model go with it (delete_can_manage_registered_model_permission). */
  | 'delete-grants';

export type RouteRule =
  /** No credentials asked (auth/__init__.py: is_unprotected_route, _PUBLIC_ROUTE_SUFFIXES). */
  | { readonly access: 'public' }
  /** Any signed-in user. */
  | { readonly access: 'authenticated' }
  /** Super admins only (validate_can_update_user_admin, validate_can_delete_user). */
  | { readonly access: 'admin' }
  /** Admins and holders of a `(workspace, *, MANAGE)` grant (validate_can_manage_roles, validate_can_create_user). */
  | { readonly access: 'workspace-admin' }
  /** Admins and users holding any role (validate_can_view_roles, validate_can_list_roles with one workspace). */
  | { readonly access: 'role-holder' }
  /** Admins, or the user the `username` parameter names (username_is_sender, validate_can_view_user_roles). */
  | { readonly access: 'self-or-admin' }
  /**
   * Any signed-in user; the response keeps only the rows the caller may read, and the experiment
   * ids a run search asks for are narrowed to readable ones first (filter_search_*,
   * filter_experiment_ids).
   */
  | { readonly access: 'filter'; readonly resource: 'experiment' | 'registered_model' }
  /**
   * flowreg's audit trail: admins read all of it; another user only the events of one registered
   * model (the `name` parameter, with `resource_type` absent or one of `resourceTypes`), with READ
   * on that model. Anything else is a 403 that says so.
   */
  | { readonly access: 'model-audit'; readonly resourceTypes: readonly string[] }
  /** MANAGE on the resource the body names by `resource_type` and `resource_id` (validate_can_manage_resource). */
  | { readonly access: 'manage-target' }
  /** Checked against the caller's grants on the anchor (BEFORE_REQUEST_HANDLERS' validate_can_*). */
  | {
      readonly access: 'resource';
      readonly anchor: Anchor;
      readonly needs: readonly Need[];
      readonly also?: readonly Also[];
      readonly after?: After;
    };

export type ResourceRule = Extract<RouteRule, { access: 'resource' }>;

/**
 * The requirements of `needs` on a resolved anchor: own-type needs on the anchor itself, tier
 * needs on the tier's `*` with the anchor as fallback.
 */
export function requirementsFor(needs: readonly Need[], anchor: GrantKey): Requirement[] {
  return needs.map((need) => {
    if (need.tier === anchor.resourceType) return { resourceType: need.tier, resourceId: anchor.resourceId, action: need.action };
    if (need.action === 'not_denied') return { resourceType: need.tier, resourceId: '*', action: need.action };
    return { resourceType: need.tier, resourceId: '*', action: need.action, fallback: [anchor] };
  });
}
