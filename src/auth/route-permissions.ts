/**
 * Which permission every route needs, as data, keyed like the RouteTable: `METHOD <path after
 * /api/>` (`POST 2.0/mlflow/registered-models/create`; the `/ajax-api/` twin shares the key).
 * Copied from MLflow 3.17.2's mlflow/server/auth/__init__.py: BEFORE_REQUEST_HANDLERS and the
 * `validate_can_*` functions they name, LOGGED_MODEL_BEFORE_REQUEST_HANDLERS, the proxied-artifact
 * validators, the auth routes of BEFORE_REQUEST_VALIDATORS, and AFTER_REQUEST_PATH_HANDLERS for
 * the searches (filtered) and the grant upkeep after a create, rename or delete. The legacy
 * `experiments/permissions/*` and `registered-models/permissions/*` routes the 2.x client calls
 * are MLflow 2.22's (validate_can_manage_experiment / _registered_model).
 *
 * A route without an entry is refused by the edge (fail closed), and a unit test fails when the
 * app registers a route that has none.
 */
import { MODEL_RESOURCE_TYPES } from '../store/audit-trails.js';
import type { Need, ResourceRule, RouteRule } from './route-rules.js';

const need = (tier: Need['tier'], action: Need['action']): Need => ({ tier, action });

// ---- the shapes the validators share ----

const experiment = (action: Need['action'], anchor: 'experiment_id' | 'experiment_name' = 'experiment_id'): ResourceRule => ({
  access: 'resource',
  anchor,
  needs: [need('experiment', action)],
});

/** Every experiment-scoped tier a delete or restore reaches (auth/__init__.py: _EXPERIMENT_CASCADE_TIERS). */
const experimentCascade: ResourceRule = {
  access: 'resource',
  anchor: 'experiment_id',
  needs: [
    need('experiment', 'delete'),
    ...(['run', 'trace', 'logged_model', 'assessment', 'review_queue', 'scorer', 'scorer_version'] as const).map((t) => need(t, 'delete')),
  ],
};

/** auth/__init__.py: _run_requirement — READ on the experiment, the action on its runs. */
const run = (action: Need['action']): ResourceRule => ({
  access: 'resource',
  anchor: 'run_id',
  needs: [need('experiment', 'read'), need('run', action)],
});

/** A run write that may also aim metrics or inputs at logged models (validate_can_log_batch, _inputs, _outputs). */
const runAndModels = (param: string): ResourceRule => ({
  access: 'resource',
  anchor: 'run_id',
  needs: [need('experiment', 'read'), need('run', 'update')],
  also: [{ param, anchor: 'model_id', needs: [need('experiment', 'read'), need('logged_model', 'update')] }],
});

/** auth/__init__.py: _authorize_logged_model. */
const loggedModel = (action: Need['action']): ResourceRule => ({
  access: 'resource',
  anchor: 'model_id',
  needs: [need('experiment', 'read'), need('logged_model', action)],
});

const registeredModel = (action: Need['action']): ResourceRule => ({ access: 'resource', anchor: 'name', needs: [need('registered_model', action)] });

/** validate_can_read_model_or_prompt_version: READ on the model, versions not denied. */
const readVersion = (anchor: 'name' | 'native_name' = 'name'): ResourceRule => ({
  access: 'resource',
  anchor,
  needs: [need('registered_model', 'read'), need('registered_model_version', 'not_denied')],
});

/** _authorize_version_action: READ on the model, the action on its versions. */
const versionAction = (action: Need['action']): ResourceRule => ({
  access: 'resource',
  anchor: 'name',
  needs: [need('registered_model', 'read'), need('registered_model_version', action)],
});

/** validate_can_create_model_version: UPDATE on the model, versions not denied, its run and logged model readable. */
const createVersion = (anchor: 'name' | 'native_name'): ResourceRule => ({
  access: 'resource',
  anchor,
  needs: [need('registered_model', 'update'), need('registered_model_version', 'not_denied')],
  also: [
    { param: 'run_id', anchor: 'run_id', needs: [need('experiment', 'read'), need('run', 'read')] },
    { param: 'model_id', anchor: 'model_id', needs: [need('experiment', 'read'), need('logged_model', 'read')] },
  ],
});

