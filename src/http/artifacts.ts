/**
 * The artifact proxy ("mlflow-artifacts", mlflow/server/handlers.py and
 * mlflow/server/artifact_router.py), under `/api/2.0/mlflow-artifacts` and
 * `/ajax-api/2.0/mlflow-artifacts`:
 *
 *   GET    /artifacts?path=<dir>      list (basenames)
 *   GET    /artifacts/<path>          download (streamed, Range)
 *   PUT    /artifacts/<path>          upload (the raw body, whatever its Content-Type)
 *   DELETE /artifacts/<path>          delete
 *   POST   /mpu/{create,complete,abort}/<path>, GET /presigned/<path>   S3 only; 501 on local disk
 *
 * Mounted ahead of the JSON dispatcher so no body parser ever sees an upload. `<path>` is taken
 * from the raw URL and decoded only by the path gate (`safeArtifactPath`).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NextFunction, Request, Response, Router } from 'express';
import type { ArtifactStore } from '../artifacts/artifact-store.js';
import { safeArtifactPath } from '../artifacts/safe-path.js';
import { invalidParameter, notFound } from '../protocol/errors.js';
import { readRequestMessage, RequestMessage, requestMissing } from '../protocol/request.js';
import { sendStoredFile } from './file-download.js';
import { sendError, sendJson } from './respond.js';
import { consoleLogger, type Logger } from '../logger.js';

export interface ArtifactRouteDeps {
  /** The `--artifacts-destination`. */
  readonly store: ArtifactStore;
  readonly serveArtifacts: boolean;
  readonly logger?: Logger;
}

const BASES = ['/api/2.0/mlflow-artifacts', '/ajax-api/2.0/mlflow-artifacts'];

/** exceptions.py: _UnsupportedMultipartUploadException; clients fall back to a plain PUT on it. */
const MPU_UNSUPPORTED = 'Multipart upload is not supported for the current artifact repository';
/** exceptions.py: _UnsupportedMultipartDownloadException; clients fall back to a plain GET. */
const MPD_UNSUPPORTED = 'Multipart download is not supported for the current artifact repository';

/**
 * A disabled endpoint: 503 with a plain-text body, which the client retries and then reports, as
 * Flask's `Response(text, 503)` in _disable_unless_serve_artifacts / _disable_if_artifacts_only.
 */
