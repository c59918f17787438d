/**
 * The route index: every route the server answers, registered from one place. A cross-cutting
 * concern (authentication, permissions, audit) belongs in the dispatcher (./dispatch.ts), which
 * every route below passes through.
 */
import type { ArtifactRoots } from '../artifacts/artifact-roots.js';
import type { ArtifactStore } from '../artifacts/artifact-store.js';
import type { AuthServices } from '../auth/auth-services.js';
import type { ResourceLocator } from '../auth/route-guard.js';
import type { ServerConfig } from '../config/config.js';
import type { Logger } from '../logger.js';
import type { ModelVersions } from '../registry/model-versions.js';
import type { RegisteredModels } from '../registry/registered-models.js';
import { rootsArtifactLister } from '../tracking/artifacts.js';
import type { Experiments } from '../tracking/experiments.js';
import type { LoggedModels } from '../tracking/logged-models.js';
import type { Runs } from '../tracking/runs.js';
import type { Webhooks } from '../webhooks/service.js';
import type { Governance } from '../governance/governance.js';
import { protectedMessage } from '../governance/messages.js';
import { MlflowError } from '../protocol/errors.js';
import { FLOWREG_VERSION } from '../version.js';
import { AccessGuard, callerOf, ruleKey } from './access-guard.js';
import { governanceRoutes, OPEN_ACCESS, type GovernanceAccess } from './handlers/governance.js';
import { artifactRoutes, artifactsOnlyMessage } from './artifacts.js';
import type { GuardedRouteTable } from './dispatch.js';
import { auditRoutes, type AuditDeps } from './handlers/audit.js';
import { roleRoutes } from './handlers/auth-roles.js';
import { tokenRoutes } from './handlers/auth-tokens.js';
import { userRoutes } from './handlers/auth-users.js';
import { experimentRoutes } from './handlers/experiments.js';
import { loggedModelRoutes } from './handlers/logged-models.js';
import { modelVersionRoutes } from './handlers/model-versions.js';
import { registeredModelRoutes } from './handlers/registered-models.js';
import { runRoutes } from './handlers/runs.js';
import { serverInfoRoutes } from './handlers/server-info.js';
import { webhookRoutes } from './handlers/webhooks.js';
import { sessionRoutes } from './handlers/session.js';
import { defaultUiDir, uiRoutes as webUiRoutes } from './ui.js';
import { nativeRoutes } from './native/index.js';
import { RouteTable, type RouteDef, type StreamRouteDef } from './router.js';
import { uiRoutes } from './ui-routes.js';

/** The server options the routes depend on. */
export type RouteOptions = Pick<ServerConfig, 'staticPrefix' | 'serveArtifacts' | 'artifactsOnly' | 'maxPublishBytes'>;

/** What the routes are built from: services, the artifact store, the logger and the options. */
export interface RouteDeps {
  readonly registeredModels: RegisteredModels;
  readonly modelVersions: ModelVersions;
  readonly experiments: Experiments;
  readonly runs: Runs;
  readonly loggedModels: LoggedModels;
  /** Protections, approval requests, history and rollback of aliases and stages. */
  readonly governance: Governance;
  /** The `--artifacts-destination` store (the proxy's; run and logged-model artifacts live here). */
  readonly artifacts: ArtifactStore;
  /**
   * Which store serves an artifact root (a run's, a logged model's, a version's), proxied or not,
   * and which roots are refused (artifacts/artifact-roots.ts).
   */
  readonly roots: ArtifactRoots;
  readonly logger: Logger;
  readonly options: RouteOptions;
  /** The audit trail to read, and how changes without a database write of their own (artifacts, a native publish) are journalled. */
  readonly audit: AuditDeps;
  /**
   * Set when authentication is on (`--app-name basic-auth`): every route then passes the access
   * guard in the dispatcher, and the user, role, permission and token routes are served.
   */
  readonly auth?: AuthServices;
  /** MLflow's webhook API and flowreg's delivery log (absent: those routes are not served). */
  readonly webhooks?: Webhooks;
}

/**
 * `/health` and `/version`, plain text as MLflow's Flask app answers them (server/__init__.py);
 * a trailing `/` too, as Express answered them before the route table had them.
 */
function probeRoutes(): StreamRouteDef[] {
  const text = (path: string, body: string): StreamRouteDef => ({
    kind: 'stream',
    method: ['GET', 'HEAD'],
    paths: [path, `${path}/`],
    handler: async ({ req, res }) => {
      req.resume();
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
      res.end(body);
    },
  });
  return [text('/health', 'OK'), text('/version', FLOWREG_VERSION)];
}

/**
 * `--artifacts-only`: the tracking and registry RPCs answer 503; server-info stays on, as in
 * MLflow (handlers.py: _disable_if_artifacts_only). Governance is part of the registry: off too.
 */
