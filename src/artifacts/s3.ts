/**
 * Artifacts in S3 (or an S3-compatible service) under `s3://bucket/prefix`, the behaviour of
 * mlflow/store/artifact/s3_artifact_repo.py behind the proxy.
 *
 * - Uploads stream through a multipart upload in a fixed pool of part buffers (s3-upload.ts): bounded
 *   memory for any size; S3 makes the object visible only when the upload completes, and a failed
 *   upload is aborted, so a broken upload is never visible.
 * - The SDK is imported on first use of `openS3ArtifactStore`, never at start-up otherwise.
 * - Every path passes `safeArtifactPath`; keys are `<prefix>/<segments…>`, so nothing outside the
 *   prefix is ever addressed (the gate refuses `..`).
 * - SDK failures become MLflow errors: unreachable endpoint or S3 5xx → TEMPORARILY_UNAVAILABLE
 *   (503, the client retries); credentials → UNAUTHENTICATED / PERMISSION_DENIED; a missing bucket
 *   → RESOURCE_DOES_NOT_EXIST, each with a message naming the cause (s3-errors.ts).
 * - The proxy's multipart upload and presigned download live in s3-multipart.ts.
 */
import http from 'node:http';
import https from 'node:https';
import { PassThrough, type Readable } from 'node:stream';
import type * as S3Sdk from '@aws-sdk/client-s3';
import type { Logger } from '../logger.js';
import { invalidParameter } from '../protocol/errors.js';
import { STREAM_CHUNK_SIZE, type ArtifactEntry, type ArtifactStore, type MultipartArtifactStore } from './artifact-store.js';
import { guessMimeType } from './mime.js';
import { isS3Uri, parseS3Uri, type S3Location, type S3Settings } from '../config/s3-settings.js';
import { isMissingKey, s3Failure, shape, statusOf } from './s3-errors.js';
import { MAX_PARTS, S3Multipart } from './s3-multipart.js';
import { StreamUploadError, uploadStream } from './s3-upload.js';
import { safeArtifactPath } from './safe-path.js';

type Sdk = typeof S3Sdk;
type Presigner = typeof import('@aws-sdk/s3-request-presigner');

const MiB = 1024 * 1024;
/** Part size for streamed uploads, unless the declared size needs bigger parts (S3 allows 10,000). */
const PART_SIZE = 8 * MiB;
/** Upper bound on part bytes held in memory per upload: queueSize × partSize. */
const UPLOAD_MEMORY = 24 * MiB;

export interface S3StoreOptions {
  /** Where credential, access and reachability failures are reported (artifacts/s3-errors.ts). */
  readonly logger: Logger;
}

/**
 * Opens the store for `s3://bucket/prefix`, loading the AWS SDK now (and only now). The bucket must
 * exist; it is not created.
 */
export async function openS3ArtifactStore(uri: string, settings: S3Settings, options: S3StoreOptions): Promise<S3ArtifactStore> {
  if (!isS3Uri(uri)) throw new Error(`not an s3:// URI: ${uri}`);
  const location = parseS3Uri(uri);
  const [sdk, presigner] = await Promise.all([import('@aws-sdk/client-s3'), import('@aws-sdk/s3-request-presigner')]);
  return new S3ArtifactStore(location, settings, { sdk, presigner }, options);
}

interface Modules {
  readonly sdk: Sdk;
  readonly presigner: Presigner;
}

