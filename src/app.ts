/**
 * createApp: the Express application around injected dependencies. No globals and nothing read
 * from the environment here, so tests build an app around a temporary database in milliseconds.
 *
 * Express only parses the URL and the query string; every request under the static prefix goes to
 * the one dispatcher (http/dispatch.ts), which finds its route in the one route table
 * (http/routes.ts).
 */
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { defaultSecuritySettings, type SecuritySettings } from './config/security.js';
import type { Deps } from './deps.js';
import { createEdge } from './http/edge.js';
import { Dispatcher } from './http/dispatch.js';
import { buildRoutes } from './http/routes.js';
import type { RouteDef } from './http/router.js';
import { MlflowError } from './protocol/errors.js';

/**
 * `extraRoutes`: more JSON RPCs, for tests that probe the dispatcher itself. `security`: the edge
 * every request passes first (http/edge.ts); `flowreg server`'s defaults unless given.
 */
export function createApp(deps: Deps, extraRoutes: readonly RouteDef[] = [], security: SecuritySettings = defaultSecuritySettings()): Express {
  const dispatcher = new Dispatcher(buildRoutes(deps, extraRoutes), deps.logger);

  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  // Node's querystring: repeated keys become arrays, no nested-object syntax.
  app.set('query parser', 'simple');

  app.use(createEdge(security, deps.options.staticPrefix));
  app.use(deps.options.staticPrefix || '/', dispatcher.handle);
  app.use((req: Request, res: Response) => {
    dispatcher.fail(req, res, new MlflowError('ENDPOINT_NOT_FOUND', `No endpoint ${req.method} ${req.path}`));
  });
  // Requests Express itself refuses (e.g. a malformed URL): a 4xx of theirs is the client's mistake.
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const status = (err as { status?: number }).status;
    const clientMistake = status !== undefined && status >= 400 && status < 500;
    dispatcher.fail(req, res, clientMistake ? new MlflowError('BAD_REQUEST', (err as Error).message, { httpStatus: status, cause: err }) : err);
  });
  return app;
}
