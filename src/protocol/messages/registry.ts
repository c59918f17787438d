/**
 * Registry entities in MLflow's JSON shape (mlflow/entities/model_registry/*.py: to_proto, then
 * proto JSON): snake_case, int64 as numbers, `version` as a STRING, unset fields and empty lists
 * omitted, `status` always present (a client reads a missing one as PENDING_REGISTRATION and polls).
 */
import type { ModelVersion, RegisteredModel } from '../../store/registry-store.js';
import { setFields, tagsJson, type Json } from './json.js';

export function modelVersionJson(mv: ModelVersion): Json {
  const out = setFields({
    name: mv.name,
    version: String(mv.version),
    creation_timestamp: mv.creationTime,
    last_updated_timestamp: mv.lastUpdatedTime,
    current_stage: mv.currentStage,
    source: mv.source,
    status: mv.status,
    user_id: mv.userId,
    description: mv.description,
    run_id: mv.runId,
    run_link: mv.runLink,
    status_message: mv.statusMessage,
    model_id: mv.modelId,
  });
  if (mv.tags.length > 0) out.tags = tagsJson(mv.tags);
  if (mv.aliases.length > 0) out.aliases = [...mv.aliases];
  return out;
}

export function registeredModelJson(rm: RegisteredModel): Json {
  const out: Json = { name: rm.name, creation_timestamp: rm.creationTime };
  // registered_model.py: to_proto emits these two only when truthy.
  if (rm.lastUpdatedTime) out.last_updated_timestamp = rm.lastUpdatedTime;
  if (rm.description) out.description = rm.description;
  if (rm.latestVersions.length > 0) out.latest_versions = rm.latestVersions.map(modelVersionJson);
  if (rm.tags.length > 0) out.tags = tagsJson(rm.tags);
  if (rm.aliases.length > 0) out.aliases = rm.aliases.map((a) => ({ alias: a.alias, version: String(a.version) }));
  return out;
}