/** validate_can_set/delete_model_or_prompt_version_alias: the action on the model, versions readable. */
const alias = (action: Need['action']): ResourceRule => ({
  access: 'resource',
  anchor: 'name',
  needs: [need('registered_model', action), need('registered_model_version', 'read')],
});

/** _authorize_flask_artifact_proxy: the tier the path names is refined by artifact-paths.ts. */
const artifact = (action: 'read' | 'update' | 'manage'): ResourceRule => ({ access: 'resource', anchor: 'artifact_path', needs: [need('experiment', action)] });

const PUBLIC: RouteRule = { access: 'public' };
const AUTHENTICATED: RouteRule = { access: 'authenticated' };
const ADMIN: RouteRule = { access: 'admin' };
const WORKSPACE_ADMIN: RouteRule = { access: 'workspace-admin' };
const SELF_OR_ADMIN: RouteRule = { access: 'self-or-admin' };
const ROLE_HOLDER: RouteRule = { access: 'role-holder' };

const RM = '2.0/mlflow/registered-models';
const MV = '2.0/mlflow/model-versions';
const EXP = '2.0/mlflow/experiments';
const RUNS = '2.0/mlflow/runs';
const LM = '2.0/mlflow/logged-models';
const ART = '2.0/mlflow-artifacts';
const NATIVE = 'flowreg/v1/models/{name}/versions';
const GOV = 'flowreg/v1/models/{name}';

/** A governance route: anchored at the path's model, or at the model of the approval request in the path. */
const governed = (anchor: 'path_name' | 'approval_request', needs: readonly Need[]): ResourceRule => ({ access: 'resource', anchor, needs });

