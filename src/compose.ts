/**
 * Builds the services behind the app from the configuration: the one place that knows which
 * implementation serves which interface.
 */
import type { StoreLocation } from './config/store-uri.js';
import type { Deps } from './deps.js';
import type { Logger } from './http/respond.js';
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
import { ConfigError } from './config/config-error.js';
import { artifactRoutes } from './http/artifacts.js';

export interface Services {
  readonly deps: Deps;
  /** The `--artifacts-destination` store (the proxy's; run and logged-model artifacts live here). */
  readonly artifacts: ArtifactStore;
  close(): Promise<void>;
}

/** The store for `--artifacts-destination`; the directory is created on the first upload. */
function openArtifactStore(destination: string): ArtifactStore {
  if (/^[a-z][a-z0-9+.-]*:/i.test(destination) && !/^file:/i.test(destination)) {
    throw new ConfigError(`--artifacts-destination ${destination}: only a local directory is supported so far`);
  }
  return new LocalArtifactStore(destination.replace(/^file:\/\//i, ''));
}

/** What the services need from the server configuration (tests pass just as much). */
export interface ServiceConfig {
  readonly store: StoreLocation;
  /** Root of new experiments' artifact locations, e.g. `mlflow-artifacts:/`. */
  readonly defaultArtifactRoot: string;
  /** Where proxied artifacts live: an absolute directory (or, later, s3://…). */
  readonly artifactsDestination: string;
  readonly serveArtifacts: boolean;
  readonly artifactsOnly: boolean;
  readonly staticPrefix?: string;
  readonly logger?: Logger;
  readonly poolSize?: number;
}

export async function openServices(config: ServiceConfig): Promise<Services> {
  const artifacts = openArtifactStore(config.artifactsDestination);
  const database = await openDatabase(config.store, config.poolSize === undefined ? {} : { poolSize: config.poolSize });
  const registryStore = new SqlRegistryStore(database.db, database.dialect);
  const trackingStore = new SqlTrackingStore(database.db, database.dialect);
  const experiments = new Experiments(trackingStore.experiments, config.defaultArtifactRoot);
  try {
    await experiments.init();
  } catch (err) {
    await database.close();
    throw err;
  }
  const runs = new Runs(trackingStore.runs, experiments);
  const loggedModels = new LoggedModels(trackingStore.loggedModels, experiments);
  const lister = config.serveArtifacts ? proxiedArtifactLister(artifacts) : undefined;
  const deps: Deps = {
    registeredModels: new RegisteredModels(registryStore),
    modelVersions: new ModelVersions(registryStore, new TrackingLineage(loggedModels, runs)),
    extraRoutes: [...experimentRoutes(experiments), ...runRoutes(runs, lister), ...loggedModelRoutes(loggedModels, lister)],
    ...(config.staticPrefix ? { staticPrefix: config.staticPrefix } : {}),
    ...(config.logger ? { logger: config.logger } : {}),
    streamRoutes: [
      artifactRoutes({
        store: artifacts,
        serveArtifacts: config.serveArtifacts,
        ...(config.logger ? { logger: config.logger } : {}),
      }),
    ],
    artifactsOnly: config.artifactsOnly,
  };
  return { deps, artifacts, close: () => database.close() };
}
