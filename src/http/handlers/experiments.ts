/**
 * Experiment RPCs (mlflow/protos/service.proto), all under /api/2.0/mlflow.
 */
import { experimentJson } from '../../protocol/messages/tracking.js';
import { keyValuesOf, viewTypeOf } from '../../protocol/messages/tracking-requests.js';
import { field } from '../../protocol/request-schema.js';
import type { Experiments } from '../../tracking/experiments.js';
import { SEARCH_REQUEST } from './search-request.js';
import type { RouteDef } from '../router.js';
import { pageJson } from '../../protocol/messages/page.js';
import { rpc } from './rpc.js';

const SEARCH = { ...SEARCH_REQUEST, view_type: viewTypeOf };

const ID = { experiment_id: field.string };

export function experimentRoutes(experiments: Experiments): RouteDef[] {
  const base = '/mlflow/experiments';
  return [
    rpc(
      'POST',
      '2.0',
      `${base}/create`,
      { name: field.string, artifact_location: field.optionalString, tags: keyValuesOf },
      async (req) => ({ experiment_id: String(await experiments.create(req.name, req.artifactLocation, req.tags)) }),
    ),
    rpc('GET', '2.0', `${base}/get`, ID, async (req) => ({ experiment: experimentJson(await experiments.get(req.experimentId)) })),
    rpc('GET', '2.0', `${base}/get-by-name`, { experiment_name: field.string }, async (req) => ({
      experiment: experimentJson(await experiments.getByName(req.experimentName)),
    })),
    rpc(['POST', 'GET'], '2.0', `${base}/search`, SEARCH, async (req) => {
      const result = await experiments.search(req);
      return pageJson('experiments', result, experimentJson);
    }),
    rpc('POST', '2.0', `${base}/update`, { ...ID, new_name: field.string }, async (req) => {
      await experiments.rename(req.experimentId, req.newName);
      return {};
    }),
    rpc('POST', '2.0', `${base}/delete`, ID, async (req) => {
      await experiments.delete(req.experimentId);
      return {};
    }),
    rpc('POST', '2.0', `${base}/restore`, ID, async (req) => {
      await experiments.restore(req.experimentId);
      return {};
    }),
    rpc('POST', '2.0', `${base}/set-experiment-tag`, { ...ID, key: field.string, value: field.optionalString }, async (req) => {
      await experiments.setTag(req.experimentId, req.key, req.value ?? '');
      return {};
    }),
    rpc('POST', '2.0', `${base}/delete-experiment-tag`, { ...ID, key: field.string }, async (req) => {
      await experiments.deleteTag(req.experimentId, req.key);
      return {};
    }),
  ];
}
