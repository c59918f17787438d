/**
 * Listing the files under a run's or a logged model's artifact root for `GET artifacts/list` and
 * `GET logged-models/{id}/artifacts/directories`. The artifact side fills in an `ArtifactLister`
 * (compose.ts); without one, or for a root it cannot serve, the answer has only `root_uri`.
 */
import { safeArtifactPath } from '../artifacts/safe-path.js';
import { joinStorePath, type ArtifactRoots } from '../artifacts/artifact-roots.js';
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

export { proxiedArtifactDir } from '../artifacts/artifact-roots.js';

/**
 * Lists any root the server may serve (artifacts/artifact-roots.ts): proxied roots through the
 * `--artifacts-destination` store, `file:` and `s3://` roots inside the server's artifact locations
 * through their own store (MLflow: _get_artifact_repo(run).list_artifacts), with or without
 * `--serve-artifacts`. A root outside them is refused (PERMISSION_DENIED); a kind of root the
 * server cannot read lists as nothing.
 */
export function rootsArtifactLister(roots: ArtifactRoots): ArtifactLister {
  return {
    async listArtifacts(rootUri, path) {
      const root = await roots.resolve(rootUri);
      if (!root) return undefined;
      const entries = await root.store.list(joinStorePath(root.dir, path));
      return entries.map((e) => ({
        name: e.path.split('/').pop() ?? e.path,
        isDir: e.isDir,
        ...(e.size === undefined ? {} : { fileSize: e.size }),
      }));
    },
  };
}
