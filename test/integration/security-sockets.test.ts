/**
 * No client can starve the others (src/http/edge-server.ts), with real sockets on every backend:
 * stalled headers are cut off, stalled uploads neither block /health and registry reads nor live
 * forever, a slow but steady upload still finishes, and a connection flood meets the cap.
 */
import type http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { defaultSecuritySettings, type SecuritySettings } from '../../src/config/security.js';
import { createLimitedServer } from '../../src/http/edge-server.js';
import { backends, createTestApp, type TestApp } from '../helpers/app.js';
import { ARTIFACTS } from './artifacts-helpers.js';
import { sleep } from './support.js';

const LIMITS: SecuritySettings = {
  ...defaultSecuritySettings(),
  headersTimeoutMs: 1000,
  idleTimeoutMs: 1500,
  maxConnections: 80,
};

/** A raw connection: what it was sent, what came back, and when it closed. */
interface Raw {
  readonly socket: net.Socket;
  received: string;
  closedAt: number | undefined;
}

function connect(port: number, first?: string): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const raw: Raw = { socket: net.connect(port, '127.0.0.1'), received: '', closedAt: undefined };
    raw.socket.on('data', (d) => (raw.received += d.toString('latin1')));
    raw.socket.on('close', () => (raw.closedAt = Date.now()));
    raw.socket.on('error', () => undefined);
    raw.socket.once('connect', () => {
      if (first) raw.socket.write(first);
      resolve(raw);
    });
    raw.socket.once('error', reject);
  });
}

async function until(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    await sleep(25);
  }
  return cond();
}

/** One fresh-connection GET, timed. */
async function timedGet(port: number, path: string): Promise<{ status: number; ms: number }> {
  const start = performance.now();
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { headers: { Connection: 'close' } });
  await res.arrayBuffer();
  return { status: res.status, ms: performance.now() - start };
}

describe.each(backends())('sockets (%s)', (backend) => {
  let t: TestApp;
  let server: http.Server;
  let port: number;

  beforeAll(async () => {
    t = await createTestApp(backend);
    server = createLimitedServer(createApp(t.services.deps), LIMITS);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as net.AddressInfo).port;
  });
  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
    await t?.close();
  });

  it.each([
    ['half a request line', 'GET /hea'],
    ['half the headers', 'GET /health HTTP/1.1\r\nHost: localhost\r\nX-A: '],
    ['nothing at all', ''],
  ])('a client that sends %s and stalls is cut off', async (_label, first) => {
    const raw = await connect(port, first);
    const start = Date.now();
    expect(await until(() => raw.closedAt !== undefined, 4000)).toBe(true);
    expect((raw.closedAt as number) - start).toBeLessThan(3500);
  });

  it('50 stalled uploads do not hold up /health or a registry read, and are closed when idle', async () => {
    const stalled = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        connect(
          port,
          `PUT ${ARTIFACTS}/stalled/${i}.bin HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1000000000\r\n\r\npartial`,
        ),
      ),
    );
    // Plus stalled JSON bodies on the registry's own routes.
    stalled.push(
      ...(await Promise.all(
        Array.from({ length: 20 }, () =>
          connect(port, `POST /api/2.0/mlflow/registered-models/create HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"name":`),
        ),
      )),
    );
    await sleep(100);
    for (const path of ['/health', '/api/2.0/mlflow/registered-models/search?max_results=5']) {
      const { status, ms } = await timedGet(port, path);
      expect(status).toBe(200);
      expect(ms).toBeLessThan(500);
    }
    expect(await until(() => stalled.every((s) => s.closedAt !== undefined), 5000)).toBe(true);
  });

  it('a slow but steady upload is not cut off by the idle timeout', async () => {
    const chunks = 6;
    const raw = await connect(
      port,
      `PUT ${ARTIFACTS}/steady/slow.bin HTTP/1.1\r\nHost: localhost\r\nContent-Length: ${chunks * 4}\r\nConnection: close\r\n\r\n`,
    );
    // 6 chunks, 600 ms apart: 3.6 s in all, longer than the 1.5 s idle limit and the 1 s header limit.
    for (let i = 0; i < chunks; i++) {
      await sleep(600);
      raw.socket.write('abcd');
    }
    expect(await until(() => raw.received.includes('\r\n\r\n'), 3000)).toBe(true);
    expect(raw.received).toMatch(/^HTTP\/1\.1 200/);
    const back = await fetch(`http://127.0.0.1:${port}${ARTIFACTS}/steady/slow.bin`);
    expect(await back.text()).toBe('abcd'.repeat(chunks));
  });

  it('a connection flood meets the cap; the server answers again once the flood goes idle', async () => {
    const flood = await Promise.all(Array.from({ length: LIMITS.maxConnections + 10 }, () => connect(port).catch(() => undefined)));
    await sleep(200);
    const open = flood.filter((r) => r && r.closedAt === undefined).length;
    expect(open).toBeLessThanOrEqual(LIMITS.maxConnections);
    // The idle timeout frees the slots.
    expect(await until(() => flood.every((r) => !r || r.closedAt !== undefined), 5000)).toBe(true);
    expect((await timedGet(port, '/health')).status).toBe(200);
  });
});
