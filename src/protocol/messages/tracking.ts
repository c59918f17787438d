/**
 * Tracking entities in MLflow's JSON shape (mlflow/entities/*.py: to_proto, then proto JSON):
 * snake_case, int64 as numbers, `experiment_id` as a STRING, unset fields and empty lists omitted.
 * A run carries both `run_id` and `run_uuid` (2.x clients read the latter); metric values NaN and
 * ±Infinity are the strings "NaN", "Infinity", "-Infinity"; logged-model timestamps end in `_ms`.
 */
import type { FileInfo } from '../../domain/file-info.js';
import type { DatasetInput, Experiment, LoggedModel, Metric, Run, RunInfo } from '../../store/tracking-store.js';

import { setFields, tagsJson, type Json } from './json.js';

/** Proto JSON for a double. */
export function doubleJson(value: number): number | string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return 'Infinity';
  if (value === Number.NEGATIVE_INFINITY) return '-Infinity';
  return value;
}

export function experimentJson(e: Experiment): Json {
  const out: Json = {
    experiment_id: String(e.id),
    name: e.name,
    artifact_location: e.artifactLocation,
    lifecycle_stage: e.lifecycleStage,
    last_update_time: e.lastUpdateTime,
    creation_time: e.creationTime,
  };
  if (e.tags.length > 0) out.tags = tagsJson(e.tags);
  return out;
}

export function runInfoJson(info: RunInfo): Json {
  return setFields({
    run_id: info.runId,
    run_uuid: info.runId,
    experiment_id: String(info.experimentId),
    run_name: info.runName,
    user_id: info.userId,
    status: info.status,
    start_time: info.startTime,
    end_time: info.endTime,
    artifact_uri: info.artifactUri,
    lifecycle_stage: info.lifecycleStage,
  });
}

export function metricJson(m: Metric): Json {
  const out: Json = { key: m.key, value: doubleJson(m.value), timestamp: m.timestamp, step: m.step };
  if (m.datasetName) out.dataset_name = m.datasetName;
  if (m.datasetDigest) out.dataset_digest = m.datasetDigest;
  if (m.modelId) out.model_id = m.modelId;
  if (m.runId) out.run_id = m.runId;
  return out;
}

function datasetInputJson(d: DatasetInput): Json {
  const dataset: Json = {
    name: d.dataset.name,
    digest: d.dataset.digest,
    source_type: d.dataset.sourceType,
    source: d.dataset.source,
  };
  if (d.dataset.schema !== null) dataset.schema = d.dataset.schema;
  if (d.dataset.profile !== null) dataset.profile = d.dataset.profile;
  const out: Json = {};
  if (d.tags.length > 0) out.tags = tagsJson(d.tags);
  out.dataset = dataset;
  return out;
}

export function runJson(run: Run): Json {
  const data: Json = {};
  if (run.metrics.length > 0) data.metrics = run.metrics.map(metricJson);
  if (run.params.length > 0) data.params = tagsJson(run.params);
  if (run.tags.length > 0) data.tags = tagsJson(run.tags);
  const inputs: Json = {};
  if (run.datasetInputs.length > 0) inputs.dataset_inputs = run.datasetInputs.map(datasetInputJson);
  if (run.modelInputs.length > 0) inputs.model_inputs = run.modelInputs.map((id) => ({ model_id: id }));
  const outputs: Json = {};
  if (run.modelOutputs.length > 0) outputs.model_outputs = run.modelOutputs.map((o) => ({ model_id: o.modelId, step: o.step }));
  return { info: runInfoJson(run.info), data, inputs, outputs };
}

export function loggedModelJson(m: LoggedModel): Json {
  const info = setFields({
    model_id: m.modelId,
    experiment_id: String(m.experimentId),
    name: m.name,
    creation_timestamp_ms: m.creationTime,
    last_updated_timestamp_ms: m.lastUpdatedTime,
    artifact_uri: m.artifactLocation,
    status: m.status,
    model_type: m.modelType,
    source_run_id: m.sourceRunId,
    status_message: m.statusMessage,
  });
  if (m.tags.length > 0) info.tags = tagsJson(m.tags);
  const data: Json = {};
  if (m.params.length > 0) data.params = tagsJson(m.params);
  if (m.metrics.length > 0) data.metrics = m.metrics.map(metricJson);
  return { info, data };
}

export function fileInfoJson(f: FileInfo): Json {
  const out: Json = { path: f.path, is_dir: f.isDir };
  if (f.fileSize !== undefined) out.file_size = f.fileSize;
  return out;
}
