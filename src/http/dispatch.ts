/**
 * The request's one path: look the route up, answer 503 if the server's mode turns it off, decode
 * the path parameters, run the handler, write any failure through the error writer, and log one
 * line for the request at a level chosen by its status (mlflow-go's ErrorHandler in
 * pkg/server/server.go: 400 info, 404 debug, 503 warn, other 5xx error; successes debug).
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Request, Response } from 'express';
import { runAs, type Actor } from '../domain/request-context.js';
import { MlflowError } from '../protocol/errors.js';
import { readRequestMessage } from '../protocol/request.js';
import { type RequestMessage } from '../protocol/request-message.js';
import { logs, type Logger, type LogLevel } from '../logger.js';
import { errorDetail, toMlflowError, writeDisabled, writeError } from './error-writer.js';
import { sendJson } from './json.js';
import { AccessGuard, messageFacts, streamFacts } from './access-guard.js';
import { pathParamsOf, type LookupResult, type RouteTable } from './router.js';
import { filteredSearch } from './search-filter.js';

/** After answering an error early, at most this much more of the body is read (and discarded) before the connection is closed. */
const DRAIN_LIMIT = 64 * 1024 * 1024;

/** A short id that ties a request's log line to the INTERNAL_ERROR message its client saw. */
function newRequestId(): string {
  return randomUUID().slice(0, 8);
}

/**
 * A client that went away: an upload cut short, or a download closed early. The latter includes a
 * client closing right after the last byte, which `pipeline` reports as ERR_STREAM_PREMATURE_CLOSE
 * though everything arrived. Nothing to report to anyone.
 */
function clientGone(err: unknown, req: IncomingMessage): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ERR_STREAM_PREMATURE_CLOSE' || code === 'ECONNRESET' || code === 'EPIPE') return true;
  return req.destroyed && !req.complete;
}

function levelOf(status: number): LogLevel {
  if (status < 400 || status === 404) return 'debug';
  if (status < 500) return 'info';
  return status === 503 ? 'warn' : 'error';
}

/**
 * Answers `e`, then reads what is left of an unread request body, up to DRAIN_LIMIT, so that the
 * client gets to read the answer; beyond that the connection is closed.
 */
function answer(req: IncomingMessage, res: Response, e: MlflowError): number {
  if (!req.complete && !res.headersSent) res.setHeader('Connection', 'close');
  const status = writeError(res, e);
  if (req.readableEnded || req.destroyed) return status;
  let drained = 0;
  req.on('data', (chunk: Buffer) => {
    drained += chunk.length;
    if (drained > DRAIN_LIMIT) req.destroy();
  });
  req.resume();
  return status;
}

/** The route table, and the access guard when authentication is on (http/routes.ts builds both). */
export type GuardedRouteTable = RouteTable & { readonly guard?: AccessGuard };

export class Dispatcher {
  private readonly guard: AccessGuard | undefined;

  constructor(
    private readonly routes: GuardedRouteTable,
    private readonly log: Logger,
  ) {
    this.guard = routes.guard;
  }

  /** Express calls this for every request under the static prefix. */
  readonly handle = (req: Request, res: Response): void => {
    const id = newRequestId();
    // Who acts in this request, for the journal (audit trail): `anonymous` until authenticated.
    const actor: Actor = {
      user: 'anonymous',
      requestId: id,
      address: req.socket.remoteAddress ?? null,
      userAgent: req.headers['user-agent'] ?? null,
    };
    void runAs(actor, () => this.dispatch(req, res, id, actor));
  };

  private async dispatch(req: Request, res: Response, id: string, actor: Actor): Promise<void> {
    const start = performance.now();
    let detail: string | undefined;
    let status: number;
    try {
      status = await this.run(req, res, actor);
    } catch (err) {
      if (clientGone(err, req)) {
        if (!res.writableEnded) res.destroy();
        this.line('debug', req, res.statusCode, start, id, 'the client went away');
        return;
      }
      const e = toMlflowError(err, id);
      detail = errorDetail(err, e);
      status = answer(req, res, e) || e.httpStatus;
    }
    this.line(levelOf(status), req, status, start, id, detail);
  }

