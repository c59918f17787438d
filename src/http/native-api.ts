/**
 * flowreg's native API: publish and fetch model versions with nothing but an HTTP client.
 *
 *   POST /api/flowreg/v1/models/{name}/versions                          publish (multipart/form-data)
 *   GET  /api/flowreg/v1/models/{name}/versions/{version}                the version (MLflow's JSON)
 *   GET  /api/flowreg/v1/models/{name}/versions/{version}/files          {files: [{path, size}]}
 *   GET  /api/flowreg/v1/models/{name}/versions/{version}/files/{path}   one file (Range, HEAD)
 *   GET  /api/flowreg/v1/models/{name}/versions/{version}/archive        the version as .tar.gz
 *                                                                        (?format=tar: plain tar)
 * `{version}` is a number, `latest` or `@<alias>`.
 *
 * Publish body: a `metadata` part (JSON, native/metadata.ts; a plain field or a file part named
 * `metadata`) FIRST, then one file part per file, `filename=` its relative path. Each file is
 * streamed from the socket into the artifact store (busboy, 1 MiB buffers; nothing is spooled),
 * the body is counted against `maxBodyBytes`. What a publish creates and how a failed one is
 * undone: native/publish.ts. Every client mistake is a 400 INVALID_PARAMETER_VALUE (413 is not an
 * MLflow error status) and leaves no version and no file behind.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import busboy from 'busboy';
import type { NextFunction, Request, Response, Router } from 'express';
import type { ArtifactStore } from '../artifacts/artifact-store.js';
import { contentDisposition } from '../artifacts/download-headers.js';
import { safeArtifactPath } from '../artifacts/safe-path.js';
import { checkFileName } from '../native/file-names.js';
import { MAX_METADATA_BYTES, parseMetadata, type PublishMetadata } from '../native/metadata.js';
import { Publisher, type Publication } from '../native/publish.js';
import { writeArchive } from '../native/archive.js';
import { tarSize, type TarEntry } from '../native/tar.js';
import { VersionFiles } from '../native/version-files.js';
import { invalidParameter, MlflowError, notFound } from '../protocol/errors.js';
import { modelVersionJson } from '../protocol/messages/registry.js';
import type { ModelVersions } from '../registry/model-versions.js';
import type { RegisteredModels } from '../registry/registered-models.js';
import { validateModelName } from '../registry/validation.js';
import type { Experiments } from '../tracking/experiments.js';
import type { Runs } from '../tracking/runs.js';
import { sendDisabled } from './artifacts.js';
import { destroyStream, sendStoredFile } from './file-download.js';
import { sendError, sendJson } from './respond.js';
import { consoleLogger, type Logger } from '../logger.js';

export const NATIVE_API_BASE = '/api/flowreg/v1';
/** Default cap on a publish request's body. */
export const DEFAULT_MAX_PUBLISH_BYTES = 10 * 1024 ** 3;
/** Most file parts in one publish. */
export const MAX_PUBLISH_FILES = 10_000;
/** After answering an error early, at most this much more of the body is read (and discarded) before the connection is closed. */
const DRAIN_LIMIT = 64 * 1024 * 1024;
const CHUNK = 1024 * 1024;

export interface NativeApiDeps {
  readonly registeredModels: RegisteredModels;
  readonly modelVersions: ModelVersions;
  readonly experiments: Experiments;
  readonly runs: Runs;
  /** The `--artifacts-destination`. */
  readonly store: ArtifactStore;
  readonly serveArtifacts: boolean;
  readonly artifactsOnly?: boolean;
  /** Largest publish request body in bytes (default 10 GiB). */
  readonly maxPublishBytes?: number;
  readonly logger?: Logger;
}

/** The client went away mid-upload: nobody to answer. */
class ClientGone extends Error {
  override name = 'ClientGone';
}

function formatBytes(n: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u += 1;
  }
  return u === 0 ? `${n} bytes` : `${Number.isInteger(v) ? v : v.toFixed(1)} ${units[u]}`;
}

function tooLarge(limit: number): MlflowError {
  return invalidParameter(`The request body is larger than the limit of ${formatBytes(limit)} (${limit} bytes) for one publish.`);
}

/**
 * Answers an error and then reads what is left of the request body, up to DRAIN_LIMIT, so that
 * the client gets to read the answer; beyond that the connection is closed.
 */
function answerEarly(req: IncomingMessage, res: ServerResponse, err: unknown, log: Logger): void {
  if (!req.readableEnded) res.setHeader('Connection', 'close');
  sendError(res, err, log);
  if (req.readableEnded || req.destroyed) return;
  let drained = 0;
  req.on('data', (chunk: Buffer) => {
    drained += chunk.length;
    if (drained > DRAIN_LIMIT) req.destroy();
  });
  req.resume();
}

