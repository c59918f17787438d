/**
 * MLflow 3 logged-model RPCs (mlflow/protos/service.proto), all under /api/2.0/mlflow/logged-models.
 * The client fills `{model_id}` itself and keeps each RPC's method: finalize is a PATCH on the id
 * path, set-tags a PATCH on `/tags`, and a deleted tag's key arrives unencoded in the path.
 */
import { invalidParameter } from '../../protocol/errors.js';
import { fileInfoJson, loggedModelJson } from '../../protocol/messages/tracking.js';
import { keyValuesOf } from '../../protocol/messages/tracking-requests.js';
import type { RequestMessage } from '../../protocol/request-message.js';
import { requestMissing } from '../../protocol/validation-messages.js';
import { field } from '../../protocol/request-schema.js';
import { listUnder, type ArtifactLister } from '../../tracking/artifacts.js';
import { parseLoggedModelStatus, type LoggedModelOrderBy, type LoggedModels } from '../../tracking/logged-models.js';
import type { JsonContext, RouteDef } from '../router.js';
import { pageJson } from '../../protocol/messages/page.js';
import { rpc } from './rpc.js';
import { artifactSubpath } from './runs.js';

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

const CREATE = {
  experiment_id: field.string,
  name: field.nonEmptyString,
  model_type: field.optionalString,
  source_run_id: field.nonEmptyString,
  params: keyValuesOf,
  tags: keyValuesOf,
};

const SEARCH = {
  experiment_ids: field.required(field.strings),
  filter: field.optionalString,
  datasets: (msg: RequestMessage) => msg.messages('datasets').map(datasetOf),
  max_results: field.optionalInt64,
  order_by: orderByOf,
  page_token: field.optionalString,
};

/** server/handlers.py: _get_logged_model reads `allow_deleted` leniently: only "true" counts. */
const GET = { allow_deleted: (m: RequestMessage, n: string) => String(m.scalar(n)).toLowerCase() === 'true' };

const FINALIZE = { status: field.required((m, n) => parseLoggedModelStatus(m.scalar(n))) };

export function loggedModelRoutes(models: LoggedModels, lister?: ArtifactLister): RouteDef[] {
  const base = '/mlflow/logged-models';
  return [
    rpc('POST', '2.0', base, CREATE, async (req) => ({ model: loggedModelJson(await models.create(req)) })),
    rpc('POST', '2.0', `${base}/search`, SEARCH, async (req) => pageJson('models', await models.search(req), loggedModelJson)),
    rpc('GET', '2.0', `${base}/{model_id}`, GET, async (req, ctx) => ({
      model: loggedModelJson(await models.get(modelIdOf(ctx), req.allowDeleted)),
    })),
    rpc('PATCH', '2.0', `${base}/{model_id}`, FINALIZE, async (req, ctx) => ({
      model: loggedModelJson(await models.finalize(modelIdOf(ctx), req.status)),
    })),
    rpc('DELETE', '2.0', `${base}/{model_id}`, {}, async (_req, ctx) => {
      await models.delete(modelIdOf(ctx));
      return {};
    }),
    rpc('PATCH', '2.0', `${base}/{model_id}/tags`, { tags: keyValuesOf }, async (req, ctx) => {
      await models.setTags(modelIdOf(ctx), req.tags);
      return {};
    }),
    rpc('DELETE', '2.0', `${base}/{model_id}/tags/{tag_key+}`, {}, async (_req, ctx) => {
      const key = ctx.pathParams.tag_key;
      if (!key) throw requestMissing('tag_key');
      await models.deleteTag(modelIdOf(ctx), key);
      return {};
    }),
    rpc('POST', '2.0', `${base}/{model_id}/params`, { params: keyValuesOf }, async (req, ctx) => {
      await models.logParams(modelIdOf(ctx), req.params);
      return {};
    }),
    rpc('GET', '2.0', `${base}/{model_id}/artifacts/directories`, { artifact_directory_path: artifactSubpath }, async (req, ctx) => {
      const model = await models.get(modelIdOf(ctx));
      const files = await listUnder(lister, model.artifactLocation, req.artifactDirectoryPath);
      const out: Record<string, unknown> = { root_uri: model.artifactLocation };
      if (files.length > 0) out.files = files.map(fileInfoJson);
      return out;
    }),
  ];
}
