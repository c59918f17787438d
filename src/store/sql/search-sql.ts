/**
 * The one SQL compiler of the search query language (store/search-query.ts), used by every SQL
 * store: a clause becomes a condition on the entity's column or an EXISTS over its key-value child
 * table, comparisons go through the dialect (LIKE/ILIKE), sort keys sort nulls last, and a page is
 * read as `limit + 1` rows to know whether more exist. What differs per entity is its
 * SearchColumns, data given by each store.
 */
import { sql, type Expression, type ExpressionBuilder, type SqlBool } from 'kysely';
import type { Comparator, SearchClause, SortKey } from '../search-query.js';
import type { SqlDialect } from './dialect.js';
import type { Database } from './schema.js';

// The searches run over aliased tables and sub-queries, which Kysely's static types cannot follow
// through a shared helper; column names come from each store's SearchColumns table.
type Eb = ExpressionBuilder<Database, keyof Database>;
type Value = SearchClause['value'];

/** A key-value child table (tags, params, metrics) joined to the searched row. */
export interface ChildTable {
  readonly table: string;
  /** Child column → outer column, e.g. `[['model_id', 'mv.model_id'], ['version', 'mv.version']]`. */
  readonly join: readonly (readonly [string, string])[];
  /** Further conditions on the child row (`kv.`), e.g. leaving NaN metrics out. */
  readonly where?: (eb: Eb) => Expression<SqlBool>;
}

export interface SearchColumns {
  /** Canonical attribute key → column. */
  readonly attributes: Readonly<Record<string, string>>;
  readonly tag?: ChildTable;
  readonly param?: ChildTable;
  readonly metric?: ChildTable;
  /** Attribute values stored differently from how they are written (experiment ids, status names). */
  readonly convert?: Readonly<Record<string, (value: string | number) => string | number>>;
}

export function attributeColumn(columns: SearchColumns, key: string): string {
  const column = columns.attributes[key];
  if (!column) throw new Error(`unknown search attribute ${key}`);
  return column;
}

/** `column <comparator> value`; an empty list is false for IN and true for NOT IN (SQL has no empty list). */
export function compareColumn(eb: Eb, dialect: SqlDialect, column: string, comparator: Comparator, value: Value): Expression<SqlBool> {
  const ref = eb.ref(column as never) as Expression<string | null>;
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
      return eb(ref, comparator, value as string);
  }
}

/**
 * A tag/param/metric clause as EXISTS over the child table. Like MLflow's join, `!=` and LIKE only
 * match rows that have the key; `IS NULL` means the key is absent.
 */
function childClause(eb: Eb, dialect: SqlDialect, child: ChildTable, c: SearchClause): Expression<SqlBool> {
  let sub = eb
    .selectFrom(`${child.table} as kv` as never)
    .select(sql.lit(1).as('one'))
    .where(sql.ref('kv.key'), '=', c.key);
  for (const [inner, outer] of child.join) sub = sub.where(sql.ref(`kv.${inner}`), '=', sql.ref(outer));
  if (child.where) sub = sub.where((kb) => child.where!(kb as unknown as Eb));
  if (c.comparator === 'IS NULL') return eb.not(eb.exists(sub));
  if (c.comparator === 'IS NOT NULL') return eb.exists(sub);
  return eb.exists(sub.where((kb) => compareColumn(kb as unknown as Eb, dialect, 'kv.value', c.comparator, c.value)));
}

/** One search clause as a condition on the searched row. */
export function compileClause(eb: Eb, dialect: SqlDialect, columns: SearchColumns, c: SearchClause): Expression<SqlBool> {
  if (c.entity !== 'attribute') {
    const child = columns[c.entity];
    if (!child) throw new Error(`no ${c.entity} table for search`);
    return childClause(eb, dialect, child, c);
  }
  const convert = columns.convert?.[c.key];
  const value = !convert || c.value === null ? c.value : Array.isArray(c.value) ? c.value.map(convert) : convert(c.value as string | number);
  return compareColumn(eb, dialect, attributeColumn(columns, c.key), c.comparator, value as Value);
}

/** Every clause ANDed onto a query. */
export function whereClauses<Q extends { where(fn: (eb: Eb) => Expression<SqlBool>): Q }>(
  q: Q,
  dialect: SqlDialect,
  columns: SearchColumns,
  clauses: readonly SearchClause[],
): Q {
  let out = q;
  for (const c of clauses) out = out.where((eb) => compileClause(eb, dialect, columns, c));
  return out;
}

/**
 * Applies sort keys: nulls last in both directions, as MLflow's SQL tracking store sorts. Columns
 * that are never null (the registry's) sort plainly, so that PostgreSQL can read them off an index
 * in either direction (`DESC NULLS LAST` is not an index order).
 */
export function orderByKeys<Q extends { orderBy: (...args: any[]) => Q }>(
  q: Q,
  keys: readonly SortKey[],
  expressionOf: (key: SortKey) => Expression<unknown> | string,
  nullable = true,
): Q {
  let out = q;
  for (const k of keys) {
    out = out.orderBy(expressionOf(k), (ob: any) => {
      const directed = k.ascending ? ob.asc() : ob.desc();
      return nullable ? directed.nullsLast() : directed;
    });
  }
  return out;
}

interface Pageable<R> {
  limit(n: number): { offset(n: number): { execute(): Promise<R[]> } };
}

/** One page at `offset`: `limit + 1` rows are read so that `hasMore` needs no count. */
export async function fetchPage<R>(q: Pageable<R>, offset: number, limit: number): Promise<{ rows: R[]; hasMore: boolean }> {
  const rows = await q.limit(limit + 1).offset(offset).execute();
  return { rows: rows.slice(0, limit), hasMore: rows.length > limit };
}
