/**
 * Run RPCs (mlflow/protos/service.proto), all under /api/2.0/mlflow: runs/*, metrics/get-history
 * and artifacts/list.
 */
import { fileInfoJson, metricJson, runInfoJson, runJson } from '../../protocol/messages/tracking.js';
import { datasetInputsOf, keyValuesOf, metricOf, metricsOf, modelRefsOf, runIdOf, runStatusOf, viewTypeOf } from '../../protocol/messages/tracking-requests.js';
import { requestMissing } from '../../protocol/request.js';
import { checkArtifactSubpath, listUnder, type ArtifactLister } from '../../tracking/artifacts.js';
import type { Runs } from '../../tracking/runs.js';
import type { RouteDef } from '../router.js';
import { searchRequestOf } from './search-request.js';
import { pageJson } from '../../protocol/messages/page.js';

export function runRoutes(runs: Runs, lister?: ArtifactLister): RouteDef[] {
  const base = '/mlflow/runs';
  return [
    {
      method: 'POST',
      version: '2.0',
      path: `${base}/create`,
      handler: async (ctx) => {
        const msg = await ctx.message();
        const run = await runs.create({
          experimentId: msg.optionalString('experiment_id'),
          userId: msg.optionalString('user_id'),
          runName: msg.optionalString('run_name'),
          startTime: msg.optionalInt('start_time'),
          tags: keyValuesOf(msg, 'tags'),
        });
        return { run: runJson(run) };
      },
    },
    {
      method: 'GET',
      version: '2.0',
      path: `${base}/get`,
      handler: async (ctx) => ({ run: runJson(await runs.get(runIdOf(await ctx.message()))) }),
    },
    {
      method: 'POST',
      version: '2.0',
      path: `${base}/update`,
      handler: async (ctx) => {
        const msg = await ctx.message();
        const runId = runIdOf(msg);
        const endTime = msg.optionalInt('end_time');
        const status = runStatusOf(msg, 'status');
        const runName = msg.optionalString('run_name');
        const info = await runs.update(runId, {
          ...(status !== undefined ? { status } : {}),
          ...(endTime !== undefined ? { endTime } : {}),
          ...(runName ? { runName } : {}),
        });
        return { run_info: runInfoJson(info) };
      },
    },
    {
      method: 'POST',
      version: '2.0',
      path: `${base}/delete`,
      handler: async (ctx) => {
        await runs.delete(runIdOf(await ctx.message()));
        return {};
      },
    },
    {
      method: 'POST',
      version: '2.0',
      path: `${base}/restore`,
      handler: async (ctx) => {
        await runs.restore(runIdOf(await ctx.message()));
        return {};
      },
    },
    {
      method: 'POST',
      version: '2.0',
      path: `${base}/log-batch`,
      handler: async (ctx) => {
        const msg = await ctx.message();
        const runId = runIdOf(msg);
        await runs.logBatch(runId, metricsOf(msg), keyValuesOf(msg, 'params'), keyValuesOf(msg, 'tags'));
        return {};
      },
    },
    {
      method: 'POST',
      version: '2.0',
      path: `${base}/log-metric`,
      handler: async (ctx) => {
        const msg = await ctx.message();
        const runId = runIdOf(msg);
        await runs.logMetric(runId, metricOf(msg));
        return {};
      },
    },
    {
      method: 'POST',
      version: '2.0',
      path: `${base}/log-parameter`,
      handler: async (ctx) => {
        const msg = await ctx.message();
        const runId = runIdOf(msg);
        const key = msg.string('key');
        await runs.logParam(runId, key, msg.optionalString('value') ?? '');
        return {};
      },
    },
    {
      method: 'POST',
      version: '2.0',
      path: `${base}/set-tag`,
      handler: async (ctx) => {
        const msg = await ctx.message();
        const runId = runIdOf(msg);
        const key = msg.string('key');
        await runs.setTag(runId, key, msg.optionalString('value') ?? '');
        return {};
      },
    },
    {
      method: 'POST',
      version: '2.0',
      path: `${base}/delete-tag`,
      handler: async (ctx) => {
        const msg = await ctx.message();
        const runId = runIdOf(msg);
        await runs.deleteTag(runId, msg.string('key'));
        return {};
      },
    },
    {
      method: 'POST',
      version: '2.0',
      path: `${base}/search`,
      handler: async (ctx) => {
        const msg = await ctx.message();
        const experimentIds = msg.strings('experiment_ids');
        const result = await runs.search({ experimentIds, ...searchRequestOf(msg), viewType: viewTypeOf(msg, 'run_view_type') });
        return pageJson('runs', result, runJson);
      },
    },
    {
      method: 'POST',
      version: '2.0',
      path: `${base}/log-inputs`,
      handler: async (ctx) => {
        const msg = await ctx.message();
        const runId = runIdOf(msg);
        const datasets = datasetInputsOf(msg);
        await runs.logInputs(
          runId,
          datasets,
          modelRefsOf(msg).map((m) => m.modelId),
        );
        return {};
      },
    },
    {
      method: 'POST',
      version: '2.0',
      path: `${base}/outputs`,
      handler: async (ctx) => {
        const msg = await ctx.message();
        const runId = runIdOf(msg);
        if (!msg.has('models')) throw requestMissing('models');
        await runs.logOutputs(runId, modelRefsOf(msg));
        return {};
      },
    },
    {
      method: 'POST',
      version: '2.0',
      path: `${base}/log-model`,
      handler: async (ctx) => {
        const msg = await ctx.message();
        const runId = runIdOf(msg);
        await runs.logModel(runId, msg.string('model_json'));
        return {};
      },
    },
    {
      method: 'GET',
      version: '2.0',
      path: '/mlflow/metrics/get-history',
      handler: async (ctx) => {
        const msg = await ctx.message();
        const runId = runIdOf(msg);
        const result = await runs.metricHistory(
          runId,
          msg.string('metric_key'),
          msg.optionalInt('max_results'),
          msg.optionalString('page_token'),
        );
        return pageJson('metrics', result, metricJson);
      },
    },
    {
      method: 'GET',
      version: '2.0',
      path: '/mlflow/artifacts/list',
      handler: async (ctx) => {
        const msg = await ctx.message();
        const runId = runIdOf(msg);
        const path = msg.optionalString('path');
        if (path !== undefined) checkArtifactSubpath(path);
        const info = await runs.info(runId);
        const files = await listUnder(lister, info.artifactUri, path);
        const out: Record<string, unknown> = { root_uri: info.artifactUri };
        if (files.length > 0) out.files = files.map(fileInfoJson);
        return out;
      },
    },
  ];
}
