/**
 * `flowreg server` configuration: the flags and environment variables of `mlflow server`
 * (mlflow/cli/__init__.py: server, mlflow/utils/cli_args.py), parsed once into a frozen object.
 * Nothing else in the program reads process.env.
 */
import os from 'node:os';
import path from 'node:path';
import { LOG_LEVELS, type LogLevel } from '../logger.js';
import { isS3Uri, parseS3Uri, s3SettingsFromEnv, type S3Settings } from './s3-settings.js';
import { argTokens } from './argv.js';
import { authSettingsFrom, type AuthSettings } from './auth.js';
import { checkOidcNeedsAuth, oidcSettingsFrom, type OidcSettings } from './oidc.js';
import { ConfigError } from './config-error.js';
import { governanceSettingsFrom, type GovernanceSettings } from './governance.js';
import { parseStoreUri, type StoreLocation } from './store-uri.js';
import { parseSecuritySettings, SECURITY_HELP, type RawSecurityFlags, type SecuritySettings } from './security.js';

export { ConfigError };

export interface ServerConfig {
  /** Experiments, runs and logged models (`--backend-store-uri`), as in `mlflow server`. */
  readonly backendStore: StoreLocation;
  /** Registered models and versions: the backend store itself unless `--registry-store-uri` names another. */
  readonly registryStore: StoreLocation;
  /** Root for new experiments' artifact locations; `mlflow-artifacts:/` when artifacts are served. */
  readonly defaultArtifactRoot: string;
  readonly serveArtifacts: boolean;
  /** Where proxied artifacts are stored: an absolute local directory or an `s3://` URI. */
  readonly artifactsDestination: string;
  /** S3 client settings (MLFLOW_S3_*, AWS_REGION), present for an `s3://` destination. */
  readonly s3?: S3Settings;
  readonly artifactsOnly: boolean;
  readonly host: string;
  readonly port: number;
  readonly workers: number;
  /** '' or a prefix such as `/mlflow` (starts with `/`, no trailing `/`). */
  readonly staticPrefix: string;
  /** Largest body the native publish API accepts. */
  readonly maxPublishBytes: number;
  /** Lowest level logged: `info` logs a line per 4xx and 5xx, `debug` one per request. */
  readonly logLevel: LogLevel;
  /** PostgreSQL connections per worker process. */
  readonly poolSize: number;
  /** Whether every change appends a hash-chained event to the audit trail (`--audit`, default on). */
  readonly audit: boolean;
  /** Aliases and stages protected on every model (`--protected-aliases`, `--protected-stages`). */
  readonly governance: GovernanceSettings;
  /** Set by `--app-name basic-auth`: authentication and permissions on every route. */
  readonly auth?: AuthSettings;
  /** FLOWREG_OIDC_*: Bearer JWTs of this issuer are accepted too (only with authentication on). */
  readonly oidc?: OidcSettings;
  /** The edge: host and origin checks, security headers, timeouts, connection cap (security.ts). */
  readonly security: SecuritySettings;
}

/** Default cap on a native publish request's body. */
export const DEFAULT_MAX_PUBLISH_BYTES = 10 * 1024 ** 3;

/** Most PostgreSQL connections one worker opens by default (the pool's size before it was configurable). */
const MAX_DEFAULT_POOL = 10;

/**
 * About two connections per core across all workers, at least two per worker and at most ten: a
 * worker is one thread, so more connections than it can keep busy only take slots on the server.
 */
export function defaultPoolSize(cores: number, workers: number): number {
  return Math.min(MAX_DEFAULT_POOL, Math.max(2, Math.ceil((2 * cores) / workers)));
}

type FlagKind = 'string' | 'int' | 'bool' | 'level';
interface FlagSpec {
  readonly key: keyof RawFlags;
  readonly kind: FlagKind;
  /** Environment variables, the first one set wins. */
  readonly env?: string | readonly string[];
}

interface RawFlags extends RawSecurityFlags {
  backendStoreUri?: string;
  registryStoreUri?: string;
  defaultArtifactRoot?: string;
  serveArtifacts?: boolean;
  artifactsDestination?: string;
  artifactsOnly?: boolean;
  host?: string;
  port?: number;
  workers?: number;
  staticPrefix?: string;
  maxPublishBytes?: number;
  logLevel?: LogLevel;
  poolSize?: number;
  audit?: boolean;
  protectedAliases?: string;
  protectedStages?: string;
  protectedApprovals?: number;
  appName?: string;
}

