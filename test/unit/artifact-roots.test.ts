/**
 * Which artifact roots the server reads and writes (artifacts/artifact-roots.ts): proxied roots
 * through the destination, `file:` roots and `s3://` roots only inside the server's own artifact
 * locations. A client chooses an experiment's artifact_location, so every other root is refused.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ArtifactRoots } from '../../src/artifacts/artifact-roots.js';
import type { ArtifactStore } from '../../src/artifacts/artifact-store.js';
import { MlflowError } from '../../src/protocol/errors.js';

const destination = { list: async () => [] } as unknown as ArtifactStore;
const DEST = '/srv/flowreg/mlartifacts';
const ROOT = '/srv/flowreg/mlruns';

function roots(serveArtifacts: boolean, defaultArtifactRoot: string, destinationUri = DEST): ArtifactRoots {
  return new ArtifactRoots({ destination, destinationUri, serveArtifacts, defaultArtifactRoot, logger: () => undefined });
}

async function refusal(r: ArtifactRoots, uri: string): Promise<unknown> {
  try {
    await r.resolve(uri);
  } catch (err) {
    return err instanceof MlflowError ? err.toJSON().error_code : err;
  }
  return 'served';
}

describe('ArtifactRoots', () => {
  it('serves proxied roots from the destination, only with --serve-artifacts', async () => {
    const on = roots(true, 'mlflow-artifacts:/');
    expect(await on.resolve('mlflow-artifacts:/0/abc/artifacts')).toEqual({ store: destination, dir: '0/abc/artifacts' });
    expect(await on.resolve('http://h:5000/api/2.0/mlflow-artifacts/artifacts/1/x/artifacts')).toEqual({ store: destination, dir: '1/x/artifacts' });
    expect(await roots(false, ROOT).resolve('mlflow-artifacts:/0/abc/artifacts')).toBeUndefined();
  });

  it('serves local roots inside the destination or the default artifact root', async () => {
    const r = roots(false, ROOT);
    expect((await r.resolve(`${ROOT}/3/abc/artifacts`))?.dir).toBe('3/abc/artifacts');
    expect((await r.resolve(`file://${ROOT}/3/abc/artifacts`))?.dir).toBe('3/abc/artifacts');
    expect((await r.resolve(`file:${ROOT}`))?.dir).toBe('');
    expect(await r.resolve(`${DEST}/0/r/artifacts`)).toEqual({ store: destination, dir: '0/r/artifacts' });
  });

  it.each([
    'file:///etc',
    '/etc',
    'file:///etc/passwd',
    `file://${ROOT}/../../../etc`,
    `${ROOT}/../mlruns-evil/1`,
    `${ROOT}-evil/1`,
    `file://${ROOT}/%2e%2e/%2e%2e/etc`,
    `file://host${ROOT}/1`,
    `file://localhost/etc`,
    'relative/dir',
    's3://any-bucket/x',
    '',
  ])('refuses %j with PERMISSION_DENIED', async (uri) => {
    expect(await refusal(roots(false, ROOT), uri)).toBe('PERMISSION_DENIED');
  });

  it('refuses s3:// roots outside the s3:// locations, at a key-segment boundary', async () => {
    const r = roots(false, 's3://bucket/mlflow', DEST);
    for (const uri of ['s3://bucket/mlflow-evil/1', 's3://bucket/other', 's3://other/mlflow/1', 's3://bucket']) {
      expect(await refusal(r, uri), uri).toBe('PERMISSION_DENIED');
    }
  });

  it('leaves other schemes to the caller (listing answers the root alone)', async () => {
    expect(await roots(false, ROOT).resolve('gs://bucket/x')).toBeUndefined();
    expect(await roots(false, ROOT).resolve('hdfs://nn/x')).toBeUndefined();
    expect(path.isAbsolute(ROOT)).toBe(true);
  });
});
