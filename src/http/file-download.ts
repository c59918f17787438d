/**
 * Sending one stored file: the whole file or one `Range` of it, with the headers MLflow's artifact
 * download sends (mlflow/server/handlers.py: get_artifact_handler, which goes through Flask's
 * send_file: Content-Type guessed from the name, `attachment` disposition, `nosniff`). Used by the
 * artifact proxy and by the native API's file download.
 */
import type { Request, Response } from 'express';
import { pipeline } from 'node:stream/promises';
import type { ArtifactStore } from '../artifacts/artifact-store.js';
import { contentDisposition, parseRange } from '../artifacts/download-headers.js';
import { guessMimeType } from '../artifacts/mime.js';
import { MlflowError } from '../protocol/errors.js';

/** A unique origin, no scripts, no loads: a downloaded file can never act as the registry's page. */
export const DOWNLOAD_CSP = "default-src 'none'; sandbox";

export function destroyStream(stream: NodeJS.ReadableStream, err?: Error): void {
  (stream as NodeJS.ReadableStream & { destroy?: (e?: Error) => void }).destroy?.(err);
}

export interface FileDescription {
  /** How errors name the file: `Artifact 'a/b.pkl'`. */
  readonly label: string;
  /** The error for a path with no file, told whether the path is a directory. */
  readonly missing: (isDir: boolean) => Error;
}

/** Streams `path` of `store` to `res` (headers only for HEAD). */
export async function sendStoredFile(
  req: Request,
  res: Response,
  store: ArtifactStore,
  path: string,
  { label, missing }: FileDescription,
): Promise<void> {
  const name = path.split('/').filter((s) => s !== '').pop() ?? path;
  const rangeHeader = req.method === 'HEAD' ? undefined : req.headers.range;
  // Open, then read the range of the file actually opened; if a new upload replaced the file
  // between the two opens (rare: artifacts are written once), start over.
  for (let attempt = 0; attempt < 3; attempt++) {
    const whole = await store.read(path);
    if (!whole) throw missing((await store.stat(path))?.isDir === true);
    const range = parseRange(rangeHeader, whole.size);
    let opened = whole;
    if (range) {
      destroyStream(whole.stream);
      if (range === 'unsatisfiable') {
        // Flask's send_file answers 416 with the size in Content-Range (RFC 9110 15.5.17).
        throw new MlflowError('INVALID_PARAMETER_VALUE', `Requested range not satisfiable: ${String(rangeHeader)}`, {
          httpStatus: 416,
          headers: { 'Content-Range': `bytes */${whole.size}` },
        });
      }
      const part = await store.read(path, range);
      if (!part) continue;
      if (part.size !== whole.size) {
        destroyStream(part.stream);
        continue;
      }
      opened = part;
    }
    const length = range ? range.end - range.start + 1 : whole.size;
    res.statusCode = range ? 206 : 200;
    res.setHeader('Content-Type', guessMimeType(name));
    res.setHeader('Content-Length', String(length));
    res.setHeader('Content-Disposition', contentDisposition(name));
    res.setHeader('X-Content-Type-Options', 'nosniff');
    // Further than MLflow: should a browser render the file anyway (HTML, SVG, XML opened inline by
    // a plugin or an old browser that ignores `attachment`), it runs sandboxed, with no script and
    // no access to the registry's origin.
    res.setHeader('Content-Security-Policy', DOWNLOAD_CSP);
    res.setHeader('Accept-Ranges', 'bytes');
    if (range) res.setHeader('Content-Range', `bytes ${range.start}-${range.end}/${whole.size}`);
    if (req.method === 'HEAD') {
      destroyStream(opened.stream);
      res.end();
      return;
    }
    await pipeline(opened.stream, res);
    return;
  }
  throw new MlflowError('TEMPORARILY_UNAVAILABLE', `${label} is being replaced; retry the request.`);
}