export class S3ArtifactStore implements ArtifactStore {
  readonly multipart: MultipartArtifactStore;
  private readonly client: S3Sdk.S3Client;
  private readonly bucket: string;
  private readonly prefix: string;
  private readonly label: string;
  private readonly log: Logger;
  /** Background retries of multipart aborts (abortLater). */
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    location: S3Location,
    private readonly settings: S3Settings,
    private readonly mod: Modules,
    options: S3StoreOptions,
  ) {
    this.bucket = location.bucket;
    this.prefix = location.prefix;
    this.label = `s3://${location.bucket}${location.prefix ? `/${location.prefix}` : ''}`;
    this.log = options.logger;
    const agentOptions = { keepAlive: true, maxSockets: 256 };
    this.client = new mod.sdk.S3Client({
      region: settings.region,
      ...(settings.endpointUrl ? { endpoint: settings.endpointUrl, forcePathStyle: true } : {}),
      // Checksums only where S3 demands them: S3-compatible services (older MinIO, Ceph) reject
      // the newer default trailers, and presigned part URLs must not pin a checksum the client
      // never sends.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      requestHandler: {
        connectionTimeout: 5000,
        httpAgent: new http.Agent(agentOptions),
        httpsAgent: new https.Agent({ ...agentOptions, rejectUnauthorized: !settings.ignoreTls }),
      },
    });
    this.multipart = new S3Multipart({
      client: this.client,
      sdk: mod.sdk,
      presigner: mod.presigner,
      bucket: this.bucket,
      settings,
      fileKey: (rel) => this.fileKey(rel),
      assertWritable: (segments, rel) => this.assertWritable(segments, rel),
      translate: (err, action, path) => this.translate(err, action, path),
    });
  }

  /** Releases the client's sockets. */
  destroy(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.client.destroy();
  }

  /**
   * Aborts a failed multipart upload, retrying in the background while the service cannot be
   * reached (the abort the upload itself tried may have failed for the same reason). Aborting an
   * upload that is already gone is a no-op.
   */
  private abortLater(key: string, uploadId: string, attempt = 0): void {
    const delays = [0, 2_000, 10_000, 60_000, 300_000];
    const delay = delays[attempt];
    if (delay === undefined) {
      this.log('warn', `artifact store: could not abort multipart upload ${uploadId} of '${key}'; a bucket lifecycle rule must clean it up`);
      return;
    }
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      const { AbortMultipartUploadCommand } = this.mod.sdk;
      this.client.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId })).then(
        () => undefined,
        (err: unknown) => {
          if (shape(err).name === 'NoSuchUpload' || statusOf(err) === 404) return;
          this.abortLater(key, uploadId, attempt + 1);
        },
      );
    }, delay);
    timer.unref();
    this.timers.add(timer);
  }

  // --- paths ------------------------------------------------------------------------------

  /** The gated path's segments ('' and '.' dropped). */
  private segments(relPath: string): string[] {
    return safeArtifactPath(relPath)
      .split('/')
      .filter((s) => s !== '' && s !== '.');
  }

  private keyOf(segments: readonly string[]): string {
    return [this.prefix, ...segments].filter((s) => s !== '').join('/');
  }

  /** The key prefix listing the children of a directory key ('' = the bucket root). */
  private dirPrefix(key: string): string {
    return key === '' ? '' : `${key}/`;
  }

  // --- errors -----------------------------------------------------------------------------

  /** An SDK failure as an MLflow error with a message naming the cause (s3-errors.ts). */
  translate(err: unknown, action: string, path: string): Error {
    return s3Failure(err, {
      what: `${action} '${path || '/'}' in ${this.label}`,
      bucket: this.bucket,
      endpoint: this.settings.endpointUrl,
      log: this.log,
    });
  }

  private async call<T>(action: string, path: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      throw this.translate(err, action, path);
    }
  }

  /** The gated path of a file (not the root): its segments, relative path and key. */
  private fileKey(relPath: string): { rel: string; key: string; segments: string[] } {
    const segments = this.segments(relPath);
    if (segments.length === 0) throw invalidParameter("Artifact path must include a filename (cannot end with '/').");
    return { rel: segments.join('/'), key: this.keyOf(segments), segments };
  }

  // --- ArtifactStore ----------------------------------------------------------------------

  async write(relPath: string, body: NodeJS.ReadableStream, options: { readonly sizeHint?: number } = {}): Promise<{ size: number }> {
    const segments = this.segments(relPath);
    const name = segments[segments.length - 1];
    if (name === undefined || safeArtifactPath(relPath).endsWith('/')) {
      throw invalidParameter("Artifact path must include a filename (cannot end with '/').");
    }
    const rel = segments.join('/');
    const key = this.keyOf(segments);
    await this.call('upload', rel, () => this.assertWritable(segments, rel));

    const hint = options.sizeHint ?? 0;
    const partSize = Math.max(PART_SIZE, Math.ceil(hint / (MAX_PARTS - 1)));
    const queueSize = Math.max(1, Math.floor(UPLOAD_MEMORY / partSize));
    let bodyError: unknown;
    // Piped, not iterated: when the upload fails, the pipe lets go of the request body without
    // destroying it, so the route can still answer and drain it.
    const chunks = new PassThrough({ highWaterMark: STREAM_CHUNK_SIZE });
    const source = body as Readable;
    const aborter = new AbortController();
    const onError = (err: unknown) => {
      bodyError = err;
      chunks.destroy(err as Error);
    };
    // A client that goes away mid-upload: stop at once; the upload is aborted, nothing is visible.
    const onClose = () => {
      if (source.readableEnded) return;
      aborter.abort();
      chunks.destroy(Object.assign(new Error('the request body ended early'), { code: 'ECONNRESET' }));
    };
    source.once('error', onError);
    source.once('close', onClose);
    source.pipe(chunks);
    try {
      const { size } = await uploadStream({
        client: this.client,
        sdk: this.mod.sdk,
        bucket: this.bucket,
        key,
        // MLFLOW_S3_UPLOAD_EXTRA_ARGS may override the content type, as in MLflow, not the target.
        params: { ContentType: guessMimeType(name), ...this.settings.uploadExtraArgs },
        body: chunks,
        partSize,
        queueSize,
        signal: aborter.signal,
      });
      return { size };
    } catch (err) {
      const failed = err instanceof StreamUploadError ? err : undefined;
      // Parts already sent are invisible but kept (and billed) until aborted: retry the abort later.
      if (failed?.uploadId && failed.abortFailed) this.abortLater(key, failed.uploadId);
      if (bodyError !== undefined) throw bodyError;
      const cause = failed ? failed.cause : err;
      if (aborter.signal.aborted) {
        // The body closed early: report it as the client going away.
        throw Object.assign(new Error('upload aborted: the request body ended early'), { code: 'ECONNRESET' });
      }
      throw this.translate(cause, 'upload', rel);
    } finally {
      source.off('close', onClose);
      source.off('error', onError);
      source.unpipe(chunks);
      if (!chunks.destroyed) chunks.destroy();
    }
  }

  /**
   * The same shape rules as the local store: no object where a "directory" (a key prefix with
   * objects under it) exists, and no object under a path that is itself an object.
   */
  private async assertWritable(segments: readonly string[], rel: string): Promise<void> {
    const key = this.keyOf(segments);
    const checks: Promise<boolean>[] = [this.hasChildren(key)];
    for (let i = 1; i < segments.length; i++) checks.push(this.headExists(this.keyOf(segments.slice(0, i))));
    if ((await Promise.all(checks)).some(Boolean)) {
      throw invalidParameter(`Cannot write artifact '${rel}': a parent is a file or the path is a directory.`);
    }
  }

  private async hasChildren(key: string): Promise<boolean> {
    const { ListObjectsV2Command } = this.mod.sdk;
    const res = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: this.dirPrefix(key), MaxKeys: 1 }));
    return (res.KeyCount ?? res.Contents?.length ?? 0) > 0;
  }

  private async headExists(key: string): Promise<boolean> {
    const { HeadObjectCommand } = this.mod.sdk;
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return true;
    } catch (err) {
      if (isMissingKey(err)) return false;
      throw err;
    }
  }

  async read(
    relPath: string,
    range?: { start: number; end: number },
  ): Promise<{ stream: NodeJS.ReadableStream; size: number } | undefined> {
    const segments = this.segments(relPath);
    if (segments.length === 0) return undefined;
    const rel = segments.join('/');
    const { GetObjectCommand } = this.mod.sdk;
    let res: S3Sdk.GetObjectCommandOutput;
    try {
      res = await this.client.send(
        new GetObjectCommand({
          Bucket: this.bucket,
          Key: this.keyOf(segments),
          ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}),
        }),
      );
    } catch (err) {
      if (isMissingKey(err)) return undefined;
      throw this.translate(err, 'read', rel);
    }
    const stream = res.Body as Readable | undefined;
    if (!stream) return undefined;
    // `bytes a-b/total` for a range; the whole object's length otherwise.
    const total = /\/(\d+)\s*$/.exec(res.ContentRange ?? '')?.[1];
    const size = total !== undefined ? Number(total) : (res.ContentLength ?? 0);
    return { stream, size };
  }

  async stat(relPath: string): Promise<{ size: number; isDir: boolean } | undefined> {
    const segments = this.segments(relPath);
    if (segments.length === 0) return { size: 0, isDir: true };
    const rel = segments.join('/');
    const key = this.keyOf(segments);
    const { HeadObjectCommand } = this.mod.sdk;
    return this.call('stat', rel, async () => {
      try {
        const head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
        return { size: head.ContentLength ?? 0, isDir: false };
      } catch (err) {
        if (!isMissingKey(err)) throw err;
      }
      return (await this.hasChildren(key)) ? { size: 0, isDir: true } : undefined;
    });
  }

  async list(relDir: string): Promise<ArtifactEntry[]> {
    const segments = this.segments(relDir);
    const rel = segments.join('/');
    const prefix = this.dirPrefix(this.keyOf(segments));
    const entries: ArtifactEntry[] = [];
    await this.call('list', rel, async () => {
      for await (const page of this.listPages(prefix, '/')) {
        for (const p of page.CommonPrefixes ?? []) {
          const name = (p.Prefix ?? '').slice(prefix.length).replace(/\/$/, '');
          if (name !== '' && !name.includes('/')) entries.push({ path: name, isDir: true });
        }
        for (const o of page.Contents ?? []) {
          const name = (o.Key ?? '').slice(prefix.length);
          // '' is the directory's own marker object; a trailing '/' marks an empty directory.
          if (name === '' || name.includes('/')) continue;
          entries.push({ path: name, isDir: false, size: o.Size ?? 0 });
        }
      }
    });
    return entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.isDir === b.isDir ? 0 : a.isDir ? 1 : -1));
  }

  async delete(relPath: string): Promise<void> {
    const segments = this.segments(relPath);
    if (segments.length === 0) throw invalidParameter('Deleting the artifact root is not allowed.');
    const rel = segments.join('/');
    const key = this.keyOf(segments);
    const { DeleteObjectCommand, DeleteObjectsCommand } = this.mod.sdk;
    await this.call('delete', rel, async () => {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
      for await (const page of this.listPages(`${key}/`)) {
        const keys = (page.Contents ?? []).flatMap((o) => (o.Key ? [{ Key: o.Key }] : []));
        if (keys.length > 0) {
          const res = await this.client.send(new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: keys, Quiet: true } }));
          const failed = res.Errors ?? [];
          if (failed.length > 0) {
            const first = failed[0];
            throw Object.assign(new Error(`could not delete ${failed.length} object(s), e.g. '${first?.Key}': ${first?.Message}`), {
              name: first?.Code ?? 'DeleteError',
            });
          }
        }
      }
    });
  }

  /** Every page of a listing under `prefix`, following continuation tokens. */
  private async *listPages(prefix: string, delimiter?: string) {
    const { ListObjectsV2Command } = this.mod.sdk;
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: prefix,
          ...(delimiter ? { Delimiter: delimiter } : {}),
          ...(token ? { ContinuationToken: token } : {}),
        }),
      );
      yield page;
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }
}
