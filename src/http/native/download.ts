/**
 * The native API's reads of one model version (`{ref}` is a number, `latest` or `@<alias>`):
 *
 *   GET /models/{name}/versions/{ref}                the version (MLflow's JSON)
 *   GET /models/{name}/versions/{ref}/files          {files: [{path, size}]}
 *   GET /models/{name}/versions/{ref}/files/{path}   one file (Range, HEAD)
 *   GET /models/{name}/versions/{ref}/archive        the version as .tar.gz (?format=tar: plain tar)
 */
import type { Request, Response } from 'express';
import type { ArtifactStore } from '../../artifacts/artifact-store.js';
import { contentDisposition } from '../../artifacts/download-headers.js';
import { safeArtifactPath } from '../../artifacts/safe-path.js';
import { writeArchive } from '../../native/archive.js';
import { tarSize, type TarEntry } from '../../native/tar.js';
import type { VersionFiles } from '../../native/version-files.js';
import { invalidParameter, notFound } from '../../protocol/errors.js';
import { modelVersionJson } from '../../protocol/messages/registry.js';
import { sendStoredFile } from '../file-download.js';
import { sendJson } from '../json.js';

export interface DownloadDeps {
  readonly files: VersionFiles;
  /** The `--artifacts-destination`. */
  readonly store: ArtifactStore;
}

export async function getVersion(deps: DownloadDeps, res: Response, name: string, ref: string): Promise<void> {
  const mv = await deps.files.resolve(name, ref);
  sendJson(res, 200, { model_version: modelVersionJson(mv) });
}

export async function listFiles(deps: DownloadDeps, res: Response, name: string, ref: string): Promise<void> {
  const { files } = deps;
  const mv = await files.resolve(name, ref);
  const root = await files.root(mv);
  const entries = (await files.walk(root)).filter((e) => e.type === 'file');
  sendJson(res, 200, {
    model_version: modelVersionJson(mv),
    files: entries.map((e) => ({ path: e.path, size: e.size })),
  });
}

export async function downloadFile(deps: DownloadDeps, req: Request, res: Response, name: string, ref: string, raw: string): Promise<void> {
  const { files } = deps;
  const rel = safeArtifactPath(raw).replace(/^\/+|\/+$/g, '');
  if (rel === '') return listFiles(deps, res, name, ref);
  const mv = await files.resolve(name, ref);
  const root = await files.root(mv);
  const label = `${mv.name}/${mv.version}`;
  await sendStoredFile(req, res, deps.store, `${root}/${rel}`, {
    label: `File '${rel}' of model version ${label}`,
    missing: (isDir) =>
      isDir
        ? invalidParameter(`'${rel}' is a directory of model version ${label}, not a file; fetch the archive for everything.`)
        : notFound(`Model version ${label} has no file '${rel}'.`),
  });
}

export async function archive(deps: DownloadDeps, req: Request, res: Response, name: string, ref: string): Promise<void> {
  const { files } = deps;
  const format = typeof req.query.format === 'string' ? req.query.format : 'tar.gz';
  if (format !== 'tar.gz' && format !== 'tgz' && format !== 'tar') {
    throw invalidParameter(`Unsupported archive format '${format}': use 'tar.gz' (the default) or 'tar'.`);
  }
  const gzip = format !== 'tar';
  const mv = await files.resolve(name, ref);
  const root = await files.root(mv);
  const walked = await files.walk(root);
  if (!walked.some((e) => e.type === 'file')) throw notFound(`Model version ${mv.name}/${mv.version} has no files.`);
  const mtime = Math.floor(mv.lastUpdatedTime / 1000);
  const entries: TarEntry[] = walked.map((e) => ({ path: e.path, type: e.type, size: e.size, mtime }));
  const size = tarSize(entries);
  res.statusCode = 200;
  res.setHeader('Content-Type', gzip ? 'application/gzip' : 'application/x-tar');
  res.setHeader('Content-Disposition', contentDisposition(`${mv.name}-v${mv.version}.${gzip ? 'tar.gz' : 'tar'}`));
  res.setHeader('X-Content-Type-Options', 'nosniff');
  // The size of the tar stream (before compression), for progress reporting.
  res.setHeader('X-Flowreg-Tar-Size', String(size));
  res.setHeader('X-Flowreg-Model-Version', `${mv.name}/${mv.version}`);
  if (!gzip) res.setHeader('Content-Length', String(size));
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  await writeArchive(
    deps.store,
    entries.map((e) => (e.type === 'file' ? { ...e, storePath: `${root}/${e.path}` } : e)),
    res,
    gzip,
  );
}
