/**
 * Builds an app around a fresh database for each test file: a temporary SQLite file always, and
 * PostgreSQL too when FLOWREG_TEST_PG_URL names a server (CI always sets it). Use
 * `describe.each(backends())` to run a suite on every backend.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import supertest from 'supertest';
import type { Express } from 'express';
import { createApp } from '../../src/app.js';
import { openServices, type Services } from '../../src/compose.js';
import { freshDatabase, type BackendName } from './databases.js';
import type { Logger } from '../../src/logger.js';
import type { S3Settings } from '../../src/config/s3-settings.js';
import type { StoreLocation } from '../../src/config/store-uri.js';
import { FAST_SCRYPT } from './auth.js';

export { backends, type BackendName } from './databases.js';

export interface TestApp {
  readonly app: Express;
  readonly request: supertest.Agent;
  readonly services: Services;
  readonly dir: string;
  /** The test's database (a PostgreSQL test may open its own connection to it). */
  readonly location: Awaited<ReturnType<typeof freshDatabase>>['location'];
  readonly logs: string[];
  /** The databases, for tests that reach into them (the registry store's only when separate). */
  readonly stores: { readonly backend: StoreLocation; readonly registry?: StoreLocation };
  close(): Promise<void>;
}

export interface TestAppOptions {
  readonly staticPrefix?: string;
  readonly serveArtifacts?: boolean;
  readonly artifactsOnly?: boolean;
  /** Defaults to `mlflow-artifacts:/` (artifacts served by the proxy). */
  readonly defaultArtifactRoot?: string;
  /** Defaults to `<dir>/mlartifacts`; e.g. `s3://bucket/prefix` with `s3` settings. */
  readonly artifactsDestination?: string;
  readonly s3?: S3Settings;
  /** Body limit of the native publish API (default 10 GiB). */
  readonly maxPublishBytes?: number;
  /**
   * Authentication on (`--app-name basic-auth`), with these `[mlflow]` ini values; the admin is
   * `admin` / TEST_ADMIN_PASSWORD unless given. The password KDF runs at a test cost.
   */
  readonly auth?: Readonly<Record<string, string>>;
  /** Server-wide protected aliases and stages (`--protected-aliases`, `--protected-stages`, `--protected-approvals`). */
  readonly governance?: { readonly aliases: readonly string[]; readonly stages: readonly string[]; readonly approvalsRequired: number };
  /** `--no-audit` when false (default on, as `flowreg server`). */
  readonly audit?: boolean;
  /** A registry store of its own (`--registry-store-uri`), another fresh database on the same backend. */
  readonly separateRegistryStore?: boolean;
}

export const TEST_ADMIN_PASSWORD = 'admin-password-1234';

export async function createTestApp(backend: BackendName = 'sqlite', options: TestAppOptions = {}): Promise<TestApp> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowreg-test-'));
  const { location, drop: dropBackend } = await freshDatabase(backend, dir);
  let drop = dropBackend;
  let registryStore: StoreLocation | undefined;
  if (options.separateRegistryStore) {
    const registryDir = path.join(dir, 'registry');
    fs.mkdirSync(registryDir);
    const registry = await freshDatabase(backend, registryDir);
    registryStore = registry.location;
    drop = async () => void (await Promise.all([dropBackend(), registry.drop()]));
  }
  const logs: string[] = [];
  const logger: Logger = (level, message) => {
    logs.push(`${level}: ${message}`);
  };
  const services = await openServices({
    backendStore: location,
    ...(registryStore ? { registryStore } : {}),
    defaultArtifactRoot: options.defaultArtifactRoot ?? 'mlflow-artifacts:/',
    artifactsDestination: options.artifactsDestination ?? path.join(dir, 'mlartifacts'),
    ...(options.s3 ? { s3: options.s3 } : {}),
    serveArtifacts: options.serveArtifacts ?? true,
    artifactsOnly: options.artifactsOnly ?? false,
    logger,
    poolSize: 4,
    ...(options.audit === undefined ? {} : { audit: options.audit }),
    ...(options.staticPrefix ? { staticPrefix: options.staticPrefix } : {}),
    ...(options.maxPublishBytes === undefined ? {} : { maxPublishBytes: options.maxPublishBytes }),
    ...(options.governance ? { governance: options.governance } : {}),
    ...(options.auth
      ? {
          auth: { raw: { admin_username: 'admin', admin_password: TEST_ADMIN_PASSWORD, ...options.auth }, source: 'test' },
          scrypt: FAST_SCRYPT,
        }
      : {}),
  });
  const app = createApp(services.deps);
  return {
    app,
    request: supertest.agent(app),
    services,
    dir,
    location,
    logs,
    stores: { backend: location, ...(registryStore ? { registry: registryStore } : {}) },
    close: async () => {
      await services.close();
      await drop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const API = '/api/2.0/mlflow';
