/**
 * A page of search results as MLflow sends it: `{<field>: [...], next_page_token}`, each left out
 * when empty (proto3 JSON omits empty repeated fields and empty strings), so that a last page is
 * `{}` or has no token.
 */
export function pageJson<T>(
  field: string,
  page: { readonly items: readonly T[]; readonly nextPageToken?: string | null | undefined },
  toJson: (item: T) => unknown,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (page.items.length > 0) out[field] = page.items.map(toJson);
  if (page.nextPageToken) out.next_page_token = page.nextPageToken;
  return out;
}