function offWhenArtifactsOnly(routes: readonly RouteDef[], artifactsOnly: boolean): readonly RouteDef[] {
  if (!artifactsOnly) return routes;
  const registryOrTracking = (r: RouteDef) =>
    (r.path.startsWith('/mlflow/') && r.path !== '/mlflow/server-info') || (r.version === 'flowreg/v1' && /^\/(models|requests)\b/.test(r.path));
  return routes.map((r) => (registryOrTracking(r) ? { ...r, disabled: artifactsOnlyMessage } : r));
}

/** How the guard finds what a request's resource belongs to; a missing resource is undefined (then denied). */
function locatorOf(deps: RouteDeps): ResourceLocator {
  const orUndefined = async <T>(get: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await get();
    } catch {
      return undefined;
    }
  };
  return {
    experimentOfRun: async (id) => (await orUndefined(() => deps.runs.info(id)))?.experimentId.toString(),
    experimentOfLoggedModel: async (id) => (await orUndefined(() => deps.loggedModels.find(id)))?.experimentId.toString(),
    experimentIdByName: async (name) => (await orUndefined(() => deps.experiments.getByName(name)))?.id.toString(),
    modelOfApprovalRequest: (id) => orUndefined(() => deps.governance.modelOfRequest(id)),
  };
}

function accessGuard(deps: RouteDeps, auth: AuthServices): AccessGuard {
  const exists = async (name: string) => {
    try {
      await deps.registeredModels.get(name);
      return true;
    } catch {
      return false;
    }
  };
  return new AccessGuard(auth, locatorOf(deps), exists);
}

/** `extraRoutes`: more JSON RPCs, for tests that probe the dispatcher itself. */
/** Governance asks the access guard about MANAGE and READ on a model; with authentication off, everything is allowed. */
function governanceAccess(guard: AccessGuard | undefined): GovernanceAccess {
  if (!guard) return OPEN_ACCESS;
  return {
    mayManage: (res, model) => guard.mayOnModel(callerOf(res), model, 'manage'),
    mayRead: (res, model) => guard.mayOnModel(callerOf(res), model, 'read'),
  };
}

/** A native publish naming a protected alias is refused before any byte is stored. */
function aliasCheck(governance: Governance): (model: string, aliases: readonly string[]) => Promise<void> {
  return async (model, aliases) => {
    const refused = aliases.length === 0 ? [] : await governance.protectedAliases(model, aliases);
    if (refused.length > 0) throw new MlflowError('PERMISSION_DENIED', protectedMessage(model, 'alias', refused[0] as string));
  };
}

export function buildRoutes(deps: RouteDeps, extraRoutes: readonly RouteDef[] = []): GuardedRouteTable {
  const { options, artifacts: store, logger } = deps;
  // Every root the server may read is listed, with or without --serve-artifacts (MLflow lists
  // other roots through their own artifact repository).
  const lister = rootsArtifactLister(deps.roots);
  const ui = uiRoutes({
    runs: deps.runs,
    loggedModels: deps.loggedModels,
    modelVersions: deps.modelVersions,
    roots: deps.roots,
    staticPrefix: options.staticPrefix,
    artifactsOnly: options.artifactsOnly,
    logger,
    destination: store,
    record: deps.audit.record,
  });
  const guard = deps.auth ? accessGuard(deps, deps.auth) : undefined;
  const rpcs: RouteDef[] = [
    ...registeredModelRoutes(deps.registeredModels, deps.modelVersions),
    ...modelVersionRoutes(deps.modelVersions),
    ...serverInfoRoutes(),
    ...experimentRoutes(deps.experiments),
    ...runRoutes(deps.runs, lister),
    ...loggedModelRoutes(deps.loggedModels, lister),
    ...(deps.webhooks ? webhookRoutes(deps.webhooks) : []),
    ...governanceRoutes(deps.governance, governanceAccess(guard)),
    ...auditRoutes(deps.audit),
    ...ui.rpcs,
    ...extraRoutes,
  ];
  const table = new RouteTable()
    .add(probeRoutes())
    .add(nativeRoutes({ ...deps, ...options, store, now: Date.now, checkAliases: aliasCheck(deps.governance) }))
    .add(artifactRoutes({ store, serveArtifacts: options.serveArtifacts, staticPrefix: options.staticPrefix, logger, record: deps.audit.record }))
    .add(ui.streams)
    .add(offWhenArtifactsOnly(rpcs, options.artifactsOnly))
    // The web UI (ui.ts) and its sign-in (handlers/session.ts).
    .add(webUiRoutes(defaultUiDir(), options.staticPrefix))
    .add(sessionRoutes(deps.auth, options.staticPrefix));
  if (!deps.auth || !guard) return table;
  table.add([...userRoutes(deps.auth), ...roleRoutes(deps.auth), ...tokenRoutes(deps.auth)]);
  return Object.assign(table, { guard });
}

/** Every route's access-rule key, for the test that every route has a rule. */
export function routeKeys(deps: RouteDeps): string[] {
  return [...new Set(buildRoutes(deps).keys().map((k) => ruleKey(k.slice(0, k.indexOf(' ')), k.slice(k.indexOf(' ') + 1))))];
}
