/** One page of a search, as every service returns it. */
export interface SearchResult<T> {
  readonly items: readonly T[];
  readonly nextPageToken: string | undefined;
}