/** Flag names and their environment variables, as `mlflow server` spells them. */
const FLAGS: Readonly<Record<string, FlagSpec>> = {
  '--backend-store-uri': { key: 'backendStoreUri', kind: 'string', env: 'MLFLOW_BACKEND_STORE_URI' },
  '--registry-store-uri': { key: 'registryStoreUri', kind: 'string', env: 'MLFLOW_REGISTRY_STORE_URI' },
  '--default-artifact-root': {
    key: 'defaultArtifactRoot',
    kind: 'string',
    env: 'MLFLOW_DEFAULT_ARTIFACT_ROOT',
  },
  '--serve-artifacts': { key: 'serveArtifacts', kind: 'bool', env: 'MLFLOW_SERVE_ARTIFACTS' },
  '--artifacts-destination': {
    key: 'artifactsDestination',
    kind: 'string',
    env: 'MLFLOW_ARTIFACTS_DESTINATION',
  },
  '--artifacts-only': { key: 'artifactsOnly', kind: 'bool', env: 'MLFLOW_ARTIFACTS_ONLY' },
  '--host': { key: 'host', kind: 'string', env: 'MLFLOW_HOST' },
  '-h': { key: 'host', kind: 'string' },
  '--port': { key: 'port', kind: 'int', env: 'MLFLOW_PORT' },
  '-p': { key: 'port', kind: 'int' },
  '--workers': { key: 'workers', kind: 'int', env: 'MLFLOW_WORKERS' },
  '-w': { key: 'workers', kind: 'int' },
  '--static-prefix': { key: 'staticPrefix', kind: 'string', env: 'MLFLOW_STATIC_PREFIX' },
  '--max-publish-bytes': { key: 'maxPublishBytes', kind: 'int', env: 'FLOWREG_MAX_PUBLISH_BYTES' },
  // MLflow reads MLFLOW_LOGGING_LEVEL for its own logger (mlflow/utils/logging_utils.py).
  '--log-level': { key: 'logLevel', kind: 'level', env: ['FLOWREG_LOG_LEVEL', 'MLFLOW_LOGGING_LEVEL'] },
  '--db-pool-size': { key: 'poolSize', kind: 'int', env: 'FLOWREG_DB_POOL_SIZE' },
  '--audit': { key: 'audit', kind: 'bool', env: 'FLOWREG_AUDIT' },
  '--protected-aliases': { key: 'protectedAliases', kind: 'string', env: 'FLOWREG_PROTECTED_ALIASES' },
  '--protected-stages': { key: 'protectedStages', kind: 'string', env: 'FLOWREG_PROTECTED_STAGES' },
  '--protected-approvals': { key: 'protectedApprovals', kind: 'int', env: 'FLOWREG_PROTECTED_APPROVALS' },
  '--app-name': { key: 'appName', kind: 'string' },
  // mlflow/utils/cli_args.py: the security-middleware options and their environment variables.
  '--allowed-hosts': { key: 'allowedHosts', kind: 'string', env: 'MLFLOW_SERVER_ALLOWED_HOSTS' },
  '--cors-allowed-origins': { key: 'corsAllowedOrigins', kind: 'string', env: 'MLFLOW_SERVER_CORS_ALLOWED_ORIGINS' },
  '--x-frame-options': { key: 'xFrameOptions', kind: 'string', env: 'MLFLOW_SERVER_X_FRAME_OPTIONS' },
  '--disable-security-middleware': { key: 'disableSecurityMiddleware', kind: 'bool', env: 'MLFLOW_SERVER_DISABLE_SECURITY_MIDDLEWARE' },
  '--headers-timeout': { key: 'headersTimeout', kind: 'int', env: 'FLOWREG_HEADERS_TIMEOUT' },
  '--idle-timeout': { key: 'idleTimeout', kind: 'int', env: 'FLOWREG_IDLE_TIMEOUT' },
  '--request-timeout': { key: 'requestTimeout', kind: 'int', env: 'FLOWREG_REQUEST_TIMEOUT' },
  '--keep-alive-timeout': { key: 'keepAliveTimeout', kind: 'int', env: 'FLOWREG_KEEP_ALIVE_TIMEOUT' },
  '--max-connections': { key: 'maxConnections', kind: 'int', env: 'FLOWREG_MAX_CONNECTIONS' },
};

/** Accepted for compatibility with `mlflow server` command lines; they take a value we ignore. */
const IGNORED_WITH_VALUE = new Set([
  '--gunicorn-opts',
  '--uvicorn-opts',
  '--waitress-opts',
  '--expose-prometheus',
]);
const IGNORED_SWITCHES = new Set(['--dev']);

