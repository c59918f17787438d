/**
 * Streams a body of unknown length into one S3 object in bounded, reused memory.
 *
 * Parts are assembled in a fixed pool of `queueSize + 1` buffers of `partSize` bytes and sent
 * `queueSize` at a time; a buffer returns to the pool when its part is stored. Nothing is
 * allocated per part, so memory stays at the pool's size whatever the object's size, and no
 * garbage piles up for the collector. A body that fits in one part is a single PutObject; a larger
 * one is a multipart upload, which S3 makes visible only on completion and which is aborted on any
 * failure, so a broken upload is never visible.
 */
import type * as S3Sdk from '@aws-sdk/client-s3';

export interface StreamUploadOptions {
  readonly client: S3Sdk.S3Client;
  readonly sdk: typeof S3Sdk;
  readonly bucket: string;
  readonly key: string;
  /** Extra PutObject / CreateMultipartUpload parameters (ContentType, encryption, …). */
  readonly params: Readonly<Record<string, unknown>>;
  readonly body: AsyncIterable<Buffer>;
  readonly partSize: number;
  readonly queueSize: number;
  /** Aborting stops reading and sending; the upload is then aborted. */
  readonly signal?: AbortSignal;
}

export interface StreamUploadResult {
  readonly size: number;
  /** The multipart upload, when the body needed more than one part. */
  readonly uploadId?: string;
}

/** An upload that failed after its multipart upload was created: the caller may retry the abort. */
export class StreamUploadError extends Error {
  constructor(
    override readonly cause: unknown,
    readonly uploadId: string | undefined,
    readonly abortFailed: boolean,
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
    this.name = 'StreamUploadError';
  }
}

export async function uploadStream(opts: StreamUploadOptions): Promise<StreamUploadResult> {
  const { client, sdk, bucket, key, partSize, queueSize } = opts;
  const free: Buffer[] = [];
  let allocated = 0;
  const take = (): Buffer => {
    const buf = free.pop();
    if (buf) return buf;
    allocated++;
    return Buffer.allocUnsafe(partSize);
  };

  let uploadId: string | undefined;
  const parts: Array<{ PartNumber: number; ETag: string }> = [];
  const inFlight = new Set<Promise<void>>();
  let failure: unknown;
  let size = 0;
  let current = take();
  let fill = 0;
  let partNumber = 0;

  const checkAborted = () => {
    if (opts.signal?.aborted) throw Object.assign(new Error('Upload aborted.'), { name: 'AbortError' });
  };

  const sendPart = async (buf: Buffer, length: number): Promise<void> => {
    if (!uploadId) {
      const created = await client.send(new sdk.CreateMultipartUploadCommand({ ...opts.params, Bucket: bucket, Key: key }));
      if (!created.UploadId) throw new Error('the storage service returned no UploadId');
      uploadId = created.UploadId;
    }
    const number = ++partNumber;
    const task = client
      .send(
        new sdk.UploadPartCommand({ Bucket: bucket, Key: key, UploadId: uploadId, PartNumber: number, Body: buf.subarray(0, length), ContentLength: length }),
        opts.signal ? { abortSignal: opts.signal } : {},
      )
      .then(
        (res) => {
          if (!res.ETag) throw new Error(`no ETag for part ${number}`);
          parts.push({ PartNumber: number, ETag: res.ETag });
        },
        (err: unknown) => {
          failure ??= err;
        },
      )
      .finally(() => {
        free.push(buf);
        inFlight.delete(task);
      });
    inFlight.add(task);
    // At most queueSize parts on the wire, and a buffer free for the next one.
    while (inFlight.size >= queueSize || (free.length === 0 && allocated > queueSize)) await Promise.race(inFlight);
    if (failure !== undefined) throw failure;
  };

  try {
    for await (const chunk of opts.body) {
      checkAborted();
      size += chunk.length;
      let offset = 0;
      while (offset < chunk.length) {
        const n = Math.min(chunk.length - offset, partSize - fill);
        chunk.copy(current, fill, offset, offset + n);
        fill += n;
        offset += n;
        if (fill === partSize) {
          await sendPart(current, fill);
          current = take();
          fill = 0;
        }
      }
    }
    checkAborted();
    if (!uploadId) {
      // Everything fit in one part (possibly nothing at all): one request.
      await client.send(
        new sdk.PutObjectCommand({ ...opts.params, Bucket: bucket, Key: key, Body: current.subarray(0, fill), ContentLength: fill }),
        opts.signal ? { abortSignal: opts.signal } : {},
      );
      return { size };
    }
    if (fill > 0) await sendPart(current, fill);
    while (inFlight.size > 0) await Promise.race(inFlight);
    if (failure !== undefined) throw failure;
    checkAborted();
    parts.sort((a, b) => a.PartNumber - b.PartNumber);
    await client.send(new sdk.CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId, MultipartUpload: { Parts: parts } }));
    return { size, uploadId };
  } catch (err) {
    // Let the parts in flight settle, then drop what was stored.
    await Promise.allSettled([...inFlight]);
    let abortFailed = false;
    if (uploadId) {
      try {
        await client.send(new sdk.AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId }));
      } catch {
        abortFailed = true;
      }
    }
    throw new StreamUploadError(err, uploadId, abortFailed);
  }
}
