/**
 * The edge's socket limits, applied to the HTTP server: no client can starve the others by opening
 * connections and then stalling. Node's own knobs:
 *   - headersTimeout: a request whose headers are not all in by then is answered 408 and closed;
 *   - timeout (socket inactivity): a connection that sends and receives nothing for idleTimeoutMs
 *     is closed, mid-body included. An idle limit rather than a total one, so that a 2 GiB upload
 *     at a slow but steady rate finishes; requestTimeout (total) stays off unless configured;
 *   - keepAliveTimeout, and maxConnections (further connections are closed on accept).
 * Node checks headersTimeout and requestTimeout only every connectionsCheckingInterval, so the
 * interval is set from them (at most 1 s apart, at least as fine as the smallest timeout).
 */
import http from 'node:http';
import type { SecuritySettings } from '../config/security.js';

type SocketLimits = Pick<SecuritySettings, 'headersTimeoutMs' | 'idleTimeoutMs' | 'requestTimeoutMs' | 'keepAliveTimeoutMs' | 'maxConnections'>;

/** An HTTP server for `handler` with the socket limits of `limits`. */
export function createLimitedServer(handler: http.RequestListener, limits: SocketLimits): http.Server {
  const server = http.createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      connectionsCheckingInterval: Math.max(100, Math.min(1000, Math.floor(limits.headersTimeoutMs / 4))),
    },
    handler,
  );
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  server.maxConnections = limits.maxConnections;
  // No 'timeout' listener: Node destroys a socket idle this long.
  server.timeout = limits.idleTimeoutMs;
  return server;
}
