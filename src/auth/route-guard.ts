/**
 * The decision for one request, from its route's rule (route-permissions.ts), without HTTP: the
 * edge hands over the caller, what the request names and how to find a resource's experiment.
 * A route without a rule is refused (fail closed), as is a resource that does not exist, so the
 * answer is no oracle for which ids exist (auth/__init__.py: _fetch_or_none callers).
 */
import { invalidParameter, MlflowError } from '../protocol/errors.js';
import type { AccessControl } from './access-control.js';
import { artifactPathCheck, type ArtifactAction } from './artifact-paths.js';
import type { Principal } from './authenticator.js';
import { validateResourceType, type ResourceType } from './permissions.js';
import type { GrantKey, Requirement } from './requirements.js';
import { anchorType, requirementsFor, type Anchor, type ResourceRule, type RouteRule } from './route-rules.js';

/** What the request names. */
export interface RequestFacts {
  /**
   * A parameter as MLflow's auth reads it (auth/__init__.py: _get_request_param): the query string
   * for GET (and DELETE without a JSON body), the JSON body otherwise, then the path parameters.
   */
  param(name: string): string | undefined;
  /** Every value at a nested path such as `metrics[].model_id` (empty when absent). */
  params(path: string): readonly string[];
  /** The canonical artifact path, already through the artifact path gate (artifact routes only). */
  readonly artifactPath?: string;
  /** A `{param}` of the route's path, ignoring the query string and the body. */
  pathParam?(name: string): string | undefined;
}

/** How the edge finds the experiment a resource belongs to; undefined when there is no such resource. */
export interface ResourceLocator {
  experimentOfRun(runId: string): Promise<string | undefined>;
  experimentOfLoggedModel(modelId: string): Promise<string | undefined>;
  experimentIdByName(name: string): Promise<string | undefined>;
  /** The registered model an approval request is about. */
  modelOfApprovalRequest?(id: string): Promise<string | undefined>;
}

/** auth/__init__.py: _get_request_param */
function required(facts: RequestFacts, name: string): string {
  const value = facts.param(name) ?? (name === 'run_id' ? facts.param('run_uuid') : undefined);
  if (value === undefined) {
    throw invalidParameter(`Missing value for required parameter '${name}'. See the API docs for more information about request parameters.`);
  }
  return value;
}

/** The anchor's key, or undefined when the resource it names does not exist. */
async function anchorKey(anchor: Anchor, type: ResourceType, facts: RequestFacts, locator: ResourceLocator): Promise<GrantKey | undefined> {
  const key = (resourceId: string | undefined) => (resourceId === undefined ? undefined : { resourceType: type, resourceId });
  switch (anchor) {
    case 'none':
      return { resourceType: type, resourceId: '*' };
    case 'experiment_id':
      return key(required(facts, 'experiment_id'));
    case 'experiment_name':
      return key(await locator.experimentIdByName(required(facts, 'experiment_name')));
    case 'run_id':
      return key(await locator.experimentOfRun(required(facts, 'run_id')));
    case 'model_id':
      return key(await locator.experimentOfLoggedModel(required(facts, 'model_id')));
    case 'name':
    case 'native_name':
      return key(required(facts, 'name'));
    case 'path_name':
      return key(facts.pathParam?.('name'));
    case 'approval_request': {
      const id = facts.pathParam?.('id');
      return key(id === undefined ? undefined : await locator.modelOfApprovalRequest?.(id));
    }
    case 'artifact_path':
      return undefined; // artifact routes are resolved by artifactPathCheck
  }
}

async function resourceRequirements(rule: ResourceRule, facts: RequestFacts, locator: ResourceLocator): Promise<Requirement[] | undefined> {
  const key = await anchorKey(rule.anchor, anchorType(rule.anchor, rule.needs), facts, locator);
  if (!key) return undefined;
  const requirements = requirementsFor(rule.needs, key);
  for (const also of rule.also ?? []) {
    const ids = also.param.includes('[]') ? facts.params(also.param) : [facts.param(also.param)].filter((v): v is string => !!v);
    for (const id of new Set(ids)) {
      const experimentId = also.anchor === 'run_id' ? await locator.experimentOfRun(id) : await locator.experimentOfLoggedModel(id);
      if (experimentId === undefined) return undefined;
      requirements.push(...requirementsFor(also.needs, { resourceType: 'experiment', resourceId: experimentId }));
    }
  }
  return requirements;
}

/** The 403 of a non-admin's audit query that does not name one model (a `model-audit` rule). */
export function modelAuditDenied(resourceTypes: readonly string[]): MlflowError {
  return new MlflowError(
    'PERMISSION_DENIED',
    'Only admins may read the whole audit trail. Other users read the events of one registered model they have READ on: ' +
      `pass 'name' (the model) and no 'resource_type' or one of ${resourceTypes.join(', ')}.`,
  );
}

/**
 * May the caller make this request? `undefined` rule: refused. A missing required parameter
 * throws MLflow's INVALID_PARAMETER_VALUE (a 400, as MLflow's validators answer).
 * For `filter` rules this allows the request; the handler's results go through
 * `AccessControl.readable`.
 */
export async function mayCall(
  access: AccessControl,
  principal: Principal,
  rule: RouteRule | undefined,
  facts: RequestFacts,
  locator: ResourceLocator,
): Promise<boolean> {
  if (!rule) return false;
  switch (rule.access) {
    case 'public':
    case 'authenticated':
    case 'filter':
      return true;
    case 'admin':
      return principal.isAdmin;
    case 'workspace-admin':
      return access.isWorkspaceAdmin(principal);
    case 'role-holder':
      return access.holdsAnyRole(principal);
    case 'self-or-admin':
      // Without `username` the request is about the caller (a token route); MLflow's user routes
      // require it, and their handler answers its absence with a 400.
      return principal.isAdmin || (facts.param('username') ?? principal.username) === principal.username;
    case 'model-audit': {
      if (principal.isAdmin) return true;
      const name = facts.param('name');
      const type = facts.param('resource_type');
      if (!name || (type && !rule.resourceTypes.includes(type))) {
        throw modelAuditDenied(rule.resourceTypes);
      }
      return access.authorize(principal, [{ resourceType: 'registered_model', resourceId: name, action: 'read' }]);
    }
    case 'manage-target': {
      // auth/__init__.py: validate_can_manage_resource; a wildcard is gated like the role API.
      const type = required(facts, 'resource_type');
      const id = required(facts, 'resource_id');
      if (type === 'workspace') throw invalidParameter("resource_type 'workspace' is not supported by the per-user permission convenience APIs.");
      validateResourceType(type);
      if (id === '*') return access.isWorkspaceAdmin(principal);
      return access.authorize(principal, [{ resourceType: type, resourceId: id, action: 'manage' }]);
    }
    case 'resource': {
      if (rule.anchor === 'artifact_path') {
        const action = rule.needs[0]?.action as ArtifactAction;
        const check = artifactPathCheck(facts.artifactPath, action);
        if (check.experimentId === undefined) return access.defaultAllows(principal, action);
        return access.authorize(principal, check.requirements);
      }
      if (principal.isAdmin) return true;
      const requirements = await resourceRequirements(rule, facts, locator);
      return requirements !== undefined && access.authorize(principal, requirements);
    }
  }
}
