/**
 * A server killed with SIGKILL in the middle of a 1 GiB upload, with a second server process on
 * the same local-disk destination (and database): the partial upload is never visible through the
 * second server (neither listed nor served), which keeps serving as before. The 1 GiB body comes
 * from a generator: nothing of that size is ever held in memory.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnServer, type SpawnedServer } from '../helpers/spawn.js';
import { call, distMissing, waitFor } from './faults-support.js';

const ARTIFACTS = '/api/2.0/mlflow-artifacts/artifacts';
const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

const missing = distMissing();

/** Files under dir, relative, temp files included. */
function walk(dir: string, prefix = ''): Array<{ rel: string; size: number }> {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const full = path.join(dir, d.name);
    return d.isDirectory() ? walk(full, `${prefix}${d.name}/`) : [{ rel: `${prefix}${d.name}`, size: fs.statSync(full).size }];
  });
}

if (missing) {
  console.warn(`[faults] ${missing}`);
  describe('fault: server killed mid-upload', () => {
    it.skip(missing, () => undefined);
  });
} else {
  describe('fault: server killed mid-upload', () => {
    const servers: SpawnedServer[] = [];
    let dir: string | undefined;
    afterAll(async () => {
      for (const s of servers) await s.stop('SIGKILL');
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    it('leaves nothing visible through a second server on the same destination, which keeps serving', { timeout: 60_000 }, async () => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowreg-kill-'));
      const dest = path.join(dir, 'mlartifacts');
      const args = ['--backend-store-uri', `sqlite:///${path.join(dir, 'shared.db')}`, '--artifacts-destination', dest];
      const a = await spawnServer(args, { cwd: dir });
      servers.push(a);
      const b = await spawnServer(args, { cwd: dir });
      servers.push(b);

      // A finished artifact next to the one that will be cut off, and a previous version of it.
      expect((await call(`${a.url}${ARTIFACTS}/0/run/artifacts/done.txt`, { method: 'PUT', body: 'complete' })).status).toBe(200);
      expect((await call(`${a.url}${ARTIFACTS}/0/run/artifacts/big.bin`, { method: 'PUT', body: 'old version' })).status).toBe(200);

      const chunk = Buffer.alloc(MiB, 7);
      let produced = 0;
      const body = new Readable({
        read() {
          if (produced >= GiB) return void this.push(null);
          produced += chunk.length;
          this.push(chunk);
        },
      });
      const req = http.request({
        host: '127.0.0.1',
        port: a.port,
        method: 'PUT',
        path: `${ARTIFACTS}/0/run/artifacts/big.bin`,
        headers: { 'Content-Length': GiB, 'Content-Type': 'application/octet-stream' },
      });
      const failed = new Promise<string>((resolve) => {
        req.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
        req.on('response', (res) => resolve(`unexpected response ${res.statusCode}`));
      });
      body.pipe(req);

      const runDir = path.join(dest, '0/run/artifacts');
      const partial = await waitFor(
        'the upload to be well under way',
        async () => walk(runDir).find((f) => f.rel.startsWith('.artifact.uploading.') && f.size >= 200 * MiB),
        30_000,
        20,
      );
      expect(a.process.kill('SIGKILL')).toBe(true);
      expect(await a.stop()).toBeNull();
      expect(await failed).toMatch(/ECONNRESET|EPIPE|socket hang up/);
      body.destroy();

      // On disk: the temp file the killed process left, the old version untouched.
      const onDisk = walk(runDir);
      expect(onDisk.map((f) => f.rel).sort()).toEqual(['big.bin', 'done.txt', partial.rel].sort());
      expect(fs.readFileSync(path.join(runDir, 'big.bin'), 'utf8')).toBe('old version');

      // Through the second server: no trace of the partial upload.
      const listed = await call(`${b.url}${ARTIFACTS}?path=0/run/artifacts`);
      expect(listed.json).toEqual({
        files: [
          { path: 'big.bin', is_dir: false, file_size: 11 },
          { path: 'done.txt', is_dir: false, file_size: 8 },
        ],
      });
      expect((await call(`${b.url}${ARTIFACTS}/0/run/artifacts/big.bin`)).text).toBe('old version');
      expect((await call(`${b.url}${ARTIFACTS}/0/run/artifacts/${partial.rel}`)).status).toBe(404);
      console.log(`[faults] killed after ${(partial.size / MiB).toFixed(0)} MiB of 1024; the partial upload stays invisible`);

      // And it keeps serving: reads, writes, the database.
      expect((await call(`${b.url}/health`)).status).toBe(200);
      expect((await call(`${b.url}${ARTIFACTS}/0/run/artifacts/big.bin`, { method: 'PUT', body: 'new version' })).status).toBe(200);
      expect((await call(`${b.url}${ARTIFACTS}/0/run/artifacts/big.bin`)).text).toBe('new version');
      const created = await call(`${b.url}/api/2.0/mlflow/registered-models/create`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'after-kill' }),
      });
      expect(created.status, created.text).toBe(200);
      expect(b.process.exitCode).toBeNull();
    });
  });
}
