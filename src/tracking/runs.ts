/**
 * Run operations with MLflow's rules and messages (mlflow/store/tracking/sqlalchemy_store.py):
 * creation in an active experiment, the `mlflow.runName` tag kept in step with the name, batch
 * logging limits, params that never change value, the 2.x `log-model` history tag.
 *
 * Deliberate differences: infinite metric values are kept as they are (MLflow's SQL store clamps
 * them to ±1.7976931348623157e308); a create without `start_time` starts now (MLflow: 0).
 */
import { randomUUID } from 'node:crypto';
import { invalidParameter, notFound } from '../protocol/errors.js';
import { decodeOffsetToken, encodeOffsetToken } from '../protocol/page-token.js';
import { pythonRepr } from '../protocol/python-repr.js';
import type { Clock } from '../domain/clock.js';
import type { SearchResult } from '../domain/search-result.js';
import {
  RUN_NAME_TAG,
  type DatasetInput,
  type DatasetSummary,
  type Metric,
  type ModelOutput,
  type Run,
  type RunInfo,
  type RunStatus,
  type RunStore,
  type Tag,
  type ViewType,
} from '../store/tracking-store.js';
import type { Experiments } from './experiments.js';
import { randomName } from './names.js';
import { RUNS } from '../search/grammar.js';
import { maxResultsOf, RUNS_MAX_RESULTS } from '../search/max-results.js';
import { offsetPageResult, offsetQuery, type SearchRequest } from '../search/search-request.js';
import { appendToUriPath } from './uri.js';
import {
  parseExperimentId,
  validateBatchLimits,
  validateDatasetInput,
  validateMetric,
  validateParam,
  validateRunId,
  validateRunTag,
} from './validation.js';

/** server/handlers.py: get_metric_history_bulk_handler's MAX_HISTORY_RESULTS and MAX_RUN_IDS_PER_REQUEST. */
export const MAX_HISTORY_BULK_RESULTS = 25000;
export const MAX_HISTORY_BULK_RUNS = 100;
/** server/handlers.py: MAX_RUNS_GET_METRIC_HISTORY_BULK and MAX_RESULTS_PER_RUN (the interval variant). */
export const MAX_HISTORY_INTERVAL_RUNS = 100;
export const MAX_HISTORY_INTERVAL_RESULTS = 2500;
/** store/tracking/sqlalchemy_store.py: _search_datasets' MAX_DATASET_SUMMARIES_RESULTS; handlers.py: MAX_EXPERIMENT_IDS_PER_REQUEST. */
export const MAX_DATASET_SUMMARIES = 1000;
export const MAX_DATASET_EXPERIMENTS = 20;

/** Where 2.x clients' `log_model` calls are recorded (mlflow/utils/mlflow_tags.py: MLFLOW_LOGGED_MODELS). */
export const LOGGED_MODELS_HISTORY_TAG = 'mlflow.log-model.history';

export function runNotFound(runId: string): Error {
  return notFound(`Run with id=${runId} not found`);
}

function checkActiveRun(info: RunInfo): void {
  if (info.lifecycleStage !== 'active') {
    throw invalidParameter(`The run ${info.runId} must be in the 'active' state. Current state is ${info.lifecycleStage}.`);
  }
}

export interface NewRunRequest {
  readonly experimentId: string | undefined;
  readonly userId: string | undefined;
  readonly runName: string | undefined;
  readonly startTime: number | undefined;
  readonly tags: readonly Tag[];
}

export interface RunUpdate {
  readonly status?: RunStatus;
  readonly endTime?: number;
  readonly runName?: string;
}

export interface RunSearchRequest extends SearchRequest {
  readonly experimentIds: readonly string[];
  readonly viewType: ViewType;
}

export class Runs {
  constructor(
    private readonly store: RunStore,
    private readonly experiments: Experiments,
    private readonly now: Clock = Date.now,
  ) {}