  /** Runs the route; returns the status it answered. */
  private async run(req: Request, res: Response, actor: Actor): Promise<number> {
    const found = this.routes.lookup(req.method, req.path);
    // With authentication off this is the whole cost of access control: one test.
    if (this.guard) return this.runGuarded(req, res, found, this.guard, actor);
    if (!found) throw new MlflowError('ENDPOINT_NOT_FOUND', `No API endpoint ${req.method} ${req.path}`);
    if ('methodNotAllowed' in found) throw new MlflowError('ENDPOINT_NOT_FOUND', `${req.path} does not accept ${req.method}`);
    const { route } = found;
    if (route.disabled) {
      writeDisabled(req, res, route.disabled(`${req.baseUrl}${req.path}`));
      return 503;
    }
    const pathParams = pathParamsOf(found);
    if (route.kind === 'stream') {
      await route.handler({ req, res, pathParams });
      return res.statusCode;
    }
    let message: Promise<RequestMessage> | undefined;
    const body = await route.handler({
      req,
      res,
      pathParams,
      message: () => (message ??= readRequestMessage(req, req.query as Record<string, unknown>)),
    });
    if (!res.headersSent) sendJson(res, 200, body);
    return res.statusCode;
  }

  /**
   * With authentication on: authenticate → decode → authorize → handler → after-hooks. Only a
   * route whose rule is `public` (/health, /version, server-info) skips the first; an unknown
   * path asks for credentials before it says 404, so it tells a stranger nothing.
   */
  private async runGuarded(req: Request, res: Response, found: LookupResult, guard: AccessGuard, actor: Actor): Promise<number> {
    const route = found && !('methodNotAllowed' in found) ? found.route : undefined;
    const { key, rule } = route ? guard.ruleOf(req.method, route) : { key: '', rule: undefined };
    const isPublic = rule?.access === 'public';
    const principal = isPublic ? undefined : await guard.authenticate(req);
    if (principal) {
      res.locals.principal = principal;
      actor.user = principal.username;
    }
    if (!found) throw new MlflowError('ENDPOINT_NOT_FOUND', `No API endpoint ${req.method} ${req.path}`);
    if ('methodNotAllowed' in found) throw new MlflowError('ENDPOINT_NOT_FOUND', `${req.path} does not accept ${req.method}`);
    if (found.route.disabled) {
      writeDisabled(req, res, found.route.disabled(`${req.baseUrl}${req.path}`));
      return 503;
    }
    const pathParams = pathParamsOf(found);
    const target = found.route;
    if (target.kind === 'stream') {
      if (!principal) {
        await target.handler({ req, res, pathParams });
        return res.statusCode;
      }
      const facts = streamFacts(req, pathParams, key);
      const decision = await guard.authorize(principal, key, rule, facts);
      let followed = false;
      const succeeded = async () => {
        followed = true;
        await guard.after(principal, decision, facts, undefined);
      };
      await target.handler({ req, res, pathParams, succeeded });
      if (!followed && res.statusCode < 300) await guard.after(principal, decision, facts, undefined);
      return res.statusCode;
    }
    const message = await readRequestMessage(req, req.query as Record<string, unknown>);
    const call = (m: RequestMessage) => Promise.resolve(target.handler({ req, res, pathParams, message: () => Promise.resolve(m) }));
    let body: object;
    if (!principal) {
      body = await call(message);
    } else {
      const facts = messageFacts(message, pathParams);
      const decision = await guard.authorize(principal, key, rule, facts);
      body = decision.rule.access === 'filter' ? await filteredSearch(key, guard.auth.access, principal, message, call) : await call(message);
      await guard.after(principal, decision, facts, body);
    }
    if (!res.headersSent) sendJson(res, 200, body);
    return res.statusCode;
  }

  /** Errors outside the route table: a request outside the static prefix, or one Express refused. */
  fail(req: Request, res: Response, err: unknown): void {
    const id = newRequestId();
    const e = toMlflowError(err, id);
    const status = answer(req, res, e) || e.httpStatus;
    this.line(levelOf(status), req, status, performance.now(), id, errorDetail(err, e));
  }

  private line(level: LogLevel, req: Request, status: number, start: number, id: string, detail: string | undefined): void {
    if (!logs(this.log, level)) return;
    const ms = (performance.now() - start).toFixed(1);
    this.log(level, `${req.method} ${req.originalUrl.split('?')[0]} ${status} ${ms}ms id=${id}${detail ? ` ${detail}` : ''}`);
  }
}
