/**
 * The one route table. Every route the server answers is registered here (http/routes.ts does it):
 * MLflow's JSON RPCs, registered once by API version and path (e.g. `2.0`,
 * `/mlflow/registered-models/create`) and answered under both `/api/<v>` and `/ajax-api/<v>`
 * (mlflow/server/handlers.py: _get_paths), and the routes that stream their bodies themselves
 * (artifacts, the native API, /health). Paths are matched after the static prefix.
 *
 * Exact paths are a map lookup, so the cost per request does not grow with the number of routes;
 * only paths with `{…}` segments are tried one by one.
 */
import type { Request, Response } from 'express';
import { invalidParameter } from '../protocol/errors.js';
import type { RequestMessage } from '../protocol/request-message.js';

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PATCH' | 'DELETE' | 'PUT';

export type PathParams = Readonly<Record<string, string>>;

export interface JsonContext {
  readonly req: Request;
  readonly res: Response;
  /** Values captured by `{name}` segments of the route path, URL-decoded. */
  readonly pathParams: PathParams;
  /** Reads the MLflow request message (query string or JSON body). */
  message(): Promise<RequestMessage>;
}

/** Returns the JSON response body; `{}` for empty success (never 204: clients reject it). */
export type JsonHandler = (ctx: JsonContext) => Promise<object> | object;

export interface StreamContext {
  readonly req: Request;
  readonly res: Response;
  readonly pathParams: PathParams;
  /**
   * A handler whose success changed state calls this before it answers, so that what follows a
   * success (the creator's MANAGE grant) is in place before the client can see the answer and
   * send its next request. Absent when nothing follows (authentication off).
   */
  readonly succeeded?: () => Promise<void>;
}

/** Writes the whole response itself (or throws before writing anything). */
export type StreamHandler = (ctx: StreamContext) => Promise<void>;

interface RouteOptions {
  /**
   * Set when the server's mode turns the route off: the text of its 503, given the request path
   * with the static prefix (handlers.py: _disable_if_artifacts_only, _disable_unless_serve_artifacts).
   */
  readonly disabled?: (path: string) => string;
}

/** An MLflow JSON RPC. */
export interface RouteDef extends RouteOptions {
  readonly kind?: 'json';
  readonly method: HttpMethod | readonly HttpMethod[];
  readonly version: '2.0' | '3.0' | 'flowreg/v1';
  /** Path after `/api/<version>`; `{name}` captures one segment. */
  readonly path: string;
  /** Where it is served; both `/api` and `/ajax-api` unless MLflow serves it under one only (its UI's routes). */
  readonly apis?: readonly ('/api' | '/ajax-api')[];
  readonly handler: JsonHandler;
}

/** A route that reads and writes bodies as streams. */
export interface StreamRouteDef extends RouteOptions {
  readonly kind: 'stream';
  readonly method: HttpMethod | readonly HttpMethod[];
  /**
   * Whole paths (after the static prefix). `{name}` captures one segment, URL-decoded. `{name+}`
   * captures the non-empty rest and `{name*}` the rest or nothing, both still encoded: such a tail
   * is a file path, decoded only by the path gate (artifacts/safe-path.ts).
   */
  readonly paths: readonly string[];
  readonly handler: StreamHandler;
  /** How the error for a bad %-escape names a parameter (`model name`); its name otherwise. */
  readonly paramLabels?: Readonly<Record<string, string>>;
}

export type Route = (
  | { readonly kind: 'json'; readonly handler: JsonHandler }
  | { readonly kind: 'stream'; readonly handler: StreamHandler }
) &
  RouteOptions & {
    readonly params: readonly { readonly name: string; readonly label: string; readonly encoded: boolean }[];
    /** The path as registered (`/api/2.0/mlflow/runs/get`, `/api/flowreg/v1/models/{name}/versions`): what access rules are keyed by. */
    readonly template: string;
  };

export interface RouteMatch {
  readonly route: Route;
  /** The captured segments, still encoded, in the order of `route.params`. */
  readonly captures: readonly string[];
}

export type LookupResult = RouteMatch | { readonly methodNotAllowed: true } | undefined;

interface PatternRoute {
  readonly method: string;
  readonly regex: RegExp;
  readonly match: Omit<RouteMatch, 'captures'>;
}

