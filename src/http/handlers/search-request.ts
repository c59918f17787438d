/** The fields every offset-paged search request carries (SearchRegisteredModels, SearchRuns, …). */
import type { RequestMessage } from '../../protocol/request.js';
import type { SearchRequest } from '../../search/search-request.js';

export function searchRequestOf(msg: RequestMessage): SearchRequest {
  return {
    filter: msg.optionalString('filter'),
    maxResults: msg.optionalInt('max_results'),
    orderBy: msg.strings('order_by'),
    pageToken: msg.optionalString('page_token'),
  };
}
