/**
 * The routes MLflow's web UI calls besides the RPCs (mlflow/server/__init__.py, handlers in
 * mlflow/server/handlers.py), so that pages built for MLflow's UI work against flowreg:
 *
 *   GET  /get-artifact?run_id|run_uuid=&path=                       a run's file (get_artifact_handler)
 *   GET  /model-versions/get-artifact?name=&version=&path=          a version's file (get_model_version_artifact_handler)
 *   GET  /ajax-api/2.0/mlflow/logged-models/{id}/artifacts/files?artifact_file_path=
 *                                                                   a logged model's file (get_logged_model_artifact_handler)
 *   POST /ajax-api/2.0/mlflow/upload-artifact?run_uuid=&path=       the body is the file (upload_artifact_handler)
 *   GET  /ajax-api/2.0/mlflow/metrics/get-history-bulk              (get_metric_history_bulk_handler)
 *   GET  /{ajax-,}api/2.0/mlflow/metrics/get-history-bulk-interval  (get_metric_history_bulk_interval_handler)
 *   POST /ajax-api/2.0/mlflow/experiments/search-datasets           (_search_datasets_handler)
 *
 * Files are sent as MLflow's _send_artifact sends them: always as an attachment, the type guessed
 * from the name, streamed from the store (http/file-download.ts). Every client path passes the
 * path gate (artifacts/safe-path.ts), and every root the store that artifacts/artifact-roots.ts
 * allows. All are off with `--artifacts-only`, as in MLflow (_disable_if_artifacts_only).
 */
import type { Request, Response } from 'express';
import { joinStorePath, type ArtifactRoots } from '../artifacts/artifact-roots.js';
import { safeArtifactPath } from '../artifacts/safe-path.js';
import type { Logger } from '../logger.js';
import { doubleJson, metricJson } from '../protocol/messages/tracking.js';
import { invalidParameter, MlflowError, notFound } from '../protocol/errors.js';
import { requestMissing } from '../protocol/validation-messages.js';
import type { ModelVersions } from '../registry/model-versions.js';
import { parseVersion } from '../registry/validation.js';
import type { RecordChanges } from '../store/audit-trails.js';
import type { ArtifactStore } from '../artifacts/artifact-store.js';
import type { LoggedModels } from '../tracking/logged-models.js';
import {
  MAX_DATASET_EXPERIMENTS,
  MAX_HISTORY_BULK_RESULTS,
  MAX_HISTORY_BULK_RUNS,
  MAX_HISTORY_INTERVAL_RESULTS,
  MAX_HISTORY_INTERVAL_RUNS,
  type Runs,
} from '../tracking/runs.js';
import { artifactsOnlyMessage } from './artifacts.js';
import { sendStoredFile } from './file-download.js';
import type { RouteDef, StreamContext, StreamRouteDef } from './router.js';

export interface UiRouteDeps {
  readonly runs: Runs;
  readonly loggedModels: LoggedModels;
  readonly modelVersions: ModelVersions;
  readonly roots: ArtifactRoots;
  readonly staticPrefix: string;
  readonly artifactsOnly: boolean;
  readonly logger: Logger;
  /** The `--artifacts-destination` store: an upload there is named by its path in it, as the proxy names it. */
  readonly destination: ArtifactStore;
  /** Journals each upload (the audit trail) once it has succeeded: the bytes have no database write. */
  readonly record: RecordChanges;
}

/** server/handlers.py: upload_artifact_handler's limit, checked on the declared and the actual size. */
export const MAX_UI_UPLOAD_BYTES = 10 * 1024 * 1024;
const TOO_LARGE = 'Artifact size is too large. Max size is 10MB.';

/** The first value of a query parameter (Flask's request.args.get). */
function queryParam(req: Request, name: string): string | undefined {
  const v = req.query[name];
  const first = Array.isArray(v) ? v[0] : v;
  if (typeof first !== 'string') return undefined;
  if (first.includes('\0')) throw invalidParameter(`Invalid value for parameter '${name}': it contains a NUL character`);
  return first;
}

/** Every value of a repeated query parameter (Flask's request.args.to_dict(flat=False)). */
function queryParams(req: Request, name: string): string[] {
  const v = req.query[name];
  const list = Array.isArray(v) ? v : v === undefined ? [] : [v];
  return list.filter((x): x is string => typeof x === 'string');
}

/** Flask's `request.args["path"]`: a missing key is a 400. */
function requiredQuery(req: Request, name: string): string {
  const v = queryParam(req, name);
  if (v === undefined) throw requestMissing(name);
  return v;
}

/** An integer query value, as Python's int() reads it; anything else is a 400 (MLflow answers 500). */
function intQuery(name: string, raw: string): number {
  if (!/^\s*[+-]?\d+\s*$/.test(raw) || !Number.isSafeInteger(Number(raw))) {
    throw invalidParameter(`Invalid value ${JSON.stringify(raw)} for parameter '${name}' supplied: expected an integer.`);
  }
  return Number(raw);
}

function cannotServe(rootUri: string): MlflowError {
  return invalidParameter(`Artifact root '${rootUri}' cannot be read by this server.`);
}

