/**
 * The tracking storage contract: experiments, runs and MLflow 3 logged models. Domain objects are
 * plain data; the wire format lives in protocol/messages/tracking.ts, the rules and MLflow's
 * messages in tracking/. One SQL implementation serves SQLite and PostgreSQL
 * (store/sql/tracking-sql-store.ts).
 *
 * Lookups of something missing return `undefined`/`false`; the services word the error. Stores
 * throw StoreConflict (unique violations) and StoreUnavailable (see registry-store.ts).
 */
import type { Page, Tag } from './registry-store.js';
import type { Comparator, DatasetRef, SearchClause, SearchEntity, SearchQuery, SortKey } from './search-query.js';

export type { Page, Tag };

export type LifecycleStage = 'active' | 'deleted';
export type ViewType = 'ACTIVE_ONLY' | 'DELETED_ONLY' | 'ALL';
export type RunStatus = 'RUNNING' | 'SCHEDULED' | 'FINISHED' | 'FAILED' | 'KILLED';
export type LoggedModelStatus =
  | 'LOGGED_MODEL_STATUS_UNSPECIFIED'
  | 'LOGGED_MODEL_PENDING'
  | 'LOGGED_MODEL_READY'
  | 'LOGGED_MODEL_UPLOAD_FAILED';

/** LoggedModelStatus by its proto number (mlflow/protos/service.proto). */
export const LOGGED_MODEL_STATUSES: readonly LoggedModelStatus[] = [
  'LOGGED_MODEL_STATUS_UNSPECIFIED',
  'LOGGED_MODEL_PENDING',
  'LOGGED_MODEL_READY',
  'LOGGED_MODEL_UPLOAD_FAILED',
];

/** The tag MLflow keeps in step with a run's name. */
export const RUN_NAME_TAG = 'mlflow.runName';

export const DEFAULT_EXPERIMENT_ID = 0;
export const DEFAULT_EXPERIMENT_NAME = 'Default';

export interface Experiment {
  readonly id: number;
  readonly name: string;
  readonly artifactLocation: string;
  readonly lifecycleStage: LifecycleStage;
  readonly creationTime: number;
  readonly lastUpdateTime: number;
  readonly tags: readonly Tag[];
}

export interface RunInfo {
  readonly runId: string;
  readonly experimentId: number;
  readonly runName: string | null;
  readonly userId: string | null;
  readonly status: RunStatus;
  readonly startTime: number | null;
  readonly endTime: number | null;
  readonly artifactUri: string;
  readonly lifecycleStage: LifecycleStage;
}

/** A metric value may be NaN or ±Infinity; they are stored faithfully and sent as strings. */
export interface Metric {
  readonly key: string;
  readonly value: number;
  readonly timestamp: number;
  readonly step: number;
  readonly modelId?: string | null;
  readonly datasetName?: string | null;
  readonly datasetDigest?: string | null;
  readonly runId?: string | null;
}

export interface Dataset {
  readonly name: string;
  readonly digest: string;
  readonly sourceType: string;
  readonly source: string;
  readonly schema: string | null;
  readonly profile: string | null;
}

export interface DatasetInput {
  readonly tags: readonly Tag[];
  readonly dataset: Dataset;
}

/** One dataset as used in an experiment, with the `mlflow.data.context` tag of its input (SearchDatasets). */
export interface DatasetSummary {
  readonly experimentId: number;
  readonly name: string;
  readonly digest: string;
  readonly context: string | null;
}

export interface ModelOutput {
  readonly modelId: string;
  readonly step: number;
}

export interface Run {
  readonly info: RunInfo;
  /** The latest value of each metric (by step, then timestamp, then value). */
  readonly metrics: readonly Metric[];
  readonly params: readonly Tag[];
  readonly tags: readonly Tag[];
  readonly datasetInputs: readonly DatasetInput[];
  readonly modelInputs: readonly string[];
  readonly modelOutputs: readonly ModelOutput[];
}

export interface LoggedModel {
  readonly modelId: string;
  readonly experimentId: number;
  readonly name: string;
  readonly artifactLocation: string;
  readonly creationTime: number;
  readonly lastUpdatedTime: number;
  readonly status: LoggedModelStatus;
  readonly statusMessage: string | null;
  readonly modelType: string | null;
  readonly sourceRunId: string | null;
  readonly lifecycleStage: LifecycleStage;
  readonly tags: readonly Tag[];
  readonly params: readonly Tag[];
  readonly metrics: readonly Metric[];
}

// ---- search -------------------------------------------------------------------------------

export type { Comparator, DatasetRef, SearchClause, SearchEntity, SortKey };

/**
 * Attribute keys are the canonical names of the searched entity (runs: run_id, run_name, user_id,
 * status, start_time, end_time, artifact_uri; experiments: name, experiment_id, creation_time,
 * last_update_time; logged models: name, model_id, model_type, status, source_run_id,
 * creation_timestamp, last_updated_timestamp).
 */
export type TrackingSearch = SearchQuery;

export interface ExperimentSearch extends TrackingSearch {
  readonly viewType: ViewType;
}

export interface RunSearch extends TrackingSearch {
  readonly experimentIds: readonly number[];
  readonly viewType: ViewType;
}

export interface LoggedModelSearch extends TrackingSearch {
  readonly experimentIds: readonly number[];
  /**
   * Only models with a metric logged against one of these datasets; metric clauses then compare
   * only those metrics (SqlAlchemyStore._apply_filter_string_datasets_search_logged_models).
   */
  readonly datasets: readonly DatasetRef[];
}

// ---- writes -------------------------------------------------------------------------------

