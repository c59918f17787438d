/**
 * Builds the services behind the app from the configuration: the one place that knows which
 * implementation serves which interface. Routes are not built here (http/routes.ts).
 */
import { authConfigFrom } from './auth/auth-config.js';
import { createAuthServices, type AuthServices } from './auth/auth-services.js';
import { OidcVerifier } from './auth/oidc-verifier.js';
import type { ScryptParams } from './auth/passwords.js';
import type { ServerConfig } from './config/config.js';
import type { StoreLocation } from './config/store-uri.js';
import type { AppOptions, Deps } from './deps.js';
import type { Logger } from './logger.js';
import { ModelVersions } from './registry/model-versions.js';
import { RegisteredModels } from './registry/registered-models.js';
import { openDatabase, type SqlDatabase } from './store/sql/database.js';
import { SqlAuditTrail } from './store/sql/audit-sql.js';
import { AuditTrails, isRegistryResource, type RecordChanges } from './store/audit-trails.js';
import { SqlRegistryStore } from './store/sql/registry-sql-store.js';
import { SqlTrackingStore } from './store/sql/tracking-sql-store.js';
import { SqlGovernanceStore } from './store/sql/governance-sql.js';
import { SqlGovernanceHistory } from './store/sql/governance-sql-history.js';
import { SqlProtectionGuard } from './store/sql/governance-sql-guard.js';
import { Governance } from './governance/governance.js';
import { NO_PROTECTION_DEFAULTS } from './store/governance-store.js';
import { Experiments } from './tracking/experiments.js';
import { TrackingLineage } from './tracking/lineage.js';
import { LoggedModels } from './tracking/logged-models.js';
import { Runs } from './tracking/runs.js';
import type { ArtifactStore } from './artifacts/artifact-store.js';
import { LocalArtifactStore } from './artifacts/local.js';
import { isS3Uri } from './config/s3-settings.js';
import { ConfigError } from './config/config-error.js';
import { DEFAULT_MAX_PUBLISH_BYTES } from './config/config.js';

export interface Services {
  readonly deps: Deps;
  /** The `--artifacts-destination` store (the proxy's; run and logged-model artifacts live here). */
  readonly artifacts: ArtifactStore;
  /** The audit trail of each database (the same object twice when there is one database). */
  readonly auditTrails: { readonly tracking: SqlAuditTrail; readonly registry: SqlAuditTrail };
  close(): Promise<void>;
}

/**
 * What the services need: the server configuration, whole (tests pass just as much). The options
 * marked optional default as `flowreg server` defaults them.
 */
export type ServiceConfig = Pick<
  ServerConfig,
  'backendStore' | 'defaultArtifactRoot' | 'artifactsDestination' | 's3' | 'serveArtifacts' | 'artifactsOnly'
> &
  Partial<Pick<ServerConfig, 'registryStore' | 'staticPrefix' | 'maxPublishBytes' | 'poolSize' | 'auth' | 'oidc' | 'audit' | 'governance'>> & {
    readonly logger: Logger;
    /** Tests lower the password KDF's cost; production keeps the default. */
    readonly scrypt?: ScryptParams;
  };

/**
 * Access control over the backend store's database (not MLflow's separate `database_uri`), so
 * that every replica sharing the backend store sees the same users. The configured admin is
 * created here, after migration; a ConfigError refuses start-up.
 */
async function openAuth(config: ServiceConfig, tracking: SqlDatabase): Promise<AuthServices | undefined> {
  if (!config.auth) return undefined;
  const auth = createAuthServices({
    db: tracking.db,
    dialect: tracking.dialect,
    journal: tracking.journal,
    config: authConfigFrom(config.auth.raw, { backendStoreUri: config.backendStore.uri }),
    clock: Date.now,
    logger: config.logger,
    ...(config.scrypt ? { scrypt: config.scrypt } : {}),
    ...(config.oidc ? { oidc: new OidcVerifier(config.oidc, { clock: Date.now, logger: config.logger }) } : {}),
  });
  await auth.bootstrap();
  return auth;
}

/**
 * The store for `--artifacts-destination`: a local directory (created on the first upload) or
 * `s3://bucket/prefix` (the bucket must exist). The S3 module, and with it the AWS SDK, is loaded
 * only here and only for an s3:// destination.
 */
