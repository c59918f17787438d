/**
 * Writing responses. One JSON serialisation, no ETag; errors as `{error_code, message}` with
 * MLflow's status table (protocol/errors.ts). Anything unexpected becomes INTERNAL_ERROR with a
 * generic message, its stack in the log.
 */
import type { ServerResponse } from 'node:http';
import { MlflowError } from '../protocol/errors.js';
import type { Logger } from '../logger.js';
import { StoreConflict, StoreUnavailable } from '../store/store-errors.js';

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}

/** Maps any thrown value to MLflow's error shape. */
export function toMlflowError(err: unknown, log: Logger): MlflowError {
  if (err instanceof MlflowError) return err;
  if (err instanceof StoreUnavailable) {
    log('warn', `database unavailable: ${err.message}`);
    return new MlflowError('TEMPORARILY_UNAVAILABLE', 'The database is temporarily unavailable; retry the request.');
  }
  if (err instanceof StoreConflict) return new MlflowError('RESOURCE_ALREADY_EXISTS', 'The resource already exists.');
  log('error', err instanceof Error ? (err.stack ?? err.message) : String(err));
  return new MlflowError('INTERNAL_ERROR', 'Internal server error. The server log has the details.');
}

export function sendError(res: ServerResponse, err: unknown, log: Logger): void {
  const e = toMlflowError(err, log);
  if (res.headersSent) {
    // A streamed response already started: all that is left is to cut the connection.
    res.destroy();
    return;
  }
  if (e.httpStatus >= 500) log(e.code === 'TEMPORARILY_UNAVAILABLE' ? 'warn' : 'error', `${e.code}: ${e.message}`);
  sendJson(res, e.httpStatus, e.toJSON());
}
