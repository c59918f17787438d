/**
 * The route table for MLflow's JSON APIs. Each RPC is registered once, by its API version and path
 * (e.g. `2.0`, `/mlflow/registered-models/create`), and answered under both `/api/<v>` and
 * `/ajax-api/<v>` (mlflow/server/handlers.py: _get_paths), behind the optional static prefix.
 * Exact paths are a map lookup, so the cost per request does not grow with the number of routes.
 */
import type { Request, Response } from 'express';
import type { RequestMessage } from '../protocol/request.js';

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT';

export interface JsonContext {
  readonly req: Request;
  readonly res: Response;
  /** Values captured by `{name}` segments of the route path, URL-decoded. */
  readonly pathParams: Readonly<Record<string, string>>;
  /** Reads the MLflow request message (query string or JSON body). */
  message(): Promise<RequestMessage>;
}

/** Returns the JSON response body; `{}` for empty success (never 204: clients reject it). */
export type JsonHandler = (ctx: JsonContext) => Promise<object> | object;

export interface RouteDef {
  readonly method: HttpMethod | readonly HttpMethod[];
  readonly version: '2.0' | '3.0';
  /** Path after `/api/<version>`; `{name}` captures one segment, `{name+}` the rest. */
  readonly path: string;
  readonly handler: JsonHandler;
}

interface PatternRoute {
  readonly method: HttpMethod;
  readonly regex: RegExp;
  readonly names: readonly string[];
  readonly handler: JsonHandler;
}

export interface RouteMatch {
  readonly handler: JsonHandler;
  readonly pathParams: Readonly<Record<string, string>>;
}

export type LookupResult = RouteMatch | { readonly methodNotAllowed: true } | undefined;

export class RouteTable {
  private readonly exact = new Map<string, JsonHandler>();
  private readonly exactPaths = new Set<string>();
  private readonly patterns: PatternRoute[] = [];

  add(routes: readonly RouteDef[]): this {
    for (const route of routes) {
      const methods = Array.isArray(route.method) ? route.method : [route.method as HttpMethod];
      const key = `${route.version}${route.path}`;
      for (const method of methods) {
        if (!route.path.includes('{')) {
          this.exact.set(`${method} ${key}`, route.handler);
          this.exactPaths.add(key);
          continue;
        }
        const names: string[] = [];
        const source = key
          .split('/')
          .map((segment) => {
            const m = /^\{(\w+)(\+?)\}$/.exec(segment);
            if (!m) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
            names.push(m[1] as string);
            return m[2] ? '(.+)' : '([^/]+)';
          })
          .join('/');
        this.patterns.push({ method, regex: new RegExp(`^${source}$`), names, handler: route.handler });
      }
    }
    return this;
  }

  /** `key` is `<version><path>`, e.g. `2.0/mlflow/registered-models/get`. */
  lookup(method: string, key: string): LookupResult {
    const handler = this.exact.get(`${method} ${key}`);
    if (handler) return { handler, pathParams: {} };
    let pathExists = this.exactPaths.has(key);
    for (const p of this.patterns) {
      const m = p.regex.exec(key);
      if (!m) continue;
      pathExists = true;
      if (p.method !== method) continue;
      const pathParams: Record<string, string> = {};
      p.names.forEach((name, i) => {
        pathParams[name] = safeDecode(m[i + 1] as string);
      });
      return { handler: p.handler, pathParams };
    }
    return pathExists ? { methodNotAllowed: true } : undefined;
  }
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
