/**
 * Which store holds the files of an artifact root (a run's `artifact_uri`, a logged model's
 * `artifact_location`, a model version's download URI), for the routes that read or write under a
 * root rather than under the proxy's path: `artifacts/list`, `logged-models/{id}/artifacts/directories`,
 * `/get-artifact`, `/model-versions/get-artifact`, `logged-models/{id}/artifacts/files`,
 * `upload-artifact`.
 *
 * MLflow (server/handlers.py: _is_servable_proxied_run_artifact_root, _get_artifact_repository_for_uri)
 * serves a proxied root (`mlflow-artifacts:`, or an http(s) URL of the proxy) from
 * `--artifacts-destination` when it serves artifacts, and any other root through the artifact
 * repository of its scheme, wherever it points. That second half is a hole: anyone who may create
 * an experiment chooses its `artifact_location`, e.g. `file:///etc`, and could then read
 * `/etc/passwd` through `/get-artifact`. flowreg serves a `file:` (or plain path) or `s3://` root
 * only when it lies inside one of the server's own artifact locations, `--artifacts-destination`
 * and `--default-artifact-root`; any other root is refused with PERMISSION_DENIED. The path below
 * the root still goes through the path gate (safe-path.ts) and the store's containment check,
 * which resolves symbolic links.
 */
import path from 'node:path';
import type { S3Settings } from '../config/s3-settings.js';
import { isS3Uri, parseS3Uri } from '../config/s3-settings.js';
import type { Logger } from '../logger.js';
import { MlflowError } from '../protocol/errors.js';
import type { ArtifactStore } from './artifact-store.js';
import { LocalArtifactStore } from './local.js';
import { isLocalUri, safeArtifactPath, uriScheme } from './safe-path.js';

/** A root resolved to a store and the store-relative directory of the root ('' for the store's top). */
export interface ResolvedRoot {
  readonly store: ArtifactStore;
  readonly dir: string;
}

export interface ArtifactRootsOptions {
  /** The `--artifacts-destination` store and its location (an absolute directory or `s3://…`). */
  readonly destination: ArtifactStore;
  readonly destinationUri: string;
  readonly serveArtifacts: boolean;
  readonly defaultArtifactRoot: string;
  /** Needed for an `s3://` root that is not the destination. */
  readonly s3?: S3Settings;
  readonly logger: Logger;
}

const PROXY_API_PATH = '/api/2.0/mlflow-artifacts/artifacts';

