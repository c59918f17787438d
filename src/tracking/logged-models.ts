/**
 * MLflow 3 logged models (mlflow/store/tracking/sqlalchemy_store.py: create_logged_model …
 * search_logged_models) with MLflow's messages and page tokens.
 *
 * The `mlflow.modelVersions` tag lists the registered versions built from a model. The registry
 * appends to it when a version is created (lineage.ts), and 3.x clients append the same entry
 * again right after; entries repeating a (name, version) pair are dropped when that tag is set, so
 * the list stays a list of distinct versions.
 */
import { randomUUID } from 'node:crypto';
import { invalidParameter, notFound } from '../protocol/errors.js';
import { pythonJsonDumps } from '../protocol/python-json.js';
import { pythonRepr } from '../protocol/python-repr.js';
import type { Clock } from '../domain/clock.js';
import type { SearchResult } from '../domain/search-result.js';
import { LOGGED_MODEL_STATUSES, type LoggedModel, type LoggedModelStatus, type LoggedModelStore, type Tag } from '../store/tracking-store.js';
import type { Experiments } from './experiments.js';
import { randomName } from './names.js';
import { parseFilter } from '../search/filter.js';
import { LOGGED_MODELS } from '../search/grammar.js';
import { LOGGED_MODELS_MAX_RESULTS, maxResultsOf } from '../search/max-results.js';
import { parseFieldOrderBy } from '../search/order-by.js';
import { appendToUriPath } from './uri.js';
import { parseExperimentId, validateLoggedModelName } from './validation.js';

export const MODEL_VERSIONS_TAG = 'mlflow.modelVersions';
export function loggedModelNotFound(modelId: string): Error {
  return notFound(`Logged model with ID '${modelId}' not found.`);
}

/** A status as its enum name or number (proto JSON accepts both). */
export function parseLoggedModelStatus(value: unknown): LoggedModelStatus {
  if (typeof value === 'number' && Number.isInteger(value)) {
    const s = LOGGED_MODEL_STATUSES[value];
    if (s) return s;
  }
  if (typeof value === 'string') {
    const s = LOGGED_MODEL_STATUSES.find((n) => n === value) ?? (/^\d+$/.test(value) ? LOGGED_MODEL_STATUSES[Number(value)] : undefined);
    if (s) return s;
  }
  throw invalidParameter(`Unknown model status: ${typeof value === 'string' ? value : JSON.stringify(value)}`);
}

export interface NewLoggedModelRequest {
  readonly experimentId: string;
  readonly name: string | undefined;
  readonly modelType: string | undefined;
  readonly sourceRunId: string | undefined;
  readonly params: readonly Tag[];
  readonly tags: readonly Tag[];
}

/**
 * An order_by entry as the wire sends it (SearchLoggedModels.OrderBy). It is also written back
 * into page tokens as is, since MLflow compares a token's order_by with the request's.
 */
export interface LoggedModelOrderBy {
  readonly field_name: string;
  readonly ascending?: boolean;
  readonly dataset_name?: string;
  readonly dataset_digest?: string;
}

/** A `datasets` entry (SearchLoggedModels.Dataset); a missing digest is absent, not empty. */
export interface LoggedModelDatasetFilter {
  readonly dataset_name?: string;
  readonly dataset_digest?: string;
}

export interface LoggedModelSearchRequest {
  readonly experimentIds: readonly string[];
  readonly filter: string | undefined;
  readonly datasets: readonly LoggedModelDatasetFilter[];
  readonly maxResults: number | undefined;
  readonly orderBy: readonly LoggedModelOrderBy[];
  readonly pageToken: string | undefined;
}

interface PageToken {
  experiment_ids: string[];
  filter_string: string | null;
  order_by: LoggedModelOrderBy[] | null;
  offset: number;
}

