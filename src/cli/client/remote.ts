/**
 * The client side of the native API, shared by `flowreg push` and `flowreg pull`: where the server
 * is (`--tracking-uri` or MLFLOW_TRACKING_URI, a path prefix kept), how to authenticate (as MLflow
 * clients do: MLFLOW_TRACKING_TOKEN, MLFLOW_TRACKING_USERNAME/PASSWORD, or user:pass in the URI),
 * and plain node:http(s) requests with streamed bodies.
 */
import http from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';
import { NATIVE_API_BASE } from '../../native/api.js';

export class ClientError extends Error {
  override name = 'ClientError';
}

export interface Remote {
  /** Scheme, host and any path prefix, without a trailing slash. */
  readonly base: string;
  readonly headers: Readonly<Record<string, string>>;
}

export function remoteFrom(trackingUri: string | undefined, env: NodeJS.ProcessEnv): Remote {
  const raw = trackingUri ?? env.MLFLOW_TRACKING_URI;
  if (!raw) throw new ClientError('no server given: pass --tracking-uri http://host:5000 or set MLFLOW_TRACKING_URI');
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ClientError(`invalid tracking URI '${raw}'`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ClientError(`the tracking URI must be http:// or https://, got '${raw}'`);
  }
  const headers: Record<string, string> = {};
  const user = url.username ? decodeURIComponent(url.username) : env.MLFLOW_TRACKING_USERNAME;
  const password = url.password ? decodeURIComponent(url.password) : env.MLFLOW_TRACKING_PASSWORD;
  if (env.MLFLOW_TRACKING_TOKEN) headers.Authorization = `Bearer ${env.MLFLOW_TRACKING_TOKEN}`;
  else if (user) headers.Authorization = `Basic ${Buffer.from(`${user}:${password ?? ''}`).toString('base64')}`;
  url.username = '';
  url.password = '';
  url.search = '';
  url.hash = '';
  return { base: url.toString().replace(/\/+$/, ''), headers };
}

/** `<base>/api/flowreg/v1/models/<name>/versions[/<ref>…]`, each segment percent-encoded. */
export function versionUrl(remote: Remote, name: string, ...rest: string[]): string {
  const segments = ['models', name, 'versions', ...rest].map((s) => encodeURIComponent(s));
  return `${remote.base}${NATIVE_API_BASE}/${segments.join('/')}`;
}

export interface RequestOptions {
  readonly method: string;
  readonly headers?: Readonly<Record<string, string | number>>;
  readonly body?: Readable;
}

/** One request; resolves with the response as soon as its headers arrive. */
export function send(url: string, options: RequestOptions): Promise<http.IncomingMessage> {
  const target = new URL(url);
  const lib = target.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = lib.request(target, { method: options.method, headers: { ...options.headers } }, resolve);
    req.on('error', reject);
    if (options.body) {
      options.body.on('error', (err) => req.destroy(err));
      options.body.pipe(req);
    } else {
      req.end();
    }
  });
}

/** Reads a (small) response body as text. */
export async function readText(res: http.IncomingMessage, limit = 1024 * 1024): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= limit) chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The server's error as one line: `ERROR_CODE: message`, or the status and body text. */
export async function describeError(res: http.IncomingMessage): Promise<string> {
  const text = await readText(res, 64 * 1024);
  try {
    const body = JSON.parse(text) as { error_code?: unknown; message?: unknown };
    if (typeof body.message === 'string') {
      return `${typeof body.error_code === 'string' ? `${body.error_code}: ` : ''}${body.message}`;
    }
  } catch {
    // not JSON
  }
  const snippet = text.trim().slice(0, 300);
  return `HTTP ${res.statusCode ?? '?'}${snippet ? `: ${snippet}` : ''}`;
}
