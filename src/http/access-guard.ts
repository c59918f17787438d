/**
 * What the dispatcher (./dispatch.ts) asks when authentication is on: who is calling, which rule
 * the route has, what the request names, may the caller make it, and what follows a success.
 * MLflow does the same in its Flask before/after-request hooks (mlflow/server/auth/__init__.py:
 * _before_request, _after_request); here every route of the one route table passes through it.
 */
import type { Request, Response } from 'express';
import type { AuthServices } from '../auth/auth-services.js';
import { parseAuthorization, type Credentials, type Principal } from '../auth/authenticator.js';
import { cookieValue, CSRF_HEADER, SESSION_COOKIE } from '../auth/sessions.js';
import type { UserGrantType } from '../store/auth-store.js';
import { mayCall, type RequestFacts, type ResourceLocator } from '../auth/route-guard.js';
import { NATIVE_PUBLISH_KEY, NATIVE_PUBLISH_NEW_MODEL, routePermission } from '../auth/route-permissions.js';
import type { RouteRule } from '../auth/route-rules.js';
import { safeArtifactPath } from '../artifacts/safe-path.js';
import { MlflowError } from '../protocol/errors.js';
import type { RequestMessage } from '../protocol/request-message.js';
import type { PathParams, Route } from './router.js';

/**
 * MLflow's 401 (auth/__init__.py: make_basic_auth_response): its text and its challenge header,
 * so that a browser asks for credentials. MLflow sends the text as a plain body; flowreg sends it
 * as the message of MLflow's JSON error shape, like every other error.
 */
export const NOT_AUTHENTICATED =
  'You are not authenticated. Please see https://www.mlflow.org/docs/latest/auth/index.html#authenticating-to-mlflow on how to authenticate.';
export const CHALLENGE = { 'WWW-Authenticate': 'Basic realm="mlflow"' } as const;

export function notAuthenticated(): MlflowError {
  return new MlflowError('UNAUTHENTICATED', NOT_AUTHENTICATED, { headers: CHALLENGE });
}

export function permissionDenied(): MlflowError {
  return new MlflowError('PERMISSION_DENIED', 'Permission denied');
}