export function uiRoutes(deps: UiRouteDeps): { streams: StreamRouteDef[]; rpcs: RouteDef[] } {
  const { runs, loggedModels, modelVersions, roots } = deps;
  const offIfArtifactsOnly = (rule: string) => (deps.artifactsOnly ? { disabled: () => artifactsOnlyMessage(`${deps.staticPrefix}${rule}`) } : {});

  /** Sends `rel` (through the path gate already) below the artifact root `rootUri`. */
  const sendUnder = async (req: Request, res: Response, rootUri: string, rel: string) => {
    const root = await roots.resolve(rootUri);
    if (!root) throw cannotServe(rootUri);
    req.resume();
    await sendStoredFile(req, res, root.store, joinStorePath(root.dir, rel), {
      label: `Artifact '${rel}'`,
      missing: (isDir) =>
        isDir ? invalidParameter(`Artifact path refers to a directory, not a file: '${rel}'`) : notFound(`No such artifact: '${rel}'`),
    });
  };

  const runIdOf = (req: Request) => {
    const id = queryParam(req, 'run_id') || queryParam(req, 'run_uuid');
    if (!id) throw invalidParameter('Request must specify run_id or run_uuid parameter');
    return id;
  };

  const getArtifact = async ({ req, res }: StreamContext) => {
    const runId = runIdOf(req);
    const rel = safeArtifactPath(requiredQuery(req, 'path'));
    const info = await runs.info(runId);
    await sendUnder(req, res, info.artifactUri, rel);
  };

  const getVersionArtifact = async ({ req, res }: StreamContext) => {
    const name = queryParam(req, 'name');
    if (!name) throw requestMissing('name');
    const version = parseVersion(queryParam(req, 'version') ?? '');
    const rel = safeArtifactPath(requiredQuery(req, 'path'));
    let uri = await modelVersions.downloadUri(name, version);
    // A `runs:/<run>/<path>` source is the run's artifact root plus the path, as MLflow resolves
    // it when it records the version's storage location (RunsArtifactRepository).
    const fromRun = /^runs:\/([^/]+)(?:\/(.*))?$/.exec(uri);
    if (fromRun) {
      const info = await runs.info(fromRun[1] as string);
      uri = [info.artifactUri.replace(/\/+$/, ''), (fromRun[2] ?? '').replace(/^\/+|\/+$/g, '')].filter((x) => x !== '').join('/');
    }
    await sendUnder(req, res, uri, rel);
  };

  const getLoggedModelFile = async ({ req, res, pathParams }: StreamContext) => {
    const file = queryParam(req, 'artifact_file_path');
    if (!file) throw new MlflowError('BAD_REQUEST', 'Request must include the "artifact_file_path" query parameter.');
    const rel = safeArtifactPath(file);
    const model = await loggedModels.get(pathParams.model_id ?? '');
    await sendUnder(req, res, model.artifactLocation, rel);
  };

  const uploadArtifact = async ({ req, res }: StreamContext) => {
    const runId = queryParam(req, 'run_uuid');
    if (!runId) throw invalidParameter('Request must specify run_uuid.');
    const path = queryParam(req, 'path');
    if (!path) throw invalidParameter('Request must specify path.');
    const rel = safeArtifactPath(path).replace(/^\/+/, '');
    const base = rel.split('/').pop() ?? '';
    if (base === '' || base === '.') throw invalidParameter('Invalid path');
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > MAX_UI_UPLOAD_BYTES) throw invalidParameter(TOO_LARGE);
    // MLflow reads the whole body before it looks the run up; so does this, but never more than the limit.
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > MAX_UI_UPLOAD_BYTES) throw invalidParameter(TOO_LARGE);
      chunks.push(chunk as Buffer);
    }
    if (size === 0) throw invalidParameter('Request must specify data.');
    const info = await runs.info(runId);
    const root = await roots.resolve(info.artifactUri);
    if (!root) throw cannotServe(info.artifactUri);
    const { Readable } = await import('node:stream');
    const target = joinStorePath(root.dir, rel);
    const written = await root.store.write(target, Readable.from([Buffer.concat(chunks)]), { sizeHint: size });
    // Named as the proxy names its writes (http/artifacts.ts): the path under the destination;
    // a file under another root by its full URI.
    const name = root.store === deps.destination ? target : `${info.artifactUri.replace(/\/+$/, '')}/${rel}`;
    await deps.record([{ action: 'artifact.write', resourceType: 'artifact', name, after: { size: written.size, run_id: runId } }]);
    deps.logger('debug', `artifact uploaded through upload-artifact: run ${runId} ${rel} (${written.size} bytes)`);
    // MLflow answers an empty JSON response.
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': 0 });
    res.end();
  };

  const streams: StreamRouteDef[] = [
    { kind: 'stream', method: ['GET', 'HEAD'], paths: ['/get-artifact'], handler: getArtifact, ...offIfArtifactsOnly('/get-artifact') },
    {
      kind: 'stream',
      method: ['GET', 'HEAD'],
      paths: ['/model-versions/get-artifact'],
      handler: getVersionArtifact,
      ...offIfArtifactsOnly('/model-versions/get-artifact'),
    },
    {
      kind: 'stream',
      method: ['GET', 'HEAD'],
      paths: ['/ajax-api/2.0/mlflow/logged-models/{model_id}/artifacts/files'],
      handler: getLoggedModelFile,
      paramLabels: { model_id: 'model id' },
      ...offIfArtifactsOnly('/ajax-api/2.0/mlflow/logged-models/<model_id>/artifacts/files'),
    },
    {
      kind: 'stream',
      method: 'POST',
      paths: ['/ajax-api/2.0/mlflow/upload-artifact'],
      handler: uploadArtifact,
      ...offIfArtifactsOnly('/ajax-api/2.0/mlflow/upload-artifact'),
    },
  ];

  const rpcs: RouteDef[] = [
    {
      method: 'GET',
      version: '2.0',
      path: '/mlflow/metrics/get-history-bulk',
      apis: ['/ajax-api'],
      handler: async ({ req }) => {
        const runIds = queryParams(req, 'run_id');
        if (runIds.length === 0) throw invalidParameter('GetMetricHistoryBulk request must specify at least one run_id.');
        if (runIds.length > MAX_HISTORY_BULK_RUNS) {
          throw invalidParameter(
            `GetMetricHistoryBulk request cannot specify more than ${MAX_HISTORY_BULK_RUNS} run_ids. Received ${runIds.length} run_ids.`,
          );
        }
        const key = queryParam(req, 'metric_key');
        if (key === undefined) throw invalidParameter('GetMetricHistoryBulk request must specify a metric_key.');
        const raw = queryParam(req, 'max_results');
        const maxResults = raw === undefined ? MAX_HISTORY_BULK_RESULTS : intQuery('max_results', raw);
        const metrics = await runs.metricHistoryBulk(runIds, key, maxResults);
        // MetricWithRunId.to_dict: always these five keys, and a list even when empty.
        return {
          metrics: metrics.map((m) => ({ key: m.key, value: doubleJson(m.value), timestamp: m.timestamp, step: m.step, run_id: m.runId })),
        };
      },
    },
    {
      method: 'GET',
      version: '2.0',
      path: '/mlflow/metrics/get-history-bulk-interval',
      handler: async ({ message }) => {
        const msg = await message();
        // handlers.py: the request schema of get_metric_history_bulk_interval_handler, in its order.
        if (!msg.has('run_ids')) throw requestMissing('run_ids');
        const runIds = msg.strings('run_ids');
        if (runIds.length > MAX_HISTORY_INTERVAL_RUNS) {
          throw invalidParameter(
            `GetMetricHistoryBulkInterval request must specify at most ${MAX_HISTORY_INTERVAL_RUNS} run_ids. Received ${runIds.length} run_ids.` +
              ' See the API docs for more information about request parameters.',
          );
        }
        const key = msg.string('metric_key');
        const start = msg.optionalInt64('start_step');
        const end = msg.optionalInt64('end_step');
        const maxResults = msg.optionalInt64('max_results') ?? MAX_HISTORY_INTERVAL_RESULTS;
        if (maxResults < 1 || maxResults > MAX_HISTORY_INTERVAL_RESULTS) {
          // _assert_intlike_within_range's message ends with the request-parameter hint.
          throw invalidParameter(`max_results must be between 1 and ${MAX_HISTORY_INTERVAL_RESULTS}. See the API docs for more information about request parameters.`);
        }
        let steps: { start: number; end: number } | undefined;
        if (start !== undefined && end !== undefined) {
          if (start > end) {
            throw invalidParameter(`end_step must be greater than start_step. Found start_step=${start} and end_step=${end}.`);
          }
          steps = { start, end };
        } else if (start !== undefined || end !== undefined) {
          throw invalidParameter('If either start step or end step are specified, both must be specified.');
        }
        const metrics = await runs.metricHistoryBulkInterval(runIds, key, maxResults, steps);
        return metrics.length === 0 ? {} : { metrics: metrics.map(metricJson) };
      },
    },
    {
      method: 'POST',
      version: '2.0',
      path: '/mlflow/experiments/search-datasets',
      apis: ['/ajax-api'],
      handler: async ({ message }) => {
        const msg = await message();
        const ids = msg.strings('experiment_ids');
        if (ids.length === 0) throw invalidParameter('SearchDatasets request must specify at least one experiment_id.');
        if (ids.length > MAX_DATASET_EXPERIMENTS) {
          throw invalidParameter(
            `SearchDatasets request cannot specify more than ${MAX_DATASET_EXPERIMENTS} experiment_ids. Received ${ids.length} experiment_ids.`,
          );
        }
        const summaries = await runs.searchDatasets(ids);
        if (summaries.length === 0) return {};
        return {
          dataset_summaries: summaries.map((s) => ({
            experiment_id: String(s.experimentId),
            name: s.name,
            digest: s.digest,
            ...(s.context === null ? {} : { context: s.context }),
          })),
        };
      },
    },
  ];
  return { streams, rpcs };
}
