/**
 * Typed table definitions of the tracking tables (migration 0002_tracking in
 * tracking-migration.ts), merged into `Database` by schema.ts.
 */
import type { Generated } from 'kysely';

export interface ExperimentsTable {
  /** 0 is the default experiment; others are numbered by the database. */
  experiment_id: Generated<number>;
  name: string;
  artifact_location: string;
  lifecycle_stage: string;
  creation_time: number;
  last_update_time: number;
}

export interface ExperimentTagsTable {
  experiment_id: number;
  key: string;
  value: string;
}

export interface RunsTable {
  run_uuid: string;
  experiment_id: number;
  name: string | null;
  user_id: string | null;
  /** RUNNING | SCHEDULED | FINISHED | FAILED | KILLED */
  status: string;
  start_time: number | null;
  end_time: number | null;
  deleted_time: number | null;
  artifact_uri: string;
  lifecycle_stage: string;
}

export interface RunTagsTable {
  run_uuid: string;
  key: string;
  value: string;
}

export interface ParamsTable {
  run_uuid: string;
  key: string;
  value: string;
}

/**
 * Every logged metric point. NaN is stored as value 0 with is_nan = 1 (SQLite turns a NaN
 * parameter into NULL); ±Infinity are stored as they are.
 */
export interface MetricsTable {
  run_uuid: string;
  key: string;
  value: number;
  is_nan: number;
  timestamp: number;
  step: number;
}

/** Metric points logged for a logged model (a run's point may belong to several models). */
export interface LoggedModelMetricsTable {
  model_id: string;
  run_uuid: string;
  key: string;
  value: number;
  is_nan: number;
  timestamp: number;
  step: number;
  dataset_name: string | null;
  dataset_digest: string | null;
}

/** The latest point per (run, key), by (step, timestamp, value). */
export interface LatestMetricsTable {
  run_uuid: string;
  key: string;
  value: number;
  is_nan: number;
  timestamp: number;
  step: number;
}

export interface DatasetsTable {
  dataset_uuid: string;
  experiment_id: number;
  name: string;
  digest: string;
  source_type: string;
  source: string;
  schema: string | null;
  profile: string | null;
}

/** A run's inputs: datasets (with their input tags as a JSON list) and logged models. */
export interface RunInputsTable {
  run_uuid: string;
  /** DATASET | MODEL */
  source_type: string;
  /** dataset_uuid or model_id */
  source_id: string;
  tags: string | null;
}

export interface RunOutputsTable {
  run_uuid: string;
  model_id: string;
  step: number;
}

export interface LoggedModelsTable {
  model_id: string;
  experiment_id: number;
  name: string;
  artifact_location: string;
  creation_timestamp_ms: number;
  last_updated_timestamp_ms: number;
  /** LoggedModelStatus as its proto number: 0 unspecified, 1 pending, 2 ready, 3 upload failed. */
  status: number;
  status_message: string | null;
  model_type: string | null;
  source_run_id: string | null;
  lifecycle_stage: string;
}

export interface LoggedModelTagsTable {
  model_id: string;
  key: string;
  value: string;
}

export interface LoggedModelParamsTable {
  model_id: string;
  key: string;
  value: string;
}

export interface TrackingTables {
  experiments: ExperimentsTable;
  experiment_tags: ExperimentTagsTable;
  runs: RunsTable;
  run_tags: RunTagsTable;
  params: ParamsTable;
  metrics: MetricsTable;
  latest_metrics: LatestMetricsTable;
  datasets: DatasetsTable;
  run_inputs: RunInputsTable;
  run_outputs: RunOutputsTable;
  logged_models: LoggedModelsTable;
  logged_model_tags: LoggedModelTagsTable;
  logged_model_params: LoggedModelParamsTable;
  logged_model_metrics: LoggedModelMetricsTable;
}
