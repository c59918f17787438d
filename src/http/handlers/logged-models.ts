/**
 * MLflow 3 logged-model RPCs (mlflow/protos/service.proto), all under /api/2.0/mlflow/logged-models.
 * The client fills `{model_id}` itself and keeps each RPC's method: finalize is a PATCH on the id
 * path, set-tags a PATCH on `/tags`, and a deleted tag's key arrives unencoded in the path.
 */
import { invalidParameter } from '../../protocol/errors.js';
import { fileInfoJson, loggedModelJson } from '../../protocol/messages/tracking.js';
import { keyValuesOf } from '../../protocol/messages/tracking-requests.js';
import { requestMissing, type RequestMessage } from '../../protocol/request.js';
import { checkArtifactSubpath, listUnder, type ArtifactLister } from '../../tracking/artifacts.js';
import { parseLoggedModelStatus, type LoggedModels } from '../../tracking/logged-models.js';
import type { LoggedModelOrderBy } from '../../tracking/search.js';
import type { JsonContext, RouteDef } from '../router.js';
import { pageJson } from '../../protocol/messages/page.js';
import { rpc } from './rpc.js';

function modelIdOf(ctx: JsonContext): string {
  const id = ctx.pathParams.model_id;
  if (!id) throw requestMissing('model_id');
  return id;
}

/** `{dataset_name?, dataset_digest?}` of a search's dataset filter or order_by entry; '' reads as unset. */
function datasetOf(entry: RequestMessage): { dataset_name?: string; dataset_digest?: string } {
  const out: { dataset_name?: string; dataset_digest?: string } = {};
  const name = entry.optionalString('dataset_name');
  if (name) out.dataset_name = name;
  const digest = entry.optionalString('dataset_digest');
  if (digest) out.dataset_digest = digest;
  return out;
}

function orderByOf(msg: RequestMessage): LoggedModelOrderBy[] {
  return msg.messages('order_by').map((ob) => {
    const fieldName = ob.optionalString('field_name');
    if (!fieldName) throw invalidParameter('`field_name` in the `order_by` clause must be specified.');
    const ascending = ob.optionalBool('ascending');
    return { field_name: fieldName, ...(ascending !== undefined ? { ascending } : {}), ...datasetOf(ob) };
  });
}

export function loggedModelRoutes(models: LoggedModels, lister?: ArtifactLister): RouteDef[] {
  const base = '/mlflow/logged-models';
  return [
    rpc('POST', '2.0', base, async (msg) => {
      const model = await models.create({
        experimentId: msg.string('experiment_id'),
        name: msg.optionalString('name') || undefined,
        modelType: msg.optionalString('model_type'),
        sourceRunId: msg.optionalString('source_run_id') || undefined,
        params: keyValuesOf(msg, 'params'),
        tags: keyValuesOf(msg, 'tags'),
      });
      return { model: loggedModelJson(model) };
    }),
    rpc('POST', '2.0', `${base}/search`, async (msg) => {
      if (!msg.has('experiment_ids')) throw msg.missing('experiment_ids');
      const result = await models.search({
        experimentIds: msg.strings('experiment_ids'),
        filter: msg.optionalString('filter'),
        datasets: msg.messages('datasets').map(datasetOf),
        maxResults: msg.optionalInt('max_results'),
        orderBy: orderByOf(msg),
        pageToken: msg.optionalString('page_token'),
      });
      return pageJson('models', result, loggedModelJson);
    }),
    rpc('GET', '2.0', `${base}/{model_id}`, async (msg, ctx) => {
      // server/handlers.py: _get_logged_model reads `allow_deleted` leniently: only "true" counts.
      const allowDeleted = String(msg.scalar('allow_deleted')).toLowerCase() === 'true';
      return { model: loggedModelJson(await models.get(modelIdOf(ctx), allowDeleted)) };
    }),
    rpc('PATCH', '2.0', `${base}/{model_id}`, async (msg, ctx) => {
      if (!msg.has('status')) throw msg.missing('status');
      const status = parseLoggedModelStatus(msg.scalar('status'));
      return { model: loggedModelJson(await models.finalize(modelIdOf(ctx), status)) };
    }),
    rpc('DELETE', '2.0', `${base}/{model_id}`, async (_msg, ctx) => {
      await models.delete(modelIdOf(ctx));
      return {};
    }),
    rpc('PATCH', '2.0', `${base}/{model_id}/tags`, async (msg, ctx) => {
      await models.setTags(modelIdOf(ctx), keyValuesOf(msg, 'tags'));
      return {};
    }),
    rpc('DELETE', '2.0', `${base}/{model_id}/tags/{tag_key+}`, async (_msg, ctx) => {
      const key = ctx.pathParams.tag_key;
      if (!key) throw requestMissing('tag_key');
      await models.deleteTag(modelIdOf(ctx), key);
      return {};
    }),
    rpc('POST', '2.0', `${base}/{model_id}/params`, async (msg, ctx) => {
      await models.logParams(modelIdOf(ctx), keyValuesOf(msg, 'params'));
      return {};
    }),
    rpc('GET', '2.0', `${base}/{model_id}/artifacts/directories`, async (msg, ctx) => {
      const path = msg.optionalString('artifact_directory_path');
      if (path !== undefined) checkArtifactSubpath(path);
      const model = await models.get(modelIdOf(ctx));
      const files = await listUnder(lister, model.artifactLocation, path);
      const out: Record<string, unknown> = { root_uri: model.artifactLocation };
      if (files.length > 0) out.files = files.map(fileInfoJson);
      return out;
    }),
  ];
}
