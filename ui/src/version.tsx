/** A model version: its fields and tags, lineage (run, logged model), artifacts, MLmodel, promotion and audit trail. */
import { mlflow } from './api';
import { ArtifactBrowser, type ArtifactSource } from './artifacts';
import { modelHref, runHref, Show, time, useLoad, useModelAbilities } from './common';
import { Markdown } from './markdown';
import { Promote, TagsEditor } from './model';
import { AuditTrail } from './governance';

/** Where a version's files are: its logged model, or the path under its run's artifacts that its source names. */
export function artifactSourceOf(v: any): ArtifactSource | undefined {
  if (v.model_id) return { kind: 'logged-model', modelId: v.model_id, path: '' };
  if (!v.run_id) return undefined;
  const source: string = v.source ?? '';
  const runs = /^runs:\/+[^/]+\/?(.*)$/.exec(source);
  if (runs) return { kind: 'run', runId: v.run_id, path: (runs[1] ?? '').replace(/\/+$/, '') };
  const marker = `/${v.run_id}/artifacts/`;
  const at = source.indexOf(marker);
  return { kind: 'run', runId: v.run_id, path: at >= 0 ? source.slice(at + marker.length).replace(/\/+$/, '') : '' };
}

export function RunSummary({ runId }: { runId: string }) {
  const [loaded] = useLoad(() => mlflow('GET', 'runs/get', { run_id: runId }), [runId]);
  return (
    <section aria-label="run">
      <h2>Run</h2>
      <Show loaded={loaded}>
        {(r: any) => {
          const info = r.run.info;
          const data = r.run.data ?? {};
          return (
            <>
              <p>
                <a href={runHref(info.experiment_id, info.run_id)}>{info.run_name || info.run_id}</a> · {info.status} · experiment {info.experiment_id}
              </p>
              <KeyValues title="Parameters" items={(data.params ?? []).map((p: any) => [p.key, p.value])} />
              <KeyValues title="Metrics" items={(data.metrics ?? []).map((m: any) => [m.key, String(m.value)])} />
            </>
          );
        }}
      </Show>
    </section>
  );
}

export function KeyValues({ title, items }: { title: string; items: [string, string][] }) {
  if (items.length === 0) return null;
  return (
    <>
      <h3>{title}</h3>
      <dl class="fields">
        {items.map(([k, v]) => (
          <>
            <dt key={`k${k}`}>{k}</dt>
            <dd key={`v${k}`}>{v}</dd>
          </>
        ))}
      </dl>
    </>
  );
}

function LoggedModel({ modelId }: { modelId: string }) {
  const [loaded] = useLoad(() => mlflow('GET', `logged-models/${encodeURIComponent(modelId)}`), [modelId]);
  return (
    <section aria-label="logged model">
      <h2>Logged model</h2>
      <Show loaded={loaded}>
        {(r: any) => {
          const info = r.model?.info ?? {};
          return (
            <dl class="fields">
              <dt>Id</dt>
              <dd>
                <code>{info.model_id}</code>
              </dd>
              <dt>Name</dt>
              <dd>{info.name}</dd>
              <dt>Status</dt>
              <dd>{info.status}</dd>
              <dt>Artifacts</dt>
              <dd class="source">{info.artifact_uri}</dd>
            </dl>
          );
        }}
      </Show>
    </section>
  );
}

