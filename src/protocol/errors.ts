/**
 * MLflow's error model: every failure the server reports is an `MlflowError` carrying one of
 * MLflow's `ErrorCode` names (mlflow/protos/databricks.proto). The HTTP status is derived from the
 * code with MLflow's own table (mlflow/exceptions.py: ERROR_CODE_TO_HTTP_STATUS), in this one place.
 *
 * Clients branch on `error_code` (RESOURCE_ALREADY_EXISTS during register_model,
 * RESOURCE_DOES_NOT_EXIST during set_experiment, ENDPOINT_NOT_FOUND for get-latest-versions), and
 * they retry every 5xx seven times, POSTs included: a deterministic error must never be a 5xx.
 */

export type ErrorCode =
  | 'INTERNAL_ERROR'
  | 'TEMPORARILY_UNAVAILABLE'
  | 'INVALID_PARAMETER_VALUE'
  | 'BAD_REQUEST'
  | 'RESOURCE_ALREADY_EXISTS'
  | 'RESOURCE_DOES_NOT_EXIST'
  | 'ENDPOINT_NOT_FOUND'
  | 'NOT_FOUND'
  | 'PERMISSION_DENIED'
  | 'UNAUTHENTICATED'
  | 'RESOURCE_CONFLICT'
  | 'ALREADY_EXISTS'
  | 'REQUEST_LIMIT_EXCEEDED'
  | 'RESOURCE_EXHAUSTED'
  | 'NOT_IMPLEMENTED'
  | 'INVALID_STATE'
  | 'DEADLINE_EXCEEDED';

const HTTP_STATUS: Readonly<Record<ErrorCode, number>> = {
  INVALID_PARAMETER_VALUE: 400,
  BAD_REQUEST: 400,
  RESOURCE_ALREADY_EXISTS: 400,
  UNAUTHENTICATED: 401,
  PERMISSION_DENIED: 403,
  RESOURCE_DOES_NOT_EXIST: 404,
  ENDPOINT_NOT_FOUND: 404,
  NOT_FOUND: 404,
  ALREADY_EXISTS: 409,
  RESOURCE_CONFLICT: 409,
  REQUEST_LIMIT_EXCEEDED: 429,
  RESOURCE_EXHAUSTED: 429,
  INTERNAL_ERROR: 500,
  INVALID_STATE: 500,
  NOT_IMPLEMENTED: 501,
  TEMPORARILY_UNAVAILABLE: 503,
  DEADLINE_EXCEEDED: 504,
};

/**
 * What an error may carry besides its code and message. `httpStatus` and `headers` exist for the
 * few answers whose status is not the code's (a 416 for an unsatisfiable Range, as Flask's
 * send_file answers it); `cause` keeps the original failure for the log (mlflow-go's
 * contract.Error keeps it as `Inner`).
 */
export interface MlflowErrorOptions {
  readonly cause?: unknown;
  readonly httpStatus?: number;
  readonly headers?: Readonly<Record<string, string>>;
}

export class MlflowError extends Error {
  /** Response headers to send with the error body (e.g. `Content-Range` on a 416). */
  readonly headers: Readonly<Record<string, string>> | undefined;
  private readonly status: number | undefined;

  constructor(
    readonly code: ErrorCode,
    message: string,
    options: MlflowErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'MlflowError';
    this.status = options.httpStatus;
    this.headers = options.headers;
  }

  get httpStatus(): number {
    return this.status ?? HTTP_STATUS[this.code];
  }

  toJSON(): { error_code: ErrorCode; message: string } {
    return { error_code: this.code, message: this.message };
  }
}

export function invalidParameter(message: string): MlflowError {
  return new MlflowError('INVALID_PARAMETER_VALUE', message);
}

export function notFound(message: string): MlflowError {
  return new MlflowError('RESOURCE_DOES_NOT_EXIST', message);
}

export function alreadyExists(message: string): MlflowError {
  return new MlflowError('RESOURCE_ALREADY_EXISTS', message);
}
