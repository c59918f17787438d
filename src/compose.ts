/**
 * Builds the services behind the app from the configuration: the one place that knows which
 * implementation serves which interface.
 */
import type { StoreLocation } from './config/store-uri.js';
import type { Deps } from './deps.js';
import type { Logger } from './logger.js';
import { ModelVersions } from './registry/model-versions.js';
import { RegisteredModels } from './registry/registered-models.js';
import { openDatabase } from './store/sql/database.js';
import { SqlRegistryStore } from './store/sql/registry-sql-store.js';
import { SqlTrackingStore } from './store/sql/tracking-sql-store.js';
import { proxiedArtifactLister } from './tracking/artifacts.js';
import { Experiments } from './tracking/experiments.js';
import { TrackingLineage } from './tracking/lineage.js';
import { LoggedModels } from './tracking/logged-models.js';
import { Runs } from './tracking/runs.js';
import { experimentRoutes } from './http/handlers/experiments.js';
import { loggedModelRoutes } from './http/handlers/logged-models.js';
import { runRoutes } from './http/handlers/runs.js';
import type { ArtifactStore } from './artifacts/artifact-store.js';
import { LocalArtifactStore } from './artifacts/local.js';
import { isS3Uri, s3SettingsFromEnv, type S3Settings } from './config/s3-settings.js';
import { ConfigError } from './config/config-error.js';
import { artifactRoutes } from './http/artifacts.js';
import { nativeApiRoutes } from './http/native-api.js';

export interface Services {
  readonly deps: Deps;
  /** The `--artifacts-destination` store (the proxy's; run and logged-model artifacts live here). */
  readonly artifacts: ArtifactStore;
  close(): Promise<void>;
}

/**
 * The store for `--artifacts-destination`: a local directory (created on the first upload) or
 * `s3://bucket/prefix` (the bucket must exist). The S3 module, and with it the AWS SDK, is loaded
 * only here and only for an s3:// destination.
 */
async function openArtifactStore(
  destination: string,
  config: Pick<ServiceConfig, 's3' | 'logger'>,
): Promise<{ store: ArtifactStore; close: () => void }> {
  if (isS3Uri(destination)) {
    const { openS3ArtifactStore } = await import('./artifacts/s3.js');
    // Settings not passed in are read from the environment, as the AWS SDK reads its own.
    const settings = config.s3 ?? s3SettingsFromEnv(process.env);
    const store = await openS3ArtifactStore(destination, settings, config.logger ? { logger: config.logger } : {});
    return { store, close: () => store.destroy() };
  }
  if (/^[a-z][a-z0-9+.-]*:/i.test(destination) && !/^file:/i.test(destination)) {
    throw new ConfigError(`--artifacts-destination ${destination}: expected a local directory or s3://bucket/prefix`);
  }
  return { store: new LocalArtifactStore(destination.replace(/^file:\/\//i, '')), close: () => undefined };
}

/** What the services need from the server configuration (tests pass just as much). */
export interface ServiceConfig {
  readonly store: StoreLocation;
  /** Root of new experiments' artifact locations, e.g. `mlflow-artifacts:/`. */
  readonly defaultArtifactRoot: string;
  /** Where proxied artifacts live: an absolute directory or s3://bucket/prefix. */
  readonly artifactsDestination: string;
  /** S3 client settings for an s3:// destination; read from the environment when absent. */
  readonly s3?: S3Settings;
  readonly serveArtifacts: boolean;
  readonly artifactsOnly: boolean;
  readonly staticPrefix?: string;
  readonly logger?: Logger;
  readonly poolSize?: number;
  /** Largest body of a native publish (`POST /api/flowreg/v1/models/{name}/versions`); 10 GiB by default. */
  readonly maxPublishBytes?: number;
}

export async function openServices(config: ServiceConfig): Promise<Services> {
  const { store: artifacts, close: closeArtifacts } = await openArtifactStore(config.artifactsDestination, config);
  let database: Awaited<ReturnType<typeof openDatabase>>;
  try {
    database = await openDatabase(config.store, config.poolSize === undefined ? {} : { poolSize: config.poolSize });
  } catch (err) {
    closeArtifacts();
    throw err;
  }
  const registryStore = new SqlRegistryStore(database.db, database.dialect);
  const trackingStore = new SqlTrackingStore(database.db, database.dialect);
  const experiments = new Experiments(trackingStore.experiments, config.defaultArtifactRoot);
  try {
    await experiments.init();
  } catch (err) {
    await database.close();
    closeArtifacts();
    throw err;
  }
  const runs = new Runs(trackingStore.runs, experiments);
  const loggedModels = new LoggedModels(trackingStore.loggedModels, experiments);
  const lister = config.serveArtifacts ? proxiedArtifactLister(artifacts) : undefined;
  const registeredModels = new RegisteredModels(registryStore);
  const modelVersions = new ModelVersions(registryStore, new TrackingLineage(loggedModels, runs));
  const deps: Deps = {
    registeredModels,
    modelVersions,
    extraRoutes: [...experimentRoutes(experiments), ...runRoutes(runs, lister), ...loggedModelRoutes(loggedModels, lister)],
    ...(config.staticPrefix ? { staticPrefix: config.staticPrefix } : {}),
    ...(config.logger ? { logger: config.logger } : {}),
    streamRoutes: [
      nativeApiRoutes({
        registeredModels,
        modelVersions,
        experiments,
        runs,
        store: artifacts,
        serveArtifacts: config.serveArtifacts,
        artifactsOnly: config.artifactsOnly,
        ...(config.maxPublishBytes === undefined ? {} : { maxPublishBytes: config.maxPublishBytes }),
        ...(config.logger ? { logger: config.logger } : {}),
      }),
      artifactRoutes({
        store: artifacts,
        serveArtifacts: config.serveArtifacts,
        ...(config.logger ? { logger: config.logger } : {}),
      }),
    ],
    artifactsOnly: config.artifactsOnly,
  };
  return {
    deps,
    artifacts,
    close: async () => {
      await database.close();
      closeArtifacts();
    },
  };
}
