/**
 * Experiment RPCs (mlflow/protos/service.proto), all under /api/2.0/mlflow.
 */
import { experimentJson } from '../../protocol/messages/tracking.js';
import { keyValuesOf, viewTypeOf } from '../../protocol/messages/tracking-requests.js';
import type { RequestMessage } from '../../protocol/request.js';
import { SEARCH_MAX_RESULTS_DEFAULT, type Experiments } from '../../tracking/experiments.js';
import type { RouteDef } from '../router.js';
import { pageJson } from '../../protocol/messages/page.js';
import { rpc } from './rpc.js';

async function searchExperiments(experiments: Experiments, msg: RequestMessage) {
  const result = await experiments.search({
    maxResults: msg.optionalInt('max_results') ?? SEARCH_MAX_RESULTS_DEFAULT,
    pageToken: msg.optionalString('page_token'),
    filter: msg.optionalString('filter'),
    orderBy: msg.strings('order_by'),
    viewType: viewTypeOf(msg, 'view_type'),
  });
  return pageJson('experiments', result, experimentJson);
}

export function experimentRoutes(experiments: Experiments): RouteDef[] {
  const base = '/mlflow/experiments';
  return [
    rpc('POST', '2.0', `${base}/create`, async (msg) => {
      const name = msg.string('name');
      const artifactLocation = msg.optionalString('artifact_location');
      const id = await experiments.create(name, artifactLocation, keyValuesOf(msg, 'tags'));
      return { experiment_id: String(id) };
    }),
    rpc('GET', '2.0', `${base}/get`, async (msg) => ({
      experiment: experimentJson(await experiments.get(msg.string('experiment_id'))),
    })),
    rpc('GET', '2.0', `${base}/get-by-name`, async (msg) => ({
      experiment: experimentJson(await experiments.getByName(msg.string('experiment_name'))),
    })),
    rpc(['POST', 'GET'], '2.0', `${base}/search`, (msg) => searchExperiments(experiments, msg)),
    rpc('POST', '2.0', `${base}/update`, async (msg) => {
      const id = msg.string('experiment_id');
      await experiments.rename(id, msg.string('new_name'));
      return {};
    }),
    rpc('POST', '2.0', `${base}/delete`, async (msg) => {
      await experiments.delete(msg.string('experiment_id'));
      return {};
    }),
    rpc('POST', '2.0', `${base}/restore`, async (msg) => {
      await experiments.restore(msg.string('experiment_id'));
      return {};
    }),
    rpc('POST', '2.0', `${base}/set-experiment-tag`, async (msg) => {
      const id = msg.string('experiment_id');
      const key = msg.string('key');
      await experiments.setTag(id, key, msg.optionalString('value') ?? '');
      return {};
    }),
    rpc('POST', '2.0', `${base}/delete-experiment-tag`, async (msg) => {
      const id = msg.string('experiment_id');
      await experiments.deleteTag(id, msg.string('key'));
      return {};
    }),
  ];
}
