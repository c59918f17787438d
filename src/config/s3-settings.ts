/**
 * S3 settings, read the way MLflow's S3 artifact repository reads them
 * (mlflow/store/artifact/s3_artifact_repo.py, mlflow/environment_variables.py). Pure: no SDK here,
 * so loading the configuration never loads the AWS SDK.
 *
 * Credentials are not part of this: the AWS SDK's standard chain finds them (AWS_ACCESS_KEY_ID /
 * AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, AWS_PROFILE and ~/.aws, web identity, ECS/EC2 roles).
 */
import { ConfigError } from './config-error.js';

export interface S3Settings {
  /** MLFLOW_S3_ENDPOINT_URL: an S3-compatible endpoint (MinIO, Ceph, moto), addressed path-style. */
  readonly endpointUrl?: string;
  /** MLFLOW_S3_IGNORE_TLS=true: do not verify the endpoint's TLS certificate. */
  readonly ignoreTls: boolean;
  /** AWS_REGION, else AWS_DEFAULT_REGION, else us-east-1. */
  readonly region: string;
  /**
   * MLFLOW_S3_UPLOAD_EXTRA_ARGS: a JSON object of extra PutObject / CreateMultipartUpload
   * parameters, e.g. `{"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": "…"}`.
   */
  readonly uploadExtraArgs: Readonly<Record<string, unknown>>;
  /** MLFLOW_PRESIGNED_DOWNLOAD_URL_TTL_SECONDS (default 300, as in MLflow). */
  readonly presignedDownloadTtlSeconds: number;
}

export interface S3Location {
  readonly bucket: string;
  /** The key prefix without slashes at either end; '' for the whole bucket. */
  readonly prefix: string;
}

function parseBoolean(raw: string | undefined, name: string): boolean {
  if (raw === undefined || raw.trim() === '') return false;
  const v = raw.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off'].includes(v)) return false;
  throw new ConfigError(`${name}: expected true or false, got '${raw}'`);
}

export function s3SettingsFromEnv(env: NodeJS.ProcessEnv): S3Settings {
  const endpointUrl = env.MLFLOW_S3_ENDPOINT_URL?.trim() || undefined;
  if (endpointUrl !== undefined) {
    let url: URL;
    try {
      url = new URL(endpointUrl);
    } catch {
      throw new ConfigError(`MLFLOW_S3_ENDPOINT_URL: '${endpointUrl}' is not a URL`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new ConfigError(`MLFLOW_S3_ENDPOINT_URL: expected an http:// or https:// URL, got '${endpointUrl}'`);
    }
  }
  let uploadExtraArgs: Record<string, unknown> = {};
  const extra = env.MLFLOW_S3_UPLOAD_EXTRA_ARGS?.trim();
  if (extra) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(extra);
    } catch {
      throw new ConfigError(`MLFLOW_S3_UPLOAD_EXTRA_ARGS: not valid JSON: ${extra}`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new ConfigError('MLFLOW_S3_UPLOAD_EXTRA_ARGS: expected a JSON object of upload parameters');
    }
    uploadExtraArgs = parsed as Record<string, unknown>;
  }
  const ttlRaw = env.MLFLOW_PRESIGNED_DOWNLOAD_URL_TTL_SECONDS?.trim();
  let presignedDownloadTtlSeconds = 300;
  if (ttlRaw) {
    if (!/^\d+$/.test(ttlRaw) || Number(ttlRaw) < 1 || Number(ttlRaw) > 604800) {
      throw new ConfigError(`MLFLOW_PRESIGNED_DOWNLOAD_URL_TTL_SECONDS: expected 1 to 604800 seconds, got '${ttlRaw}'`);
    }
    presignedDownloadTtlSeconds = Number(ttlRaw);
  }
  return Object.freeze({
    ...(endpointUrl === undefined ? {} : { endpointUrl }),
    ignoreTls: parseBoolean(env.MLFLOW_S3_IGNORE_TLS, 'MLFLOW_S3_IGNORE_TLS'),
    region: env.AWS_REGION?.trim() || env.AWS_DEFAULT_REGION?.trim() || 'us-east-1',
    uploadExtraArgs: Object.freeze(uploadExtraArgs),
    presignedDownloadTtlSeconds,
  });
}

/** True for an `s3://` URI (any case of the scheme). */
export function isS3Uri(uri: string): boolean {
  return /^s3:\/\//i.test(uri);
}

/** `s3://bucket/some/prefix/` → `{bucket, prefix: 'some/prefix'}`. */
export function parseS3Uri(uri: string): S3Location {
  const m = /^s3:\/\/([^/?#]*)(\/[^?#]*)?$/i.exec(uri);
  const bucket = m?.[1] ?? '';
  // S3's bucket naming rules, loosely: what an endpoint could accept in a path-style URL.
  if (!m || !/^[a-zA-Z0-9][a-zA-Z0-9._-]{1,254}$/.test(bucket)) {
    throw new ConfigError(`'${uri}' is not an S3 location; expected s3://bucket or s3://bucket/prefix`);
  }
  const prefix = (m[2] ?? '').replace(/^\/+|\/+$/g, '');
  if (prefix.split('/').some((s) => s === '.' || s === '..') || /\/\//.test(prefix)) {
    throw new ConfigError(`'${uri}': the key prefix must not contain '.', '..' or empty segments`);
  }
  return { bucket, prefix };
}
