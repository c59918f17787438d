/**
 * Model-version RPCs (mlflow/protos/model_registry.proto), all under /api/2.0/mlflow.
 */
import { modelVersionJson } from '../../protocol/messages/registry.js';
import type { RequestMessage } from '../../protocol/request.js';
import type { ModelVersions } from '../../registry/model-versions.js';
import { parseVersion } from '../../registry/validation.js';
import type { RouteDef } from '../router.js';
import { pageJson } from '../../protocol/messages/page.js';
import { registrySearchArgs } from './registered-models.js';
import { rpc } from './rpc.js';

/** Client default page size (SEARCH_MODEL_VERSION_MAX_RESULTS_DEFAULT); the proto default is the max. */
const SEARCH_MODEL_VERSIONS_DEFAULT = 10_000;

function nameAndVersion(msg: RequestMessage): [string, number] {
  return [msg.string('name'), parseVersion(msg.string('version'))];
}

export function modelVersionRoutes(versions: ModelVersions): RouteDef[] {
  const base = '/mlflow/model-versions';
  return [
    rpc('POST', '2.0', `${base}/create`, async (msg) => {
      const mv = await versions.create(msg.string('name'), {
        source: msg.string('source'),
        runId: msg.optionalString('run_id') ?? null,
        runLink: msg.optionalString('run_link') ?? null,
        description: msg.optionalString('description') ?? null,
        tags: msg.keyValues('tags'),
        modelId: msg.optionalString('model_id') ?? null,
      });
      return { model_version: modelVersionJson(mv) };
    }),
    rpc('GET', '2.0', `${base}/get`, async (msg) => {
      const [name, version] = nameAndVersion(msg);
      return { model_version: modelVersionJson(await versions.get(name, version)) };
    }),
    rpc('PATCH', '2.0', `${base}/update`, async (msg) => {
      const [name, version] = nameAndVersion(msg);
      const mv = await versions.update(name, version, msg.optionalString('description') ?? null);
      return { model_version: modelVersionJson(mv) };
    }),
    rpc('POST', '2.0', `${base}/transition-stage`, async (msg) => {
      const [name, version] = nameAndVersion(msg);
      const mv = await versions.transitionStage(name, version, msg.string('stage'), msg.optionalBool('archive_existing_versions') ?? false);
      return { model_version: modelVersionJson(mv) };
    }),
    rpc('DELETE', '2.0', `${base}/delete`, async (msg) => {
      const [name, version] = nameAndVersion(msg);
      await versions.delete(name, version);
      return {};
    }),
    rpc('GET', '2.0', `${base}/get-download-uri`, async (msg) => {
      const [name, version] = nameAndVersion(msg);
      return { artifact_uri: await versions.downloadUri(name, version) };
    }),
    rpc('GET', '2.0', `${base}/search`, async (msg) => {
      const result = await versions.search(...registrySearchArgs(msg, SEARCH_MODEL_VERSIONS_DEFAULT));
      return pageJson('model_versions', result, modelVersionJson);
    }),
    rpc('POST', '2.0', `${base}/set-tag`, async (msg) => {
      const [name, version] = nameAndVersion(msg);
      await versions.setTag(name, version, msg.string('key'), msg.presentString('value'));
      return {};
    }),
    rpc('DELETE', '2.0', `${base}/delete-tag`, async (msg) => {
      const [name, version] = nameAndVersion(msg);
      await versions.deleteTag(name, version, msg.string('key'));
      return {};
    }),
  ];
}
