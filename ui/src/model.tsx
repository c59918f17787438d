/** A registered model: description, tags, aliases, promotion, and its versions as a paged table. */
import { useState } from 'preact/hooks';
import { mlflow } from './api';
import {
  ActionButton,
  ActionForm,
  field,
  Pager,
  Show,
  time,
  useLoad,
  useModelAbilities,
  usePaging,
  versionHref,
  type Abilities,
} from './common';
import { Markdown } from './markdown';
import { Governance } from './governance';

export interface Tag {
  key: string;
  value: string;
}

export function TagsEditor({
  tags,
  set,
  remove,
  abilities,
  label,
  done,
}: {
  tags: readonly Tag[];
  set: (key: string, value: string) => Promise<unknown>;
  remove: (key: string) => Promise<unknown>;
  abilities: Abilities;
  label: string;
  done: () => void;
}) {
  const [editing, setEditing] = useState<string>();
  return (
    <section aria-label={label}>
      <h2>Tags</h2>
      {tags.length === 0 ? <p class="muted">No tags.</p> : null}
      <ul class="kv">
        {tags.map((t) => (
          <li key={t.key}>
            {editing === t.key ? (
              <ActionForm
                label="Save"
                name={`edit tag ${t.key}`}
                submit={(d) => set(t.key, field(d, 'value'))}
                done={() => {
                  setEditing(undefined);
                  done();
                }}
              >
                <code>{t.key}</code>
                <input name="value" aria-label={`value of ${t.key}`} defaultValue={t.value} />
              </ActionForm>
            ) : (
              <>
                <code>{t.key}</code> <span class="value">{t.value}</span>{' '}
                <button type="button" disabled={!abilities.canUpdate} title={abilities.canUpdate ? undefined : abilities.reason} onClick={() => setEditing(t.key)}>
                  Edit
                </button>
                <ActionButton label="Remove" kind="danger" allowed={abilities.canUpdate} reason={abilities.reason} run={() => remove(t.key)} done={done} />
              </>
            )}
          </li>
        ))}
      </ul>
      <ActionForm
        label="Add tag"
        allowed={abilities.canUpdate}
        reason={abilities.reason}
        submit={(d) => set(field(d, 'key'), field(d, 'value'))}
        done={done}
      >
        <input name="key" placeholder="key" aria-label="tag key" required />
        <input name="value" placeholder="value" aria-label="tag value" />
      </ActionForm>
    </section>
  );
}

function Description({ model, abilities, done }: { model: any; abilities: Abilities; done: () => void }) {
  const [editing, setEditing] = useState(false);
  const text: string = model.description ?? '';
  if (editing) {
    return (
      <section aria-label="description">
        <h2>Description</h2>
        <ActionForm
          label="Save description"
          submit={(d) => mlflow('PATCH', 'registered-models/update', { name: model.name, description: String(d.get('description') ?? '') })}
          done={() => {
            setEditing(false);
            done();
          }}
        >
          <textarea name="description" rows={8} aria-label="description (Markdown)" defaultValue={text} />
        </ActionForm>
        <button type="button" onClick={() => setEditing(false)}>
          Cancel
        </button>
      </section>
    );
  }
  return (
    <section aria-label="description">
      <h2>Description</h2>
      {text ? <Markdown source={text} /> : <p class="muted">No description.</p>}
      <button type="button" disabled={!abilities.canUpdate} title={abilities.canUpdate ? undefined : abilities.reason} onClick={() => setEditing(true)}>
        Edit description
      </button>
      {!abilities.canUpdate ? <span class="muted small"> Not allowed: {abilities.reason}</span> : null}
    </section>
  );
}

const STAGES = ['None', 'Staging', 'Production', 'Archived'];

/** Set or move an alias, transition a stage: the same RPCs the MLflow client calls. */
export function Promote({ name, version, abilities, done }: { name: string; version?: string; abilities: Abilities; done: () => void }) {
  return (
    <section aria-label="promote" class="promote">
      <h2>Promote</h2>
      <ActionForm
        label="Set alias"
        allowed={abilities.canUpdate}
        reason={abilities.reason}
        submit={(d) => mlflow('POST', 'registered-models/alias', { name, alias: field(d, 'alias'), version: version ?? field(d, 'version') })}
        done={done}
      >
        <input name="alias" placeholder="alias, e.g. champion" aria-label="alias" required />
        {version === undefined ? <input name="version" placeholder="version" aria-label="version for the alias" inputMode="numeric" required /> : null}
      </ActionForm>
      <ActionForm
        label="Transition stage"
        allowed={abilities.canUpdate}
        reason={abilities.reason}
        submit={(d) =>
          mlflow('POST', 'model-versions/transition-stage', {
            name,
            version: version ?? field(d, 'version'),
            stage: field(d, 'stage'),
            archive_existing_versions: d.get('archive') === 'on',
          })
        }
        done={done}
      >
        {version === undefined ? <input name="version" placeholder="version" aria-label="version to transition" inputMode="numeric" required /> : null}
        <select name="stage" aria-label="stage">
          {STAGES.map((s) => (
            <option key={s}>{s}</option>
          ))}
        </select>
        <label>
          <input type="checkbox" name="archive" /> archive others in that stage
        </label>
      </ActionForm>
    </section>
  );
}

