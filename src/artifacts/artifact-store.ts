/**
 * The bytes side of the server: one streaming interface over the `--artifacts-destination`
 * (local disk or S3). Paths are relative, `/`-separated and untrusted: every
 * implementation passes them through `safeArtifactPath` and then checks containment itself.
 */

export interface ArtifactEntry {
  /** The basename, as the proxy's list endpoint reports it. */
  readonly path: string;
  readonly isDir: boolean;
  /** Files only. */
  readonly size?: number;
}

export interface ArtifactStore {
  /**
   * Streams body to relPath atomically (temp file + rename, or an S3 multipart upload completed
   * only at the end): a broken upload is never visible. Returns bytes written. `sizeHint` is the
   * declared length (Content-Length), when known, for stores that size their buffers by it.
   */
  write(relPath: string, body: NodeJS.ReadableStream, options?: { readonly sizeHint?: number }): Promise<{ size: number }>;
  /**
   * undefined when missing or a directory. range end inclusive. `size` is the whole file's size
   * (for Content-Range), whatever the range.
   */
  read(
    relPath: string,
    range?: { start: number; end: number },
  ): Promise<{ stream: NodeJS.ReadableStream; size: number } | undefined>;
  stat(relPath: string): Promise<{ size: number; isDir: boolean } | undefined>;
  /** Entries directly under relDir ('' = root), sorted by name; [] for a missing dir or a file path. */
  list(relDir: string): Promise<ArtifactEntry[]>;
  /** Deletes a file or a directory tree; missing is fine. */
  delete(relPath: string): Promise<void>;
  /**
   * Multipart upload and presigned download straight against the storage service (S3); absent
   * when the store cannot do it (local disk), and the proxy then answers MLflow's 501.
   */
  readonly multipart?: MultipartArtifactStore;
}

/** One presigned URL the client PUTs a part to (MLflow's MultipartUploadCredential). */
export interface MultipartCredential {
  readonly url: string;
  readonly partNumber: number;
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * The proxy's `mpu/*` and `presigned/*` endpoints (mlflow/store/artifact/artifact_repo.py:
 * MultipartUploadMixin, MultipartDownloadMixin). Paths are file paths, relative, untrusted.
 */
export interface MultipartArtifactStore {
  create(relPath: string, numParts: number): Promise<{ uploadId: string; credentials: MultipartCredential[] }>;
  complete(relPath: string, uploadId: string, parts: ReadonlyArray<{ partNumber: number; etag: string }>): Promise<void>;
  abort(relPath: string, uploadId: string): Promise<void>;
  presignedDownload(relPath: string): Promise<{ url: string; headers: Readonly<Record<string, string>>; fileSize: number }>;
}

/** Chunk size for artifact streams: MLflow's ARTIFACT_STREAM_CHUNK_SIZE, and much faster than 64 KiB. */
export const STREAM_CHUNK_SIZE = 1024 * 1024;

/**
 * Name prefix of an upload in progress (local disk writes to a temp file and renames it into place):
 * never listed or served, and refused as a client-chosen name.
 */
export const TEMP_PREFIX = '.artifact.uploading.';
