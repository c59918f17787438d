/**
 * Starts listening: opens the stores, builds the app, and on SIGTERM/SIGINT stops accepting,
 * lets requests in flight finish, then closes the database.
 */
import cluster from 'node:cluster';
import http from 'node:http';
import { createApp } from './app.js';
import { openServices } from './compose.js';
import type { ServerConfig } from './config/config.js';
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

export async function startServer(config: ServerConfig): Promise<RunningServer> {
  const services = await openServices({
    store: config.registryStore,
    defaultArtifactRoot: config.defaultArtifactRoot,
    artifactsDestination: config.artifactsDestination,
    serveArtifacts: config.serveArtifacts,
    artifactsOnly: config.artifactsOnly,
    staticPrefix: config.staticPrefix,
    ...(config.s3 ? { s3: config.s3 } : {}),
    maxPublishBytes: config.maxPublishBytes,
    poolSize: 10,
  });
  const app = createApp(services.deps);
  const server = http.createServer(app);
  // Uploads of several GB must not be cut off by Node's default 5-minute request timeout.
  server.requestTimeout = 0;
  server.keepAliveTimeout = 65_000;
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
export async function runServer(config: ServerConfig): Promise<void> {
  if (config.workers > 1 && cluster.isPrimary) {
    // Migrate once before the workers start, so they never race on the schema.
    await (await openDatabase(config.registryStore)).close();
    const workers = new Set<ReturnType<typeof cluster.fork>>();
    for (let i = 0; i < config.workers; i++) workers.add(cluster.fork());
    let stopping = false;
    cluster.on('exit', (worker, code, signal) => {
      workers.delete(worker);
      if (!stopping) {
        console.error(`[flowreg] worker ${worker.process.pid} exited (${signal ?? code}); starting another`);
        workers.add(cluster.fork());
      } else if (workers.size === 0) {
        process.exit(0);
      }
    });
    const stop = () => {
      stopping = true;
      for (const w of workers) w.process.kill('SIGTERM');
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
    console.log(`[flowreg] listening on http://${config.host}:${config.port} with ${config.workers} workers`);
    return;
  }
  const running = await startServer(config);
  onShutdown(running.close);
  if (cluster.isPrimary) {
    console.log(`[flowreg] listening on http://${config.host}:${running.port} (store: ${redactUri(config.registryStore.uri)})`);
  }
}