async function openArtifactStore(config: ServiceConfig): Promise<{ store: ArtifactStore; close: () => void }> {
  const destination = config.artifactsDestination;
  if (isS3Uri(destination)) {
    // config/ resolves the S3 settings (environment included) along with the destination.
    if (!config.s3) throw new ConfigError(`--artifacts-destination ${destination}: no S3 settings in the configuration`);
    const { openS3ArtifactStore } = await import('./artifacts/s3.js');
    const store = await openS3ArtifactStore(destination, config.s3, { logger: config.logger });
    return { store, close: () => store.destroy() };
  }
  if (/^[a-z][a-z0-9+.-]*:/i.test(destination) && !/^file:/i.test(destination)) {
    throw new ConfigError(`--artifacts-destination ${destination}: expected a local directory or s3://bucket/prefix`);
  }
  return { store: new LocalArtifactStore(destination.replace(/^file:\/\//i, '')), close: () => undefined };
}

/** Whether two store URIs name the same database (then it is opened once). */
export function sameStore(a: StoreLocation, b: StoreLocation): boolean {
  if (a === b) return true;
  // Each `sqlite:///:memory:` is a database of its own.
  if (a.kind === 'sqlite' && b.kind === 'sqlite') return a.file === b.file && a.file !== ':memory:';
  if (a.kind === 'postgres' && b.kind === 'postgres') return a.connectionString === b.connectionString;
  return false;
}

/**
 * The databases, as `mlflow server` uses its two URIs: tracking data in the backend store, the
 * registry in the registry store; one database when they are the same. Each is migrated on open.
 */
async function openDatabases(config: ServiceConfig): Promise<{ tracking: SqlDatabase; registry: SqlDatabase; close: () => Promise<void> }> {
  const options = config.poolSize === undefined ? {} : { poolSize: config.poolSize };
  const tracking = await openDatabase(config.backendStore, options);
  if (!config.registryStore || sameStore(config.registryStore, config.backendStore)) {
    return { tracking, registry: tracking, close: () => tracking.close() };
  }
  let registry: SqlDatabase;
  try {
    registry = await openDatabase(config.registryStore, options);
  } catch (err) {
    await tracking.close();
    throw err;
  }
  return { tracking, registry, close: async () => void (await Promise.all([tracking.close(), registry.close()])) };
}

/**
 * One audit trail per distinct database, attached to its journal and sealing in the background
 * (PostgreSQL); none attached with `--no-audit`.
 */
function auditTrailsOf(
  databases: { tracking: SqlDatabase; registry: SqlDatabase },
  on: boolean,
  logger: Logger,
): { tracking: SqlAuditTrail; registry: SqlAuditTrail } {
  const onError = (err: unknown) => logger('warn', `audit trail: sealing failed, will retry: ${err instanceof Error ? err.message : String(err)}`);
  const tracking = new SqlAuditTrail(databases.tracking.db, databases.tracking.dialect, onError);
  const registry = databases.registry === databases.tracking ? tracking : new SqlAuditTrail(databases.registry.db, databases.registry.dialect, onError);
  if (on) {
    databases.tracking.journal.use(tracking);
    tracking.start();
    if (registry !== tracking) {
      databases.registry.journal.use(registry);
      registry.start();
    }
  }
  return { tracking, registry };
}

/**
 * Journals changes with no database write of their own (artifacts, a native publish) in the
 * database whose trail holds their resource type, as a store's own changes are.
 */
function recorderOf(databases: { tracking: SqlDatabase; registry: SqlDatabase }): RecordChanges {
  return async (changes) => {
    const registry = changes.filter((c) => isRegistryResource(c.resourceType));
    const backend = changes.filter((c) => !isRegistryResource(c.resourceType));
    if (backend.length > 0) await databases.tracking.journal.recordAlone(databases.tracking.db, backend);
    if (registry.length > 0) await databases.registry.journal.recordAlone(databases.registry.db, registry);
  };
}

export async function openServices(config: ServiceConfig): Promise<Services> {
  const { store: artifacts, close: closeArtifacts } = await openArtifactStore(config);
  let databases: Awaited<ReturnType<typeof openDatabases>>;
  try {
    databases = await openDatabases(config);
  } catch (err) {
    closeArtifacts();
    throw err;
  }
  let stopAudit = async () => {};
  const close = async () => {
    await stopAudit();
    await databases.close();
    closeArtifacts();
  };
  // Governance lives in the registry database. Its guard and its history are sinks of that
  // database's journal: they see every alias and stage write, whatever path made it, inside the
  // write's own transaction (the guard refuses a protected one before it commits). They come
  // before the audit trail, so that a refused write is refused before anything is appended, and
  // so that the guard's lock on the model's row is the first lock a journalled write takes.
  const protectionDefaults = config.governance ?? NO_PROTECTION_DEFAULTS;
  databases.registry.journal.use(new SqlProtectionGuard(protectionDefaults));
  databases.registry.journal.use(new SqlGovernanceHistory());
  // The audit trail is a sink of each database's journal: an event commits with its change, in
  // the database that holds the changed resource (the registry store's, when it is separate).
  const auditTrails = auditTrailsOf(databases, config.audit ?? true, config.logger);
  stopAudit = async () => void (await Promise.all([auditTrails.tracking.stop(), auditTrails.registry.stop()]));
  const trackingStore = new SqlTrackingStore(databases.tracking.db, databases.tracking.dialect, databases.tracking.journal);
  const registryStore = new SqlRegistryStore(databases.registry.db, databases.registry.dialect, databases.registry.journal);
  const governanceStore = new SqlGovernanceStore(databases.registry.db, databases.registry.dialect, databases.registry.journal);
  const experiments = new Experiments(trackingStore.experiments, config.defaultArtifactRoot);
  let auth: AuthServices | undefined;
  try {
    await experiments.init();
    auth = await openAuth(config, databases.tracking);
  } catch (err) {
    await close();
    throw err;
  }
  const runs = new Runs(trackingStore.runs, experiments);
  const loggedModels = new LoggedModels(trackingStore.loggedModels, experiments);
  const options: AppOptions = {
    staticPrefix: config.staticPrefix ?? '',
    serveArtifacts: config.serveArtifacts,
    artifactsOnly: config.artifactsOnly,
    maxPublishBytes: config.maxPublishBytes ?? DEFAULT_MAX_PUBLISH_BYTES,
  };
  const deps: Deps = {
    registeredModels: new RegisteredModels(registryStore),
    modelVersions: new ModelVersions(registryStore, new TrackingLineage(loggedModels, runs)),
    experiments,
    runs,
    loggedModels,
    governance: new Governance(governanceStore, protectionDefaults),
    artifacts,
    logger: config.logger,
    options,
    // Read even with --no-audit: the events recorded while the trail was on stay readable.
    audit: {
      trails: new AuditTrails({ backend: auditTrails.tracking, registry: auditTrails.registry }),
      record: recorderOf(databases),
    },
    ...(auth ? { auth } : {}),
  };
  return { deps, artifacts, auditTrails, close };
}
