/**
 * Experiment operations with MLflow's rules and messages (mlflow/store/tracking/
 * sqlalchemy_store.py, mlflow/server/handlers.py).
 *
 * Deliberate differences: renaming onto a taken name is RESOURCE_ALREADY_EXISTS and renaming a
 * deleted experiment is INVALID_PARAMETER_VALUE (MLflow answers a raw database error and
 * INVALID_STATE, both 5xx-like for clients that retry); a missing `max_results` means 1000.
 */
import { alreadyExists, invalidParameter, notFound } from '../protocol/errors.js';
import type { Clock } from '../domain/clock.js';
import type { SearchResult } from '../domain/search-result.js';
import { StoreConflict } from '../store/store-errors.js';
import { DEFAULT_EXPERIMENT_ID, type Experiment, type ExperimentStore, type Tag, type ViewType } from '../store/tracking-store.js';
import { EXPERIMENTS } from '../search/grammar.js';
import { EXPERIMENTS_MAX_RESULTS, maxResultsOf } from '../search/max-results.js';
import { offsetPageResult, offsetQuery, type SearchRequest } from '../search/search-request.js';
import { appendToUriPath, checkArtifactLocation } from './uri.js';
import { parseExperimentId, validateExperimentName, validateExperimentTag } from './validation.js';

export function experimentNotFound(id: number | string): Error {
  return notFound(`No Experiment with id=${id} exists`);
}

export function checkActiveExperiment(e: Experiment): void {
  if (e.lifecycleStage !== 'active') {
    throw invalidParameter(`The experiment ${e.id} must be in the 'active' state. Current state is ${e.lifecycleStage}.`);
  }
}

export interface ExperimentSearchRequest extends SearchRequest {
  readonly viewType: ViewType;
}

export class Experiments {
  constructor(
    private readonly store: ExperimentStore,
    /** The server's --default-artifact-root, e.g. `mlflow-artifacts:/`. */
    private readonly defaultArtifactRoot: string,
    private readonly now: Clock = Date.now,
  ) {}

  /** Creates experiment 0 (`Default`) if needed; called once when the server starts. */
  async init(): Promise<void> {
    await this.store.ensureDefaultExperiment(this.locationFor(DEFAULT_EXPERIMENT_ID), this.now());
  }

  private locationFor(id: number): string {
    return appendToUriPath(this.defaultArtifactRoot, String(id));
  }

  async create(name: string, artifactLocation: string | undefined, tags: readonly Tag[]): Promise<number> {
    validateExperimentName(name);
    const location = artifactLocation ? checkArtifactLocation(artifactLocation) : null;
    for (const t of tags) validateExperimentTag(t);
    try {
      return await this.store.createExperiment(name, location, tags, this.now(), (id) => this.locationFor(id));
    } catch (err) {
      if (err instanceof StoreConflict) throw alreadyExists(`Experiment(name=${name}) already exists.`);
      throw err;
    }
  }

  /** Any lifecycle stage. An empty id means the default experiment, as in MLflow. */
  async get(rawId: string): Promise<Experiment> {
    const id = rawId === '' ? DEFAULT_EXPERIMENT_ID : parseExperimentId(rawId);
    const e = await this.store.getExperiment(id);
    if (!e) throw experimentNotFound(id);
    return e;
  }

  /** For creating runs and logged models: the experiment must exist and be active. */
  async getActive(rawId: string): Promise<Experiment> {
    const e = await this.get(rawId);
    checkActiveExperiment(e);
    return e;
  }

  async getByName(name: string): Promise<Experiment> {
    const e = await this.store.getExperimentByName(name);
    if (!e) throw notFound(`Could not find experiment with name '${name}'`);
    return e;
  }

  async rename(rawId: string, newName: string): Promise<void> {
    validateExperimentName(newName);
    const e = await this.get(rawId);
    if (e.lifecycleStage !== 'active') throw invalidParameter('Cannot rename a non-active experiment.');
    try {
      await this.store.renameExperiment(e.id, newName, this.now());
    } catch (err) {
      if (err instanceof StoreConflict) throw alreadyExists(`Experiment(name=${newName}) already exists.`);
      throw err;
    }
  }

  async delete(rawId: string): Promise<void> {
    const e = await this.get(rawId);
    if (e.lifecycleStage !== 'active') throw experimentNotFound(e.id);
    await this.store.setExperimentLifecycle(e.id, 'deleted', this.now());
  }

  async restore(rawId: string): Promise<void> {
    const e = await this.get(rawId);
    if (e.lifecycleStage !== 'deleted') throw experimentNotFound(e.id);
    await this.store.setExperimentLifecycle(e.id, 'active', this.now());
  }

  async setTag(rawId: string, key: string, value: string): Promise<void> {
    const tag = { key, value };
    validateExperimentTag(tag);
    const e = await this.get(rawId);
    checkActiveExperiment(e);
    if (!(await this.store.setExperimentTag(e.id, tag))) throw experimentNotFound(e.id);
  }

  async deleteTag(rawId: string, key: string): Promise<void> {
    const e = await this.get(rawId);
    checkActiveExperiment(e);
    if (!(await this.store.deleteExperimentTag(e.id, key))) {
      throw notFound(`No tag with name: ${key} in experiment with id ${rawId}`);
    }
  }

  async search(req: ExperimentSearchRequest): Promise<SearchResult<Experiment>> {
    const query = offsetQuery(EXPERIMENTS, req, maxResultsOf(EXPERIMENTS_MAX_RESULTS, req.maxResults));
    for (const c of query.clauses) {
      if (c.key !== 'experiment_id' || c.entity !== 'attribute') continue;
      for (const id of Array.isArray(c.value) ? c.value : [String(c.value)]) parseExperimentId(id);
    }
    return offsetPageResult(await this.store.searchExperiments({ ...query, viewType: req.viewType }), query);
  }
}
