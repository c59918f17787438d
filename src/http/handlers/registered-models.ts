/**
 * Registered-model RPCs (mlflow/protos/model_registry.proto), all under /api/2.0/mlflow.
 */
import { modelVersionJson, registeredModelJson } from '../../protocol/messages/registry.js';
import type { RequestMessage } from '../../protocol/request.js';
import type { ModelVersions } from '../../registry/model-versions.js';
import type { RegisteredModels } from '../../registry/registered-models.js';
import { parseVersion } from '../../registry/validation.js';
import type { RouteDef } from '../router.js';
import { searchRequestOf } from './search-request.js';
import { pageJson } from '../../protocol/messages/page.js';

function description(msg: RequestMessage): string | null {
  return msg.optionalString('description') ?? null;
}

export function registeredModelRoutes(models: RegisteredModels, versions: ModelVersions): RouteDef[] {
  const base = '/mlflow/registered-models';
  return [
    {
      method: 'POST',
      version: '2.0',
      path: `${base}/create`,
      handler: async (ctx) => {
        const msg = await ctx.message();
        const rm = await models.create(msg.string('name'), msg.keyValues('tags'), description(msg));
        return { registered_model: registeredModelJson(rm) };
      },
    },
    {
      method: 'GET',
      version: '2.0',
      path: `${base}/get`,
      handler: async (ctx) => {
        const msg = await ctx.message();
        return { registered_model: registeredModelJson(await models.get(msg.string('name'))) };
      },
    },
    {
      method: 'POST',
      version: '2.0',
      path: `${base}/rename`,
      handler: async (ctx) => {
        const msg = await ctx.message();
        const rm = await models.rename(msg.string('name'), msg.string('new_name'));
        return { registered_model: registeredModelJson(rm) };
      },
    },
    {
      method: 'PATCH',
      version: '2.0',
      path: `${base}/update`,
      handler: async (ctx) => {
        const msg = await ctx.message();
        const rm = await models.update(msg.string('name'), description(msg));
        return { registered_model: registeredModelJson(rm) };
      },
    },
    {
      method: 'DELETE',
      version: '2.0',
      path: `${base}/delete`,
      handler: async (ctx) => {
        const msg = await ctx.message();
        await models.delete(msg.string('name'));
        return {};
      },
    },
    {
      method: 'GET',
      version: '2.0',
      path: `${base}/search`,
      handler: async (ctx) => {
        const msg = await ctx.message();
        const result = await models.search(searchRequestOf(msg));
        return pageJson('registered_models', result, registeredModelJson);
      },
    },
    {
      // The client POSTs first and falls back to GET only on ENDPOINT_NOT_FOUND.
      method: ['POST', 'GET'],
      version: '2.0',
      path: `${base}/get-latest-versions`,
      handler: async (ctx) => {
        const msg = await ctx.message();
        const latest = await versions.latest(msg.string('name'), msg.strings('stages'));
        return latest.length > 0 ? { model_versions: latest.map(modelVersionJson) } : {};
      },
    },
    {
      method: 'POST',
      version: '2.0',
      path: `${base}/set-tag`,
      handler: async (ctx) => {
        const msg = await ctx.message();
        await models.setTag(msg.string('name'), msg.string('key'), msg.presentString('value'));
        return {};
      },
    },
    {
      method: 'DELETE',
      version: '2.0',
      path: `${base}/delete-tag`,
      handler: async (ctx) => {
        const msg = await ctx.message();
        await models.deleteTag(msg.string('name'), msg.string('key'));
        return {};
      },
    },
    {
      method: 'POST',
      version: '2.0',
      path: `${base}/alias`,
      handler: async (ctx) => {
        const msg = await ctx.message();
        await versions.setAlias(msg.string('name'), msg.presentString('alias'), parseVersion(msg.string('version')));
        return {};
      },
    },
    {
      method: 'DELETE',
      version: '2.0',
      path: `${base}/alias`,
      handler: async (ctx) => {
        const msg = await ctx.message();
        await versions.deleteAlias(msg.string('name'), msg.presentString('alias'));
        return {};
      },
    },
    {
      method: 'GET',
      version: '2.0',
      path: `${base}/alias`,
      handler: async (ctx) => {
        const msg = await ctx.message();
        const mv = await versions.byAlias(msg.string('name'), msg.presentString('alias'));
        return { model_version: modelVersionJson(mv) };
      },
    },
  ];
}
