/**
 * The query language of the stores' search methods: what src/search/ parses a filter and an
 * order_by into, and what the SQL stores compile (store/sql/search-sql.ts). One shape for
 * registered models, model versions, experiments, runs and logged models; the keys are the
 * canonical attribute names of the searched entity.
 */

export type Comparator = '=' | '!=' | '<' | '<=' | '>' | '>=' | 'LIKE' | 'ILIKE' | 'IN' | 'NOT IN' | 'IS NULL' | 'IS NOT NULL';

export type SearchEntity = 'attribute' | 'tag' | 'param' | 'metric';

/** One parsed filter comparison. */
export interface SearchClause {
  readonly entity: SearchEntity;
  readonly key: string;
  readonly comparator: Comparator;
  /** A string, a number (numeric attributes and metrics), a list (IN), or null (IS [NOT] NULL). */
  readonly value: string | number | readonly string[] | null;
}

/** The dataset a metric was logged against (logged-model search: `datasets`, order_by entries). */
export interface DatasetRef {
  readonly name: string;
  /** undefined: any digest; null: metrics logged without one (as MLflow compares `== None`). */
  readonly digest?: string | null;
}

export interface SortKey {
  readonly entity: SearchEntity;
  readonly key: string;
  readonly ascending: boolean;
  /** Metric keys only: the value logged against this dataset. */
  readonly dataset?: DatasetRef;
}

export interface SearchQuery {
  readonly clauses: readonly SearchClause[];
  /** Already completed with the tie-breakers the service wants. */
  readonly orderBy: readonly SortKey[];
  readonly offset: number;
  readonly limit: number;
}