function parseBool(raw: string, name: string): boolean {
  const v = raw.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off', ''].includes(v)) return false;
  throw new ConfigError(`${name}: expected true or false, got '${raw}'`);
}

function parseInt10(raw: string, name: string): number {
  if (!/^\d+$/.test(raw.trim())) throw new ConfigError(`${name}: expected a whole number, got '${raw}'`);
  return Number(raw.trim());
}

/** debug, info, warn or error; Python's names (WARNING, CRITICAL) too, in any case. */
function parseLevel(raw: string, name: string): LogLevel {
  const v = raw.trim().toLowerCase();
  const level = v === 'warning' ? 'warn' : v === 'critical' ? 'error' : v;
  if (!(LOG_LEVELS as readonly string[]).includes(level)) {
    throw new ConfigError(`${name}: expected debug, info, warning or error, got '${raw}'`);
  }
  return level as LogLevel;
}

function coerce(spec: FlagSpec, raw: string, name: string): string | number | boolean {
  if (spec.kind === 'int') return parseInt10(raw, name);
  if (spec.kind === 'level') return parseLevel(raw, name);
  if (spec.kind === 'bool') return parseBool(raw, name);
  return raw;
}

function readArgv(argv: readonly string[]): RawFlags {
  const flags: Record<string, unknown> = {};
  for (const { arg, flag: name, inline, value: takeValue } of argTokens(argv, (flag) => new ConfigError(`${flag} needs a value`))) {
    if (name === '--no-serve-artifacts') {
      flags.serveArtifacts = false;
      continue;
    }
    if (name === '--no-audit') {
      flags.audit = false;
      continue;
    }
    if (IGNORED_SWITCHES.has(name)) continue;
    if (IGNORED_WITH_VALUE.has(name)) {
      takeValue();
      continue;
    }
    const spec = FLAGS[name];
    if (!spec) throw new ConfigError(`unknown option '${arg}' (see 'flowreg server --help')`);
    if (spec.kind === 'bool' && inline === undefined) {
      flags[spec.key] = true;
      continue;
    }
    flags[spec.key] = coerce(spec, takeValue(), name);
  }
  return flags as RawFlags;
}

function readEnv(env: NodeJS.ProcessEnv): RawFlags {
  const flags: Record<string, unknown> = {};
  for (const spec of Object.values(FLAGS)) {
    const name = (typeof spec.env === 'string' ? [spec.env] : (spec.env ?? [])).find((n) => env[n] !== undefined && env[n] !== '');
    if (name === undefined) continue;
    flags[spec.key] = coerce(spec, env[name] as string, name);
  }
  return flags as RawFlags;
}