export function sendDisabled(req: IncomingMessage, res: ServerResponse, text: string): void {
  req.resume();
  res.writeHead(503, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

export function artifactsOnlyMessage(rule: string): string {
  return (
    `Endpoint: ${rule} disabled due to the mlflow server running in \`--artifacts-only\` mode. ` +
    'To enable tracking server functionality, run `mlflow server` without `--artifacts-only`'
  );
}

function noServeMessage(rule: string): string {
  return (
    `Endpoint: ${rule} disabled due to the mlflow server running with \`--no-serve-artifacts\`. ` +
    'To enable artifacts server functionality, run `mlflow server` with `--serve-artifacts`'
  );
}

/**
 * A client that went away: an upload cut short, or a download closed early. The latter includes a
 * client closing right after the last byte, which `pipeline` reports as ERR_STREAM_PREMATURE_CLOSE
 * though everything arrived. Nothing to report to anyone.
 */
function clientGone(err: unknown, req: IncomingMessage): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ERR_STREAM_PREMATURE_CLOSE' || code === 'ECONNRESET' || code === 'EPIPE') return true;
  return req.destroyed && !req.complete;
}

type Handler = (req: Request, res: Response, rawPath: string) => Promise<void>;

interface Route {
  readonly method: string;
  /** Flask's rule, for the disabled message. */
  readonly rule: string;
  readonly handler: Handler;
}

export function artifactRoutes(deps: ArtifactRouteDeps): (router: Router) => void {
  const { store } = deps;
  const log = deps.logger ?? consoleLogger();

  const upload: Handler = async (req, res, raw) => {
    const rel = safeArtifactPath(raw);
    const declared = Number(req.headers['content-length']);
    const { size } = await store.write(rel, req, Number.isSafeInteger(declared) && declared > 0 ? { sizeHint: declared } : {});
    log('debug', `artifact uploaded: ${rel} (${size} bytes)`);
    sendJson(res, 200, {});
  };

  const download: Handler = async (req, res, raw) => {
    const rel = safeArtifactPath(raw);
    await sendStoredFile(req, res, store, rel, {
      label: `Artifact '${rel}'`,
      missing: (isDir) =>
        isDir ? invalidParameter(`Artifact path refers to a directory, not a file: '${rel}'`) : notFound(`No such artifact: '${rel}'`),
    });
  };

  const list: Handler = async (req, res) => {
    const q = req.query.path;
    const raw = Array.isArray(q) ? q[0] : q;
    const rel = typeof raw === 'string' ? safeArtifactPath(raw) : '';
    req.resume();
    const entries = await store.list(rel);
    // An empty repeated field is omitted from MLflow's JSON, so "nothing" is `{}`.
    if (entries.length === 0) return sendJson(res, 200, {});
    sendJson(res, 200, {
      files: entries.map((e) => (e.isDir ? { path: e.path, is_dir: true } : { path: e.path, is_dir: false, file_size: e.size })),
    });
  };

  const remove: Handler = async (req, res, raw) => {
    const rel = safeArtifactPath(raw);
    req.resume();
    await store.delete(rel);
    sendJson(res, 200, {});
  };

  // MLflow checks the path before it finds out the repository cannot do multipart.
  const unsupported =
    (message: string): Handler =>
    async (req, res, raw) => {
      safeArtifactPath(raw);
      req.resume();
      sendJson(res, 501, { error_code: 'NOT_IMPLEMENTED', message });
    };

  /**
   * `mpu/{create,complete,abort}/<dir>` with `{path: <the client's local file>, …}`: the artifact
   * is `<dir>/<basename>`
   * (server/handlers.py: _create_multipart_upload_artifact and the repository's
   * create_multipart_upload). Local disk cannot: MLflow's 501, before the body is read.
   */
  const multipartTarget = async (req: Request, raw: string) => {
    const dir = safeArtifactPath(raw);
    const mpu = store.multipart;
    if (!mpu) return undefined;
    const message = await readRequestMessage(req, {});
    const local = message.string('path');
    const base = local.split(/[\\/]/).filter((s) => s !== '').pop() ?? '';
    if (base === '' || base === '.' || base === '..') throw invalidParameter('Invalid path');
    return { mpu, message, rel: safeArtifactPath(dir === '' ? base : `${dir.replace(/\/+$/, '')}/${base}`) };
  };

  const mpuCreate: Handler = async (req, res, raw) => {
    const target = await multipartTarget(req, raw);
    if (!target) return unsupported(MPU_UNSUPPORTED)(req, res, raw);
    const created = await target.mpu.create(target.rel, target.message.optionalInt('num_parts') ?? 0);
    log('debug', `multipart upload started: ${target.rel} (${created.credentials.length} parts)`);
    sendJson(res, 200, {
      upload_id: created.uploadId,
      credentials: created.credentials.map((c) => ({ url: c.url, part_number: c.partNumber, headers: c.headers })),
    });
  };

  const mpuComplete: Handler = async (req, res, raw) => {
    const target = await multipartTarget(req, raw);
    if (!target) return unsupported(MPU_UNSUPPORTED)(req, res, raw);
    const { message } = target;
    if (!message.has('parts')) {
      throw requestMissing('parts');
    }
    const parts = message.objects('parts').map((p) => {
      const part = new RequestMessage(p, false);
      return { partNumber: part.optionalInt('part_number') ?? 0, etag: part.optionalString('etag') ?? '' };
    });
    await target.mpu.complete(target.rel, message.optionalString('upload_id') ?? '', parts);
    log('debug', `multipart upload completed: ${target.rel}`);
    sendJson(res, 200, {});
  };

  const mpuAbort: Handler = async (req, res, raw) => {
    const target = await multipartTarget(req, raw);
    if (!target) return unsupported(MPU_UNSUPPORTED)(req, res, raw);
    await target.mpu.abort(target.rel, target.message.optionalString('upload_id') ?? '');
    sendJson(res, 200, {});
  };

  const presigned: Handler = async (req, res, raw) => {
    const rel = safeArtifactPath(raw);
    const mpu = store.multipart;
    if (!mpu) return unsupported(MPD_UNSUPPORTED)(req, res, raw);
    req.resume();
    const signed = await mpu.presignedDownload(rel);
    sendJson(res, 200, { url: signed.url, headers: signed.headers, file_size: signed.fileSize });
  };

  const fileRoutes: Record<string, readonly Route[]> = {
    '/artifacts/': [
      { method: 'GET', rule: '/artifacts/<path:artifact_path>', handler: download },
      { method: 'HEAD', rule: '/artifacts/<path:artifact_path>', handler: download },
      { method: 'PUT', rule: '/artifacts/<path:artifact_path>', handler: upload },
      { method: 'DELETE', rule: '/artifacts/<path:artifact_path>', handler: remove },
    ],
    '/mpu/create/': [{ method: 'POST', rule: '/mpu/create/<path:artifact_path>', handler: mpuCreate }],
    '/mpu/complete/': [{ method: 'POST', rule: '/mpu/complete/<path:artifact_path>', handler: mpuComplete }],
    '/mpu/abort/': [{ method: 'POST', rule: '/mpu/abort/<path:artifact_path>', handler: mpuAbort }],
    '/presigned/': [{ method: 'GET', rule: '/presigned/<path:artifact_path>', handler: presigned }],
  };
  const listRoutes: readonly Route[] = [
    { method: 'GET', rule: '/artifacts', handler: list },
    { method: 'HEAD', rule: '/artifacts', handler: list },
  ];

  /** The route for a path below the base, and the raw (still encoded) `<path>`. */
  function match(method: string, sub: string): { route: Route; raw: string } | undefined {
    if (sub === '/artifacts') {
      const route = listRoutes.find((r) => r.method === method);
      return route && { route, raw: '' };
    }
    for (const [prefix, routes] of Object.entries(fileRoutes)) {
      if (!sub.startsWith(prefix)) continue;
      const raw = sub.slice(prefix.length);
      const route = routes.find((r) => r.method === method);
      // An empty <path> matches no MLflow route, except for an upload, which then lacks a file name.
      if (!route || (raw === '' && method !== 'PUT')) return undefined;
      return { route, raw };
    }
    return undefined;
  }

  return (router: Router) => {
    router.use(BASES, (req: Request, res: Response, next: NextFunction) => {
      const found = match(req.method, req.path);
      if (!found) return next();
      if (!deps.serveArtifacts) return sendDisabled(req, res, noServeMessage(`${req.baseUrl}${found.route.rule}`));
      found.route.handler(req, res, found.raw).catch((err: unknown) => {
        if (clientGone(err, req)) {
          log('debug', `artifact ${req.method} ${req.path}: client went away`);
          if (!res.writableEnded) res.destroy();
          return;
        }
        // Answer first, then drain an upload the error left unread (keeps the connection usable).
        sendError(res, err, log);
        if (!req.readableEnded) req.resume();
      });
    });
  };
}

