/**
 * Run RPCs (mlflow/protos/service.proto), all under /api/2.0/mlflow: runs/*, metrics/get-history
 * and artifacts/list.
 */
import { fileInfoJson, metricJson, runInfoJson, runJson } from '../../protocol/messages/tracking.js';
import { datasetInputsOf, keyValuesOf, metricOf, metricsOf, modelRefsOf, runIdOf, runStatusOf, viewTypeOf } from '../../protocol/messages/tracking-requests.js';
import { field } from '../../protocol/request-schema.js';
import { checkArtifactSubpath, listUnder, type ArtifactLister } from '../../tracking/artifacts.js';
import { SEARCH_REQUEST } from './search-request.js';
import type { Runs } from '../../tracking/runs.js';
import type { RouteDef } from '../router.js';
import { pageJson } from '../../protocol/messages/page.js';
import { rpc } from './rpc.js';

/** An optional path under an artifact root, refused if it could leave it (tracking/artifacts.ts). */
export const artifactSubpath = field.then(field.optionalString, (path) => {
  if (path !== undefined) checkArtifactSubpath(path);
  return path;
});

const RUN = { run_id: runIdOf };
const RUN_KEY_VALUE = { ...RUN, key: field.string, value: field.optionalString };

const CREATE = {
  experiment_id: field.optionalString,
  user_id: field.optionalString,
  run_name: field.optionalString,
  start_time: field.optionalInt64,
  tags: keyValuesOf,
};

export function runRoutes(runs: Runs, lister?: ArtifactLister): RouteDef[] {
  const base = '/mlflow/runs';
  return [
    rpc('POST', '2.0', `${base}/create`, CREATE, async (req) => ({ run: runJson(await runs.create(req)) })),
    rpc('GET', '2.0', `${base}/get`, RUN, async (req) => ({ run: runJson(await runs.get(req.runId)) })),
    rpc(
      'POST',
      '2.0',
      `${base}/update`,
      { ...RUN, end_time: field.optionalInt64, status: runStatusOf, run_name: field.optionalString },
      async (req) => {
        const { status, endTime, runName } = req;
        const info = await runs.update(req.runId, {
          ...(status !== undefined ? { status } : {}),
          ...(endTime !== undefined ? { endTime } : {}),
          ...(runName ? { runName } : {}),
        });
        return { run_info: runInfoJson(info) };
      },
    ),
    rpc('POST', '2.0', `${base}/delete`, RUN, async (req) => {
      await runs.delete(req.runId);
      return {};
    }),
    rpc('POST', '2.0', `${base}/restore`, RUN, async (req) => {
      await runs.restore(req.runId);
      return {};
    }),
    rpc('POST', '2.0', `${base}/log-batch`, { ...RUN, metrics: metricsOf, params: keyValuesOf, tags: keyValuesOf }, async (req) => {
      await runs.logBatch(req.runId, req.metrics, req.params, req.tags);
      return {};
    }),
    // The metric's fields are at the top level of the request.
    rpc('POST', '2.0', `${base}/log-metric`, { ...RUN, metric: metricOf }, async (req) => {
      await runs.logMetric(req.runId, req.metric);
      return {};
    }),
    rpc('POST', '2.0', `${base}/log-parameter`, RUN_KEY_VALUE, async (req) => {
      await runs.logParam(req.runId, req.key, req.value ?? '');
      return {};
    }),
    rpc('POST', '2.0', `${base}/set-tag`, RUN_KEY_VALUE, async (req) => {
      await runs.setTag(req.runId, req.key, req.value ?? '');
      return {};
    }),
    rpc('POST', '2.0', `${base}/delete-tag`, { ...RUN, key: field.string }, async (req) => {
      await runs.deleteTag(req.runId, req.key);
      return {};
    }),
    rpc('POST', '2.0', `${base}/search`, { experiment_ids: field.strings, ...SEARCH_REQUEST, run_view_type: viewTypeOf }, async (req) => {
      const result = await runs.search({ ...req, viewType: req.runViewType });
      return pageJson('runs', result, runJson);
    }),
    rpc('POST', '2.0', `${base}/log-inputs`, { ...RUN, datasets: datasetInputsOf, models: modelRefsOf }, async (req) => {
      await runs.logInputs(
        req.runId,
        req.datasets,
        req.models.map((m) => m.modelId),
      );
      return {};
    }),
    rpc('POST', '2.0', `${base}/outputs`, { ...RUN, models: field.required(modelRefsOf) }, async (req) => {
      await runs.logOutputs(req.runId, req.models);
      return {};
    }),
    rpc('POST', '2.0', `${base}/log-model`, { ...RUN, model_json: field.string }, async (req) => {
      await runs.logModel(req.runId, req.modelJson);
      return {};
    }),
    rpc(
      'GET',
      '2.0',
      '/mlflow/metrics/get-history',
      { ...RUN, metric_key: field.string, max_results: field.optionalInt64, page_token: field.optionalString },
      async (req) => {
        const result = await runs.metricHistory(req.runId, req.metricKey, req.maxResults, req.pageToken);
        return pageJson('metrics', result, metricJson);
      },
    ),
    rpc('GET', '2.0', '/mlflow/artifacts/list', { ...RUN, path: artifactSubpath }, async (req) => {
      const info = await runs.info(req.runId);
      const files = await listUnder(lister, info.artifactUri, req.path);
      const out: Record<string, unknown> = { root_uri: info.artifactUri };
      if (files.length > 0) out.files = files.map(fileInfoJson);
      return out;
    }),
  ];
}
