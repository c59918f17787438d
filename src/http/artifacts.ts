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
 * Stream routes of the one route table: nothing reads an upload's body but its handler. `<path>` is
 * taken from the raw URL and decoded only by the path gate (`safeArtifactPath`).
 */
import type { Request, Response } from 'express';
import type { ArtifactStore } from '../artifacts/artifact-store.js';
import { safeArtifactPath } from '../artifacts/safe-path.js';
import { invalidParameter, MlflowError, notFound } from '../protocol/errors.js';
import { readRequestMessage } from '../protocol/request.js';
import { RequestMessage } from '../protocol/request-message.js';
import { requestMissing } from '../protocol/validation-messages.js';
import type { Logger } from '../logger.js';
import type { RecordChanges } from '../store/audit-trails.js';
import { sendStoredFile } from './file-download.js';
import { sendJson } from './json.js';
import type { HttpMethod, StreamContext, StreamRouteDef } from './router.js';

export interface ArtifactRouteDeps {
  /** The `--artifacts-destination`. */
  readonly store: ArtifactStore;
  readonly serveArtifacts: boolean;
  readonly staticPrefix: string;
  readonly logger: Logger;
  /** Journals each write and delete (the audit trail), once it has succeeded. */
  readonly record: RecordChanges;
}

/** Where MLflow mounts the proxy (handlers.py: _get_paths with `mlflow-artifacts`). */
export const ARTIFACT_API_BASES = ['/api/2.0/mlflow-artifacts', '/ajax-api/2.0/mlflow-artifacts'] as const;

/** exceptions.py: _UnsupportedMultipartUploadException; clients fall back to a plain PUT on it. */
const MPU_UNSUPPORTED = 'Multipart upload is not supported for the current artifact repository';
/** exceptions.py: _UnsupportedMultipartDownloadException; clients fall back to a plain GET. */
const MPD_UNSUPPORTED = 'Multipart download is not supported for the current artifact repository';

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

type Handler = (req: Request, res: Response, rawPath: string) => Promise<void>;

export function artifactRoutes(deps: ArtifactRouteDeps): StreamRouteDef[] {
  const { store, logger: log, record } = deps;
  // The bytes are not in the database, so the event is journalled on its own, after the store
  // has the bytes (or has removed them): a failed write leaves no event. `name` is the artifact's
  // path under the destination (its first segment is the experiment id).
  const written = (rel: string, size?: number) =>
    record([{ action: 'artifact.write', resourceType: 'artifact', name: rel, ...(size === undefined ? {} : { after: { size } }) }]);

  const upload: Handler = async (req, res, raw) => {
    const rel = safeArtifactPath(raw);
    const declared = Number(req.headers['content-length']);
    const { size } = await store.write(rel, req, Number.isSafeInteger(declared) && declared > 0 ? { sizeHint: declared } : {});
    log('debug', `artifact uploaded: ${rel} (${size} bytes)`);
    await written(rel, size);
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
    await record([{ action: 'artifact.delete', resourceType: 'artifact', name: rel }]);
    sendJson(res, 200, {});
  };

  // MLflow checks the path before it finds out the repository cannot do multipart.
  const unsupported =
    (message: string): Handler =>
    async (req, res, raw) => {
      safeArtifactPath(raw);
      req.resume();
      throw new MlflowError('NOT_IMPLEMENTED', message);
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
    await written(target.rel);
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

  /** Flask's rules (for the disabled message) under each base, and their handlers. */
  const table: readonly (readonly [HttpMethod[], string, string, Handler])[] = [
    [['GET', 'HEAD'], '/artifacts', '/artifacts', list],
    [['GET', 'HEAD'], '/artifacts/{path+}', '/artifacts/<path:artifact_path>', download],
    // An empty <path> matches no MLflow route, except for an upload, which then lacks a file name.
    [['PUT'], '/artifacts/{path*}', '/artifacts/<path:artifact_path>', upload],
    [['DELETE'], '/artifacts/{path+}', '/artifacts/<path:artifact_path>', remove],
    [['POST'], '/mpu/create/{path+}', '/mpu/create/<path:artifact_path>', mpuCreate],
    [['POST'], '/mpu/complete/{path+}', '/mpu/complete/<path:artifact_path>', mpuComplete],
    [['POST'], '/mpu/abort/{path+}', '/mpu/abort/<path:artifact_path>', mpuAbort],
    [['GET'], '/presigned/{path+}', '/presigned/<path:artifact_path>', presigned],
  ];
  return ARTIFACT_API_BASES.flatMap((base) =>
    table.map(([method, path, rule, handler]): StreamRouteDef => {
      const text = noServeMessage(`${deps.staticPrefix}${base}${rule}`);
      return {
        kind: 'stream',
        method,
        paths: [`${base}${path}`],
        handler: ({ req, res, pathParams }: StreamContext) => handler(req, res, pathParams.path ?? ''),
        ...(deps.serveArtifacts ? {} : { disabled: () => text }),
      };
    }),
  );
}
