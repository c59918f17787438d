/**
 * What the three SQL tracking stores share: the building blocks of their searches (comparisons,
 * key-value EXISTS clauses, ordering) and row helpers.
 */
import { sql, type Expression, type ExpressionBuilder, type SqlBool } from 'kysely';
import type { Comparator, SearchClause, SortKey } from '../tracking-store.js';
import type { SqlDialect } from './dialect.js';
import { SqlStoreBase } from './sql-store-base.js';

/** The SQL store base with the search building blocks the tracking stores use. */
export abstract class SqlTrackingStoreBase extends SqlStoreBase {
  /** `column <comparator> value` for one search clause on a plain column. */
  protected compare(eb: ExpressionBuilder<any, any>, column: string, c: Pick<SearchClause, 'comparator' | 'value'>): Expression<SqlBool> {
    return compareColumn(eb, this.dialect, column, c.comparator, c.value);
  }

  /**
   * A tag/param clause as EXISTS over a key-value child table (`table` joined to the outer row
   * by `fk = outerKey`). Like MLflow's join, `!=` and LIKE only match rows that have the key;
   * `IS NULL` means the key is absent.
   */
  protected keyValueClause(
    eb: ExpressionBuilder<any, any>,
    table: string,
    fk: string,
    outerKey: string,
    c: SearchClause,
  ): Expression<SqlBool> {
    const sub = eb
      .selectFrom(`${table} as kv`)
      .select(sql.lit(1).as('one'))
      .whereRef(`kv.${fk}`, '=', outerKey)
      .where('kv.key', '=', c.key);
    if (c.comparator === 'IS NULL') return eb.not(eb.exists(sub));
    if (c.comparator === 'IS NOT NULL') return eb.exists(sub);
    return eb.exists(sub.where((kb) => this.compare(kb, 'kv.value', c)));
  }
}

export function compareColumn(
  eb: ExpressionBuilder<any, any>,
  dialect: SqlDialect,
  column: string,
  comparator: Comparator,
  value: SearchClause['value'],
): Expression<SqlBool> {
  const ref = eb.ref(column);
  switch (comparator) {
    case 'LIKE':
      return dialect.like(ref, String(value));
    case 'ILIKE':
      return dialect.ilike(ref, String(value));
    case 'IN':
    case 'NOT IN': {
      const list = Array.isArray(value) ? [...value] : [String(value)];
      if (list.length === 0) return eb.lit(comparator === 'NOT IN');
      return eb(ref, comparator === 'IN' ? 'in' : 'not in', list);
    }
    case 'IS NULL':
      return eb(ref, 'is', null);
    case 'IS NOT NULL':
      return eb(ref, 'is not', null);
    default:
      return eb(ref, comparator, value as string | number);
  }
}

/** Applies sort keys: nulls last in both directions, as MLflow's SQL store sorts. */
export function orderByKeys<Q extends { orderBy: (...args: any[]) => Q }>(
  q: Q,
  keys: readonly SortKey[],
  expressionOf: (key: SortKey) => Expression<any> | string,
): Q {
  let out = q;
  for (const k of keys) {
    const expr = expressionOf(k);
    out = out.orderBy(expr, (ob: any) => (k.ascending ? ob.asc() : ob.desc()).nullsLast());
  }
  return out;
}

/** NaN is stored as 0 with is_nan = 1 (SQLite binds NaN as NULL). */
export function metricColumns(value: number): { value: number; is_nan: number } {
  return Number.isNaN(value) ? { value: 0, is_nan: 1 } : { value, is_nan: 0 };
}

export function metricValue(row: { value: number; is_nan: number }): number {
  return row.is_nan ? Number.NaN : Number(row.value);
}
