/**
 * Shared by the S3 tests: the real S3 endpoint from FLOWREG_TEST_S3_ENDPOINT (scripts/moto.sh
 * starts one; `npm test` sets it), settings for the store, and a raw SDK client to create buckets
 * and look behind the proxy's back. Tests skip, visibly, when no endpoint is configured.
 */
import { randomBytes } from 'node:crypto';
import {
  CreateBucketCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import type { S3Settings } from '../../src/config/s3-settings.js';

export const S3_ENDPOINT = process.env.FLOWREG_TEST_S3_ENDPOINT || undefined;

export const S3_SKIP_REASON = 'FLOWREG_TEST_S3_ENDPOINT is not set (run `bash scripts/moto.sh` or `npm test`): S3 tests skipped';

if (S3_ENDPOINT) {
  // moto accepts any credentials; real ones from the environment win.
  process.env.AWS_ACCESS_KEY_ID ??= 'test';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'test';
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
}

export function s3Settings(endpointUrl = S3_ENDPOINT as string): S3Settings {
  return {
    endpointUrl,
    ignoreTls: false,
    region: process.env.AWS_DEFAULT_REGION || 'us-east-1',
    uploadExtraArgs: {},
    presignedDownloadTtlSeconds: 300,
  };
}

let raw: S3Client | undefined;

/** A plain SDK client on the test endpoint, to set up and inspect buckets directly. */
export function rawClient(): S3Client {
  raw ??= new S3Client({
    endpoint: S3_ENDPOINT,
    forcePathStyle: true,
    region: 'us-east-1',
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  return raw;
}

/** A new, empty bucket with a name no other test uses. */
export async function freshBucket(label: string): Promise<string> {
  const name = `flowreg-${label}-${process.pid}-${randomBytes(4).toString('hex')}`.toLowerCase().slice(0, 63);
  await rawClient().send(new CreateBucketCommand({ Bucket: name }));
  return name;
}

export async function putRaw(bucket: string, key: string, body: string | Buffer): Promise<void> {
  await rawClient().send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
}

/** Every key in the bucket (under `prefix`). */
export async function allKeys(bucket: string, prefix = ''): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await rawClient().send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    for (const o of page.Contents ?? []) if (o.Key) keys.push(o.Key);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return keys.sort();
}

/** Multipart uploads started and neither completed nor aborted. */
export async function pendingUploads(bucket: string): Promise<string[]> {
  const res = await rawClient().send(new ListMultipartUploadsCommand({ Bucket: bucket }));
  return (res.Uploads ?? []).map((u) => `${u.Key}:${u.UploadId}`);
}

export async function objectSize(bucket: string, key: string): Promise<number | undefined> {
  try {
    const head = await rawClient().send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return head.ContentLength;
  } catch {
    return undefined;
  }
}