/** base64 of `{"experiment_ids": …, "filter_string": …, "order_by": …, "offset": N}` (SearchLoggedModelsPaginationToken). */
function encodeToken(t: PageToken): string {
  const json = `{"experiment_ids": ${JSON.stringify(t.experiment_ids)}, "filter_string": ${JSON.stringify(t.filter_string)}, "order_by": ${JSON.stringify(t.order_by)}, "offset": ${t.offset}}`;
  return Buffer.from(json, 'utf8').toString('base64');
}

function decodeToken(token: string): PageToken {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64').toString('utf8'));
  } catch (err) {
    throw invalidParameter(`Invalid page token: ${token}. ${(err as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw invalidParameter(`Invalid page token: ${token}.`);
  const p = parsed as Record<string, unknown>;
  const offset = typeof p.offset === 'number' && Number.isSafeInteger(p.offset) && p.offset >= 0 ? p.offset : 0;
  return {
    experiment_ids: Array.isArray(p.experiment_ids) ? p.experiment_ids.map(String) : [],
    filter_string: typeof p.filter_string === 'string' && p.filter_string !== '' ? p.filter_string : null,
    order_by: Array.isArray(p.order_by) && p.order_by.length > 0 ? (p.order_by as LoggedModelOrderBy[]) : null,
    offset,
  };
}

/** Drops entries that repeat an earlier (name, version); versions compare as strings. */
export function dedupeModelVersions(value: string): string {
  let list: unknown;
  try {
    list = JSON.parse(value);
  } catch {
    return value;
  }
  if (!Array.isArray(list)) return value;
  const seen = new Set<string>();
  const kept = list.filter((e) => {
    if (typeof e !== 'object' || e === null) return true;
    const k = `${String((e as Record<string, unknown>).name)}\u0000${String((e as Record<string, unknown>).version)}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  return kept.length === list.length ? value : pythonJsonDumps(kept);
}

export class LoggedModels {
  constructor(
    private readonly store: LoggedModelStore,
    private readonly experiments: Experiments,
    private readonly now: Clock = Date.now,
  ) {}

  async create(req: NewLoggedModelRequest): Promise<LoggedModel> {
    if (req.name !== undefined) validateLoggedModelName(req.name);
    const experiment = await this.experiments.getActive(req.experimentId);
    const modelId = `m-${randomUUID().replace(/-/g, '')}`;
    return this.store.createLoggedModel({
      modelId,
      experimentId: experiment.id,
      name: req.name ?? randomName(),
      artifactLocation: appendToUriPath(experiment.artifactLocation, 'models', modelId, 'artifacts'),
      modelType: req.modelType ?? null,
      sourceRunId: req.sourceRunId ?? null,
      tags: req.tags,
      params: req.params,
      now: this.now(),
    });
  }

  async get(modelId: string, allowDeleted = false): Promise<LoggedModel> {
    const model = await this.store.getLoggedModel(modelId, allowDeleted);
    if (!model) throw loggedModelNotFound(modelId);
    return model;
  }

  /** The model, or undefined when there is none (for the registry's lineage). */
  async find(modelId: string): Promise<LoggedModel | undefined> {
    return this.store.getLoggedModel(modelId, false);
  }

  async finalize(modelId: string, status: LoggedModelStatus): Promise<LoggedModel> {
    const model = await this.store.finalizeLoggedModel(modelId, status, this.now());
    if (!model) throw loggedModelNotFound(modelId);
    return model;
  }

  async delete(modelId: string): Promise<void> {
    if (!(await this.store.deleteLoggedModel(modelId, this.now()))) throw loggedModelNotFound(modelId);
  }

  async setTags(modelId: string, tags: readonly Tag[]): Promise<void> {
    const cleaned = tags.map((t) => (t.key === MODEL_VERSIONS_TAG ? { key: t.key, value: dedupeModelVersions(t.value) } : t));
    if (!(await this.store.setLoggedModelTags(modelId, cleaned))) throw loggedModelNotFound(modelId);
  }

  async deleteTag(modelId: string, key: string): Promise<void> {
    const outcome = await this.store.deleteLoggedModelTag(modelId, key);
    if (outcome === 'no-model') throw loggedModelNotFound(modelId);
    if (outcome === 'no-tag') {
      throw notFound(`No tag with key ${pythonRepr(key)} found for model with ID ${pythonRepr(modelId)}.`);
    }
  }

  async logParams(modelId: string, params: readonly Tag[]): Promise<void> {
    if (!(await this.store.logLoggedModelParams(modelId, params))) throw loggedModelNotFound(modelId);
  }

  /** Appends `{"name": …, "version": …}` to the model's `mlflow.modelVersions` list, once. */
  async linkModelVersion(modelId: string, name: string, version: number): Promise<boolean> {
    return this.store.updateLoggedModelTag(
      modelId,
      MODEL_VERSIONS_TAG,
      (old) => {
        let list: unknown[] = [];
        if (old) {
          try {
            const parsed: unknown = JSON.parse(old);
            if (Array.isArray(parsed)) list = parsed;
          } catch {
            // An unreadable value is replaced by a fresh list.
          }
        }
        // Written as MLflow's json.dumps writes it (abstract_store.py: set_model_versions_tags).
        return dedupeModelVersions(pythonJsonDumps([...list, { name, version }]));
      },
    );
  }

  async search(req: LoggedModelSearchRequest): Promise<SearchResult<LoggedModel>> {
    if (req.datasets.some((d) => !d.dataset_name)) {
      throw invalidParameter('`dataset_name` in the `datasets` clause must be specified.');
    }
    const experimentIds = req.experimentIds.map(parseExperimentId);
    const filter = req.filter || null;
    const orderBy = req.orderBy.length > 0 ? [...req.orderBy] : null;
    let offset = 0;
    if (req.pageToken) {
      const token = decodeToken(req.pageToken);
      if (JSON.stringify(token.experiment_ids) !== JSON.stringify(req.experimentIds)) {
        throw invalidParameter(
          'Experiment IDs in the page token do not match the requested experiment IDs. ' +
            `Expected: ${pythonRepr([...req.experimentIds])}. Found: ${pythonRepr(token.experiment_ids)}`,
        );
      }
      if (token.filter_string !== filter) {
        throw invalidParameter(
          'Filter string in the page token does not match the requested filter string. ' +
            `Expected: ${filter ?? 'None'}. Found: ${token.filter_string ?? 'None'}`,
        );
      }
      if (JSON.stringify(token.order_by) !== JSON.stringify(orderBy)) {
        throw invalidParameter('Order by in the page token does not match the requested order by.');
      }
      offset = token.offset;
    }
    const maxResults = maxResultsOf(LOGGED_MODELS_MAX_RESULTS, req.maxResults);
    const page = await this.store.searchLoggedModels({
      experimentIds,
      clauses: parseFilter(LOGGED_MODELS, req.filter),
      // server/handlers.py _search_logged_models passes `dataset_digest or None`, and the SQL store
      // then compares `dataset_digest == None`: a dataset given without a digest matches the
      // metrics logged without one.
      datasets: req.datasets.map((d) => ({ name: d.dataset_name ?? '', digest: d.dataset_digest || null })),
      orderBy: parseFieldOrderBy(
        LOGGED_MODELS,
        req.orderBy.map((ob) => ({
          field: ob.field_name,
          ascending: ob.ascending,
          ...(ob.dataset_name || ob.dataset_digest ? { dataset: { name: ob.dataset_name ?? '', digest: ob.dataset_digest } } : {}),
        })),
      ),
      offset,
      limit: maxResults,
    });
    return {
      items: page.items,
      nextPageToken: page.hasMore
        ? encodeToken({ experiment_ids: [...req.experimentIds], filter_string: filter, order_by: orderBy, offset: offset + maxResults })
        : undefined,
    };
  }
}
