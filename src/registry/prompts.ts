/**
 * The registry's prompt rule for searches: prompts are registered models tagged
 * `mlflow.prompt.is_prompt = 'true'`, and a search returns them (or their versions) only when the
 * filter asks for prompts (mlflow/store/model_registry/sqlalchemy_store.py:
 * _update_query_to_exclude_prompts, as of MLflow 3.x).
 */
import { IS_PROMPT_TAG, type RegistrySearch } from '../store/registry-store.js';
import type { SearchClause, SearchQuery } from '../store/search-query.js';

/** MLflow returns prompts only for `tags.`mlflow.prompt.is_prompt` = 'true'` or `!= 'false'` (first such clause). */
export function isQueryingPrompts(clauses: readonly SearchClause[]): boolean {
  for (const c of clauses) {
    if (c.entity !== 'tag' || c.key !== IS_PROMPT_TAG) continue;
    const v = String(c.value).toLowerCase();
    return (c.comparator === '=' && v === 'true') || (c.comparator === '!=' && v === 'false');
  }
  return false;
}

/** Unless the query asks for prompts, its clauses on the prompt tag are dropped and prompts are left out. */
export function excludingPrompts(query: SearchQuery): RegistrySearch {
  if (isQueryingPrompts(query.clauses)) return query;
  return {
    ...query,
    clauses: query.clauses.filter((c) => c.entity !== 'tag' || c.key !== IS_PROMPT_TAG),
    excludeTaggedModels: { key: IS_PROMPT_TAG, value: 'true' },
  };
}
