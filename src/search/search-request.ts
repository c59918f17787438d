/**
 * A search request as every service takes it, and the offset pagination around the store call:
 * the page token is MLflow's offset token (SearchUtils.create_page_token), the store reads one row
 * more than it returns to know whether another page exists.
 */
import type { SearchResult } from '../domain/search-result.js';
import { decodeOffsetToken, encodeOffsetToken } from '../protocol/page-token.js';
import type { Page } from '../store/registry-store.js';
import type { SearchQuery } from '../store/search-query.js';
import { parseFilter } from './filter.js';
import type { Grammar } from './grammar.js';
import { parseOrderBy } from './order-by.js';

export interface SearchRequest {
  readonly filter: string | undefined;
  /** undefined: the entity's default. */
  readonly maxResults: number | undefined;
  readonly orderBy: readonly string[];
  readonly pageToken: string | undefined;
}

/** Filter, order_by (with defaults and tie-breakers) and page token, parsed with the entity's grammar. */
export function offsetQuery(g: Grammar, req: Omit<SearchRequest, 'maxResults'>, limit: number): SearchQuery {
  const clauses = parseFilter(g, req.filter);
  const orderBy = parseOrderBy(g, req.orderBy);
  return { clauses, orderBy, offset: decodeOffsetToken(req.pageToken), limit };
}

export function offsetPageResult<T>(page: Page<T>, query: Pick<SearchQuery, 'offset' | 'limit'>): SearchResult<T> {
  return { items: page.items, nextPageToken: page.hasMore ? encodeOffsetToken(query.offset + query.limit) : undefined };
}