export interface NewRun {
  readonly runId: string;
  readonly experimentId: number;
  readonly runName: string;
  readonly userId: string | null;
  readonly startTime: number;
  readonly artifactUri: string;
  readonly tags: readonly Tag[];
}

export interface RunInfoPatch {
  readonly status?: RunStatus;
  readonly endTime?: number;
  /** Also written to the `mlflow.runName` tag. */
  readonly runName?: string;
}

/** A param that a batch tried to change; nothing in the batch was written. */
export interface ParamChange {
  readonly key: string;
  readonly oldValue: string;
  readonly newValue: string;
}

export interface NewLoggedModel {
  readonly modelId: string;
  readonly experimentId: number;
  readonly name: string;
  readonly artifactLocation: string;
  readonly modelType: string | null;
  readonly sourceRunId: string | null;
  readonly tags: readonly Tag[];
  readonly params: readonly Tag[];
  readonly now: number;
}

export interface ExperimentStore {
  /** Creates experiment 0 when it does not exist yet (idempotent, safe under concurrent starts). */
  ensureDefaultExperiment(artifactLocation: string, now: number): Promise<void>;
  /**
   * Returns the new id. Without an artifact location, `locate(id)` gives it once the id is known.
   * @throws StoreConflict when the name is taken.
   */
  createExperiment(
    name: string,
    artifactLocation: string | null,
    tags: readonly Tag[],
    now: number,
    locate: (id: number) => string,
  ): Promise<number>;
  getExperiment(id: number): Promise<Experiment | undefined>;
  getExperimentByName(name: string): Promise<Experiment | undefined>;
  /** @throws StoreConflict when the name is taken. */
  renameExperiment(id: number, newName: string, now: number): Promise<boolean>;
  /** Moves the experiment and all of its runs to `stage`. */
  setExperimentLifecycle(id: number, stage: LifecycleStage, now: number): Promise<boolean>;
  setExperimentTag(id: number, tag: Tag): Promise<boolean>;
  deleteExperimentTag(id: number, key: string): Promise<boolean>;
  searchExperiments(query: ExperimentSearch): Promise<Page<Experiment>>;
}

export interface RunStore {
  createRun(run: NewRun): Promise<Run>;
  getRun(runId: string): Promise<Run | undefined>;
  getRunInfo(runId: string): Promise<RunInfo | undefined>;
  updateRunInfo(runId: string, patch: RunInfoPatch): Promise<RunInfo | undefined>;
  setRunLifecycle(runId: string, stage: LifecycleStage, now: number): Promise<boolean>;
  /**
   * Writes everything in one transaction. Metrics identical to logged ones are skipped; a metric
   * that carries a model id links the existing history point to the model. When a param would
   * change value, nothing is written and the changes are returned.
   */
  logBatch(runId: string, metrics: readonly Metric[], params: readonly Tag[], tags: readonly Tag[]): Promise<readonly ParamChange[]>;
  deleteRunTag(runId: string, key: string): Promise<boolean>;
  /** Reads a run tag holding a JSON list and writes `update(old)` back, in one transaction. */
  updateRunTag(runId: string, key: string, update: (old: string | undefined) => string): Promise<boolean>;
  /** Ordered by timestamp, step, value; `limit` undefined means everything after `offset`. */
  getMetricHistory(runId: string, key: string, offset: number, limit: number | undefined): Promise<Page<Metric>>;
  logInputs(runId: string, experimentId: number, datasets: readonly DatasetInput[], modelIds: readonly string[]): Promise<void>;
  /** Points of `key` in any of the runs, ordered by run id, timestamp, step, value; at most `limit` (each with `runId`). */
  getMetricHistoryBulk(runIds: readonly string[], key: string, limit: number): Promise<Metric[]>;
  /**
   * At most `maxResults` points of one run's `key`, evenly sampled over the points ordered by step,
   * timestamp, value (first and last kept), optionally within steps [start, end] (with `runId`).
   */
  sampleMetricHistory(runId: string, key: string, maxResults: number, steps?: { readonly start: number; readonly end: number }): Promise<Metric[]>;
  /** Distinct (experiment, dataset name, digest, input context) of the experiments, at most `limit`. */
  searchDatasetSummaries(experimentIds: readonly number[], limit: number): Promise<DatasetSummary[]>;
  logOutputs(runId: string, outputs: readonly ModelOutput[]): Promise<void>;
  searchRuns(query: RunSearch): Promise<Page<Run>>;
}

export interface LoggedModelStore {
  createLoggedModel(model: NewLoggedModel): Promise<LoggedModel>;
  getLoggedModel(modelId: string, allowDeleted: boolean): Promise<LoggedModel | undefined>;
  finalizeLoggedModel(modelId: string, status: LoggedModelStatus, now: number): Promise<LoggedModel | undefined>;
  deleteLoggedModel(modelId: string, now: number): Promise<boolean>;
  /** Last value wins for a repeated key. */
  setLoggedModelTags(modelId: string, tags: readonly Tag[]): Promise<boolean>;
  deleteLoggedModelTag(modelId: string, key: string): Promise<'ok' | 'no-model' | 'no-tag'>;
  /** Reads a tag and writes `update(old)` back, in one transaction. */
  updateLoggedModelTag(modelId: string, key: string, update: (old: string | undefined) => string): Promise<boolean>;
  logLoggedModelParams(modelId: string, params: readonly Tag[]): Promise<boolean>;
  searchLoggedModels(query: LoggedModelSearch): Promise<Page<LoggedModel>>;
}

export interface TrackingStore {
  readonly experiments: ExperimentStore;
  readonly runs: RunStore;
  readonly loggedModels: LoggedModelStore;
}