/**
 * The store-relative directory of a proxied artifact root (server/handlers.py:
 * _get_proxied_run_artifact_destination_path): `mlflow-artifacts:/0/r/artifacts` and
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

/** The absolute local path of a plain path or a `file:` URI (`file:///x` → `/x`); undefined for a host. */
function localPathOf(uri: string): string | undefined {
  let p = uri;
  if (uriScheme(uri) === 'file') {
    p = uri.slice('file:'.length);
    if (p.startsWith('//')) {
      const slash = p.indexOf('/', 2);
      if (slash !== 2) return undefined; // file://host/… names another machine
      p = p.slice(2);
    }
    if (/[?#;]/.test(p)) return undefined;
    try {
      p = decodeURIComponent(p);
    } catch {
      return undefined;
    }
  }
  if (p.includes('\0')) return undefined;
  return path.resolve(p);
}

/** `child` relative to `parent` when inside it ('' when equal), else undefined. */
function inside(parent: string, child: string): string | undefined {
  const rel = path.relative(parent, child);
  if (rel === '') return '';
  if (rel.startsWith('..') || path.isAbsolute(rel)) return undefined;
  return rel.split(path.sep).join('/');
}

export function refusedRoot(uri: string): MlflowError {
  return new MlflowError(
    'PERMISSION_DENIED',
    `Artifact root '${uri}' is outside this server's artifact locations (--artifacts-destination, ` +
      '--default-artifact-root): flowreg does not read or write it.',
  );
}

interface AllowedLocal {
  readonly dir: string;
  readonly store: () => ArtifactStore;
}
interface AllowedS3 {
  readonly bucket: string;
  readonly prefix: string;
  readonly store: () => Promise<ArtifactStore>;
}

export class ArtifactRoots {
  private readonly locals: AllowedLocal[] = [];
  private readonly s3s: AllowedS3[] = [];
  private readonly opened: Array<{ destroy?: () => void }> = [];

  constructor(private readonly options: ArtifactRootsOptions) {
    const { destination, destinationUri } = options;
    this.allow(destinationUri, destination);
    // MLflow's default for --no-serve-artifacts is a local `mlruns` directory; with
    // --serve-artifacts it is `mlflow-artifacts:/`, which is the destination itself.
    if (!proxiedArtifactDir(options.defaultArtifactRoot) && options.defaultArtifactRoot !== '') this.allow(options.defaultArtifactRoot);
  }

  private allow(uri: string, store?: ArtifactStore): void {
    if (isS3Uri(uri)) {
      const { bucket, prefix } = parseS3Uri(uri);
      let opening: Promise<ArtifactStore> | undefined;
      const open = async (): Promise<ArtifactStore> => {
        if (store) return store;
        const settings = this.options.s3;
        if (!settings) throw new MlflowError('INTERNAL_ERROR', `No S3 settings to reach ${uri}`);
        // The AWS SDK is loaded only when an s3:// root is first used.
        const { openS3ArtifactStore } = await import('./s3.js');
        const s3 = await openS3ArtifactStore(uri, settings, { logger: this.options.logger });
        this.opened.push(s3);
        return s3;
      };
      this.s3s.push({ bucket, prefix, store: () => (opening ??= open()) });
      return;
    }
    if (!isLocalUri(uri)) return;
    const dir = localPathOf(uri);
    if (dir === undefined) return;
    let local: ArtifactStore | undefined = store;
    this.locals.push({ dir, store: () => (local ??= new LocalArtifactStore(dir)) });
  }

  /**
   * The store and directory of `rootUri`. `undefined` when the server cannot serve that kind of
   * root (another scheme; a proxied root with --no-serve-artifacts): listing then answers the root
   * alone, as flowreg always has. Throws PERMISSION_DENIED for a local or S3 root outside the
   * server's artifact locations.
   */
  async resolve(rootUri: string): Promise<ResolvedRoot | undefined> {
    const proxied = proxiedArtifactDir(rootUri);
    if (proxied !== undefined) {
      if (!this.options.serveArtifacts) return undefined;
      return { store: this.options.destination, dir: safeArtifactPath(proxied) };
    }
    if (isS3Uri(rootUri)) {
      let loc: { bucket: string; prefix: string };
      try {
        loc = parseS3Uri(rootUri);
      } catch {
        throw refusedRoot(rootUri);
      }
      for (const allowed of this.s3s) {
        if (allowed.bucket !== loc.bucket) continue;
        const within =
          allowed.prefix === '' ? loc.prefix : loc.prefix === allowed.prefix ? '' : loc.prefix.startsWith(`${allowed.prefix}/`) ? loc.prefix.slice(allowed.prefix.length + 1) : undefined;
        if (within === undefined) continue;
        return { store: await allowed.store(), dir: safeArtifactPath(within) };
      }
      throw refusedRoot(rootUri);
    }
    if (isLocalUri(rootUri)) {
      const abs = localPathOf(rootUri);
      if (abs !== undefined) {
        for (const allowed of this.locals) {
          const within = inside(allowed.dir, abs);
          if (within !== undefined) return { store: allowed.store(), dir: within };
        }
      }
      throw refusedRoot(rootUri);
    }
    return undefined;
  }

  /** Releases the S3 clients opened for roots (not the destination's). */
  close(): void {
    for (const s of this.opened) s.destroy?.();
  }
}

/** `dir/rel` for a store, either part may be ''. */
export function joinStorePath(dir: string, rel: string): string {
  return [dir.replace(/\/+$/, ''), rel.replace(/^\/+|\/+$/g, '')].filter((s) => s !== '').join('/');
}