export function nativeApiRoutes(deps: NativeApiDeps): (router: Router) => void {
  const log = deps.logger ?? consoleLogger();
  const maxBytes = deps.maxPublishBytes ?? DEFAULT_MAX_PUBLISH_BYTES;
  const publisher = new Publisher({ ...deps, logger: log });
  const files = new VersionFiles(deps);

  // ---- publish ---------------------------------------------------------------------------------

  /** Resolves once the answer is sent (or the client is gone) and everything is cleaned up. */
  const publish = (req: Request, res: Response, name: string): Promise<void> =>
    new Promise<void>((resolve) => {
      let failure: unknown;
      let metadata: PublishMetadata | undefined;
      let publication: Publication | undefined;
      let current: NodeJS.ReadableStream | undefined;
      let chain: Promise<void> = Promise.resolve();
      let received = 0;
      let settled = false;

      const done = () => {
        if (settled) return;
        settled = true;
        resolve();
      };

      /** The first failure wins: stop reading, stop the file being written, undo, answer. */
      const fail = (err: unknown) => {
        if (failure !== undefined) return;
        failure = err;
        req.unpipe(parser);
        req.pause();
        if (current) destroyStream(current, err instanceof Error ? err : new Error(String(err)));
        parser?.destroy();
        void (async () => {
          // Let the task in flight (a file being written) settle before undoing it.
          await chain.catch(() => undefined);
          const reason = err instanceof ClientGone ? 'the client closed the connection during the upload' : (err as Error).message;
          if (publication) await publication.abandon(reason);
          if (err instanceof ClientGone) {
            log('info', `publish of ${name}: ${reason}`);
            if (!res.writableEnded) res.destroy();
          } else if (!res.headersSent && !res.destroyed) {
            answerEarly(req, res, err, log);
          }
          done();
        })();
      };

      const enqueue = (task: () => Promise<void>) => {
        chain = chain.then(async () => {
          if (failure === undefined) await task();
        });
        chain.catch(fail);
      };

      const takeMetadata = (text: string) => {
        if (metadata !== undefined) throw invalidParameter("The request has more than one 'metadata' part.");
        metadata = parseMetadata(text, Date.now());
      };

      let parser: busboy.Busboy;
      try {
        parser = busboy({
          headers: req.headers,
          preservePath: true,
          // File names are UTF-8, as curl and browsers send them.
          defParamCharset: 'utf8',
          highWaterMark: CHUNK,
          fileHwm: CHUNK,
          limits: { fieldSize: MAX_METADATA_BYTES, fields: 16, files: MAX_PUBLISH_FILES, parts: MAX_PUBLISH_FILES + 16 },
        });
      } catch (err) {
        answerEarly(req, res, invalidParameter(`Malformed multipart body: ${(err as Error).message}.`), log);
        done();
        return;
      }

      parser.on('field', (field: string, value: string, info: busboy.FieldInfo) => {
        enqueue(async () => {
          if (field !== 'metadata') {
            throw invalidParameter(`Unexpected form field '${field}': send a 'metadata' part and file parts (with filename=) only.`);
          }
          if (info.valueTruncated) throw invalidParameter(`The metadata part is larger than ${formatBytes(MAX_METADATA_BYTES)}.`);
          takeMetadata(value);
        });
      });

      parser.on('file', (field: string, stream: Readable, info: busboy.FileInfo) => {
        // Errors of a part stream surface through whoever reads it (or not at all once the
        // publish failed); never as an unhandled 'error' event.
        stream.on('error', () => undefined);
        if (failure !== undefined) {
          stream.resume();
          return;
        }
        enqueue(async () => {
          if (field === 'metadata') {
            // `curl -F metadata=@meta.json`: the metadata arrives as a file part.
            const chunks: Buffer[] = [];
            let size = 0;
            current = stream;
            try {
              for await (const chunk of stream as AsyncIterable<Buffer>) {
                size += chunk.length;
                if (size > MAX_METADATA_BYTES) throw invalidParameter(`The metadata part is larger than ${formatBytes(MAX_METADATA_BYTES)}.`);
                chunks.push(chunk);
              }
            } finally {
              current = undefined;
            }
            takeMetadata(Buffer.concat(chunks).toString('utf8'));
            return;
          }
          if (metadata === undefined) {
            throw invalidParameter(
              `The 'metadata' part must come before the file parts (file '${info.filename ?? ''}' came first); ` +
                "send -F metadata='{…}' ahead of the files.",
            );
          }
          const fileName = checkFileName(info.filename);
          publication ??= await publisher.begin(name, metadata);
          const rel = publication.relativeName(fileName);
          current = stream;
          try {
            await publication.write(rel, stream);
          } finally {
            current = undefined;
          }
        });
      });

      for (const [event, what] of [
        ['filesLimit', `more than ${MAX_PUBLISH_FILES} files`],
        ['fieldsLimit', 'too many form fields'],
        ['partsLimit', 'too many parts'],
      ] as const) {
        parser.on(event, () => fail(invalidParameter(`The publish request has ${what}.`)));
      }
      parser.on('error', (err: Error) => fail(invalidParameter(`Malformed multipart body: ${err.message}.`)));
      parser.on('finish', () => {
        enqueue(async () => {
          if (metadata === undefined) throw invalidParameter("The request has no 'metadata' part.");
          if (!publication) throw invalidParameter('The request has no file parts: publish at least one file.');
          const mv = await publication.complete();
          log('info', `published ${mv.name}/${mv.version} (${publication.fileCount} files, ${received} bytes)`);
          sendJson(res, 200, { model_version: modelVersionJson(mv) });
          done();
        });
      });

      req.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received > maxBytes) fail(tooLarge(maxBytes));
      });
      req.on('close', () => {
        if (!req.complete) fail(new ClientGone());
      });
      req.pipe(parser);
    });

  // ---- downloads -------------------------------------------------------------------------------

  const getVersion = async (res: Response, name: string, ref: string) => {
    const mv = await files.resolve(name, ref);
    sendJson(res, 200, { model_version: modelVersionJson(mv) });
  };

  const listFiles = async (res: Response, name: string, ref: string) => {
    const mv = await files.resolve(name, ref);
    const root = await files.root(mv);
    const entries = (await files.walk(root)).filter((e) => e.type === 'file');
    sendJson(res, 200, {
      model_version: modelVersionJson(mv),
      files: entries.map((e) => ({ path: e.path, size: e.size })),
    });
  };

  const downloadFile = async (req: Request, res: Response, name: string, ref: string, raw: string) => {
    const rel = safeArtifactPath(raw).replace(/^\/+|\/+$/g, '');
    if (rel === '') return listFiles(res, name, ref);
    const mv = await files.resolve(name, ref);
    const root = await files.root(mv);
    const target = `${root}/${rel}`;
    const label = `${mv.name}/${mv.version}`;
    await sendStoredFile(req, res, deps.store, target, {
      label: `File '${rel}' of model version ${label}`,
      missing: (isDir) =>
        isDir
          ? invalidParameter(`'${rel}' is a directory of model version ${label}, not a file; fetch the archive for everything.`)
          : notFound(`Model version ${label} has no file '${rel}'.`),
    });
  };

  const archive = async (req: Request, res: Response, name: string, ref: string) => {
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
  };

  // ---- routing ---------------------------------------------------------------------------------

  const ROUTE = /^\/models\/([^/]+)\/versions(?:\/([^/]+)(?:\/(files|archive)(?:\/(.*))?)?)?\/?$/;

  const dispatch = async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const m = ROUTE.exec(req.path);
    if (!m) return next();
    const [, rawName = '', rawRef, kind, rawPath] = m;
    const isRead = req.method === 'GET' || req.method === 'HEAD';
    const isPublish = req.method === 'POST' && rawRef === undefined;
    if (!isPublish && !(isRead && rawRef !== undefined)) return next();
    if (deps.artifactsOnly || !deps.serveArtifacts) {
      const why = deps.artifactsOnly ? '`--artifacts-only`' : '`--no-serve-artifacts`';
      sendDisabled(req, res, `Endpoint: ${req.baseUrl}${req.path} disabled due to the server running with ${why}.`);
      return;
    }
    const decode = (s: string, what: string) => {
      try {
        return decodeURIComponent(s);
      } catch {
        throw invalidParameter(`Invalid ${what} in the URL: bad percent-encoding`);
      }
    };
    try {
      const name = decode(rawName, 'model name');
      validateModelName(name);
      if (isPublish) {
        const type = req.headers['content-type'] ?? '';
        if (!/^multipart\/form-data\b/i.test(type)) {
          throw invalidParameter(
            "Publish with Content-Type multipart/form-data: a 'metadata' JSON part first, then one part per file " +
              '(filename= its relative path).',
          );
        }
        const declared = Number(req.headers['content-length']);
        if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(maxBytes);
        await publish(req, res, name);
        return;
      }
      req.resume();
      const ref = decode(rawRef as string, 'version');
      if (kind === undefined) await getVersion(res, name, ref);
      else if (kind === 'archive') {
        if (rawPath !== undefined) return next();
        await archive(req, res, name, ref);
      } else if (rawPath === undefined || rawPath === '') await listFiles(res, name, ref);
      else await downloadFile(req, res, name, ref, rawPath);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (res.headersSent && (code === 'ERR_STREAM_PREMATURE_CLOSE' || code === 'ECONNRESET' || code === 'EPIPE')) {
        // A download the client closed early.
        if (!res.writableEnded) res.destroy();
        return;
      }
      if (!req.readableEnded && !req.destroyed && isPublish) answerEarly(req, res, err, log);
      else sendError(res, err, log);
    }
  };

  return (router: Router) => {
    router.use(NATIVE_API_BASE, (req: Request, res: Response, next: NextFunction) => {
      dispatch(req, res, next).catch((err: unknown) => sendError(res, err, log));
    });
  };
}
