/**
 * Builds the services behind the app from a store location: the one place that knows which
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

export interface ServiceOptions {
  readonly staticPrefix?: string;
  readonly logger?: Logger;
  readonly poolSize?: number;
}

export async function openServices(store: StoreLocation, options: ServiceOptions = {}): Promise<Services> {
  const database = await openDatabase(store, options.poolSize === undefined ? {} : { poolSize: options.poolSize });
  const registryStore = new SqlRegistryStore(database.db, database.dialect);
  const deps: Deps = {
    registeredModels: new RegisteredModels(registryStore),
    modelVersions: new ModelVersions(registryStore),
    ...(options.staticPrefix ? { staticPrefix: options.staticPrefix } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
  };
  return { deps, close: () => database.close() };
}
