/**
 * MLFLOW_S3_IGNORE_TLS against an endpoint with a self-signed certificate (a local HTTPS server
 * answering an empty listing): verified by default, with a clear error; accepted when asked to.
 * Also: the S3 settings read from the environment as MLflow names them.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openS3ArtifactStore, type S3ArtifactStore } from '../../src/artifacts/s3.js';
import { s3SettingsFromEnv } from '../../src/config/s3-settings.js';
import { ConfigError } from '../../src/config/config-error.js';
import { MlflowError } from '../../src/protocol/errors.js';

function selfSignedCert(dir: string): { key: string; cert: string } | undefined {
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'key.pem', '-out', 'cert.pem', '-subj', '/CN=127.0.0.1', '-days', '1'], {
      cwd: dir,
      stdio: 'ignore',
    });
    return { key: fs.readFileSync(path.join(dir, 'key.pem'), 'utf8'), cert: fs.readFileSync(path.join(dir, 'cert.pem'), 'utf8') };
  } catch {
    return undefined;
  }
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowreg-tls-'));
const pair = selfSignedCert(dir);
if (!pair) console.warn('[s3] openssl is not available: the MLFLOW_S3_IGNORE_TLS test is skipped');

describe.skipIf(!pair)('MLFLOW_S3_IGNORE_TLS', () => {
  let server: https.Server;
  let endpoint: string;
  const stores: S3ArtifactStore[] = [];
  beforeAll(async () => {
    process.env.AWS_ACCESS_KEY_ID ??= 'test';
    process.env.AWS_SECRET_ACCESS_KEY ??= 'test';
    server = https.createServer(pair as { key: string; cert: string }, (req, res) => {
      req.resume();
      res.writeHead(200, { 'Content-Type': 'application/xml' });
      res.end('<?xml version="1.0" encoding="UTF-8"?><ListBucketResult><Name>b</Name><KeyCount>0</KeyCount><IsTruncated>false</IsTruncated></ListBucketResult>');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    for (const s of stores) s.destroy();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const open = async (ignoreTls: boolean) => {
    const store = await openS3ArtifactStore('s3://tls-bucket/p', { endpointUrl: endpoint, ignoreTls, region: 'us-east-1', uploadExtraArgs: {}, presignedDownloadTtlSeconds: 300 }, { logger: () => undefined });
    stores.push(store);
    return store;
  };

  it('refuses the certificate by default, with a message that names the setting', async () => {
    const err = await (await open(false)).list('').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MlflowError);
    expect((err as MlflowError).code).toBe('INTERNAL_ERROR');
    expect((err as MlflowError).message).toMatch(/TLS certificate was not accepted .*MLFLOW_S3_IGNORE_TLS=true/);
  });

  it('accepts it with MLFLOW_S3_IGNORE_TLS=true', async () => {
    expect(await (await open(true)).list('')).toEqual([]);
  });
});

describe('S3 settings from the environment', () => {
  it('reads MLflow’s variables with MLflow’s defaults', () => {
    expect(s3SettingsFromEnv({})).toEqual({ ignoreTls: false, region: 'us-east-1', uploadExtraArgs: {}, presignedDownloadTtlSeconds: 300 });
    expect(
      s3SettingsFromEnv({
        MLFLOW_S3_ENDPOINT_URL: 'http://minio:9000',
        MLFLOW_S3_IGNORE_TLS: 'true',
        AWS_DEFAULT_REGION: 'eu-west-1',
        MLFLOW_S3_UPLOAD_EXTRA_ARGS: '{"ServerSideEncryption": "AES256"}',
        MLFLOW_PRESIGNED_DOWNLOAD_URL_TTL_SECONDS: '60',
      }),
    ).toEqual({
      endpointUrl: 'http://minio:9000',
      ignoreTls: true,
      region: 'eu-west-1',
      uploadExtraArgs: { ServerSideEncryption: 'AES256' },
      presignedDownloadTtlSeconds: 60,
    });
    expect(s3SettingsFromEnv({ AWS_REGION: 'ap-south-1', AWS_DEFAULT_REGION: 'eu-west-1' }).region).toBe('ap-south-1');
  });

  it.each([
    [{ MLFLOW_S3_ENDPOINT_URL: 'minio:9000' }, /MLFLOW_S3_ENDPOINT_URL/],
    [{ MLFLOW_S3_IGNORE_TLS: 'maybe' }, /MLFLOW_S3_IGNORE_TLS/],
    [{ MLFLOW_S3_UPLOAD_EXTRA_ARGS: '{not json' }, /MLFLOW_S3_UPLOAD_EXTRA_ARGS/],
    [{ MLFLOW_S3_UPLOAD_EXTRA_ARGS: '["ACL"]' }, /JSON object/],
  ])('refuses %j at start-up', (env, message) => {
    expect(() => s3SettingsFromEnv(env)).toThrow(ConfigError);
    expect(() => s3SettingsFromEnv(env)).toThrow(message);
  });
});
