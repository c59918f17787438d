/**
 * The AWS SDK is loaded only when an s3:// destination is configured: a server on local disk never
 * pays for it at start-up. (Opening an S3 store sends no request, so no endpoint is needed.)
 */
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openServices, type Services } from '../../src/compose.js';

const require = createRequire(import.meta.url);
const sdkLoaded = () => Object.keys(require.cache).some((k) => k.includes(`${path.sep}@aws-sdk${path.sep}`));

describe('lazy loading of the AWS SDK', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowreg-lazy-'));
  const opened: Services[] = [];
  afterAll(async () => {
    for (const s of opened) await s.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const open = async (destination: string, name: string) => {
    const file = path.join(dir, `${name}.db`);
    const services = await openServices({
      backendStore: { kind: 'sqlite', file, uri: `sqlite:///${file}` },
      defaultArtifactRoot: 'mlflow-artifacts:/',
      artifactsDestination: destination,
      serveArtifacts: true,
      artifactsOnly: false,
      s3: { ignoreTls: false, region: 'us-east-1', uploadExtraArgs: {}, presignedDownloadTtlSeconds: 300, endpointUrl: 'http://127.0.0.1:9' },
      logger: () => undefined,
    });
    opened.push(services);
    return services;
  };

  it('is not loaded for a local destination, and is for an s3:// one', async () => {
    await open(path.join(dir, 'mlartifacts'), 'local');
    expect(sdkLoaded()).toBe(false);
    const s3 = await open('s3://some-bucket/prefix', 's3');
    expect(s3.artifacts.multipart).toBeDefined();
    expect(sdkLoaded()).toBe(true);
  });
});
