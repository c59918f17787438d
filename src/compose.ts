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

export interface Services {
  readonly deps: Deps;
  close(): Promise<void>;
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
  const database = await openDatabase(config.store, config.poolSize === undefined ? {} : { poolSize: config.poolSize });
  const registryStore = new SqlRegistryStore(database.db, database.dialect);
  const deps: Deps = {
    registeredModels: new RegisteredModels(registryStore),
    modelVersions: new ModelVersions(registryStore),
    ...(config.staticPrefix ? { staticPrefix: config.staticPrefix } : {}),
    ...(config.logger ? { logger: config.logger } : {}),
  };
  return { deps, close: () => database.close() };
}
