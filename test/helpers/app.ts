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
import type { StoreLocation } from '../../src/config/store-uri.js';
import type { Logger } from '../../src/logger.js';
import type { S3Settings } from '../../src/config/s3-settings.js';

export type BackendName = 'sqlite' | 'postgres';

export function backends(): BackendName[] {
  return process.env.FLOWREG_TEST_PG_URL ? ['sqlite', 'postgres'] : ['sqlite'];
}

export interface TestApp {
  readonly app: Express;
  readonly request: supertest.Agent;
  readonly services: Services;
  readonly dir: string;
  readonly logs: string[];
  close(): Promise<void>;
}

let pgCounter = 0;

/** A new, empty PostgreSQL database on the test server; dropped again by close(). */
export async function freshPostgres(): Promise<{ location: StoreLocation; drop: () => Promise<void> }> {
  const { default: pg } = await import('pg');
  const base = process.env.FLOWREG_TEST_PG_URL as string;
  const name = `flowreg_test_${process.pid}_${Date.now()}_${pgCounter++}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    location: { kind: 'postgres', connectionString: url.toString(), uri: url.toString() },
    drop: async () => {
      const c = new pg.Client({ connectionString: base });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
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
}

export async function createTestApp(backend: BackendName = 'sqlite', options: TestAppOptions = {}): Promise<TestApp> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowreg-test-'));
  let location: StoreLocation;
  let drop = async () => {};
  if (backend === 'postgres') {
    ({ location, drop } = await freshPostgres());
  } else {
    const file = path.join(dir, 'flowreg.db');
    location = { kind: 'sqlite', file, uri: `sqlite:///${file}` };
  }
  const logs: string[] = [];
  const logger: Logger = (level, message) => {
    logs.push(`${level}: ${message}`);
  };
  const services = await openServices({
    store: location,
    defaultArtifactRoot: options.defaultArtifactRoot ?? 'mlflow-artifacts:/',
    artifactsDestination: options.artifactsDestination ?? path.join(dir, 'mlartifacts'),
    ...(options.s3 ? { s3: options.s3 } : {}),
    serveArtifacts: options.serveArtifacts ?? true,
    artifactsOnly: options.artifactsOnly ?? false,
    logger,
    poolSize: 4,
    ...(options.staticPrefix ? { staticPrefix: options.staticPrefix } : {}),
    ...(options.maxPublishBytes === undefined ? {} : { maxPublishBytes: options.maxPublishBytes }),
  });
  const app = createApp(services.deps);
  return {
    app,
    request: supertest.agent(app),
    services,
    dir,
    logs,
    close: async () => {
      await services.close();
      await drop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const API = '/api/2.0/mlflow';
