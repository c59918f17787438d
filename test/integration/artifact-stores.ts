/**
 * The artifact destinations the shared artifact-store suite (artifact-store.contract.test.ts) runs
 * over: local disk always, S3 when FLOWREG_TEST_S3_ENDPOINT names an endpoint. Each opens an app
 * whose proxied artifacts live in a fresh destination, and can list what the store holds behind
 * the proxy's back.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { allKeys, freshBucket, S3_ENDPOINT, s3Settings } from './s3-support.js';

export interface OpenedArtifactStore {
  readonly t: TestApp;
  /** Every object the store holds, as it names them: files under the directory, or S3 keys. */
  stored(): Promise<string[]>;
  /** The name `stored()` gives the artifact at `rel`. */
  storedName(rel: string): string;
}

export interface ArtifactStoreKind {
  readonly name: 'local' | 's3';
  open(): Promise<OpenedArtifactStore>;
}

function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
}

const local: ArtifactStoreKind = {
  name: 'local',
  async open() {
    const t = await createTestApp();
    const dest = path.join(t.dir, 'mlartifacts');
    return { t, stored: async () => filesUnder(dest), storedName: (rel) => path.join(dest, rel) };
  },
};

const S3_PREFIX = 'team/mlartifacts';

const s3: ArtifactStoreKind = {
  name: 's3',
  async open() {
    const bucket = await freshBucket('proxy');
    const t = await createTestApp('sqlite', { artifactsDestination: `s3://${bucket}/${S3_PREFIX}`, s3: s3Settings() });
    return { t, stored: () => allKeys(bucket), storedName: (rel) => `${S3_PREFIX}/${rel}` };
  },
};

export const ARTIFACT_STORES: readonly ArtifactStoreKind[] = S3_ENDPOINT ? [local, s3] : [local];
