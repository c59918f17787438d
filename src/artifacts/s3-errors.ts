/**
 * What an AWS SDK failure means for a client of the artifact proxy: the S3 store turns every
 * failure into an MLflow error whose code the client acts on and whose message names the cause.
 *
 * - unreachable endpoint, timeouts, S3 5xx and throttling → TEMPORARILY_UNAVAILABLE (503, retried);
 * - no credentials, or credentials refused → UNAUTHENTICATED; access denied → PERMISSION_DENIED;
 * - a missing bucket → RESOURCE_DOES_NOT_EXIST; a refused TLS certificate, or any other answer of
 *   the service → INTERNAL_ERROR with that answer in the message (never a generic one).
 */
import type { Logger } from '../logger.js';
import { MlflowError, notFound } from '../protocol/errors.js';

/** Node errno codes (and SDK error names) that mean "the endpoint could not be reached". */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNABORTED',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
]);
const THROTTLING = new Set(['SlowDown', 'ServiceUnavailable', 'InternalError', 'Throttling', 'ThrottlingException', 'RequestLimitExceeded']);
/** OpenSSL's certificate verification failures, as Node reports them. */
const TLS_CODES = /^(CERT_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_|ERR_TLS_CERT_ALTNAME_INVALID)/;
const AUTH = new Set(['InvalidAccessKeyId', 'SignatureDoesNotMatch', 'ExpiredToken', 'InvalidToken', 'TokenRefreshRequired']);

export interface SdkErrorShape {
  name?: string;
  code?: string;
  message?: string;
  errors?: unknown[];
  $metadata?: { httpStatusCode?: number };
}

export function shape(err: unknown): SdkErrorShape {
  return typeof err === 'object' && err !== null ? (err as SdkErrorShape) : {};
}

export function statusOf(err: unknown): number | undefined {
  return shape(err).$metadata?.httpStatusCode;
}

/** NoSuchKey on GET, a bare 404 on HEAD. */
export function isMissingKey(err: unknown): boolean {
  const e = shape(err);
  return e.name === 'NoSuchKey' || e.name === 'NotFound' || (statusOf(err) === 404 && e.name !== 'NoSuchBucket' && e.name !== 'NoSuchUpload');
}

export function isNetworkError(err: unknown): boolean {
  const e = shape(err);
  if ((e.code && NETWORK_CODES.has(e.code)) || (e.name && NETWORK_CODES.has(e.name))) return true;
  // Node's happy-eyeballs connect reports an AggregateError of the attempts.
  if (Array.isArray(e.errors) && e.errors.some(isNetworkError)) return true;
  return /socket hang up|ECONNREFUSED|getaddrinfo/i.test(e.message ?? '');
}

/** A readable label for an SDK error: its name, and the errno code when there is one. */
export function describe(err: unknown): string {
  const e = shape(err);
  const name = e.code ?? e.name ?? 'Error';
  const message = (e.message ?? '').split('\n')[0]?.trim() ?? '';
  return message && message !== name ? `${name}: ${message}` : name;
}

/** Where a failure happened, for the message and the log. */
export interface FailureContext {
  /** e.g. `upload '0/r/a.txt' in s3://bucket/prefix`. */
  readonly what: string;
  readonly bucket: string;
  readonly endpoint: string | undefined;
  readonly log: Logger;
}

/** An SDK failure as an MLflow error with a message naming the cause; other errors unchanged. */
export function s3Failure(err: unknown, ctx: FailureContext): Error {
  if (err instanceof MlflowError) return err;
  const { what, log } = ctx;
  const e = shape(err);
  const status = statusOf(err);
  if (e.name === 'CredentialsProviderError' || e.name === 'ProviderError') {
    log('error', `artifact store: no AWS credentials: ${describe(err)}`);
    return new MlflowError('UNAUTHENTICATED', `Could not ${what}: the server has no AWS credentials for its artifact store.`);
  }
  if (isNetworkError(err) || (e.name && THROTTLING.has(e.name)) || (status !== undefined && status >= 500)) {
    log('warn', `artifact store unreachable: could not ${what}: ${describe(err)} (endpoint ${ctx.endpoint ?? 'AWS'})`);
    return new MlflowError(
      'TEMPORARILY_UNAVAILABLE',
      `The artifact store is temporarily unavailable (${describe(err)}); could not ${what}. Retry the request.`,
    );
  }
  if (e.name && AUTH.has(e.name)) {
    log('error', `artifact store rejected the server's credentials: ${describe(err)}`);
    return new MlflowError('UNAUTHENTICATED', `Could not ${what}: the artifact store rejected the server's credentials (${e.name}).`);
  }
  if (e.name === 'AccessDenied' || status === 403) {
    log('error', `artifact store denied access: ${describe(err)}`);
    return new MlflowError('PERMISSION_DENIED', `Could not ${what}: access denied by the artifact store.`);
  }
  if (e.name === 'NoSuchBucket') {
    return notFound(`Could not ${what}: the bucket '${ctx.bucket}' does not exist.`);
  }
  if (e.code && TLS_CODES.test(e.code)) {
    log('error', `artifact store: TLS verification failed: ${describe(err)}`);
    return new MlflowError(
      'INTERNAL_ERROR',
      `Could not ${what}: the artifact store's TLS certificate was not accepted (${e.code}); ` +
        'set MLFLOW_S3_IGNORE_TLS=true on the server for a self-signed endpoint.',
    );
  }
  if (e.$metadata) {
    // Any other answer from the service: say which, rather than a generic internal error.
    log('error', `artifact store: could not ${what}: ${describe(err)}`);
    return new MlflowError('INTERNAL_ERROR', `Could not ${what}: the artifact store answered ${describe(err)}`);
  }
  return err instanceof Error ? err : new Error(String(err));
}
