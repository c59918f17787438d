/**
 * Version numbers under concurrency: two server processes on one database, 32 concurrent clients
 * each, all creating versions of one model. Numbers must be exactly 1..N: no duplicate, no gap,
 * no error.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { backends, freshDatabase } from '../helpers/databases.js';
import { spawnServer, type SpawnedServer } from '../helpers/spawn.js';

const CLIENTS_PER_SERVER = 32;
const VERSIONS_PER_CLIENT = 4;

async function post(url: string, body: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, json: await res.json() };
}

describe.each(backends())('concurrent version creation on %s', (backend) => {
  const servers: SpawnedServer[] = [];
  const cleanups: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const s of servers) await s.stop();
    for (const c of cleanups) await c();
  });

  it('two processes × 32 clients get versions 1..N exactly once', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowreg-conc-'));
    const { uri, drop } = await freshDatabase(backend, dir);
    cleanups.push(async () => {
      await drop();
      fs.rmSync(dir, { recursive: true, force: true });
    });
    // Start one first so the schema exists, then the second against the same database.
    servers.push(await spawnServer(['--backend-store-uri', uri], { cwd: dir }));
    servers.push(await spawnServer(['--backend-store-uri', uri], { cwd: dir }));
    const [a, b] = servers as [SpawnedServer, SpawnedServer];

    expect((await post(`${a.url}/api/2.0/mlflow/registered-models/create`, { name: 'raced' })).status).toBe(200);

    const statuses: number[] = [];
    const versions: number[] = [];
    const client = async (server: SpawnedServer) => {
      for (let i = 0; i < VERSIONS_PER_CLIENT; i++) {
        const r = await post(`${server.url}/api/2.0/mlflow/model-versions/create`, { name: 'raced', source: 's3://bucket/raced' });
        statuses.push(r.status);
        if (r.status === 200) versions.push(Number(r.json.model_version.version));
      }
    };
    await Promise.all([
      ...Array.from({ length: CLIENTS_PER_SERVER }, () => client(a)),
      ...Array.from({ length: CLIENTS_PER_SERVER }, () => client(b)),
    ]);

    const total = 2 * CLIENTS_PER_SERVER * VERSIONS_PER_CLIENT;
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    expect([...versions].sort((x, y) => x - y)).toEqual(Array.from({ length: total }, (_, i) => i + 1));

    const search = await fetch(`${b.url}/api/2.0/mlflow/model-versions/search?filter=name%3D%27raced%27&max_results=1000`);
    expect(((await search.json()) as any).model_versions).toHaveLength(total);
  });
});
