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

/**
 * Thrown inside a registry write's transaction when it would move a protected alias or stage, or
 * delete a version holding a protected alias, without an approval (store/sql/governance-sql-guard.ts).
 * The transaction rolls back; the edge answers 403 PERMISSION_DENIED naming the request API.
 */
export class ProtectedChange extends Error {
  override name = 'ProtectedChange';
  constructor(
    readonly targetType: 'alias' | 'stage',
    readonly model: string,
    readonly target: string,
    /** Set when the refused write is a version delete. */
    readonly deletedVersion?: string,
  ) {
    super(`${targetType} '${target}' of model '${model}' is protected`);
  }
}
