/**
 * The one place an error becomes a response. Every route's failure comes here (through the
 * dispatcher, http/dispatch.ts): `{error_code, message}` with MLflow's status table
 * (protocol/errors.ts), or the plain-text 503 of a disabled endpoint.
 *
 * An unexpected error becomes INTERNAL_ERROR whose message names the request id; the dispatcher's
 * log line for the request carries the same id and the stack, so an operator can find one from
 * the other (Unleash's error ids; MLflow itself answers a bare "INTERNAL_ERROR").
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { MlflowError } from '../protocol/errors.js';
import { ProtectedChange, StoreConflict, StoreUnavailable } from '../store/store-errors.js';
import { protectedMessage, protectedVersionMessage } from '../governance/messages.js';
import { sendJson } from './json.js';

/** Maps any thrown value to MLflow's error shape; `requestId` goes into an INTERNAL_ERROR's message. */
export function toMlflowError(err: unknown, requestId: string): MlflowError {
  if (err instanceof MlflowError) return err;
  if (err instanceof StoreUnavailable) {
    return new MlflowError('TEMPORARILY_UNAVAILABLE', 'The database is temporarily unavailable; retry the request.', { cause: err });
  }
  if (err instanceof ProtectedChange) {
    // Refused inside the write's transaction by the protection guard (store/sql/governance-sql-guard.ts).
    const message =
      err.deletedVersion !== undefined
        ? protectedVersionMessage(err.model, err.deletedVersion, err.target)
        : protectedMessage(err.model, err.targetType, err.target);
    return new MlflowError('PERMISSION_DENIED', message, { cause: err });
  }
  if (err instanceof StoreConflict) return new MlflowError('RESOURCE_ALREADY_EXISTS', 'The resource already exists.', { cause: err });
  return new MlflowError('INTERNAL_ERROR', `Internal server error (request id ${requestId}). The server log has the details.`, {
    cause: err,
  });
}

/**
 * Writes `e` as the response; a response already under way (a download) can only be cut off.
 * Returns the status written (0 when the connection was cut).
 */
export function writeError(res: ServerResponse, e: MlflowError): number {
  if (res.headersSent) {
    res.destroy();
    return 0;
  }
  sendJson(res, e.httpStatus, e.toJSON(), e.headers);
  return e.httpStatus;
}

/**
 * A disabled endpoint: 503 with a plain-text body, which the client retries and then reports, as
 * Flask's `Response(text, 503)` in _disable_unless_serve_artifacts / _disable_if_artifacts_only.
 */
export function writeDisabled(req: IncomingMessage, res: ServerResponse, text: string): void {
  req.resume();
  res.writeHead(503, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/** What the log line of a failed request says about the failure: the stack of an unexpected one. */
export function errorDetail(original: unknown, e: MlflowError): string {
  const cause = e.cause ?? (original === e ? undefined : original);
  if (e.code === 'INTERNAL_ERROR' && cause !== undefined) {
    return cause instanceof Error ? (cause.stack ?? cause.message) : String(cause);
  }
  const why = cause instanceof Error ? ` (${cause.message})` : '';
  return `${e.code}: ${e.message}${why}`;
}