export function VersionPage({ name, version }: { name: string; version: string }) {
  const abilities = useModelAbilities(name);
  const [loaded, reload] = useLoad(() => mlflow('GET', 'model-versions/get', { name, version }), [name, version]);
  return (
    <section>
      <nav class="crumbs" aria-label="breadcrumbs">
        <a href="#/models">Models</a> / <a href={modelHref(name)}>{name}</a> / <span>Version {version}</span>
      </nav>
      <Show loaded={loaded}>
        {(r: any) => {
          const v = r.model_version;
          const source = artifactSourceOf(v);
          return (
            <>
              <h1>
                {name} · Version {v.version}
              </h1>
              <div class="grid">
                <div>
                  <dl class="fields" aria-label="version fields">
                    <dt>Status</dt>
                    <dd>{v.status}</dd>
                    <dt>Stage</dt>
                    <dd>{v.current_stage}</dd>
                    <dt>Aliases</dt>
                    <dd>{(v.aliases ?? []).map((a: string) => `@${a}`).join(' ') || '—'}</dd>
                    <dt>Created</dt>
                    <dd>{time(v.creation_timestamp)}</dd>
                    <dt>Updated</dt>
                    <dd>{time(v.last_updated_timestamp)}</dd>
                    <dt>Created by</dt>
                    <dd>{v.user_id || '—'}</dd>
                    <dt>Source</dt>
                    <dd class="source">{v.source}</dd>
                    <dt>Run</dt>
                    <dd>{v.run_id ? <code>{v.run_id}</code> : '—'}</dd>
                    {v.run_link ? (
                      <>
                        <dt>Run link</dt>
                        <dd class="source">{/^https?:\/\//.test(v.run_link) ? <a href={v.run_link}>{v.run_link}</a> : v.run_link}</dd>
                      </>
                    ) : null}
                  </dl>
                  {v.description ? <Markdown source={v.description} /> : null}
                  <TagsEditor
                    label="version tags"
                    tags={v.tags ?? []}
                    abilities={abilities}
                    set={(key, value) => mlflow('POST', 'model-versions/set-tag', { name, version, key, value })}
                    // MLflow gates this on delete (route-permissions.ts).
                    remove={(key) => mlflow('DELETE', 'model-versions/delete-tag', { name, version, key })}
                    done={reload}
                  />
                </div>
                <div>
                  <Promote name={name} version={String(v.version)} abilities={abilities} done={reload} />
                </div>
              </div>
              {v.run_id ? <RunSummary runId={v.run_id} /> : null}
              {v.model_id ? <LoggedModel modelId={v.model_id} /> : null}
              {source ? <ArtifactBrowser source={source} /> : <p class="muted">This version names no run or logged model: its files are at {v.source}.</p>}
              <AuditTrail name={name} version={String(v.version)} />
            </>
          );
        }}
      </Show>
    </section>
  );
}

export function RunPage({ experimentId, runId }: { experimentId: string; runId: string }) {
  const [loaded] = useLoad(() => mlflow('GET', 'runs/get', { run_id: runId }), [runId]);
  return (
    <section>
      <nav class="crumbs" aria-label="breadcrumbs">
        <span>Experiment {experimentId}</span> / <span>Run {runId}</span>
      </nav>
      <Show loaded={loaded}>
        {(r: any) => {
          const info = r.run.info;
          const data = r.run.data ?? {};
          const inputs = r.run.inputs ?? {};
          return (
            <>
              <h1>{info.run_name || info.run_id}</h1>
              <dl class="fields">
                <dt>Run id</dt>
                <dd>
                  <code>{info.run_id}</code>
                </dd>
                <dt>Experiment</dt>
                <dd>{info.experiment_id}</dd>
                <dt>Status</dt>
                <dd>{info.status}</dd>
                <dt>Started</dt>
                <dd>{time(info.start_time)}</dd>
                <dt>Ended</dt>
                <dd>{time(info.end_time)}</dd>
                <dt>Artifacts</dt>
                <dd class="source">{info.artifact_uri}</dd>
              </dl>
              <KeyValues title="Parameters" items={(data.params ?? []).map((p: any) => [p.key, p.value])} />
              <KeyValues title="Metrics" items={(data.metrics ?? []).map((m: any) => [m.key, String(m.value)])} />
              <KeyValues title="Tags" items={(data.tags ?? []).filter((t: any) => !t.key.startsWith('mlflow.log-model')).map((t: any) => [t.key, t.value])} />
              <KeyValues title="Logged models" items={(inputs.model_inputs ?? []).map((m: any) => ['input', m.model_id])} />
              <ArtifactBrowser source={{ kind: 'run', runId: info.run_id, path: '' }} />
            </>
          );
        }}
      </Show>
    </section>
  );
}
