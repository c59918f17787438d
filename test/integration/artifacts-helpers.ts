/**
 * Shared by the artifact proxy tests: URL helpers, a binary response parser for supertest, and an
 * app listening on an ephemeral port for tests that need raw sockets.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
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
