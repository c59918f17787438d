/**
 * Registered-model RPCs (mlflow/protos/model_registry.proto), all under /api/2.0/mlflow.
 */
import { modelVersionJson, registeredModelJson } from '../../protocol/messages/registry.js';
import { field } from '../../protocol/request-schema.js';
import type { ModelVersions } from '../../registry/model-versions.js';
import type { RegisteredModels } from '../../registry/registered-models.js';
import { SEARCH_REQUEST } from './search-request.js';
import { parseVersion } from '../../registry/validation.js';
import type { RouteDef } from '../router.js';
import { pageJson } from '../../protocol/messages/page.js';
import { rpc } from './rpc.js';

/** A model version number: a string on the wire, Python's int() of it (registry/validation.ts). */
export const versionField = field.then(field.string, parseVersion);


const NAME = { name: field.string };
const NAME_ALIAS = { name: field.string, alias: field.presentString };

export function registeredModelRoutes(models: RegisteredModels, versions: ModelVersions): RouteDef[] {
  const base = '/mlflow/registered-models';
  return [
    rpc(
      'POST',
      '2.0',
      `${base}/create`,
      { name: field.string, tags: field.keyValues(), description: field.nullableString },
      async (req) => ({ registered_model: registeredModelJson(await models.create(req.name, req.tags, req.description)) }),
    ),
    rpc('GET', '2.0', `${base}/get`, NAME, async (req) => ({ registered_model: registeredModelJson(await models.get(req.name)) })),
    rpc('POST', '2.0', `${base}/rename`, { name: field.string, new_name: field.string }, async (req) => ({
      registered_model: registeredModelJson(await models.rename(req.name, req.newName)),
    })),
    rpc('PATCH', '2.0', `${base}/update`, { name: field.string, description: field.nullableString }, async (req) => ({
      registered_model: registeredModelJson(await models.update(req.name, req.description)),
    })),
    rpc('DELETE', '2.0', `${base}/delete`, NAME, async (req) => {
      await models.delete(req.name);
      return {};
    }),
    rpc('GET', '2.0', `${base}/search`, SEARCH_REQUEST, async (req) => {
      const result = await models.search(req);
      return pageJson('registered_models', result, registeredModelJson);
    }),
    // The client POSTs first and falls back to GET only on ENDPOINT_NOT_FOUND.
    rpc(['POST', 'GET'], '2.0', `${base}/get-latest-versions`, { name: field.string, stages: field.strings }, async (req) => {
      const latest = await versions.latest(req.name, req.stages);
      return latest.length > 0 ? { model_versions: latest.map(modelVersionJson) } : {};
    }),
    rpc('POST', '2.0', `${base}/set-tag`, { name: field.string, key: field.string, value: field.presentString }, async (req) => {
      await models.setTag(req.name, req.key, req.value);
      return {};
    }),
    rpc('DELETE', '2.0', `${base}/delete-tag`, { name: field.string, key: field.string }, async (req) => {
      await models.deleteTag(req.name, req.key);
      return {};
    }),
    rpc('POST', '2.0', `${base}/alias`, { ...NAME_ALIAS, version: versionField }, async (req) => {
      await versions.setAlias(req.name, req.alias, req.version);
      return {};
    }),
    rpc('DELETE', '2.0', `${base}/alias`, NAME_ALIAS, async (req) => {
      await versions.deleteAlias(req.name, req.alias);
      return {};
    }),
    rpc('GET', '2.0', `${base}/alias`, NAME_ALIAS, async (req) => ({
      model_version: modelVersionJson(await versions.byAlias(req.name, req.alias)),
    })),
  ];
}
