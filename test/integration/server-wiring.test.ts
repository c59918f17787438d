/**
 * What server.ts wires from the configuration, checked on real server processes (dist/): the two
 * store URIs used as `mlflow server` uses them, and the logger reaching the S3 store.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnServer, type SpawnedServer } from '../helpers/spawn.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowreg-wiring-'));
const servers: SpawnedServer[] = [];
afterAll(async () => {
  for (const s of servers) await s.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function post(url: string, body: object): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
}

function names(file: string, table: string): string[] {
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare(`SELECT name FROM ${table}`).all() as { name: string }[]).map((r) => r.name);
  } finally {
    db.close();
  }
}

describe('--backend-store-uri and --registry-store-uri', () => {
  it('keep tracking data in the backend store and the registry in the registry store', async () => {
    const backend = path.join(dir, 'tracking.db');
    const registry = path.join(dir, 'registry.db');
    const server = await spawnServer(
      ['--backend-store-uri', `sqlite:///${backend}`, '--registry-store-uri', `sqlite:///${registry}`, '--artifacts-destination', path.join(dir, 'a')],
      { cwd: dir },
    );
    servers.push(server);
    expect((await post(`${server.url}/api/2.0/mlflow/registered-models/create`, { name: 'split-model' })).status).toBe(200);
    expect((await post(`${server.url}/api/2.0/mlflow/experiments/create`, { name: 'split-experiment' })).status).toBe(200);
    await server.stop();

    expect(names(registry, 'registered_models')).toEqual(['split-model']);
    expect(names(backend, 'registered_models')).toEqual([]);
    expect(names(backend, 'experiments')).toContain('split-experiment');
    expect(names(registry, 'experiments')).not.toContain('split-experiment');
  });
});

describe('the S3 artifact store', () => {
  // An S3 endpoint that refuses every request, as S3 answers a HEAD with a key it does not know.
  const fake = http.createServer((req, res) => {
    req.resume();
    res.writeHead(403, { 'Content-Length': 0 });
    res.end();
  });
  afterAll(() => fake.close());

  const startWith = async (name: string, env: NodeJS.ProcessEnv) => {
    if (!fake.listening) await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${(fake.address() as AddressInfo).port}`;
    const server = await spawnServer(['--backend-store-uri', `sqlite:///${path.join(dir, `${name}.db`)}`, '--artifacts-destination', 's3://refused/p'], {
      cwd: dir,
      env: { MLFLOW_S3_ENDPOINT_URL: endpoint, ...env },
    });
    servers.push(server);
    const res = await fetch(`${server.url}/api/2.0/mlflow-artifacts/artifacts/0/r/a.txt`, { method: 'PUT', body: 'hello' });
    await server.stop();
    return { status: res.status, log: server.output() };
  };

  it('logs that the server has no AWS credentials (a 401 to the client)', async () => {
    const nowhere = path.join(dir, 'no-such-file');
    const { status, log } = await startWith('no-credentials', {
      AWS_ACCESS_KEY_ID: '',
      AWS_SECRET_ACCESS_KEY: '',
      AWS_SESSION_TOKEN: '',
      AWS_PROFILE: '',
      AWS_SHARED_CREDENTIALS_FILE: nowhere,
      AWS_CONFIG_FILE: nowhere,
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: '',
      AWS_CONTAINER_CREDENTIALS_FULL_URI: '',
      AWS_WEB_IDENTITY_TOKEN_FILE: '',
    });
    expect(status).toBe(401);
    expect(log).toMatch(/error: artifact store: no AWS credentials/);
  });

  it('logs credentials the endpoint refuses (a 403 to the client)', async () => {
    const { status, log } = await startWith('refused', { AWS_ACCESS_KEY_ID: 'unknown', AWS_SECRET_ACCESS_KEY: 'unknown' });
    expect(status).toBe(403);
    expect(log).toMatch(/error: artifact store denied access/);
  });
});
