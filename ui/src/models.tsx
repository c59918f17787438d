/** The models list: MLflow's filter grammar as typed, sort, server-side paging with page tokens. */
import { useState } from 'preact/hooks';
import { mlflow } from './api';
import { modelHref, Pager, Show, Tags, time, useLoad, usePaging, versionHref } from './common';

const PAGE_SIZE = 25;
const SORTS: Record<string, string> = {
  'name ASC': 'Name (A→Z)',
  'name DESC': 'Name (Z→A)',
  'last_updated_timestamp DESC': 'Recently updated',
  'last_updated_timestamp ASC': 'Least recently updated',
};

interface Model {
  name: string;
  last_updated_timestamp?: number;
  description?: string;
  latest_versions?: { version: string; current_stage?: string }[];
  tags?: { key: string; value: string }[];
  aliases?: { alias: string; version: string }[];
}

export function ModelsPage() {
  const [draft, setDraft] = useState('');
  const [filter, setFilter] = useState('');
  const [order, setOrder] = useState('name ASC');
  const paging = usePaging();
  const [loaded] = useLoad(
    () => mlflow<{ registered_models?: Model[]; next_page_token?: string }>('GET', 'registered-models/search', {
      filter,
      order_by: [order],
      max_results: PAGE_SIZE,
      page_token: paging.token,
    }),
    [filter, order, paging.token],
  );
  return (
    <section>
      <h1>Models</h1>
      <form
        class="search"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          // A bare word is a name search; anything else is MLflow's filter grammar, as typed.
          const text = draft.trim();
          setFilter(text && !/[=<>!]|\blike\b/i.test(text) ? `name ILIKE '%${text.replace(/'/g, "\\'")}%'` : text);
          paging.reset();
        }}
      >
        <label for="model-filter" class="visually-hidden">
          Filter
        </label>
        <input
          id="model-filter"
          type="search"
          placeholder="name or filter, e.g. name LIKE 'fraud%' AND tags.team = 'risk'"
          value={draft}
          onInput={(e) => setDraft((e.currentTarget as HTMLInputElement).value)}
        />
        <button type="submit">Search</button>
        <label>
          Sort{' '}
          <select
            value={order}
            onChange={(e) => {
              setOrder((e.currentTarget as HTMLSelectElement).value);
              paging.reset();
            }}
          >
            {Object.entries(SORTS).map(([v, label]) => (
              <option value={v} key={v}>
                {label}
              </option>
            ))}
          </select>
        </label>
      </form>
      <Show loaded={loaded}>
        {(r) => (
          <>
            <div class="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Latest version</th>
                    <th scope="col">Aliases</th>
                    <th scope="col">Tags</th>
                    <th scope="col">Last updated</th>
                  </tr>
                </thead>
                <tbody>
                  {(r.registered_models ?? []).map((m) => {
                    const latest = (m.latest_versions ?? []).reduce<string | undefined>(
                      (best, v) => (best === undefined || Number(v.version) > Number(best) ? v.version : best),
                      undefined,
                    );
                    return (
                      <tr key={m.name}>
                        <td>
                          <a href={modelHref(m.name)}>{m.name}</a>
                        </td>
                        <td>{latest ? <a href={versionHref(m.name, latest)}>Version {latest}</a> : <span class="muted">—</span>}</td>
                        <td>
                          {(m.aliases ?? []).length ? (
                            <span class="chips">
                              {(m.aliases ?? []).map((a) => (
                                <a class="chip alias" key={a.alias} href={versionHref(m.name, a.version)}>
                                  @{a.alias} → v{a.version}
                                </a>
                              ))}
                            </span>
                          ) : (
                            <span class="muted">—</span>
                          )}
                        </td>
                        <td>
                          <Tags tags={m.tags} />
                        </td>
                        <td>{time(m.last_updated_timestamp)}</td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
            {(r.registered_models ?? []).length === 0 ? <p class="muted">No models match.</p> : null}
            <Pager paging={paging} nextToken={r.next_page_token} />
          </>
        )}
      </Show>
    </section>
  );
}
