/**
 * `flowreg server` configuration: the flags and environment variables of `mlflow server`
 * (mlflow/cli/__init__.py: server, mlflow/utils/cli_args.py), parsed once into a frozen object.
 * Nothing else in the program reads process.env.
 */
import path from 'node:path';
import { isS3Uri, parseS3Uri, s3SettingsFromEnv, type S3Settings } from './s3-settings.js';
import { argTokens } from './argv.js';
import { ConfigError } from './config-error.js';
import { parseStoreUri, type StoreLocation } from './store-uri.js';

export { ConfigError };

export interface ServerConfig {
  readonly backendStore: StoreLocation;
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
}

export const DEFAULT_MAX_PUBLISH_BYTES = 10 * 1024 ** 3;

type FlagKind = 'string' | 'int' | 'bool';
interface FlagSpec {
  readonly key: keyof RawFlags;
  readonly kind: FlagKind;
  readonly env?: string;
}

interface RawFlags {
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
};

/** Accepted for compatibility with `mlflow server` command lines; they take a value we ignore. */
const IGNORED_WITH_VALUE = new Set([
  '--gunicorn-opts',
  '--uvicorn-opts',
  '--waitress-opts',
  '--expose-prometheus',
  '--app-name',
  '--allowed-hosts',
  '--cors-allowed-origins',
  '--x-frame-options',
]);
const IGNORED_SWITCHES = new Set(['--dev', '--disable-security-middleware']);

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

function coerce(spec: FlagSpec, raw: string, name: string): string | number | boolean {
  if (spec.kind === 'int') return parseInt10(raw, name);
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
    if (!spec.env) continue;
    const raw = env[spec.env];
    if (raw === undefined || raw === '') continue;
    flags[spec.key] = coerce(spec, raw, spec.env);
  }
  return flags as RawFlags;
}

/** Flags win over environment variables, which win over defaults (as in click). */
export function loadServerConfig(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  cwd: string = process.cwd(),
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

  return Object.freeze({
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
  });
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
  --help                        show this message
`;