export function Aliases({ name, aliases, abilities, done }: { name: string; aliases: { alias: string; version: string }[]; abilities: Abilities; done: () => void }) {
  return (
    <section aria-label="aliases">
      <h2>Aliases</h2>
      {aliases.length === 0 ? <p class="muted">No aliases.</p> : null}
      <ul class="kv">
        {aliases.map((a) => (
          <li key={a.alias}>
            <span class="chip alias">@{a.alias}</span> → <a href={versionHref(name, a.version)}>Version {a.version}</a>{' '}
            <ActionButton
              label="Remove alias"
              kind="danger"
              allowed={abilities.canUpdate}
              reason={abilities.reason}
              run={() => mlflow('DELETE', 'registered-models/alias', { name, alias: a.alias })}
              done={done}
            />
          </li>
        ))}
      </ul>
    </section>
  );
}

const VERSIONS_PAGE = 20;

function Versions({ name, refresh }: { name: string; refresh: number }) {
  const paging = usePaging();
  const [loaded] = useLoad(
    // Never every version: one page at a time, the newest first.
    () =>
      mlflow('GET', 'model-versions/search', {
        filter: `name = '${name.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`,
        max_results: VERSIONS_PAGE,
        order_by: ['version_number DESC'],
        page_token: paging.token,
      }),
    [name, paging.token, refresh],
  );
  return (
    <section aria-label="versions">
      <h2>Versions</h2>
      <Show loaded={loaded}>
        {(r: any) => (
          <>
            <div class="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Version</th>
                    <th scope="col">Status</th>
                    <th scope="col">Stage</th>
                    <th scope="col">Aliases</th>
                    <th scope="col">Created</th>
                    <th scope="col">Source</th>
                    <th scope="col">Run</th>
                  </tr>
                </thead>
                <tbody>
                  {(r.model_versions ?? []).map((v: any) => (
                    <tr key={v.version}>
                      <td>
                        <a href={versionHref(name, v.version)}>Version {v.version}</a>
                      </td>
                      <td>{v.status}</td>
                      <td>{v.current_stage}</td>
                      <td>{(v.aliases ?? []).map((a: string) => `@${a}`).join(' ')}</td>
                      <td>{time(v.creation_timestamp)}</td>
                      <td class="source">{v.source}</td>
                      <td>{v.run_id ? <code>{String(v.run_id).slice(0, 8)}</code> : <span class="muted">—</span>}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <Pager paging={paging} nextToken={r.next_page_token} />
          </>
        )}
      </Show>
    </section>
  );
}

export function ModelPage({ name }: { name: string }) {
  const abilities = useModelAbilities(name);
  const [tick, setTick] = useState(0);
  const [loaded, reload] = useLoad(() => mlflow('GET', 'registered-models/get', { name }), [name]);
  const done = () => {
    reload();
    setTick((t) => t + 1);
  };
  return (
    <section>
      <nav class="crumbs" aria-label="breadcrumbs">
        <a href="#/models">Models</a> / <span>{name}</span>
      </nav>
      <Show loaded={loaded}>
        {(r: any) => {
          const m = r.registered_model;
          return (
            <>
              <h1>{m.name}</h1>
              <p class="muted small">
                Created {time(m.creation_timestamp)} · updated {time(m.last_updated_timestamp)}
              </p>
              <div class="grid">
                <div>
                  <Description model={m} abilities={abilities} done={done} />
                  <TagsEditor
                    label="model tags"
                    tags={m.tags ?? []}
                    abilities={abilities}
                    set={(key, value) => mlflow('POST', 'registered-models/set-tag', { name, key, value })}
                    remove={(key) => mlflow('DELETE', 'registered-models/delete-tag', { name, key })}
                    done={done}
                  />
                </div>
                <div>
                  <Aliases name={name} aliases={m.aliases ?? []} abilities={abilities} done={done} />
                  <Promote name={name} abilities={abilities} done={done} />
                </div>
              </div>
              <Versions name={name} refresh={tick} />
              <Governance name={name} abilities={abilities} refresh={tick} done={done} aliases={(m.aliases ?? []).map((a: { alias: string }) => a.alias)} />
            </>
          );
        }}
      </Show>
    </section>
  );
}
