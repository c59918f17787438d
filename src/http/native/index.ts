/**
 * flowreg's native API: publish and fetch model versions with nothing but an HTTP client. Its
 * routes, registered in the one route table (http/routes.ts):
 *
 *   POST /api/flowreg/v1/models/{name}/versions                          publish (./publish.ts)
 *   GET  /api/flowreg/v1/models/{name}/versions/{version}[/files[/{path}]|/archive]   reads (./download.ts)
 *
 * Off (503, as MLflow's disabled endpoints) with `--artifacts-only` or `--no-serve-artifacts`.
 * A trailing `/` is accepted on every path.
 */
import type { ArtifactStore } from '../../artifacts/artifact-store.js';
import type { Clock } from '../../domain/clock.js';
import type { Logger } from '../../logger.js';
import type { RecordChanges } from '../../store/audit-trails.js';
import { NATIVE_API_BASE } from '../../native/api.js';
import { Publisher } from '../../native/publish.js';
import { VersionFiles } from '../../native/version-files.js';
import type { ModelVersions } from '../../registry/model-versions.js';
import type { RegisteredModels } from '../../registry/registered-models.js';
import { validateModelName } from '../../registry/validation.js';
import type { Experiments } from '../../tracking/experiments.js';
import type { Runs } from '../../tracking/runs.js';
import type { PathParams, StreamContext, StreamRouteDef } from '../router.js';
import { archive, downloadFile, getVersion, listFiles, type DownloadDeps } from './download.js';
import { publish } from './publish.js';

export interface NativeRouteDeps {
  readonly registeredModels: RegisteredModels;
  readonly modelVersions: ModelVersions;
  readonly experiments: Experiments;
  readonly runs: Runs;
  /** The `--artifacts-destination`. */
  readonly store: ArtifactStore;
  readonly serveArtifacts: boolean;
  readonly artifactsOnly: boolean;
  readonly maxPublishBytes: number;
  readonly logger: Logger;
  readonly now: Clock;
  readonly audit: { readonly record: RecordChanges };
  /** Refuses a publish that would set a protected alias (governance). */
  readonly checkAliases?: (model: string, aliases: readonly string[]) => Promise<void>;
}

const VERSIONS = `${NATIVE_API_BASE}/models/{name}/versions`;
const PARAM_LABELS = { name: 'model name', ref: 'version' };

/** The path and the same path with a trailing `/`. */
const slashed = (path: string) => [path, `${path}/`];

export function nativeRoutes(deps: NativeRouteDeps): StreamRouteDef[] {
  const publishDeps = {
    publisher: new Publisher(deps),
    maxPublishBytes: deps.maxPublishBytes,
    logger: deps.logger,
    now: deps.now,
    record: deps.audit.record,
    ...(deps.checkAliases ? { checkAliases: deps.checkAliases } : {}),
  };
  const reads: DownloadDeps = { files: new VersionFiles(deps), store: deps.store };
  const why = deps.artifactsOnly ? '`--artifacts-only`' : deps.serveArtifacts ? undefined : '`--no-serve-artifacts`';
  const common = {
    kind: 'stream',
    paramLabels: PARAM_LABELS,
    ...(why ? { disabled: (path: string) => `Endpoint: ${path} disabled due to the server running with ${why}.` } : {}),
  } as const;

  /** A read: the model name is checked and the (empty) request body is let go first. */
  const read =
    (action: (ctx: StreamContext, name: string, ref: string) => Promise<void>) =>
    async (ctx: StreamContext): Promise<void> => {
      const { name, ref } = names(ctx.pathParams);
      ctx.req.resume();
      await action(ctx, name, ref);
    };

  return [
    {
      ...common,
      method: 'POST',
      paths: slashed(VERSIONS),
      handler: async ({ req, res, pathParams, succeeded }) => publish(publishDeps, req, res, names(pathParams).name, succeeded),
    },
    { ...common, method: ['GET', 'HEAD'], paths: slashed(`${VERSIONS}/{ref}`), handler: read(({ res }, n, r) => getVersion(reads, res, n, r)) },
    {
      ...common,
      method: ['GET', 'HEAD'],
      paths: slashed(`${VERSIONS}/{ref}/files`),
      handler: read(({ res }, n, r) => listFiles(reads, res, n, r)),
    },
    {
      ...common,
      method: ['GET', 'HEAD'],
      paths: [`${VERSIONS}/{ref}/files/{path+}`],
      handler: read(({ req, res, pathParams }, n, r) => downloadFile(reads, req, res, n, r, pathParams.path ?? '')),
    },
    {
      ...common,
      method: ['GET', 'HEAD'],
      paths: slashed(`${VERSIONS}/{ref}/archive`),
      handler: read(({ req, res }, n, r) => archive(reads, req, res, n, r)),
    },
  ];
}

function names(params: PathParams): { name: string; ref: string } {
  const name = params.name ?? '';
  validateModelName(name);
  return { name, ref: params.ref ?? '' };
}
