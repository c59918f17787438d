/**
 * Experiment RPCs (mlflow/protos/service.proto), all under /api/2.0/mlflow.
 */
import { experimentJson } from '../../protocol/messages/tracking.js';
import { keyValuesOf, viewTypeOf } from '../../protocol/messages/tracking-requests.js';
import type { RequestMessage } from '../../protocol/request.js';
import type { Experiments } from '../../tracking/experiments.js';
import type { RouteDef } from '../router.js';
import { searchRequestOf } from './search-request.js';
import { pageJson } from '../../protocol/messages/page.js';

async function searchExperiments(experiments: Experiments, msg: RequestMessage) {
  const result = await experiments.search({ ...searchRequestOf(msg), viewType: viewTypeOf(msg, 'view_type') });
  return pageJson('experiments', result, experimentJson);
}

export function experimentRoutes(experiments: Experiments): RouteDef[] {
  const base = '/mlflow/experiments';
  return [
    {
      method: 'POST',
      version: '2.0',
      path: `${base}/create`,
      handler: async (ctx) => {
        const msg = await ctx.message();
        const name = msg.string('name');
        const artifactLocation = msg.optionalString('artifact_location');
        const id = await experiments.create(name, artifactLocation, keyValuesOf(msg, 'tags'));
        return { experiment_id: String(id) };
      },
    },
    {
      method: 'GET',
      version: '2.0',
      path: `${base}/get`,
      handler: async (ctx) => {
        const msg = await ctx.message();
        return { experiment: experimentJson(await experiments.get(msg.string('experiment_id'))) };
      },
    },
    {
      method: 'GET',
      version: '2.0',
      path: `${base}/get-by-name`,
      handler: async (ctx) => {
        const msg = await ctx.message();
        return { experiment: experimentJson(await experiments.getByName(msg.string('experiment_name'))) };
      },
    },
    {
      method: ['POST', 'GET'],
      version: '2.0',
      path: `${base}/search`,
      handler: async (ctx) => searchExperiments(experiments, await ctx.message()),
    },
    {
      method: 'POST',
      version: '2.0',
      path: `${base}/update`,
      handler: async (ctx) => {
        const msg = await ctx.message();
        const id = msg.string('experiment_id');
        await experiments.rename(id, msg.string('new_name'));
        return {};
      },
    },
    {
      method: 'POST',
      version: '2.0',
      path: `${base}/delete`,
      handler: async (ctx) => {
        await experiments.delete((await ctx.message()).string('experiment_id'));
        return {};
      },
    },
    {
      method: 'POST',
      version: '2.0',
      path: `${base}/restore`,
      handler: async (ctx) => {
        await experiments.restore((await ctx.message()).string('experiment_id'));
        return {};
      },
    },
    {
      method: 'POST',
      version: '2.0',
      path: `${base}/set-experiment-tag`,
      handler: async (ctx) => {
        const msg = await ctx.message();
        const id = msg.string('experiment_id');
        const key = msg.string('key');
        await experiments.setTag(id, key, msg.optionalString('value') ?? '');
        return {};
      },
    },
    {
      method: 'POST',
      version: '2.0',
      path: `${base}/delete-experiment-tag`,
      handler: async (ctx) => {
        const msg = await ctx.message();
        const id = msg.string('experiment_id');
        await experiments.deleteTag(id, msg.string('key'));
        return {};
      },
    },
  ];
}