  async create(req: NewRunRequest): Promise<Run> {
    const experiment = await this.experiments.getActive(req.experimentId ?? '');
    const tags = req.tags.map((t, i) => validateRunTag(t, `tags[${i}]`));
    const tagName = [...tags].reverse().find((t) => t.key === RUN_NAME_TAG)?.value;
    if (req.runName && tagName && req.runName !== tagName) {
      throw invalidParameter(
        "Both 'run_name' argument and 'mlflow.runName' tag are specified, but with different values " +
          `(run_name='${req.runName}', mlflow.runName='${tagName}').`,
      );
    }
    const runName = req.runName || tagName || randomName();
    if (!tagName) tags.push({ key: RUN_NAME_TAG, value: runName });
    const runId = randomUUID().replace(/-/g, '');
    return this.store.createRun({
      runId,
      experimentId: experiment.id,
      runName,
      userId: req.userId ?? null,
      startTime: req.startTime ?? this.now(),
      artifactUri: appendToUriPath(experiment.artifactLocation, runId, 'artifacts'),
      tags,
    });
  }

  async get(runId: string): Promise<Run> {
    const run = await this.store.getRun(runId);
    if (!run) throw runNotFound(runId);
    return run;
  }

  async info(runId: string): Promise<RunInfo> {
    const info = await this.store.getRunInfo(runId);
    if (!info) throw runNotFound(runId);
    return info;
  }

  private async activeInfo(runId: string): Promise<RunInfo> {
    const info = await this.info(runId);
    checkActiveRun(info);
    return info;
  }

  async update(runId: string, update: RunUpdate): Promise<RunInfo> {
    await this.activeInfo(runId);
    const info = await this.store.updateRunInfo(runId, {
      ...(update.status !== undefined ? { status: update.status } : {}),
      ...(update.endTime !== undefined ? { endTime: update.endTime } : {}),
      ...(update.runName ? { runName: update.runName } : {}),
    });
    if (!info) throw runNotFound(runId);
    return info;
  }

  async delete(runId: string): Promise<void> {
    if (!(await this.store.setRunLifecycle(runId, 'deleted', this.now()))) throw runNotFound(runId);
  }

  async restore(runId: string): Promise<void> {
    if (!(await this.store.setRunLifecycle(runId, 'active', this.now()))) throw runNotFound(runId);
  }

  /** sqlalchemy_store.log_batch: validate everything first, then write in one transaction. */
  async logBatch(runId: string, metrics: readonly Metric[], params: readonly Tag[], tags: readonly Tag[]): Promise<void> {
    validateRunId(runId);
    metrics.forEach((m, i) => validateMetric(m, `metrics[${i}]`));
    const validParams = params.map((p, i) => validateParam(p, `params[${i}]`));
    const validTags = tags.map((t, i) => validateRunTag(t, `tags[${i}]`));
    validateBatchLimits(metrics.length, validParams, validTags.length);
    await this.activeInfo(runId);
    const changes = await this.store.logBatch(runId, metrics, validParams, validTags);
    if (changes.length > 0) {
      const listed = changes.map((c) => ({ key: c.key, old_value: c.oldValue, new_value: c.newValue }));
      throw invalidParameter(
        `Changing param values is not allowed. Params were already logged='${pythonRepr(listed)}' for run ID='${runId}'.`,
      );
    }
  }

  async logMetric(runId: string, metric: Metric): Promise<void> {
    validateMetric(metric);
    await this.activeInfo(runId);
    await this.store.logBatch(runId, [metric], [], []);
  }

  async logParam(runId: string, key: string, value: string): Promise<void> {
    const param = validateParam({ key, value });
    await this.activeInfo(runId);
    const [change] = await this.store.logBatch(runId, [], [param], []);
    if (change) {
      throw invalidParameter(
        `Changing param values is not allowed. Param with key='${change.key}' was already logged with value='${change.oldValue}' ` +
          `for run ID='${runId}'. Attempted logging new value '${change.newValue}'.`,
      );
    }
  }

  async setTag(runId: string, key: string, value: string): Promise<void> {
    const tag = validateRunTag({ key, value });
    await this.activeInfo(runId);
    await this.store.logBatch(runId, [], [], [tag]);
  }

  async deleteTag(runId: string, key: string): Promise<void> {
    await this.activeInfo(runId);
    if (!(await this.store.deleteRunTag(runId, key))) throw notFound(`No tag with name: ${key} in run with id ${runId}`);
  }

  /** All points when maxResults is undefined; pages otherwise (server/handlers.py: _get_metric_history). */
  async metricHistory(
    runId: string,
    key: string,
    maxResults: number | undefined,
    pageToken: string | undefined,
  ): Promise<SearchResult<Metric>> {
    if (maxResults !== undefined && maxResults <= 0) {
      throw invalidParameter(`Invalid value ${maxResults} for parameter 'max_results' supplied. It must be a positive integer.`);
    }
    const offset = decodeOffsetToken(pageToken);
    const page = await this.store.getMetricHistory(runId, key, offset, maxResults);
    return {
      items: page.items,
      nextPageToken: page.hasMore && maxResults !== undefined ? encodeOffsetToken(offset + maxResults) : undefined,
    };
  }