/** `METHOD <path after /api/>`, the key of the permission table; a trailing `/` twin shares its route's key. */
export function ruleKey(method: string, template: string): string {
  const path = template.replace(/^\/(?:ajax-)?api\//, '').replace(/(.)\/$/, '$1');
  return `${method} ${path}`;
}

/** The facts of a JSON RPC: its message (query string or body, as MLflow's _get_request_param), then the path. */
export function messageFacts(message: RequestMessage, pathParams: PathParams): RequestFacts {
  const text = (v: unknown) => (typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'bigint' ? String(v) : undefined);
  return {
    pathParam: (name) => pathParams[name],
    param: (name) => text(message.scalar(name)) ?? pathParams[name],
    params: (path) => {
      const [list, field] = path.split('[].') as [string, string | undefined];
      const items = message.raw[list];
      if (field === undefined) {
        // A repeated scalar field (`run_ids`, `experiment_ids`): a JSON list or repeated query keys.
        const values = Array.isArray(items) ? items : [items];
        return values.flatMap((v) => {
          const t = text(v);
          return t === undefined ? [] : [t];
        });
      }
      if (!Array.isArray(items)) return [];
      return items.flatMap((item) => {
        const v = text((item as Record<string, unknown> | null)?.[field]);
        return v === undefined ? [] : [v];
      });
    },
  };
}

/** The facts of a streamed route: the query string, then the path; an artifact route's path through the path gate. */
export function streamFacts(req: Request, pathParams: PathParams, key: string): RequestFacts {
  const query = (name: string) => {
    const v = req.query[name];
    const first = Array.isArray(v) ? v[0] : v;
    return typeof first === 'string' ? first : undefined;
  };
  const param = (name: string) => query(name) ?? pathParams[name];
  const pathParam = (name: string) => pathParams[name];
  if (!key.includes(' 2.0/mlflow-artifacts/')) return { param, params: () => [], pathParam };
  // The same canonical path the handler acts on (artifact-paths.ts), so that an encoded segment
  // cannot name one experiment to the check and another to the handler.
  const raw = pathParams.path ?? query('path') ?? '';
  return { param, params: () => [], pathParam, artifactPath: safeArtifactPath(raw) };
}

/** What the dispatcher still has to do for an allowed request. */
export interface Decision {
  readonly rule: RouteRule;
  readonly key: string;
}

export class AccessGuard {
  /** Rules by `METHOD template`, resolved once per route. */
  private readonly rules = new Map<string, { key: string; rule: RouteRule | undefined }>();

  constructor(
    readonly auth: AuthServices,
    private readonly locator: ResourceLocator,
    private readonly registeredModelExists: (name: string) => Promise<boolean>,
  ) {}

  ruleOf(method: string, route: Route): { key: string; rule: RouteRule | undefined } {
    const cacheKey = `${method} ${route.template}`;
    let found = this.rules.get(cacheKey);
    if (!found) {
      const key = ruleKey(method, route.template);
      found = { key, rule: routePermission(key) };
      this.rules.set(cacheKey, found);
    }
    return found;
  }

  /**
   * The caller, or a 401 for missing, malformed or wrong credentials. An `Authorization` header
   * wins; without one, the web UI's session cookie (auth/sessions.ts) is the credential, with its
   * CSRF token for a state-changing method. A refused cookie gets no Basic challenge, so that the
   * browser shows the UI's sign-in page rather than its own dialog.
   */
  async authenticate(req: Request): Promise<Principal> {
    const header = req.headers.authorization;
    const secret = header === undefined ? cookieValue(req.headers.cookie, SESSION_COOKIE) : undefined;
    const csrf = req.headers[CSRF_HEADER];
    const credentials: Credentials | undefined =
      secret !== undefined
        ? { scheme: 'session', secret, method: req.method, csrfToken: typeof csrf === 'string' ? csrf : undefined }
        : parseAuthorization(header);
    const principal = credentials && (await this.auth.authenticator.authenticate(credentials));
    if (!principal) throw secret !== undefined ? new MlflowError('UNAUTHENTICATED', NOT_AUTHENTICATED) : notAuthenticated();
    return principal;
  }

  /** The rule the request is judged by, or a 403. */
  async authorize(principal: Principal, key: string, rule: RouteRule | undefined, facts: RequestFacts): Promise<Decision> {
    let applied = rule;
    if (key === NATIVE_PUBLISH_KEY) {
      // A publish to a model that does not exist creates it: judged as registered-models/create,
      // and the creator's MANAGE follows.
      const name = facts.param('name');
      if (name !== undefined && !(await this.registeredModelExists(name))) applied = NATIVE_PUBLISH_NEW_MODEL;
    }
    if (!applied || !(await mayCall(this.auth.access, principal, applied, facts, this.locator))) throw permissionDenied();
    return { rule: applied, key };
  }

  /**
   * Whether the caller holds `action` on a registered model, judged by the same rule machinery as
   * every route (governance asks it for an emergency rollback, and to keep a request list to the
   * models the caller may read).
   */
  async mayOnModel(principal: Principal, name: string, action: 'read' | 'manage'): Promise<boolean> {
    const rule: RouteRule = { access: 'resource', anchor: 'name', needs: [{ tier: 'registered_model', action }] };
    const facts: RequestFacts = { param: (n) => (n === 'name' ? name : undefined), params: () => [] };
    return mayCall(this.auth.access, principal, rule, facts, this.locator);
  }

  /** The grant upkeep after a success (auth/__init__.py: AFTER_REQUEST_PATH_HANDLERS). */
  async after(principal: Principal, decision: Decision, facts: RequestFacts, body: object | undefined): Promise<void> {
    const { rule } = decision;
    if (rule.access !== 'resource' || !rule.after) return;
    const type: UserGrantType = rule.needs[0]?.tier === 'experiment' ? 'experiment' : 'registered_model';
    const grants = this.auth.grants;
    const name = facts.param('name');
    switch (rule.after) {
      case 'grant-creator': {
        const id = type === 'experiment' ? (body as { experiment_id?: unknown } | undefined)?.experiment_id : name;
        if (typeof id === 'string' || typeof id === 'number') await grants.grantCreator(principal, type, String(id));
        return;
      }
      case 'rename-grants': {
        const to = facts.param('new_name');
        if (name !== undefined && to !== undefined) await grants.renamed(type, name, to);
        return;
      }
      case 'delete-grants':
        if (name !== undefined) await grants.deleted(type, name);
        return;
    }
  }
}

/** The authenticated caller of a request, set by the dispatcher before an auth handler runs. */
export function callerOf(res: Response): Principal {
  const principal = res.locals.principal as Principal | undefined;
  if (!principal) throw notAuthenticated();
  return principal;
}
