/**
 * createApp: the Express application around injected dependencies. No globals and nothing read
 * from the environment here, so tests build an app around a temporary database in milliseconds.
 */
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { MlflowError } from './protocol/errors.js';
import { readRequestMessage, type RequestMessage } from './protocol/request.js';
import type { Deps } from './deps.js';
import { RouteTable } from './http/router.js';
import { sendError, sendJson } from './http/respond.js';
import { consoleLogger } from './logger.js';
import { artifactsOnlyMessage, sendDisabled } from './http/artifacts.js';
import { registeredModelRoutes } from './http/handlers/registered-models.js';
import { modelVersionRoutes } from './http/handlers/model-versions.js';
import { serverInfoRoutes } from './http/handlers/server-info.js';
import { FLOWREG_VERSION } from './version.js';

/** `/api/2.0/mlflow/…` and `/ajax-api/2.0/mlflow/…` (mlflow/server/handlers.py: _get_paths). */
const API_PATH = /^\/(?:api|ajax-api)\/(\d\.0)(\/.*)$/;

export function createApp(deps: Deps): Express {
  const log = deps.logger ?? consoleLogger();
  const prefix = deps.staticPrefix ?? '';
  const routes = new RouteTable()
    .add(registeredModelRoutes(deps.registeredModels, deps.modelVersions))
    .add(modelVersionRoutes(deps.modelVersions))
    .add(serverInfoRoutes())
    .add(deps.extraRoutes ?? []);

  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  // Node's querystring: repeated keys become arrays, no nested-object syntax.
  app.set('query parser', 'simple');

  const router = express.Router();
  router.get('/health', (_req, res) => {
    res.type('text/html').send('OK');
  });
  router.get('/version', (_req, res) => {
    res.type('text/html').send(FLOWREG_VERSION);
  });
  for (const mount of deps.streamRoutes ?? []) mount(router);

  router.use(async (req: Request, res: Response) => {
    const m = API_PATH.exec(req.path);
    const found = m ? routes.lookup(req.method, `${m[1]}${m[2]}`) : undefined;
    if (!found) {
      req.resume();
      sendJson(res, 404, new MlflowError('ENDPOINT_NOT_FOUND', `No API endpoint ${req.method} ${req.path}`).toJSON());
      return;
    }
    if ('methodNotAllowed' in found) {
      req.resume();
      sendJson(res, 404, new MlflowError('ENDPOINT_NOT_FOUND', `${req.path} does not accept ${req.method}`).toJSON());
      return;
    }
    // --artifacts-only: tracking and registry RPCs are off; server-info is not (MLflow leaves it on).
    if (deps.artifactsOnly && m?.[2]?.startsWith('/mlflow/') && m[2] !== '/mlflow/server-info') {
      sendDisabled(req, res, artifactsOnlyMessage(`${prefix}${req.path}`));
      return;
    }
    let message: Promise<RequestMessage> | undefined;
    try {
      const body = await found.handler({
        req,
        res,
        pathParams: found.pathParams,
        message: () => (message ??= readRequestMessage(req, req.query as Record<string, unknown>)),
      });
      if (!res.headersSent) sendJson(res, 200, body);
    } catch (err) {
      sendError(res, err, log);
    }
  });

  app.use(prefix || '/', router);
  app.use((req: Request, res: Response) => {
    req.resume();
    sendJson(res, 404, new MlflowError('ENDPOINT_NOT_FOUND', `No endpoint ${req.method} ${req.path}`).toJSON());
  });
  // Errors thrown by stream routes or Express itself (e.g. a malformed URL).
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const status = (err as { status?: number }).status;
    if (status && status >= 400 && status < 500) {
      sendJson(res, status, new MlflowError('BAD_REQUEST', (err as Error).message).toJSON());
      return;
    }
    sendError(res, err, log);
  });
  return app;
}
