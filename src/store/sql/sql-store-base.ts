/**
 * What every SQL store shares: transactions, and the translation of driver errors into the store
 * errors (a unique violation → StoreConflict, an outage → StoreUnavailable) by the dialect's codes.
 */
import type { Kysely, Transaction } from 'kysely';
import { StoreConflict, StoreUnavailable } from '../registry-store.js';
import type { SqlDialect } from './dialect.js';
import type { Database } from './schema.js';

export type Db = Kysely<Database> | Transaction<Database>;

export abstract class SqlStoreBase {
  constructor(
    protected readonly db: Kysely<Database>,
    protected readonly dialect: SqlDialect,
  ) {}

  protected async tx<T>(fn: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
    return this.guard(() => this.db.transaction().execute(fn));
  }

  protected async guard<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (this.dialect.isUniqueViolation(err)) throw new StoreConflict(String((err as Error).message));
      if (this.dialect.isUnavailable(err)) throw new StoreUnavailable(String((err as Error).message));
      throw err;
    }
  }
}
