/**
 * Starts listening: opens the stores, builds the app, and on SIGTERM/SIGINT stops accepting,
 * lets requests in flight finish, then closes the database.
 */
import cluster from 'node:cluster';
import type http from 'node:http';
import { createApp } from './app.js';
import { openServices, sameStore } from './compose.js';
import type { ServerConfig } from './config/config.js';
import { securityStartupLines } from './config/security.js';
import { fernetKeyText } from './config/webhooks.js';
import { createLimitedServer } from './http/edge-server.js';
import { consoleLogger, type Logger } from './logger.js';
import { openDatabase } from './store/sql/database.js';

/** Hides the password of a database URI in log lines. */
export function redactUri(uri: string): string {
  return uri.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}

export interface RunningServer {
  readonly server: http.Server;
  readonly port: number;
  close(): Promise<void>;
}

/** The store URIs for the start-up line, passwords hidden. */
function storesText(config: ServerConfig): string {
  const backend = redactUri(config.backendStore.uri);
  if (sameStore(config.backendStore, config.registryStore)) return `store: ${backend}`;
  return `backend store: ${backend}, registry store: ${redactUri(config.registryStore.uri)}`;
}

/** `logger`: built from the config's `--log-level` unless given (tests collect the lines). */
export async function startServer(config: ServerConfig, logger: Logger = consoleLogger(config.logLevel)): Promise<RunningServer> {
  const services = await openServices({ ...config, logger });
  const app = createApp(services.deps, [], config.security);
  // Timeouts and the connection cap (http/edge-server.ts): an idle limit, not a total one, so
  // uploads of several GB at a steady rate are never cut off.
  const server = createLimitedServer(app, config.security);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await services.close();
    })());
  return { server, port, close };
}

function onShutdown(close: () => Promise<void>): void {
  const stop = (signal: string) => {
    const force = setTimeout(() => {
      console.error(`[flowreg] still draining after ${signal}; exiting`);
      process.exit(1);
    }, 30_000);
    force.unref();
    close().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(`[flowreg] error while shutting down: ${String(err)}`);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

/** Runs the server in this process, or as a primary with N cluster workers. */
/** A worker that dies this soon after it started counts as a crash at start-up. */
const EARLY_EXIT_MS = 10_000;
const MAX_RESTART_DELAY_MS = 30_000;

/**
 * How long to wait before replacing a worker that died: at once after a long life, then doubling
 * (0.5 s, 1 s, 2 s, … up to 30 s) while workers keep dying early, so a persistent fault (a
 * database that refuses connections, a full disk) is not a hot crash loop.
 */
export function restartDelay(earlyExitsInARow: number): number {
  return earlyExitsInARow === 0 ? 0 : Math.min(MAX_RESTART_DELAY_MS, 250 * 2 ** earlyExitsInARow);
}

/** Runs the server in this process, or as a primary with N cluster workers. */
export async function runServer(config: ServerConfig): Promise<void> {
  const log = consoleLogger(config.logLevel);
  if (cluster.isPrimary) {
    for (const line of securityStartupLines(config.security, config.host, config.auth !== undefined)) console.error(`[flowreg] ${line}`);
    if (config.webhooks.ephemeralKey) {
      console.error('[flowreg] MLFLOW_WEBHOOK_SECRET_ENCRYPTION_KEY is not set: webhook secrets are encrypted with a key of this server process only; signed deliveries fail after a restart or on another replica');
    }
  }
  if (config.workers > 1 && cluster.isPrimary) {
    // Migrate once before the workers start, so they never race on the schema.
    await (await openDatabase(config.backendStore)).close();
    if (!sameStore(config.backendStore, config.registryStore)) await (await openDatabase(config.registryStore)).close();
    const workers = new Map<ReturnType<typeof cluster.fork>, number>();
    // Without a configured key, the workers share the primary's (each would otherwise make its own
    // and could not read the secrets the others wrote).
    const env = config.webhooks.ephemeralKey ? { MLFLOW_WEBHOOK_SECRET_ENCRYPTION_KEY: fernetKeyText(config.webhooks.encryptionKey) } : {};
    const fork = () => workers.set(cluster.fork(env), Date.now());
    for (let i = 0; i < config.workers; i++) fork();
    let stopping = false;
    let earlyExits = 0;
    cluster.on('exit', (worker, code, signal) => {
      const started = workers.get(worker) ?? 0;
      workers.delete(worker);
      if (stopping) {
        if (workers.size === 0) process.exit(0);
        return;
      }
      earlyExits = Date.now() - started < EARLY_EXIT_MS ? earlyExits + 1 : 0;
      const delay = restartDelay(earlyExits);
      log('error', `worker ${worker.process.pid} exited (${signal ?? code}); starting another${delay ? ` in ${delay} ms` : ''}`);
      setTimeout(() => {
        if (!stopping) fork();
      }, delay);
    });
    const stop = () => {
      stopping = true;
      if (workers.size === 0) process.exit(0);
      for (const w of workers.keys()) w.process.kill('SIGTERM');
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
    console.log(`[flowreg] listening on http://${config.host}:${config.port} with ${config.workers} workers (${storesText(config)})`);
    return;
  }
  const running = await startServer(config, log);
  onShutdown(running.close);
  if (cluster.isPrimary) {
    console.log(`[flowreg] listening on http://${config.host}:${running.port} (${storesText(config)})`);
  }
}