export const ROUTE_PERMISSIONS: Readonly<Record<string, RouteRule>> = {
  // ---- registered models ----
  [`POST ${RM}/create`]: { access: 'resource', anchor: 'none', needs: [need('registered_model', 'not_denied')], after: 'grant-creator' },
  [`GET ${RM}/get`]: registeredModel('read'),
  [`POST ${RM}/rename`]: { ...registeredModel('update'), after: 'rename-grants' },
  [`PATCH ${RM}/update`]: registeredModel('update'),
  [`DELETE ${RM}/delete`]: {
    access: 'resource',
    anchor: 'name',
    needs: [need('registered_model', 'delete'), need('registered_model_version', 'delete')],
    after: 'delete-grants',
  },
  [`GET ${RM}/search`]: { access: 'filter', resource: 'registered_model' },
  [`POST ${RM}/get-latest-versions`]: readVersion(),
  [`GET ${RM}/get-latest-versions`]: readVersion(),
  [`POST ${RM}/set-tag`]: registeredModel('update'),
  [`DELETE ${RM}/delete-tag`]: registeredModel('update'),
  [`POST ${RM}/alias`]: alias('update'),
  [`DELETE ${RM}/alias`]: alias('delete'),
  [`GET ${RM}/alias`]: readVersion(),

  // ---- model versions ----
  [`POST ${MV}/create`]: createVersion('name'),
  [`GET ${MV}/get`]: readVersion(),
  [`PATCH ${MV}/update`]: versionAction('update'),
  [`POST ${MV}/transition-stage`]: versionAction('update'),
  [`DELETE ${MV}/delete`]: versionAction('delete'),
  [`GET ${MV}/get-download-uri`]: readVersion(),
  [`GET ${MV}/search`]: { access: 'filter', resource: 'registered_model' },
  [`POST ${MV}/set-tag`]: versionAction('update'),
  // MLflow gates DeleteModelVersionTag on delete, not update.
  [`DELETE ${MV}/delete-tag`]: versionAction('delete'),

  // ---- experiments ----
  [`POST ${EXP}/create`]: { access: 'resource', anchor: 'none', needs: [need('experiment', 'not_denied')], after: 'grant-creator' },
  [`GET ${EXP}/get`]: experiment('read'),
  [`GET ${EXP}/get-by-name`]: experiment('read', 'experiment_name'),
  [`POST ${EXP}/search`]: { access: 'filter', resource: 'experiment' },
  [`GET ${EXP}/search`]: { access: 'filter', resource: 'experiment' },
  [`POST ${EXP}/update`]: experiment('update'),
  [`POST ${EXP}/delete`]: experimentCascade,
  [`POST ${EXP}/restore`]: experimentCascade,
  [`POST ${EXP}/set-experiment-tag`]: experiment('update'),
  [`POST ${EXP}/delete-experiment-tag`]: experiment('update'),

  // ---- runs ----
  [`POST ${RUNS}/create`]: { access: 'resource', anchor: 'experiment_id', needs: [need('experiment', 'update'), need('run', 'not_denied')] },
  [`GET ${RUNS}/get`]: run('read'),
  [`POST ${RUNS}/update`]: run('update'),
  [`POST ${RUNS}/delete`]: run('delete'),
  [`POST ${RUNS}/restore`]: run('delete'),
  [`POST ${RUNS}/log-batch`]: runAndModels('metrics[].model_id'),
  [`POST ${RUNS}/log-metric`]: runAndModels('model_id'),
  [`POST ${RUNS}/log-parameter`]: run('update'),
  [`POST ${RUNS}/set-tag`]: run('update'),
  [`POST ${RUNS}/delete-tag`]: run('update'),
  [`POST ${RUNS}/search`]: { access: 'filter', resource: 'experiment' },
  [`POST ${RUNS}/log-inputs`]: runAndModels('models[].model_id'),
  [`POST ${RUNS}/outputs`]: runAndModels('models[].model_id'),
  [`POST ${RUNS}/log-model`]: run('update'),
  [`GET 2.0/mlflow/metrics/get-history`]: run('read'),
  [`GET 2.0/mlflow/artifacts/list`]: run('read'),

  // ---- logged models ----
  [`POST ${LM}`]: {
    access: 'resource',
    anchor: 'experiment_id',
    needs: [need('experiment', 'update'), need('logged_model', 'not_denied')],
    also: [{ param: 'source_run_id', anchor: 'run_id', needs: [need('experiment', 'read'), need('run', 'read')] }],
  },
  [`POST ${LM}/search`]: { access: 'filter', resource: 'experiment' },
  [`GET ${LM}/{model_id}`]: loggedModel('read'),
  [`PATCH ${LM}/{model_id}`]: loggedModel('update'),
  [`DELETE ${LM}/{model_id}`]: loggedModel('delete'),
  [`PATCH ${LM}/{model_id}/tags`]: loggedModel('update'),
  [`DELETE ${LM}/{model_id}/tags/{tag_key+}`]: loggedModel('delete'),
  [`POST ${LM}/{model_id}/params`]: loggedModel('update'),
  [`GET ${LM}/{model_id}/artifacts/directories`]: loggedModel('read'),

  // ---- webhooks: admins only (auth/__init__.py: WEBHOOK_BEFORE_REQUEST_HANDLERS, sender_is_admin);
  // flowreg's delivery log and opt-in events likewise ----
  [`POST 2.0/mlflow/webhooks`]: ADMIN,
  [`GET 2.0/mlflow/webhooks`]: ADMIN,
  [`GET 2.0/mlflow/webhooks/{webhook_id}`]: ADMIN,
  [`PATCH 2.0/mlflow/webhooks/{webhook_id}`]: ADMIN,
  [`DELETE 2.0/mlflow/webhooks/{webhook_id}`]: ADMIN,
  [`POST 2.0/mlflow/webhooks/{webhook_id}/test`]: ADMIN,
  [`GET flowreg/v1/webhooks/{webhook_id}/deliveries`]: ADMIN,
  [`POST flowreg/v1/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver`]: ADMIN,
  [`GET flowreg/v1/webhooks/{webhook_id}/extra-events`]: ADMIN,
  [`PUT flowreg/v1/webhooks/{webhook_id}/extra-events`]: ADMIN,

  // ---- MLflow's web UI routes (server/__init__.py; auth/__init__.py: BEFORE_REQUEST_VALIDATORS'
  // "Flask routes" and LOGGED_MODEL_BEFORE_REQUEST_VALIDATORS) ----
  // validate_can_read_run_artifact / validate_can_update_run_artifact: the run by run_id or run_uuid.
  'GET /get-artifact': run('read'),
  'HEAD /get-artifact': run('read'),
  [`POST 2.0/mlflow/upload-artifact`]: run('update'),
  // validate_can_read_model_version_artifact: READ on the model, its versions not denied.
  'GET /model-versions/get-artifact': readVersion(),
  'HEAD /model-versions/get-artifact': readVersion(),
  [`GET ${LM}/{model_id}/artifacts/files`]: loggedModel('read'),
  [`HEAD ${LM}/{model_id}/artifacts/files`]: loggedModel('read'),
  // validate_can_read_metric_history_bulk(_interval): READ on every run named.
  [`GET 2.0/mlflow/metrics/get-history-bulk`]: { access: 'resource', anchor: 'run_ids', needs: [need('experiment', 'read'), need('run', 'read')] },
  [`GET 2.0/mlflow/metrics/get-history-bulk-interval`]: {
    access: 'resource',
    anchor: 'run_ids',
    needs: [need('experiment', 'read'), need('run', 'read')],
  },
  // validate_can_search_datasets: READ on every experiment named.
  [`POST ${EXP}/search-datasets`]: { access: 'resource', anchor: 'experiment_ids', needs: [need('experiment', 'read')] },

  // ---- probes: open, as MLflow's /health and /version (auth/__init__.py: is_unprotected_route) ----
  'GET /health': PUBLIC,
  'HEAD /health': PUBLIC,
  'GET /version': PUBLIC,
  'HEAD /version': PUBLIC,

  // ---- server info: public, so a client can learn how the server is configured before login ----
  [`GET 3.0/mlflow/server-info`]: PUBLIC,

  // ---- the web UI: its page and assets, and its sign-in, are open (the page asks for a session) ----
  'GET /': PUBLIC,
  'HEAD /': PUBLIC,
  'GET /static-files/{file+}': PUBLIC,
  'HEAD /static-files/{file+}': PUBLIC,
  [`GET flowreg/v1/session`]: PUBLIC,
  [`POST flowreg/v1/session`]: PUBLIC,
  // Sign-out needs the session (and, with the cookie, its CSRF token), so no other page can sign one out.
  [`DELETE flowreg/v1/session`]: AUTHENTICATED,

  // ---- proxied artifacts (list: `?path=`; the rest: the path after the prefix) ----
  [`GET ${ART}/artifacts`]: artifact('read'),
  [`HEAD ${ART}/artifacts`]: artifact('read'),
  [`GET ${ART}/artifacts/{path+}`]: artifact('read'),
  [`HEAD ${ART}/artifacts/{path+}`]: artifact('read'),
  [`PUT ${ART}/artifacts/{path*}`]: artifact('update'),
  // A delete removes a subtree: MLflow asks for manage.
  [`DELETE ${ART}/artifacts/{path+}`]: artifact('manage'),
  [`POST ${ART}/mpu/create/{path+}`]: artifact('update'),
  [`POST ${ART}/mpu/complete/{path+}`]: artifact('update'),
  [`POST ${ART}/mpu/abort/{path+}`]: artifact('update'),
  [`GET ${ART}/presigned/{path+}`]: artifact('read'),

  // ---- flowreg's native API: a publish creates a version (and the model if it is new) ----
  // A publish to a model that does not exist yet creates it: the guard then applies the create
  // rule below (NATIVE_PUBLISH_NEW_MODEL) and grants the creator MANAGE.
  [`POST ${NATIVE}`]: createVersion('native_name'),
  [`GET ${NATIVE}/{ref}`]: readVersion('native_name'),
  [`HEAD ${NATIVE}/{ref}`]: readVersion('native_name'),
  [`GET ${NATIVE}/{ref}/files`]: readVersion('native_name'),
  [`HEAD ${NATIVE}/{ref}/files`]: readVersion('native_name'),
  [`GET ${NATIVE}/{ref}/files/{path+}`]: readVersion('native_name'),
  [`HEAD ${NATIVE}/{ref}/files/{path+}`]: readVersion('native_name'),
  [`GET ${NATIVE}/{ref}/archive`]: readVersion('native_name'),
  [`HEAD ${NATIVE}/{ref}/archive`]: readVersion('native_name'),

  // ---- users (MLflow 2.x and 3.x clients) ----
  [`POST 2.0/mlflow/users/create`]: WORKSPACE_ADMIN,
  [`GET 2.0/mlflow/users/get`]: SELF_OR_ADMIN,
  [`PATCH 2.0/mlflow/users/update-password`]: SELF_OR_ADMIN,
  [`PATCH 2.0/mlflow/users/update-admin`]: ADMIN,
  [`DELETE 2.0/mlflow/users/delete`]: ADMIN,
  // validate_can_list_users: any member of the workspace; flowreg has one.
  [`GET 2.0/mlflow/users/list`]: AUTHENTICATED,
  [`GET 2.0/mlflow/users/current`]: AUTHENTICATED,
  [`GET 3.0/mlflow/users/current/permissions`]: AUTHENTICATED,

  // ---- a user's grants on one resource (2.x routes; MANAGE on the resource) ----
  [`POST 2.0/mlflow/experiments/permissions/create`]: experiment('manage'),
  [`GET 2.0/mlflow/experiments/permissions/get`]: experiment('manage'),
  [`PATCH 2.0/mlflow/experiments/permissions/update`]: experiment('manage'),
  [`DELETE 2.0/mlflow/experiments/permissions/delete`]: experiment('manage'),
  [`POST 2.0/mlflow/registered-models/permissions/create`]: registeredModel('manage'),
  [`GET 2.0/mlflow/registered-models/permissions/get`]: registeredModel('manage'),
  [`PATCH 2.0/mlflow/registered-models/permissions/update`]: registeredModel('manage'),
  [`DELETE 2.0/mlflow/registered-models/permissions/delete`]: registeredModel('manage'),
  // 3.x: grant/revoke need MANAGE on the target; get is self-or-admin (validate_can_get_user_permission).
  [`POST 3.0/mlflow/users/permissions/grant`]: { access: 'manage-target' },
  [`POST 3.0/mlflow/users/permissions/revoke`]: { access: 'manage-target' },
  [`GET 3.0/mlflow/users/permissions/get`]: SELF_OR_ADMIN,
  [`GET 3.0/mlflow/users/permissions/list`]: SELF_OR_ADMIN,

  // ---- roles (3.x): managing needs a workspace admin; viewing, any holder of a role (validate_can_view_roles) ----
  [`POST 3.0/mlflow/roles/create`]: WORKSPACE_ADMIN,
  [`GET 3.0/mlflow/roles/get`]: ROLE_HOLDER,
  [`GET 3.0/mlflow/roles/list`]: ROLE_HOLDER,
  [`PATCH 3.0/mlflow/roles/update`]: WORKSPACE_ADMIN,
  [`DELETE 3.0/mlflow/roles/delete`]: WORKSPACE_ADMIN,
  [`POST 3.0/mlflow/roles/permissions/add`]: WORKSPACE_ADMIN,
  [`DELETE 3.0/mlflow/roles/permissions/remove`]: WORKSPACE_ADMIN,
  [`GET 3.0/mlflow/roles/permissions/list`]: ROLE_HOLDER,
  [`PATCH 3.0/mlflow/roles/permissions/update`]: WORKSPACE_ADMIN,
  [`POST 3.0/mlflow/roles/assign`]: WORKSPACE_ADMIN,
  [`DELETE 3.0/mlflow/roles/unassign`]: WORKSPACE_ADMIN,
  [`GET 3.0/mlflow/users/roles/list`]: SELF_OR_ADMIN,
  [`GET 3.0/mlflow/roles/users/list`]: WORKSPACE_ADMIN,

  // ---- API tokens (flowreg's own; `username` defaults to the caller) ----
  [`POST flowreg/v1/tokens`]: SELF_OR_ADMIN,
  [`GET flowreg/v1/tokens`]: SELF_OR_ADMIN,
  [`DELETE flowreg/v1/tokens/{token_id}`]: SELF_OR_ADMIN,
  // A user without a password, for CI: created by whoever may create users.
  [`POST flowreg/v1/service-accounts`]: WORKSPACE_ADMIN,

  // ---- governance (flowreg's own): the model is the path's {name} only, or the request's model ----
  // Reading history or a protection needs what reading an alias needs; rollback and a request
  // need what setting the alias (or transitioning the stage) needs; protections and votes need
  // MANAGE. The handler adds four eyes, and MANAGE for an emergency rollback of a protected alias.
  [`GET ${GOV}/aliases/{alias}/history`]: governed('path_name', [need('registered_model', 'read'), need('registered_model_version', 'not_denied')]),
  [`GET ${GOV}/stages/{stage}/history`]: governed('path_name', [need('registered_model', 'read'), need('registered_model_version', 'not_denied')]),
  [`POST ${GOV}/aliases/{alias}/rollback`]: governed('path_name', [need('registered_model', 'update'), need('registered_model_version', 'read')]),
  [`GET ${GOV}/aliases/{alias}/protection`]: governed('path_name', [need('registered_model', 'read')]),
  [`PUT ${GOV}/aliases/{alias}/protection`]: governed('path_name', [need('registered_model', 'manage')]),
  [`DELETE ${GOV}/aliases/{alias}/protection`]: governed('path_name', [need('registered_model', 'manage')]),
  [`GET ${GOV}/stages/{stage}/protection`]: governed('path_name', [need('registered_model', 'read')]),
  [`PUT ${GOV}/stages/{stage}/protection`]: governed('path_name', [need('registered_model', 'manage')]),
  [`DELETE ${GOV}/stages/{stage}/protection`]: governed('path_name', [need('registered_model', 'manage')]),
  [`POST ${GOV}/aliases/{alias}/requests`]: governed('path_name', [need('registered_model', 'update'), need('registered_model_version', 'read')]),
  [`POST ${GOV}/stages/{stage}/requests`]: governed('path_name', [need('registered_model', 'read'), need('registered_model_version', 'update')]),
  // The list keeps only requests about models the caller may read (the handler asks the guard).
  [`GET flowreg/v1/requests`]: AUTHENTICATED,
  [`GET flowreg/v1/requests/{id}`]: governed('approval_request', [need('registered_model', 'read')]),
  [`POST flowreg/v1/requests/{id}/approve`]: governed('approval_request', [need('registered_model', 'manage')]),
  [`POST flowreg/v1/requests/{id}/reject`]: governed('approval_request', [need('registered_model', 'manage')]),
  [`POST flowreg/v1/requests/{id}/apply`]: governed('approval_request', [need('registered_model', 'manage')]),

  // ---- the audit trail (flowreg's own): admins everything; others one model they may read ----
  [`GET flowreg/v1/audit`]: { access: 'model-audit', resourceTypes: MODEL_RESOURCE_TYPES },
};

/** A native publish that creates its model: the registered-models/create check, then the creator's MANAGE. */
export const NATIVE_PUBLISH_NEW_MODEL: RouteRule = ROUTE_PERMISSIONS[`POST ${RM}/create`] as RouteRule;
export const NATIVE_PUBLISH_KEY = `POST ${NATIVE}`;

/** The rule for a route key, or undefined (the edge then refuses: fail closed). */
export function routePermission(key: string): RouteRule | undefined {
  return Object.prototype.hasOwnProperty.call(ROUTE_PERMISSIONS, key) ? ROUTE_PERMISSIONS[key] : undefined;
}
