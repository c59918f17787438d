/**
 * Run RPCs (mlflow/protos/service.proto), all under /api/2.0/mlflow: runs/*, metrics/get-history
 * and artifacts/list.
 */
import { fileInfoJson, metricJson, runInfoJson, runJson } from '../../protocol/messages/tracking.js';
import { datasetInputsOf, keyValuesOf, metricOf, metricsOf, modelRefsOf, runIdOf, runStatusOf, viewTypeOf } from '../../protocol/messages/tracking-requests.js';
import { requestWrongType } from '../../protocol/request.js';
import { checkArtifactSubpath, listUnder, type ArtifactLister } from '../../tracking/artifacts.js';
import { SEARCH_MAX_RESULTS_DEFAULT, SEARCH_MAX_RESULTS_THRESHOLD } from '../../tracking/experiments.js';
import type { Runs } from '../../tracking/runs.js';
import type { RouteDef } from '../router.js';
import { pageJson } from '../../protocol/messages/page.js';
import { rpc } from './rpc.js';

export function runRoutes(runs: Runs, lister?: ArtifactLister): RouteDef[] {
  const base = '/mlflow/runs';
  return [
    rpc('POST', '2.0', `${base}/create`, async (msg) => {
      const run = await runs.create({
        experimentId: msg.optionalString('experiment_id'),
        userId: msg.optionalString('user_id'),
        runName: msg.optionalString('run_name'),
        startTime: msg.optionalInt64('start_time'),
        tags: keyValuesOf(msg, 'tags'),
      });
      return { run: runJson(run) };
    }),
    rpc('GET', '2.0', `${base}/get`, async (msg) => ({ run: runJson(await runs.get(runIdOf(msg))) })),
    rpc('POST', '2.0', `${base}/update`, async (msg) => {
      const runId = runIdOf(msg);
      const endTime = msg.optionalInt64('end_time');
      const status = runStatusOf(msg, 'status');
      const runName = msg.optionalString('run_name');
      const info = await runs.update(runId, {
        ...(status !== undefined ? { status } : {}),
        ...(endTime !== undefined ? { endTime } : {}),
        ...(runName ? { runName } : {}),
      });
      return { run_info: runInfoJson(info) };
    }),
    rpc('POST', '2.0', `${base}/delete`, async (msg) => {
      await runs.delete(runIdOf(msg));
      return {};
    }),
    rpc('POST', '2.0', `${base}/restore`, async (msg) => {
      await runs.restore(runIdOf(msg));
      return {};
    }),
    rpc('POST', '2.0', `${base}/log-batch`, async (msg) => {
      const runId = runIdOf(msg);
      await runs.logBatch(runId, metricsOf(msg), keyValuesOf(msg, 'params'), keyValuesOf(msg, 'tags'));
      return {};
    }),
    rpc('POST', '2.0', `${base}/log-metric`, async (msg) => {
      const runId = runIdOf(msg);
      await runs.logMetric(runId, metricOf(msg));
      return {};
    }),
    rpc('POST', '2.0', `${base}/log-parameter`, async (msg) => {
      const runId = runIdOf(msg);
      const key = msg.string('key');
      await runs.logParam(runId, key, msg.optionalString('value') ?? '');
      return {};
    }),
    rpc('POST', '2.0', `${base}/set-tag`, async (msg) => {
      const runId = runIdOf(msg);
      const key = msg.string('key');
      await runs.setTag(runId, key, msg.optionalString('value') ?? '');
      return {};
    }),
    rpc('POST', '2.0', `${base}/delete-tag`, async (msg) => {
      const runId = runIdOf(msg);
      await runs.deleteTag(runId, msg.string('key'));
      return {};
    }),
    rpc('POST', '2.0', `${base}/search`, async (msg) => {
      const experimentIds = msg.strings('experiment_ids');
      const filter = msg.optionalString('filter');
      const maxResults = msg.optionalInt('max_results') ?? SEARCH_MAX_RESULTS_DEFAULT;
      if (maxResults > SEARCH_MAX_RESULTS_THRESHOLD) throw requestWrongType('max_results', maxResults);
      const result = await runs.search({
        experimentIds,
        filter,
        viewType: viewTypeOf(msg, 'run_view_type'),
        maxResults,
        orderBy: msg.strings('order_by'),
        pageToken: msg.optionalString('page_token'),
      });
      return pageJson('runs', result, runJson);
    }),
    rpc('POST', '2.0', `${base}/log-inputs`, async (msg) => {
      const runId = runIdOf(msg);
      const datasets = datasetInputsOf(msg);
      await runs.logInputs(
        runId,
        datasets,
        modelRefsOf(msg).map((m) => m.modelId),
      );
      return {};
    }),
    rpc('POST', '2.0', `${base}/outputs`, async (msg) => {
      const runId = runIdOf(msg);
      if (!msg.has('models')) throw msg.missing('models');
      await runs.logOutputs(runId, modelRefsOf(msg));
      return {};
    }),
    rpc('POST', '2.0', `${base}/log-model`, async (msg) => {
      const runId = runIdOf(msg);
      await runs.logModel(runId, msg.string('model_json'));
      return {};
    }),
    rpc('GET', '2.0', '/mlflow/metrics/get-history', async (msg) => {
      const runId = runIdOf(msg);
      const result = await runs.metricHistory(runId, msg.string('metric_key'), msg.optionalInt('max_results'), msg.optionalString('page_token'));
      return pageJson('metrics', result, metricJson);
    }),
    rpc('GET', '2.0', '/mlflow/artifacts/list', async (msg) => {
      const runId = runIdOf(msg);
      const path = msg.optionalString('path');
      if (path !== undefined) checkArtifactSubpath(path);
      const info = await runs.info(runId);
      const files = await listUnder(lister, info.artifactUri, path);
      const out: Record<string, unknown> = { root_uri: info.artifactUri };
      if (files.length > 0) out.files = files.map(fileInfoJson);
      return out;
    }),
  ];
}
