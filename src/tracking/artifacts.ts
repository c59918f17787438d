/**
 * Listing the files under a run's or a logged model's artifact root for `GET artifacts/list` and
 * `GET logged-models/{id}/artifacts/directories`. The artifact side fills in an `ArtifactLister`
 * (compose.ts); without one, or for a root it cannot serve, the answer has only `root_uri`.
 */
import { safeArtifactPath } from '../artifacts/safe-path.js';
import type { FileInfo } from '../domain/file-info.js';

export interface ArtifactEntry {
  /** The entry's name inside the listed directory (a basename). */
  readonly name: string;
  readonly isDir: boolean;
  /** Bytes, for files. */
  readonly fileSize?: number;
}

export interface ArtifactLister {
  /**
   * Entries directly under `path` (relative, already checked; '' for the root) of the artifact
   * root `rootUri`; `undefined` when this lister does not serve that root. A missing directory
   * or a file path lists as empty.
   */
  listArtifacts(rootUri: string, path: string): Promise<readonly ArtifactEntry[] | undefined>;
}

/**
 * A client-supplied path below an artifact root, checked by the artifact path gate
 * (safe-path.ts: safeArtifactPath, MLflow's validate_path_is_safe); "Invalid path" otherwise.
 * Returns it without slashes at either end.
 */
export function checkArtifactSubpath(path: string): string {
  safeArtifactPath(path);
  return path.replace(/^\/+|\/+$/g, '');
}

/** Lists `path` under `rootUri` as FileInfos relative to the root; [] when nothing can list it. */
export async function listUnder(lister: ArtifactLister | undefined, rootUri: string, path: string | undefined): Promise<FileInfo[]> {
  const dir = path === undefined ? '' : checkArtifactSubpath(path);
  if (!lister) return [];
  const entries = (await lister.listArtifacts(rootUri, dir)) ?? [];
  return entries.map((e) => ({
    path: dir ? `${dir}/${e.name}` : e.name,
    isDir: e.isDir,
    ...(e.isDir || e.fileSize === undefined ? {} : { fileSize: e.fileSize }),
  }));
}

/** What the lister needs from the proxy's artifact store (artifacts/artifact-store.ts). */
export interface ListableStore {
  list(relDir: string): Promise<ReadonlyArray<{ readonly path: string; readonly isDir: boolean; readonly size?: number }>>;
}

const PROXY_API_PATH = '/api/2.0/mlflow-artifacts/artifacts';

/**
 * The store-relative directory of a proxied artifact root (server/handlers.py:
 * _is_servable_proxied_run_artifact_root): `mlflow-artifacts:/0/r/artifacts` and
 * `http(s)://host/api/2.0/mlflow-artifacts/artifacts/0/r/artifacts` both name `0/r/artifacts`.
 */
export function proxiedArtifactDir(uri: string): string | undefined {
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):(?:\/\/[^/?#]*)?([^?#]*)/.exec(uri);
  if (!m) return undefined;
  const scheme = (m[1] as string).toLowerCase();
  let p = m[2] as string;
  if (scheme === 'http' || scheme === 'https') {
    const at = p.indexOf(PROXY_API_PATH);
    if (at < 0) return undefined;
    p = p.slice(at + PROXY_API_PATH.length);
  } else if (scheme !== 'mlflow-artifacts') {
    return undefined;
  }
  return p.replace(/^\/+|\/+$/g, '');
}

/** Lists proxied roots through the `--artifacts-destination` store; other roots are not listed. */
export function proxiedArtifactLister(store: ListableStore): ArtifactLister {
  return {
    async listArtifacts(rootUri, path) {
      const root = proxiedArtifactDir(rootUri);
      if (root === undefined) return undefined;
      const dir = [root, path].filter((s) => s !== '').join('/');
      const entries = await store.list(dir);
      return entries.map((e) => ({
        name: e.path.split('/').pop() ?? e.path,
        isDir: e.isDir,
        ...(e.size === undefined ? {} : { fileSize: e.size }),
      }));
    },
  };
}