const NO_CAPTURES: readonly string[] = Object.freeze([]);
const NO_PARAMS: PathParams = Object.freeze({});

export class RouteTable {
  private readonly exact = new Map<string, RouteMatch>();
  /** Paths of JSON RPCs: a wrong method on them is "does not accept", as MLflow's Flask answers. */
  private readonly jsonPaths = new Set<string>();
  private readonly patterns: PatternRoute[] = [];

  add(routes: readonly (RouteDef | StreamRouteDef)[]): this {
    for (const def of routes) {
      const methods: readonly HttpMethod[] = typeof def.method === 'string' ? [def.method] : def.method;
      if (def.kind === 'stream') {
        for (const path of def.paths) this.register(methods, path, { kind: 'stream', handler: def.handler }, def, def.paramLabels);
      } else {
        for (const api of def.apis ?? ['/api', '/ajax-api']) {
          this.register(methods, `${api}/${def.version}${def.path}`, { kind: 'json', handler: def.handler }, def, undefined);
        }
      }
    }
    return this;
  }

  private register(
    methods: readonly HttpMethod[],
    path: string,
    target: Pick<Route, 'kind' | 'handler'>,
    options: RouteOptions,
    labels: Readonly<Record<string, string>> | undefined,
  ): void {
    const params: { name: string; label: string; encoded: boolean }[] = [];
    const source = path
      .split('/')
      .map((segment) => {
        const m = /^\{(\w+)([+*]?)\}$/.exec(segment);
        if (!m) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        const name = m[1] as string;
        params.push({ name, label: labels?.[name] ?? name, encoded: m[2] !== '' });
        return m[2] === '+' ? '(.+)' : m[2] === '*' ? '(.*)' : '([^/]+)';
      })
      .join('/');
    const route = { ...target, ...(options.disabled ? { disabled: options.disabled } : {}), params, template: path } as Route;
    if (route.kind === 'json' && params.length === 0) this.jsonPaths.add(path);
    for (const method of methods) {
      if (params.length === 0) this.exact.set(`${method} ${path}`, { route, captures: NO_CAPTURES });
      else this.patterns.push({ method, regex: new RegExp(`^${source}$`), match: { route } });
    }
  }

  /** `METHOD template` of every registered route (for the test that each has an access rule). */
  keys(): string[] {
    return [...this.exact.keys(), ...this.patterns.map((p) => `${p.method} ${p.match.route.template}`)];
  }

  lookup(method: string, path: string): LookupResult {
    const found = this.exact.get(`${method} ${path}`);
    if (found) return found;
    let jsonPath = this.jsonPaths.has(path);
    for (const p of this.patterns) {
      const m = p.regex.exec(path);
      if (!m) continue;
      if (p.match.route.kind === 'json') jsonPath = true;
      if (p.method !== method) continue;
      return { route: p.match.route, captures: m.slice(1) as string[] };
    }
    if (jsonPath) return { methodNotAllowed: true };
    // Werkzeug merges repeated slashes (Map(merge_slashes=True)): MLflow's UI and tests reach
    // `//model-versions/get-artifact`. Only a miss pays for this.
    if (path.includes('//')) {
      const merged = path.replace(/\/{2,}/g, '/');
      if (merged !== path) return this.lookup(method, merged);
    }
    return undefined;
  }
}

/**
 * The path parameters of a match: the one place they are decoded. A bad %-escape in a decoded
 * segment is the client's mistake, so a 400 names it (flowreg's native API has always said so;
 * MLflow's RPCs take no path parameters).
 */
export function pathParamsOf(match: RouteMatch): PathParams {
  const { params } = match.route;
  if (params.length === 0) return NO_PARAMS;
  const out: Record<string, string> = {};
  params.forEach((p, i) => {
    const raw = match.captures[i] ?? '';
    if (p.encoded) {
      out[p.name] = raw;
      return;
    }
    let decoded: string;
    try {
      decoded = decodeURIComponent(raw);
    } catch {
      throw invalidParameter(`Invalid ${p.label} in the URL: bad percent-encoding`);
    }
    // As in every body and query field (protocol/request-message.ts): PostgreSQL cannot hold a NUL.
    if (decoded.includes('\u0000')) throw invalidParameter(`Invalid ${p.label} in the URL: it contains a NUL character`);
    out[p.name] = decoded;
  });
  return out;
}
