/**
 * S3 unreachable under a running server with `--artifacts-destination s3://…`: every artifact
 * route answers a JSON 503 TEMPORARILY_UNAVAILABLE that names the cause (never a generic 500),
 * the rest of the server is unaffected, nothing of a failed upload is ever visible, and the same
 * process serves artifacts again once S3 is back.
 *
 * The first test needs no S3 at all (the endpoint is a closed port). The second puts a TCP relay
 * the test switches on and off between the server and the real endpoint (FLOWREG_TEST_S3_ENDPOINT)
 * and skips, visibly, without one.
 */
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, spawnServer, type SpawnedServer } from '../helpers/spawn.js';
import { call, distMissing, postJson, type JsonResponse, waitFor } from './faults-support.js';
import { allKeys, freshBucket, pendingUploads, S3_ENDPOINT, S3_SKIP_REASON } from './s3-support.js';

const ARTIFACTS = '/api/2.0/mlflow-artifacts/artifacts';
const MLFLOW_ARTIFACTS = '/api/2.0/mlflow-artifacts';
const MiB = 1024 * 1024;

const missing = distMissing();

function expectUnavailable(res: JsonResponse, what: string): void {
  expect({ what, status: res.status, code: res.json?.error_code }).toEqual({ what, status: 503, code: 'TEMPORARILY_UNAVAILABLE' });
  expect(res.contentType).toMatch(/^application\/json/);
  expect(res.json.message).toMatch(/artifact store is temporarily unavailable \(ECONNREFUSED/);
}

/** A TCP relay to the S3 endpoint that the test switches off (refusing connections) and on. */
class Relay {
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  constructor(
    readonly port: number,
    private readonly target: URL,
  ) {}

  async up(): Promise<void> {
    const server = net.createServer((client) => {
      const upstream = net.connect(Number(this.target.port), this.target.hostname);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.server = server;
  }

  /** Stops listening and cuts every connection in flight. */
  async down(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const s of this.sockets) s.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

function put(url: string, body: string | Buffer): Promise<JsonResponse> {
  return call(url, { method: 'PUT', body, headers: { 'content-type': 'application/octet-stream' } });
}

if (missing) {
  console.warn(`[faults] ${missing}`);
  describe('fault: S3 unreachable', () => {
    it.skip(missing, () => undefined);
  });
} else {
  describe('fault: S3 unreachable', () => {
    const servers: SpawnedServer[] = [];
    const dirs: string[] = [];
    const relays: Relay[] = [];
    afterAll(async () => {
      for (const r of relays) await r.down();
      for (const s of servers) await s.stop('SIGKILL');
      for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
    });

    async function start(endpoint: string, bucket: string): Promise<SpawnedServer> {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowreg-s3fault-'));
      dirs.push(dir);
      const server = await spawnServer(
        ['--backend-store-uri', `sqlite:///${path.join(dir, 'flowreg.db')}`, '--artifacts-destination', `s3://${bucket}/proxied`],
        {
          cwd: dir,
          env: {
            MLFLOW_S3_ENDPOINT_URL: endpoint,
            AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID ?? 'test',
            AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY ?? 'test',
            AWS_DEFAULT_REGION: 'us-east-1',
          },
        },
      );
      servers.push(server);
      return server;
    }

    it('answers a clear JSON 503 on every artifact route when the endpoint is a closed port', { timeout: 60_000 }, async () => {
      const server = await start(`http://127.0.0.1:${await freePort()}`, 'flowreg-unreachable');
      const a = `${server.url}${ARTIFACTS}`;
      const started = Date.now();
      expectUnavailable(await put(`${a}/0/r/artifacts/small.txt`, 'hello'), 'small upload');
      expectUnavailable(await put(`${a}/0/r/artifacts/large.bin`, Buffer.alloc(20 * MiB, 1)), 'multipart upload');
      expectUnavailable(await call(`${a}/0/r/artifacts/small.txt`), 'download');
      expectUnavailable(await call(`${a}?path=0/r/artifacts`), 'list');
      expectUnavailable(await call(`${a}/0/r/artifacts/small.txt`, { method: 'DELETE' }), 'delete');
      expectUnavailable(await postJson(`${server.url}${MLFLOW_ARTIFACTS}/mpu/create/0/r/artifacts`, { path: 'f.bin', num_parts: 2 }), 'mpu create');
      expectUnavailable(await call(`${server.url}${MLFLOW_ARTIFACTS}/presigned/0/r/artifacts/small.txt`), 'presigned');
      const elapsed = Date.now() - started;

      // The tracking side is unaffected; a proxied run's artifact listing reports the outage.
      const exp = await postJson(`${server.url}/api/2.0/mlflow/experiments/create`, { name: 'during-s3-outage' });
      expect(exp.status, exp.text).toBe(200);
      const run = await postJson(`${server.url}/api/2.0/mlflow/runs/create`, { experiment_id: exp.json.experiment_id });
      expect(run.status, run.text).toBe(200);
      const listed = await call(`${server.url}/api/2.0/mlflow/artifacts/list?run_id=${run.json.run.info.run_id}`);
      expectUnavailable(listed, 'run artifact listing');
      expect((await call(`${server.url}/health`)).status).toBe(200);
      expect(server.process.exitCode).toBeNull();
      expect(server.output()).not.toMatch(/INTERNAL_ERROR|at .*\.js:\d+/);
      console.log(`[faults] S3 unreachable: 7 artifact requests answered 503 in ${elapsed} ms`);
    });

    it.skipIf(!S3_ENDPOINT)('recovers when S3 comes back, with nothing of the failed uploads visible', { timeout: 60_000 }, async () => {
      const relay = new Relay(await freePort(), new URL(S3_ENDPOINT as string));
      relays.push(relay);
      const bucket = await freshBucket('fault');
      const server = await start(`http://127.0.0.1:${relay.port}`, bucket);
      const a = `${server.url}${ARTIFACTS}`;

      // Down from the start.
      expectUnavailable(await put(`${a}/0/r/artifacts/first.txt`, 'lost'), 'upload while down');

      // Back: the same process serves, and the failed upload left nothing.
      await relay.up();
      expect((await put(`${a}/0/r/artifacts/second.txt`, 'kept')).status).toBe(200);
      expect((await call(`${a}/0/r/artifacts/first.txt`)).status).toBe(404);
      expect(await allKeys(bucket)).toEqual(['proxied/0/r/artifacts/second.txt']);

      // Cut off in the middle of a multipart upload.
      const size = 64 * MiB;
      const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = http.request(
          { host: '127.0.0.1', port: server.port, method: 'PUT', path: `${ARTIFACTS}/0/r/artifacts/cut.bin`, headers: { 'Content-Length': size } },
          (res) => {
            let body = '';
            res.on('data', (d: Buffer) => (body += d.toString()));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
          },
        );
        req.on('error', reject);
        let sent = 0;
        const chunk = Buffer.alloc(MiB, 3);
        const pump = () => {
          while (sent < size) {
            sent += chunk.length;
            if (!req.write(chunk)) return void req.once('drain', pump);
          }
          req.end();
        };
        pump();
      });
      await waitFor('a multipart upload under way', async () => ((await pendingUploads(bucket)).length > 0 ? true : undefined), 20_000, 20);
      await relay.down();
      const cut = await response;
      expect(cut.status, cut.body).toBe(503);
      expect(JSON.parse(cut.body).error_code).toBe('TEMPORARILY_UNAVAILABLE');

      await relay.up();
      expect((await call(`${a}/0/r/artifacts/cut.bin`)).status).toBe(404);
      expect((await call(`${a}?path=0/r/artifacts`)).json).toEqual({ files: [{ path: 'second.txt', is_dir: false, file_size: 4 }] });
      expect(await allKeys(bucket)).toEqual(['proxied/0/r/artifacts/second.txt']);
      // The abort could not reach S3 while it was down; the server retries it in the background.
      const cutAt = Date.now();
      await waitFor('the failed multipart upload to be aborted', async () => ((await pendingUploads(bucket)).length === 0 ? true : undefined), 15_000, 100);
      console.log(`[faults] S3 cut mid-upload: 503, no object; its parts aborted in the background (confirmed ${Date.now() - cutAt} ms after the checks)`);
      expect((await call(`${server.url}/health`)).status).toBe(200);
    });
  });
}

if (!S3_ENDPOINT) {
  console.warn(`[faults] ${S3_SKIP_REASON}`);
  describe('fault: S3 recovery', () => {
    it.skip(S3_SKIP_REASON, () => undefined);
  });
}
