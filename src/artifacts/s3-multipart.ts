/**
 * The proxy's multipart upload and presigned download on S3 (mlflow/store/artifact/
 * s3_artifact_repo.py: create_multipart_upload, complete_multipart_upload,
 * abort_multipart_upload, get_download_presigned_url): the client PUTs each part straight to a
 * presigned UploadPart URL on the configured endpoint, and the object appears only on completion.
 */
import type * as S3Sdk from '@aws-sdk/client-s3';
import { invalidParameter, notFound } from '../protocol/errors.js';
import type { MultipartArtifactStore, MultipartCredential } from './artifact-store.js';
import { contentDisposition } from './download-headers.js';
import { guessMimeType } from './mime.js';
import type { S3Settings } from '../config/s3-settings.js';
import { describe, isMissingKey, shape } from './s3-errors.js';

/** S3's limit on the parts of one upload. */
export const MAX_PARTS = 10_000;
/** boto3's default lifetime of a presigned URL, used for the part URLs of a multipart upload. */
const PART_URL_TTL_SECONDS = 3600;

/** What the multipart side uses of the S3 store. */
export interface S3Access {
  readonly client: S3Sdk.S3Client;
  readonly sdk: typeof S3Sdk;
  readonly presigner: typeof import('@aws-sdk/s3-request-presigner');
  readonly bucket: string;
  readonly settings: S3Settings;
  /** The gated path of a file: its segments, relative path and key. */
  fileKey(relPath: string): { rel: string; key: string; segments: string[] };
  /** Refuses a file over a "directory" or under a file, as the local store does. */
  assertWritable(segments: readonly string[], rel: string): Promise<void>;
  translate(err: unknown, action: string, path: string): Error;
}

export class S3Multipart implements MultipartArtifactStore {
  constructor(private readonly s3: S3Access) {}

  private async call<T>(action: string, path: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      throw this.s3.translate(err, action, path);
    }
  }

  async create(relPath: string, numParts: number): Promise<{ uploadId: string; credentials: MultipartCredential[] }> {
    if (!Number.isSafeInteger(numParts) || numParts < 0 || numParts > MAX_PARTS) {
      throw invalidParameter(`num_parts must be between 0 and ${MAX_PARTS}, got ${numParts}`);
    }
    const { rel, key, segments } = this.s3.fileKey(relPath);
    const { CreateMultipartUploadCommand, UploadPartCommand } = this.s3.sdk;
    return this.call('start a multipart upload of', rel, async () => {
      await this.s3.assertWritable(segments, rel);
      const created = await this.s3.client.send(
        new CreateMultipartUploadCommand({
          ContentType: guessMimeType(segments[segments.length - 1] as string),
          ...this.s3.settings.uploadExtraArgs,
          Bucket: this.s3.bucket,
          Key: key,
        }),
      );
      const uploadId = created.UploadId;
      if (!uploadId) throw new Error('the storage service returned no UploadId');
      const credentials: MultipartCredential[] = [];
      for (let partNumber = 1; partNumber <= numParts; partNumber++) {
        const url = await this.s3.presigner.getSignedUrl(
          this.s3.client,
          new UploadPartCommand({ Bucket: this.s3.bucket, Key: key, UploadId: uploadId, PartNumber: partNumber }),
          { expiresIn: PART_URL_TTL_SECONDS },
        );
        credentials.push({ url, partNumber, headers: {} });
      }
      return { uploadId, credentials };
    });
  }

  async complete(
    relPath: string,
    uploadId: string,
    parts: ReadonlyArray<{ partNumber: number; etag: string }>,
  ): Promise<void> {
    const { rel, key } = this.s3.fileKey(relPath);
    const { CompleteMultipartUploadCommand } = this.s3.sdk;
    const sorted = [...parts].sort((a, b) => a.partNumber - b.partNumber);
    try {
      await this.s3.client.send(
        new CompleteMultipartUploadCommand({
          Bucket: this.s3.bucket,
          Key: key,
          UploadId: uploadId,
          MultipartUpload: { Parts: sorted.map((p) => ({ PartNumber: p.partNumber, ETag: p.etag })) },
        }),
      );
    } catch (err) {
      throw this.multipartError(err, 'complete the multipart upload of', rel, uploadId);
    }
  }

  async abort(relPath: string, uploadId: string): Promise<void> {
    const { rel, key } = this.s3.fileKey(relPath);
    const { AbortMultipartUploadCommand } = this.s3.sdk;
    try {
      await this.s3.client.send(new AbortMultipartUploadCommand({ Bucket: this.s3.bucket, Key: key, UploadId: uploadId }));
    } catch (err) {
      // Aborting twice (or after completion) leaves the same state behind: nothing to report.
      if (shape(err).name === 'NoSuchUpload') return;
      throw this.multipartError(err, 'abort the multipart upload of', rel, uploadId);
    }
  }

  /** Deterministic multipart failures are the client's: 4xx, so it does not retry them. */
  private multipartError(err: unknown, action: string, rel: string, uploadId: string): Error {
    const name = shape(err).name ?? '';
    if (name === 'NoSuchUpload') return notFound(`No multipart upload '${uploadId}' for '${rel}'.`);
    if (['InvalidPart', 'InvalidPartOrder', 'EntityTooSmall', 'MalformedXML', 'InvalidArgument'].includes(name)) {
      return invalidParameter(`Could not ${action} '${rel}': ${describe(err)}`);
    }
    return this.s3.translate(err, action, rel);
  }

  async presignedDownload(relPath: string): Promise<{ url: string; headers: Readonly<Record<string, string>>; fileSize: number }> {
    const { rel, key, segments } = this.s3.fileKey(relPath);
    const { GetObjectCommand, HeadObjectCommand } = this.s3.sdk;
    let fileSize: number;
    try {
      const head = await this.s3.client.send(new HeadObjectCommand({ Bucket: this.s3.bucket, Key: key }));
      fileSize = head.ContentLength ?? 0;
    } catch (err) {
      if (isMissingKey(err)) throw notFound(`No such artifact: '${rel}'`);
      throw this.s3.translate(err, 'presign', rel);
    }
    const url = await this.call('presign', rel, () =>
      this.s3.presigner.getSignedUrl(
        this.s3.client,
        new GetObjectCommand({
          Bucket: this.s3.bucket,
          Key: key,
          ResponseContentDisposition: contentDisposition(segments[segments.length - 1] as string),
        }),
        { expiresIn: this.s3.settings.presignedDownloadTtlSeconds },
      ),
    );
    return { url, headers: {}, fileSize };
  }
}