  /**
   * server/handlers.py: get_metric_history_bulk_handler — the points of `key` in up to 100 runs,
   * ordered by run id, timestamp, step, value, at most `maxResults` (capped at 25,000) in all.
   * Runs that do not exist contribute nothing, as in MLflow's SQL store.
   */
  async metricHistoryBulk(runIds: readonly string[], key: string, maxResults: number): Promise<Metric[]> {
    const limit = Math.min(maxResults, MAX_HISTORY_BULK_RESULTS);
    if (limit <= 0) return [];
    return this.store.getMetricHistoryBulk([...new Set(runIds)].sort(), key, limit);
  }

  /**
   * server/handlers.py: get_metric_history_bulk_interval_impl and SqlAlchemyStore.
   * get_metric_history_bulk_interval — each run sampled on its own, in the order given.
   */
  async metricHistoryBulkInterval(
    runIds: readonly string[],
    key: string,
    maxResults: number,
    steps: { start: number; end: number } | undefined,
  ): Promise<Metric[]> {
    const out: Metric[] = [];
    for (const runId of runIds) out.push(...(await this.store.sampleMetricHistory(runId, key, Math.max(1, maxResults), steps)));
    return out;
  }

  /** server/handlers.py: search_datasets_impl over SqlAlchemyStore._search_datasets (1,000 summaries at most). */
  async searchDatasets(experimentIds: readonly string[]): Promise<DatasetSummary[]> {
    const ids = experimentIds.map(parseExperimentId);
    return this.store.searchDatasetSummaries(ids, MAX_DATASET_SUMMARIES);
  }

  async logInputs(runId: string, datasets: readonly DatasetInput[], modelIds: readonly string[]): Promise<void> {
    validateRunId(runId);
    for (const d of datasets) validateDatasetInput({ tags: d.tags, dataset: { ...d.dataset } });
    const info = await this.activeInfo(runId);
    await this.store.logInputs(runId, info.experimentId, datasets, modelIds);
  }

  async logOutputs(runId: string, outputs: readonly ModelOutput[]): Promise<void> {
    await this.activeInfo(runId);
    await this.store.logOutputs(runId, outputs);
  }

  /**
   * 2.x `log_model`: appends the model's metadata to the run's `mlflow.log-model.history` tag
   * (server/handlers.py: _log_model, sqlalchemy_store.record_logged_model).
   */
  async logModel(runId: string, modelJson: string): Promise<void> {
    let model: unknown;
    try {
      model = JSON.parse(modelJson);
    } catch {
      throw invalidParameter(`Malformed model info. \n ${modelJson} \n is not a valid JSON.`);
    }
    if (typeof model !== 'object' || model === null || Array.isArray(model)) {
      throw invalidParameter(`Malformed model info. \n ${modelJson} \n is not a valid JSON.`);
    }
    const missing = ['artifact_path', 'flavors', 'utc_time_created', 'run_id'].filter((f) => !(f in model));
    if (missing.length > 0) {
      throw invalidParameter(`Model json is missing mandatory fields: {${missing.map((f) => `'${f}'`).join(', ')}}`);
    }
    await this.activeInfo(runId);
    const updated = await this.store.updateRunTag(runId, LOGGED_MODELS_HISTORY_TAG, (old) => {
      let list: unknown[] = [];
      if (old) {
        try {
          const parsed: unknown = JSON.parse(old);
          if (Array.isArray(parsed)) list = parsed;
        } catch {
          // A damaged history is replaced rather than failing every later log_model.
        }
      }
      return JSON.stringify([...list, model]);
    });
    if (!updated) throw runNotFound(runId);
  }

  async search(req: RunSearchRequest): Promise<SearchResult<Run>> {
    const limit = maxResultsOf(RUNS_MAX_RESULTS, req.maxResults);
    const experimentIds = req.experimentIds.map(parseExperimentId);
    const query = offsetQuery(RUNS, req, limit);
    return offsetPageResult(await this.store.searchRuns({ ...query, experimentIds, viewType: req.viewType }), query);
  }
}
