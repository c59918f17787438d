/**
 * The neutral errors every store throws; the HTTP edge maps them (http/respond.ts), services word
 * the MLflow message for a conflict.
 */

/** Thrown by a store when a write would break a uniqueness rule (the caller words the message). */
export class StoreConflict extends Error {
  override name = 'StoreConflict';
}

/** Thrown by a store when the database is unreachable or locked: reported as 503, retried by clients. */
export class StoreUnavailable extends Error {
  override name = 'StoreUnavailable';
}
