/**
 * The files of a model version, as the native download endpoints see them: the tree under the
 * version's download location (storage_location, else source) when this server's artifact
 * proxy stores it (`mlflow-artifacts:/…`, `http(s)://…/api/2.0/mlflow-artifacts/artifacts/…`, or
 * `runs:/<run>/<path>` of a run whose root is proxied). That covers versions published natively
 * and versions registered by MLflow clients against this server alike.
 */
import type { ArtifactStore } from '../artifacts/artifact-store.js';
import { invalidParameter, MlflowError, notFound } from '../protocol/errors.js';
import type { ModelVersions } from '../registry/model-versions.js';
import { parseVersion } from '../registry/validation.js';
import type { ModelVersion } from '../store/registry-store.js';
import { proxiedArtifactDir } from '../tracking/artifacts.js';
import type { Runs } from '../tracking/runs.js';

/** More files than this in one version is not something to list or archive in one response. */
export const MAX_VERSION_FILES = 100_000;

export interface VersionFile {
  /** Relative to the version's root, `/`-separated. */
  readonly path: string;
  readonly type: 'file' | 'dir';
  readonly size: number;
}

export interface VersionFilesDeps {
  readonly modelVersions: ModelVersions;
  readonly runs: Runs;
  readonly store: ArtifactStore;
}

export class VersionFiles {
  constructor(private readonly deps: VersionFilesDeps) {}

  /** `3`, `latest` (any case) or `@alias`. */
  async resolve(name: string, ref: string): Promise<ModelVersion> {
    const { modelVersions } = this.deps;
    if (ref.startsWith('@')) return modelVersions.byAlias(name, ref.slice(1));
    if (ref.toLowerCase() === 'latest') return modelVersions.byAlias(name, 'latest');
    if (/^\d+$/.test(ref)) return modelVersions.get(name, parseVersion(ref));
    throw invalidParameter(`Invalid version '${ref}': use a version number, 'latest' or '@<alias>'.`);
  }

  /** The store directory holding a READY version's files. */
  async root(mv: ModelVersion): Promise<string> {
    const label = `${mv.name}/${mv.version}`;
    if (mv.status !== 'READY') {
      throw new MlflowError(
        'RESOURCE_CONFLICT',
        `Model version ${label} is ${mv.status}: its files are not available${mv.status === 'PENDING_REGISTRATION' ? ' yet' : ''}.`,
      );
    }
    const uri = mv.storageLocation || mv.source;
    let dir = proxiedArtifactDir(uri);
    const runs = /^runs:\/([^/]+)(?:\/(.*))?$/.exec(uri);
    if (dir === undefined && runs) {
      const info = await this.deps.runs.info(runs[1] as string).catch(() => undefined);
      const runDir = info ? proxiedArtifactDir(info.artifactUri) : undefined;
      if (runDir !== undefined) dir = [runDir, runs[2] ?? ''].filter((s) => s !== '').join('/');
    }
    if (dir === undefined || dir === '') {
      throw notFound(`The files of model version ${label} are not stored on this server (source: ${uri}).`);
    }
    return dir.replace(/\/+$/, '');
  }

  /** Every file and directory under root, depth first, each directory before its contents. */
  async walk(root: string): Promise<VersionFile[]> {
    const out: VersionFile[] = [];
    const visit = async (rel: string): Promise<void> => {
      const entries = await this.deps.store.list(rel === '' ? root : `${root}/${rel}`);
      for (const e of entries) {
        const path = rel === '' ? e.path : `${rel}/${e.path}`;
        if (out.length >= MAX_VERSION_FILES) {
          throw invalidParameter(`The version has more than ${MAX_VERSION_FILES} files; download them one by one.`);
        }
        if (e.isDir) {
          out.push({ path, type: 'dir', size: 0 });
          await visit(path);
        } else {
          out.push({ path, type: 'file', size: e.size ?? 0 });
        }
      }
    };
    await visit('');
    return out;
  }
}
