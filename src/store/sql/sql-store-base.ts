/**
 * What every SQL store shares: transactions, the translation of driver errors into the store
 * errors (a unique violation → StoreConflict, an outage → StoreUnavailable) by the dialect's codes,
 * and the small helpers for writing and assembling rows.
 */
import type { Kysely, Transaction } from 'kysely';
import { type Tag } from '../registry-store.js';
import type { Change } from '../change.js';
import { StoreConflict, StoreUnavailable } from '../store-errors.js';
import type { SqlDialect } from './dialect.js';
import type { Journal } from './journal.js';
import type { Database } from './schema.js';

export type Db = Kysely<Database> | Transaction<Database>;

export abstract class SqlStoreBase {
  constructor(
    protected readonly db: Kysely<Database>,
    protected readonly dialect: SqlDialect,
    protected readonly journal: Journal,
  ) {}

  /**
   * One transaction. `fn` pushes the changes it makes onto `changes`; they are journalled (audit
   * trail, webhook outbox) after `fn`'s own statements and before the commit, so they commit or
   * roll back with it.
   */
  protected async tx<T>(fn: (trx: Transaction<Database>, changes: Change[]) => Promise<T>): Promise<T> {
    return this.guard(() =>
      this.db.transaction().execute(async (trx) => {
        const changes: Change[] = [];
        const result = await fn(trx, changes);
        await this.journal.flush(trx, changes);
        return result;
      }),
    );
  }

  /** Whether changes are journalled at all: reads of a change's `before` values are skipped when not. */
  protected get journaling(): boolean {
    return this.journal.active;
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

/** Last value wins when a request repeats a key, as an upsert would. */
export function dedupeTags(tags: readonly Tag[]): Tag[] {
  return [...new Map(tags.map((t) => [t.key, t])).values()];
}

export function groupBy<T, K>(items: readonly T[], keyOf: (item: T) => K): Map<K, T[]> {
  const map = new Map<K, T[]>();
  for (const item of items) {
    const k = keyOf(item);
    const list = map.get(k);
    if (list) list.push(item);
    else map.set(k, [item]);
  }
  return map;
}

/** Splits a list into chunks small enough for SQLite's bound-parameter limit. */
export function chunks<T>(items: readonly T[], size = 500): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
