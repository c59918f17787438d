/**
 * What createApp needs: the services, the artifact store, the logger and the server's options,
 * built by compose.ts (server.ts, or tests around a temporary database). Routes are not built
 * here: http/routes.ts registers every one of them from these.
 */
import type { ArtifactStore } from './artifacts/artifact-store.js';
import type { ServerConfig } from './config/config.js';
import type { Logger } from './logger.js';
import type { ModelVersions } from './registry/model-versions.js';
import type { RegisteredModels } from './registry/registered-models.js';
import type { Experiments } from './tracking/experiments.js';
import type { LoggedModels } from './tracking/logged-models.js';
import type { Runs } from './tracking/runs.js';

/** The server options the routes depend on. */
export type AppOptions = Pick<ServerConfig, 'staticPrefix' | 'serveArtifacts' | 'artifactsOnly' | 'maxPublishBytes'>;

export interface Deps {
  readonly registeredModels: RegisteredModels;
  readonly modelVersions: ModelVersions;
  readonly experiments: Experiments;
  readonly runs: Runs;
  readonly loggedModels: LoggedModels;
  /** The `--artifacts-destination` store (the proxy's; run and logged-model artifacts live here). */
  readonly artifacts: ArtifactStore;
  readonly logger: Logger;
  readonly options: AppOptions;
}
