/**
 * Model-version RPCs (mlflow/protos/model_registry.proto), all under /api/2.0/mlflow.
 */
import { modelVersionJson } from '../../protocol/messages/registry.js';
import { field } from '../../protocol/request-schema.js';
import type { ModelVersions } from '../../registry/model-versions.js';
import type { RouteDef } from '../router.js';
import { pageJson } from '../../protocol/messages/page.js';
import { versionField } from './registered-models.js';
import { SEARCH_REQUEST } from './search-request.js';
import { rpc } from './rpc.js';


const NAME_VERSION = { name: field.string, version: versionField };

const CREATE = {
  name: field.string,
  source: field.string,
  run_id: field.nullableString,
  run_link: field.nullableString,
  description: field.nullableString,
  tags: field.keyValues(),
  model_id: field.nullableString,
};

export function modelVersionRoutes(versions: ModelVersions): RouteDef[] {
  const base = '/mlflow/model-versions';
  return [
    rpc('POST', '2.0', `${base}/create`, CREATE, async (req) => {
      const mv = await versions.create(req.name, {
        source: req.source,
        runId: req.runId,
        runLink: req.runLink,
        description: req.description,
        tags: req.tags,
        modelId: req.modelId,
      });
      return { model_version: modelVersionJson(mv) };
    }),
    rpc('GET', '2.0', `${base}/get`, NAME_VERSION, async (req) => ({
      model_version: modelVersionJson(await versions.get(req.name, req.version)),
    })),
    rpc('PATCH', '2.0', `${base}/update`, { ...NAME_VERSION, description: field.nullableString }, async (req) => ({
      model_version: modelVersionJson(await versions.update(req.name, req.version, req.description)),
    })),
    rpc(
      'POST',
      '2.0',
      `${base}/transition-stage`,
      { ...NAME_VERSION, stage: field.string, archive_existing_versions: field.optionalBool },
      async (req) => {
        const mv = await versions.transitionStage(req.name, req.version, req.stage, req.archiveExistingVersions ?? false);
        return { model_version: modelVersionJson(mv) };
      },
    ),
    rpc('DELETE', '2.0', `${base}/delete`, NAME_VERSION, async (req) => {
      await versions.delete(req.name, req.version);
      return {};
    }),
    rpc('GET', '2.0', `${base}/get-download-uri`, NAME_VERSION, async (req) => ({
      artifact_uri: await versions.downloadUri(req.name, req.version),
    })),
    rpc('GET', '2.0', `${base}/search`, SEARCH_REQUEST, async (req) => {
      const result = await versions.search(req);
      return pageJson('model_versions', result, modelVersionJson);
    }),
    rpc('POST', '2.0', `${base}/set-tag`, { ...NAME_VERSION, key: field.string, value: field.presentString }, async (req) => {
      await versions.setTag(req.name, req.version, req.key, req.value);
      return {};
    }),
    rpc('DELETE', '2.0', `${base}/delete-tag`, { ...NAME_VERSION, key: field.string }, async (req) => {
      await versions.deleteTag(req.name, req.version, req.key);
      return {};
    }),
  ];
}
