/**
 * A file browser over an artifact root: a run's (`artifacts/list`) or a logged model's
 * (`logged-models/{id}/artifacts/directories`), one directory at a time, with download links and
 * the `MLmodel` file shown readably.
 */
import { useState } from 'preact/hooks';
import { fetchText, mlflow, url } from './api';
import { Show, useLoad } from './common';

export type ArtifactSource = { kind: 'run'; runId: string; path: string } | { kind: 'logged-model'; modelId: string; path: string };

interface FileInfo {
  path: string;
  is_dir?: boolean;
  file_size?: number | string;
}

/**
 * The download URL of `path` under `root`. A proxied root (`mlflow-artifacts:/…`) goes through the
 * artifact proxy; any other root through MLflow's UI download routes (`get-artifact`,
 * `logged-models/{id}/artifacts/files`).
 */
export function downloadHref(source: ArtifactSource, root: string, path: string): string {
  const proxied = /^mlflow-artifacts:\/*(.*)$/.exec(root);
  if (proxied) {
    const rest = [proxied[1], path].filter(Boolean).join('/').replace(/^\/+/, '');
    return url(`ajax-api/2.0/mlflow-artifacts/artifacts/${rest.split('/').map(encodeURIComponent).join('/')}`);
  }
  if (source.kind === 'run') return url(`get-artifact?path=${encodeURIComponent(path)}&run_id=${encodeURIComponent(source.runId)}`);
  return url(`ajax-api/2.0/mlflow/logged-models/${encodeURIComponent(source.modelId)}/artifacts/files?artifact_file_path=${encodeURIComponent(path)}`);
}

async function list(source: ArtifactSource, path: string): Promise<{ root_uri: string; files: FileInfo[] }> {
  const r =
    source.kind === 'run'
      ? await mlflow('GET', 'artifacts/list', { run_id: source.runId, path })
      : await mlflow('GET', `logged-models/${encodeURIComponent(source.modelId)}/artifacts/directories`, { artifact_directory_path: path });
  const files = [...((r.files ?? []) as FileInfo[])].sort((a, b) => Number(!!b.is_dir) - Number(!!a.is_dir) || a.path.localeCompare(b.path));
  return { root_uri: r.root_uri ?? '', files };
}

function size(bytes: number | string | undefined): string {
  if (bytes === undefined) return '';
  const n = Number(bytes);
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

export function ArtifactBrowser({ source }: { source: ArtifactSource }) {
  const [dir, setDir] = useState(source.path);
  const [loaded] = useLoad(() => list(source, dir), [source.kind, dir]);
  const parent = dir.includes('/') ? dir.slice(0, dir.lastIndexOf('/')) : '';
  return (
    <section aria-label="artifacts">
      <h2>Artifacts</h2>
      <p class="muted small">
        <code>/{dir}</code>
      </p>
      <Show loaded={loaded}>
        {(r) => (
          <>
            <ul class="files">
              {dir !== '' ? (
                <li>
                  <button type="button" class="link" onClick={() => setDir(parent)}>
                    ↑ parent folder
                  </button>
                </li>
              ) : null}
              {r.files.length === 0 ? <li class="muted">No files listed here.</li> : null}
              {r.files.map((f) => {
                const name = f.path.slice(f.path.lastIndexOf('/') + 1);
                return (
                  <li key={f.path} class={f.is_dir ? 'dir' : 'file'}>
                    {f.is_dir ? (
                      <button type="button" class="link" onClick={() => setDir(f.path)}>
                        {name}/
                      </button>
                    ) : (
                      <>
                        {name} <span class="muted small">{size(f.file_size)}</span>{' '}
                        <a href={downloadHref(source, r.root_uri, f.path)} download={name}>
                          Download
                        </a>
                      </>
                    )}
                  </li>
                );
              })}
            </ul>
            {r.files.some((f) => f.path.endsWith('/MLmodel') || f.path === 'MLmodel') ? (
              <MLmodelView href={downloadHref(source, r.root_uri, r.files.find((f) => f.path.endsWith('MLmodel'))!.path)} />
            ) : null}
          </>
        )}
      </Show>
    </section>
  );
}

/** The parts of an MLmodel file worth reading: its flavors (with their settings) and signature. */
export interface MLmodelSummary {
  flavors: { name: string; settings: [string, string][] }[];
  signature: { inputs?: unknown; outputs?: unknown; params?: unknown };
  fields: [string, string][];
}

function scalar(value: string): string {
  const v = value.trim();
  if (v.startsWith("'") && v.endsWith("'")) return v.slice(1, -1).replace(/''/g, "'");
  if (v.startsWith('"') && v.endsWith('"')) {
    try {
      return JSON.parse(v) as string;
    } catch {
      return v.slice(1, -1);
    }
  }
  return v;
}

/** Reads the YAML subset MLflow writes for MLmodel (mlflow/models/model.py: Model.to_yaml). */
export function parseMLmodel(text: string): MLmodelSummary {
  const out: MLmodelSummary = { flavors: [], signature: {}, fields: [] };
  let section = '';
  let flavor: MLmodelSummary['flavors'][number] | undefined;
  for (const line of text.split('\n')) {
    if (!line.trim() || line.trim().startsWith('#')) continue;
    const indent = line.length - line.trimStart().length;
    const m = /^\s*([^:]+):\s*(.*)$/.exec(line);
    if (!m) continue;
    const key = (m[1] as string).trim();
    const value = m[2] as string;
    if (indent === 0) {
      section = key;
      if (value && key !== 'flavors' && key !== 'signature') out.fields.push([key, scalar(value)]);
      continue;
    }
    if (section === 'flavors') {
      if (indent === 2) {
        flavor = { name: key, settings: [] };
        out.flavors.push(flavor);
      } else if (flavor && value) flavor.settings.push([key, scalar(value)]);
    } else if (section === 'signature' && indent === 2 && (key === 'inputs' || key === 'outputs' || key === 'params')) {
      if (value.trim() === 'null' || value.trim() === '') continue;
      try {
        out.signature[key] = JSON.parse(scalar(value));
      } catch {
        out.signature[key] = scalar(value);
      }
    }
  }
  return out;
}

function SchemaTable({ title, schema }: { title: string; schema: unknown }) {
  if (!Array.isArray(schema)) return schema === undefined ? null : <p>{title}: {String(schema)}</p>;
  return (
    <div class="table-wrap">
      <table aria-label={title}>
        <caption>{title}</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Type</th>
            <th scope="col">Required</th>
          </tr>
        </thead>
        <tbody>
          {schema.map((col: any, i: number) => (
            <tr key={i}>
              <td>{col.name ?? <span class="muted">(unnamed)</span>}</td>
              <td>
                <code>{col.type === 'tensor' ? `tensor ${col['tensor-spec']?.dtype ?? ''} ${JSON.stringify(col['tensor-spec']?.shape ?? '')}` : String(col.type ?? '')}</code>
              </td>
              <td>{col.required === false ? 'no' : 'yes'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function MLmodelView({ href }: { href: string }) {
  const [loaded] = useLoad(() => fetchText(href).then(parseMLmodel), [href]);
  return (
    <section aria-label="MLmodel">
      <h3>MLmodel</h3>
      <Show loaded={loaded}>
        {(m) => (
          <>
            <dl class="fields">
              {m.fields.map(([k, v]) => (
                <>
                  <dt key={`k${k}`}>{k}</dt>
                  <dd key={`v${k}`}>{v}</dd>
                </>
              ))}
            </dl>
            <h4>Flavors</h4>
            <ul class="kv">
              {m.flavors.map((f) => (
                <li key={f.name}>
                  <strong>{f.name}</strong>{' '}
                  <span class="muted small">{f.settings.map(([k, v]) => `${k}: ${v}`).join(' · ')}</span>
                </li>
              ))}
            </ul>
            <h4>Signature</h4>
            {m.signature.inputs === undefined && m.signature.outputs === undefined ? <p class="muted">No signature.</p> : null}
            <SchemaTable title="Inputs" schema={m.signature.inputs} />
            <SchemaTable title="Outputs" schema={m.signature.outputs} />
            {m.signature.params !== undefined ? <SchemaTable title="Parameters" schema={m.signature.params} /> : null}
          </>
        )}
      </Show>
    </section>
  );
}
