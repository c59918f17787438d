/**
 * Registered-model RPCs (mlflow/protos/model_registry.proto), all under /api/2.0/mlflow.
 */
import { modelVersionJson, registeredModelJson } from '../../protocol/messages/registry.js';
import type { RequestMessage } from '../../protocol/request.js';
import type { ModelVersions } from '../../registry/model-versions.js';
import { SEARCH_REGISTERED_MODELS_DEFAULT, type RegisteredModels } from '../../registry/registered-models.js';
import { parseVersion } from '../../registry/validation.js';
import type { RouteDef } from '../router.js';
import { pageJson } from '../../protocol/messages/page.js';
import { rpc } from './rpc.js';

/** The arguments of the registry's searches: filter, max_results (or the client default), order_by, page_token. */
export function registrySearchArgs(
  msg: RequestMessage,
  defaultMaxResults: number,
): [filter: string | undefined, maxResults: number, orderBy: string[], pageToken: string | undefined] {
  const filter = msg.optionalString('filter');
  const maxResults = msg.optionalInt('max_results') ?? defaultMaxResults;
  return [filter, maxResults, msg.strings('order_by'), msg.optionalString('page_token')];
}

function description(msg: RequestMessage): string | null {
  return msg.optionalString('description') ?? null;
}

export function registeredModelRoutes(models: RegisteredModels, versions: ModelVersions): RouteDef[] {
  const base = '/mlflow/registered-models';
  return [
    rpc('POST', '2.0', `${base}/create`, async (msg) => {
      const rm = await models.create(msg.string('name'), msg.keyValues('tags'), description(msg));
      return { registered_model: registeredModelJson(rm) };
    }),
    rpc('GET', '2.0', `${base}/get`, async (msg) => ({
      registered_model: registeredModelJson(await models.get(msg.string('name'))),
    })),
    rpc('POST', '2.0', `${base}/rename`, async (msg) => {
      const rm = await models.rename(msg.string('name'), msg.string('new_name'));
      return { registered_model: registeredModelJson(rm) };
    }),
    rpc('PATCH', '2.0', `${base}/update`, async (msg) => {
      const rm = await models.update(msg.string('name'), description(msg));
      return { registered_model: registeredModelJson(rm) };
    }),
    rpc('DELETE', '2.0', `${base}/delete`, async (msg) => {
      await models.delete(msg.string('name'));
      return {};
    }),
    rpc('GET', '2.0', `${base}/search`, async (msg) => {
      const result = await models.search(...registrySearchArgs(msg, SEARCH_REGISTERED_MODELS_DEFAULT));
      return pageJson('registered_models', result, registeredModelJson);
    }),
    // The client POSTs first and falls back to GET only on ENDPOINT_NOT_FOUND.
    rpc(['POST', 'GET'], '2.0', `${base}/get-latest-versions`, async (msg) => {
      const latest = await versions.latest(msg.string('name'), msg.strings('stages'));
      return latest.length > 0 ? { model_versions: latest.map(modelVersionJson) } : {};
    }),
    rpc('POST', '2.0', `${base}/set-tag`, async (msg) => {
      await models.setTag(msg.string('name'), msg.string('key'), msg.presentString('value'));
      return {};
    }),
    rpc('DELETE', '2.0', `${base}/delete-tag`, async (msg) => {
      await models.deleteTag(msg.string('name'), msg.string('key'));
      return {};
    }),
    rpc('POST', '2.0', `${base}/alias`, async (msg) => {
      await versions.setAlias(msg.string('name'), msg.presentString('alias'), parseVersion(msg.string('version')));
      return {};
    }),
    rpc('DELETE', '2.0', `${base}/alias`, async (msg) => {
      await versions.deleteAlias(msg.string('name'), msg.presentString('alias'));
      return {};
    }),
    rpc('GET', '2.0', `${base}/alias`, async (msg) => {
      const mv = await versions.byAlias(msg.string('name'), msg.presentString('alias'));
      return { model_version: modelVersionJson(mv) };
    }),
  ];
}
