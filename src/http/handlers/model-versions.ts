/**
 * Model-version RPCs (mlflow/protos/model_registry.proto), all under /api/2.0/mlflow.
 */
import { modelVersionJson } from '../../protocol/messages/registry.js';
import type { RequestMessage } from '../../protocol/request.js';
import type { ModelVersions } from '../../registry/model-versions.js';
import { parseVersion } from '../../registry/validation.js';
import type { RouteDef } from '../router.js';
import { searchRequestOf } from './search-request.js';
import { pageJson } from '../../protocol/messages/page.js';


function nameAndVersion(msg: RequestMessage): [string, number] {
  return [msg.string('name'), parseVersion(msg.string('version'))];
}

export function modelVersionRoutes(versions: ModelVersions): RouteDef[] {
  const base = '/mlflow/model-versions';
  return [
    {
      method: 'POST',
      version: '2.0',
      path: `${base}/create`,
      handler: async (ctx) => {
        const msg = await ctx.message();
        const mv = await versions.create(msg.string('name'), {
          source: msg.string('source'),
          runId: msg.optionalString('run_id') ?? null,
          runLink: msg.optionalString('run_link') ?? null,
          description: msg.optionalString('description') ?? null,
          tags: msg.keyValues('tags'),
          modelId: msg.optionalString('model_id') ?? null,
        });
        return { model_version: modelVersionJson(mv) };
      },
    },
    {
      method: 'GET',
      version: '2.0',
      path: `${base}/get`,
      handler: async (ctx) => {
        const [name, version] = nameAndVersion(await ctx.message());
        return { model_version: modelVersionJson(await versions.get(name, version)) };
      },
    },
    {
      method: 'PATCH',
      version: '2.0',
      path: `${base}/update`,
      handler: async (ctx) => {
        const msg = await ctx.message();
        const [name, version] = nameAndVersion(msg);
        const mv = await versions.update(name, version, msg.optionalString('description') ?? null);
        return { model_version: modelVersionJson(mv) };
      },
    },
    {
      method: 'POST',
      version: '2.0',
      path: `${base}/transition-stage`,
      handler: async (ctx) => {
        const msg = await ctx.message();
        const [name, version] = nameAndVersion(msg);
        const mv = await versions.transitionStage(
          name,
          version,
          msg.string('stage'),
          msg.optionalBool('archive_existing_versions') ?? false,
        );
        return { model_version: modelVersionJson(mv) };
      },
    },
    {
      method: 'DELETE',
      version: '2.0',
      path: `${base}/delete`,
      handler: async (ctx) => {
        const [name, version] = nameAndVersion(await ctx.message());
        await versions.delete(name, version);
        return {};
      },
    },
    {
      method: 'GET',
      version: '2.0',
      path: `${base}/get-download-uri`,
      handler: async (ctx) => {
        const [name, version] = nameAndVersion(await ctx.message());
        return { artifact_uri: await versions.downloadUri(name, version) };
      },
    },
    {
      method: 'GET',
      version: '2.0',
      path: `${base}/search`,
      handler: async (ctx) => {
        const msg = await ctx.message();
        const result = await versions.search(searchRequestOf(msg));
        return pageJson('model_versions', result, modelVersionJson);
      },
    },
    {
      method: 'POST',
      version: '2.0',
      path: `${base}/set-tag`,
      handler: async (ctx) => {
        const msg = await ctx.message();
        const [name, version] = nameAndVersion(msg);
        await versions.setTag(name, version, msg.string('key'), msg.presentString('value'));
        return {};
      },
    },
    {
      method: 'DELETE',
      version: '2.0',
      path: `${base}/delete-tag`,
      handler: async (ctx) => {
        const msg = await ctx.message();
        const [name, version] = nameAndVersion(msg);
        await versions.deleteTag(name, version, msg.string('key'));
        return {};
      },
    },
  ];
}
