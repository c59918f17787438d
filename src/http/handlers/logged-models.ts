/**
 * MLflow 3 logged-model RPCs (mlflow/protos/service.proto), all under /api/2.0/mlflow/logged-models.
 * The client fills `{model_id}` itself and keeps each RPC's method: finalize is a PATCH on the id
 * path, set-tags a PATCH on `/tags`, and a deleted tag's key arrives unencoded in the path.
 */
import { invalidParameter } from '../../protocol/errors.js';
import { fileInfoJson, loggedModelJson } from '../../protocol/messages/tracking.js';
import { keyValuesOf } from '../../protocol/messages/tracking-requests.js';
import { RequestMessage, requestMissing } from '../../protocol/request.js';
import { checkArtifactSubpath, listUnder, type ArtifactLister } from '../../tracking/artifacts.js';
import { parseLoggedModelStatus, type LoggedModelOrderBy, type LoggedModels } from '../../tracking/logged-models.js';
import type { JsonContext, RouteDef } from '../router.js';
import { pageJson } from '../../protocol/messages/page.js';

function modelIdOf(ctx: JsonContext): string {
  const id = ctx.pathParams.model_id;
  if (!id) throw requestMissing('model_id');
  return id;
}

function orderByOf(msg: RequestMessage): LoggedModelOrderBy[] {
  return msg.objects('order_by').map((entry) => {
    const ob = new RequestMessage(entry, false);
    const fieldName = ob.optionalString('field_name');
    if (!fieldName) throw invalidParameter('`field_name` in the `order_by` clause must be specified.');
    const out: { field_name: string; ascending?: boolean; dataset_name?: string; dataset_digest?: string } = { field_name: fieldName };
    const ascending = ob.optionalBool('ascending');
    if (ascending !== undefined) out.ascending = ascending;
    const datasetName = ob.optionalString('dataset_name');
    if (datasetName) out.dataset_name = datasetName;
    const datasetDigest = ob.optionalString('dataset_digest');
    if (datasetDigest) out.dataset_digest = datasetDigest;
    return out;
  });
}

export function loggedModelRoutes(models: LoggedModels, lister?: ArtifactLister): RouteDef[] {
  const base = '/mlflow/logged-models';
  return [
    {
      method: 'POST',
      version: '2.0',
      path: base,
      handler: async (ctx) => {
        const msg = await ctx.message();
        const model = await models.create({
          experimentId: msg.string('experiment_id'),
          name: msg.optionalString('name') || undefined,
          modelType: msg.optionalString('model_type'),
          sourceRunId: msg.optionalString('source_run_id') || undefined,
          params: keyValuesOf(msg, 'params'),
          tags: keyValuesOf(msg, 'tags'),
        });
        return { model: loggedModelJson(model) };
      },
    },
    {
      method: 'POST',
      version: '2.0',
      path: `${base}/search`,
      handler: async (ctx) => {
        const msg = await ctx.message();
        if (!msg.has('experiment_ids')) throw requestMissing('experiment_ids');
        const result = await models.search({
          experimentIds: msg.strings('experiment_ids'),
          filter: msg.optionalString('filter'),
          datasets: msg.objects('datasets').map((d) => {
            const ds = new RequestMessage(d, false);
            const out: { dataset_name?: string; dataset_digest?: string } = {};
            const name = ds.optionalString('dataset_name');
            if (name) out.dataset_name = name;
            const digest = ds.optionalString('dataset_digest');
            if (digest) out.dataset_digest = digest;
            return out;
          }),
          maxResults: msg.optionalInt('max_results'),
          orderBy: orderByOf(msg),
          pageToken: msg.optionalString('page_token'),
        });
        return pageJson('models', result, loggedModelJson);
      },
    },
    {
      method: 'GET',
      version: '2.0',
      path: `${base}/{model_id}`,
      handler: async (ctx) => {
        // server/handlers.py: _get_logged_model reads `allow_deleted` leniently: only "true" counts.
        const raw = (await ctx.message()).raw.allow_deleted;
        const allowDeleted = String(Array.isArray(raw) ? raw[0] : raw).toLowerCase() === 'true';
        return { model: loggedModelJson(await models.get(modelIdOf(ctx), allowDeleted)) };
      },
    },
    {
      method: 'PATCH',
      version: '2.0',
      path: `${base}/{model_id}`,
      handler: async (ctx) => {
        const msg = await ctx.message();
        if (!msg.has('status')) throw requestMissing('status');
        const status = parseLoggedModelStatus(msg.raw.status);
        return { model: loggedModelJson(await models.finalize(modelIdOf(ctx), status)) };
      },
    },
    {
      method: 'DELETE',
      version: '2.0',
      path: `${base}/{model_id}`,
      handler: async (ctx) => {
        await ctx.message();
        await models.delete(modelIdOf(ctx));
        return {};
      },
    },
    {
      method: 'PATCH',
      version: '2.0',
      path: `${base}/{model_id}/tags`,
      handler: async (ctx) => {
        const msg = await ctx.message();
        await models.setTags(modelIdOf(ctx), keyValuesOf(msg, 'tags'));
        return {};
      },
    },
    {
      method: 'DELETE',
      version: '2.0',
      path: `${base}/{model_id}/tags/{tag_key+}`,
      handler: async (ctx) => {
        await ctx.message();
        const key = ctx.pathParams.tag_key;
        if (!key) throw requestMissing('tag_key');
        await models.deleteTag(modelIdOf(ctx), key);
        return {};
      },
    },
    {
      method: 'POST',
      version: '2.0',
      path: `${base}/{model_id}/params`,
      handler: async (ctx) => {
        const msg = await ctx.message();
        await models.logParams(modelIdOf(ctx), keyValuesOf(msg, 'params'));
        return {};
      },
    },
    {
      method: 'GET',
      version: '2.0',
      path: `${base}/{model_id}/artifacts/directories`,
      handler: async (ctx) => {
        const msg = await ctx.message();
        const path = msg.optionalString('artifact_directory_path');
        if (path !== undefined) checkArtifactSubpath(path);
        const model = await models.get(modelIdOf(ctx));
        const files = await listUnder(lister, model.artifactLocation, path);
        const out: Record<string, unknown> = { root_uri: model.artifactLocation };
        if (files.length > 0) out.files = files.map(fileInfoJson);
        return out;
      },
    },
  ];
}
