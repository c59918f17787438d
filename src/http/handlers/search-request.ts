/**
 * The fields every offset-paged search request carries (SearchRegisteredModels, SearchModelVersions,
 * SearchExperiments, SearchRuns), decoded into the services' SearchRequest; `max_results` left unset
 * takes the entity's default in the service (search/max-results.ts).
 */
import { field } from '../../protocol/request-schema.js';

export const SEARCH_REQUEST = {
  filter: field.optionalString,
  max_results: field.optionalInt64,
  order_by: field.strings,
  page_token: field.optionalString,
};