/** Flags win over environment variables, which win over defaults (as in click). */
export function loadServerConfig(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  cwd: string = process.cwd(),
  cores: number = os.availableParallelism(),
): ServerConfig {
  const raw: RawFlags = { ...readEnv(env), ...readArgv(argv) };

  const backendStore = parseStoreUri(raw.backendStoreUri ?? 'sqlite:///mlflow.db', cwd);
  const registryStore = raw.registryStoreUri ? parseStoreUri(raw.registryStoreUri, cwd) : backendStore;

  const port = raw.port ?? 5000;
  if (port < 0 || port > 65535) throw new ConfigError(`--port: ${port} is not a valid port`);
  const workers = raw.workers ?? 1;
  if (workers < 1 || workers > 64) throw new ConfigError(`--workers: expected 1 to 64, got ${workers}`);

  const staticPrefix = raw.staticPrefix ?? '';
  // mlflow/server/__init__.py validates the prefix the same way.
  if (staticPrefix !== '' && (!staticPrefix.startsWith('/') || staticPrefix.endsWith('/'))) {
    throw new ConfigError(`--static-prefix must begin with a '/' and cannot end with a '/'`);
  }

  const serveArtifacts = raw.serveArtifacts ?? true;
  const artifactsOnly = raw.artifactsOnly ?? false;
  if (artifactsOnly && !serveArtifacts) {
    throw new ConfigError('--artifacts-only cannot be combined with --no-serve-artifacts');
  }

  const destination = raw.artifactsDestination ?? './mlartifacts';
  const artifactsDestination = /^[a-z][a-z0-9+.-]*:\/\//i.test(destination)
    ? destination
    : path.resolve(cwd, destination.replace(/^file:\/\//, ''));
  // A malformed s3:// destination or S3 setting is a start-up error, not a failure per request.
  const s3 = isS3Uri(artifactsDestination) ? (parseS3Uri(artifactsDestination), s3SettingsFromEnv(env)) : undefined;

  // mlflow/utils/server_cli_utils.py: resolve_default_artifact_root.
  let defaultArtifactRoot = raw.defaultArtifactRoot;
  if (!defaultArtifactRoot) {
    defaultArtifactRoot = serveArtifacts ? 'mlflow-artifacts:/' : path.resolve(cwd, 'mlruns');
  }

  const poolSize = raw.poolSize ?? defaultPoolSize(cores, workers);
  if (poolSize < 1 || poolSize > 1000) throw new ConfigError(`--db-pool-size: expected 1 to 1000, got ${poolSize}`);

  const auth = authSettingsFrom(raw.appName, env);
  const oidc = oidcSettingsFrom(env);
  checkOidcNeedsAuth(oidc, auth !== undefined);

  return deepFreeze({
    ...(auth ? { auth } : {}),
    ...(oidc ? { oidc } : {}),
    backendStore,
    registryStore,
    defaultArtifactRoot,
    serveArtifacts,
    artifactsDestination,
    ...(s3 ? { s3 } : {}),
    artifactsOnly,
    host: raw.host ?? '127.0.0.1',
    port,
    workers,
    staticPrefix,
    maxPublishBytes: raw.maxPublishBytes ?? DEFAULT_MAX_PUBLISH_BYTES,
    logLevel: raw.logLevel ?? 'info',
    audit: raw.audit ?? true,
    governance: governanceSettingsFrom({ aliases: raw.protectedAliases, stages: raw.protectedStages, approvals: raw.protectedApprovals }),
    poolSize,
    security: parseSecuritySettings(raw, raw.host ?? '127.0.0.1'),
  });
}

/** Frozen all the way down: nothing downstream can change what the operator configured. */
function deepFreeze<T extends object>(value: T): T {
  for (const inner of Object.values(value)) {
    if (typeof inner === 'object' && inner !== null && !Object.isFrozen(inner)) deepFreeze(inner as object);
  }
  return Object.freeze(value);
}

export const SERVER_HELP = `Usage: flowreg server [OPTIONS]

Runs an MLflow-compatible model registry and tracking server.

Options (each also read from the environment variable in brackets):
  --backend-store-uri URI       sqlite:///mlflow.db (default), sqlite:////abs/path.db,
                                postgresql://user:pass@host:5432/db  [MLFLOW_BACKEND_STORE_URI]
  --registry-store-uri URI      defaults to the backend store URI  [MLFLOW_REGISTRY_STORE_URI]
  --default-artifact-root URI   artifact root for new experiments  [MLFLOW_DEFAULT_ARTIFACT_ROOT]
  --serve-artifacts / --no-serve-artifacts
                                proxy artifact uploads and downloads (default on)  [MLFLOW_SERVE_ARTIFACTS]
  --artifacts-destination URI   where proxied artifacts live (default ./mlartifacts), a directory or
                                s3://bucket/prefix (MLFLOW_S3_ENDPOINT_URL, MLFLOW_S3_IGNORE_TLS,
                                AWS_* as for MLflow)  [MLFLOW_ARTIFACTS_DESTINATION]
  --artifacts-only              serve only the artifact proxy  [MLFLOW_ARTIFACTS_ONLY]
  -h, --host HOST               default 127.0.0.1  [MLFLOW_HOST]
  -p, --port PORT               default 5000  [MLFLOW_PORT]
  -w, --workers N               worker processes (default 1)  [MLFLOW_WORKERS]
  --static-prefix PREFIX        prefix for every route, e.g. /mlflow  [MLFLOW_STATIC_PREFIX]
  --max-publish-bytes N         largest upload of the native publish API (default 10 GiB)
                                [FLOWREG_MAX_PUBLISH_BYTES]
  --log-level LEVEL             debug, info (default: a line per 4xx/5xx response), warning or
                                error  [FLOWREG_LOG_LEVEL, MLFLOW_LOGGING_LEVEL]
  --audit / --no-audit          append a hash-chained audit event for every change (default on)
                                [FLOWREG_AUDIT]
  --protected-aliases A,B       aliases protected on every model: MLflow writes to them are refused
                                and go through approval requests  [FLOWREG_PROTECTED_ALIASES]
  --protected-stages S,T        stages protected the same way (e.g. Production)  [FLOWREG_PROTECTED_STAGES]
  --protected-approvals N       approvals a request needs under those defaults (0-10, default 1)
                                [FLOWREG_PROTECTED_APPROVALS]
  --db-pool-size N              PostgreSQL connections per worker (default: about 2 per core
                                across the workers, 2 to 10)  [FLOWREG_DB_POOL_SIZE]
${SECURITY_HELP}  --help                        show this message
`;
