/**
 * Shared by the artifact proxy tests: URL helpers, a binary response parser for supertest, and an
 * app listening on an ephemeral port for tests that need raw sockets.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import type { Express } from 'express';
import type supertest from 'supertest';

export const ARTIFACTS = '/api/2.0/mlflow-artifacts/artifacts';
export const AJAX_ARTIFACTS = '/ajax-api/2.0/mlflow-artifacts/artifacts';
export const MLFLOW_ARTIFACTS = '/api/2.0/mlflow-artifacts';

/** Percent-encodes every character but letters, digits, `_~-` (dots and slashes too), `times` times over. */
export function encode(value: string, times: number): string {
  let out = value;
  for (let i = 0; i < times; i++) {
    out = Array.from(new TextEncoder().encode(out), (b) => {
      const c = String.fromCharCode(b);
      return /[A-Za-z0-9_~-]/.test(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
    }).join('');
  }
  return out;
}

/** Encodes each segment, keeping `/` literal: what an HTTP client sends for a normal path. */
export function urlPath(rel: string): string {
  return rel.split('/').map(encodeURIComponent).join('/');
}

/** Makes supertest hand back the body as a Buffer whatever the Content-Type. */
export function binary(req: supertest.Test): supertest.Test {
  return req.buffer(true).parse((res, callback) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => {
      const body = Buffer.concat(chunks);
      // Errors stay JSON objects, so expectError can read them.
      if (/^application\/json/.test(String(res.headers['content-type']))) {
        try {
          callback(null, JSON.parse(body.toString()));
          return;
        } catch {
          // an artifact that merely looks like JSON by its name
        }
      }
      callback(null, body);
    });
  });
}

export interface Listening {
  readonly port: number;
  readonly server: http.Server;
  close(): Promise<void>;
}

export async function listen(app: Express): Promise<Listening> {
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Attack strings for the path gate (see also test/unit/safe-path.test.ts). */
export const ATTACKS: readonly string[] = [
  '../etc/passwd',
  'a/../../b',
  '..',
  '%2e%2e/x',
  '..%2fx',
  '..%5cx',
  '/etc/passwd',
  'C:\\Windows',
  'C:/Windows',
  '\\\\server\\share',
  'a\u0000b',
  'a#b',
  'file:///etc/passwd',
  'file://host/x',
];

/**
 * PUT, GET (body as a Buffer) and list on the artifact proxy, by relative path. Takes a getter
 * because suites open their app in beforeAll, after these are made.
 */
export function artifactCalls(app: () => { readonly request: supertest.Agent }) {
  return {
    put: (rel: string, body: string | Buffer, type = 'application/octet-stream') =>
      app().request.put(`${ARTIFACTS}/${urlPath(rel)}`).set('Content-Type', type).send(body),
    get: (rel: string) => binary(app().request.get(`${ARTIFACTS}/${urlPath(rel)}`)),
    list: (rel?: string) => app().request.get(ARTIFACTS).query(rel === undefined ? {} : { path: rel }),
  };
}

/** Watches the process's RSS every 10 ms from now; `stop()` answers the peak growth in bytes. */
export function watchRss(): { stop(): number } {
  globalThis.gc?.();
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 10);
  return {
    stop: () => {
      clearInterval(sampler);
      return peak - baseline;
    },
  };
}

/** `size` bytes (a multiple of 1 MiB) of a fixed pattern, made 1 MiB at a time, with their sha256 once read. */
export function patternBody(size: number): { body: Readable; sha256(): string } {
  const chunk = Buffer.alloc(1024 * 1024);
  for (let i = 0; i < chunk.length; i++) chunk[i] = (i * 31) & 0xff;
  const sent = createHash('sha256');
  let produced = 0;
  const body = new Readable({
    read() {
      if (produced >= size) return void this.push(null);
      produced += chunk.length;
      sent.update(chunk);
      this.push(chunk);
    },
  });
  return { body, sha256: () => sent.digest('hex') };
}

/** Reads a response to its end without keeping it: its length and sha256. */
export async function drainHashed(res: AsyncIterable<Buffer>): Promise<{ count: number; sha256: string }> {
  const received = createHash('sha256');
  let count = 0;
  for await (const part of res) {
    received.update(part);
    count += part.length;
  }
  return { count, sha256: received.digest('hex') };
}
