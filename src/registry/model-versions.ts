/**
 * Model-version and alias operations (mlflow/store/model_registry/sqlalchemy_store.py and the
 * handlers in mlflow/server/handlers.py), with MLflow's messages.
 */
import { invalidParameter, notFound } from '../protocol/errors.js';
import { MODEL_VERSIONS } from '../search/grammar.js';
import { maxResultsOf, MODEL_VERSIONS_MAX_RESULTS } from '../search/max-results.js';
import { offsetPageResult, offsetQuery, type SearchRequest } from '../search/search-request.js';
import { excludingPrompts } from './prompts.js';
import {
  IS_PROMPT_TAG,
  type ModelVersion,
  type ModelVersionStatus,
  type RegistryStore,
  type Stage,
  type Tag,
} from '../store/registry-store.js';
import { NO_LINEAGE, type Lineage } from '../domain/lineage.js';
import { parseModelUri } from './model-uri.js';
import { resolveSource, type VersionLookup } from './model-version-sources.js';
import { modelNotFound } from './registered-models.js';
import { type Clock } from '../domain/clock.js';
import { type SearchResult } from '../domain/search-result.js';
import {
  canonicalStage,
  validateAliasName,
  validateAliasNotReserved,
  validateDescription,
  validateModelName,
  validateTag,
  validateVersionFields,
} from './validation.js';

export function versionNotFound(name: string, version: number | string): Error {
  return notFound(`Model Version (name=${name}, version=${version}) not found`);
}

export interface NewVersionRequest {
  readonly source: string;
  readonly runId: string | null;
  readonly runLink: string | null;
  readonly description: string | null;
  readonly tags: readonly Tag[];
  readonly modelId: string | null;
  /** READY unless given: a version whose files are still being uploaded starts PENDING_REGISTRATION. */
  readonly status?: ModelVersionStatus;
}

export class ModelVersions implements VersionLookup {
  constructor(
    private readonly store: RegistryStore,
    private readonly lineage: Lineage = NO_LINEAGE,
    private readonly now: Clock = Date.now,
  ) {}

  async create(name: string, req: NewVersionRequest): Promise<ModelVersion> {
    validateModelName(name);
    for (const t of req.tags) validateTag(t.key, t.value);
    validateDescription(req.description);
    validateVersionFields(req);
    // handlers._is_prompt_request: the last value of the tag wins, and only "true" counts.
    const promptTag = [...req.tags].reverse().find((t) => t.key === IS_PROMPT_TAG);
    const isPrompt = promptTag?.value.toLowerCase() === 'true';
    const resolved = await resolveSource({ ...req, isPrompt }, this.lineage, this);
    // Versions are READY at once: the client polls while a version is PENDING_REGISTRATION.
    const created = await this.store.createModelVersion(
      name,
      {
        source: resolved.source,
        // MLflow stores absent strings as '' (the proto default) and returns them so; run_id
        // filters such as `run_id != 'x'` see versions without a run.
        runId: resolved.runId ?? '',
        runLink: req.runLink ?? '',
        description: req.description ?? '',
        userId: null,
        tags: req.tags,
        storageLocation: resolved.storageLocation,
        modelId: resolved.modelId || null,
        status: req.status ?? 'READY',
      },
      this.now(),
    );
    if (!created) throw modelNotFound(name);
    if (created.modelId) await this.lineage.linkModelVersion(created.modelId, name, created.version);
    return created;
  }

  async get(name: string, version: number): Promise<ModelVersion> {
    validateModelName(name);
    const mv = await this.store.getModelVersion(name, version);
    if (!mv) throw versionNotFound(name, version);
    return mv;
  }

  async update(name: string, version: number, description: string | null): Promise<ModelVersion> {
    validateModelName(name);
    validateDescription(description);
    const mv = await this.store.updateModelVersion(name, version, description, this.now());
    if (!mv) throw versionNotFound(name, version);
    return mv;
  }

  async transitionStage(name: string, version: number, stage: string, archiveExisting: boolean): Promise<ModelVersion> {
    validateModelName(name);
    const canonical = canonicalStage(stage);
    if (archiveExisting && canonical !== 'Staging' && canonical !== 'Production') {
      // MLflow raises this without an error code (so a 500 the client retries); it is bad input.
      throw invalidParameter(
        `Model version transition cannot archive existing model versions because '${stage}' is not an Active stage. ` +
          `Valid stages are ['Staging', 'Production']`,
      );
    }
    const mv = await this.store.transitionModelVersionStage(name, version, canonical, archiveExisting, this.now());
    if (!mv) throw versionNotFound(name, version);
    return mv;
  }

  async delete(name: string, version: number): Promise<void> {
    validateModelName(name);
    if (!(await this.store.deleteModelVersion(name, version, this.now()))) throw versionNotFound(name, version);
  }

  /** Moves a version between PENDING_REGISTRATION, READY and FAILED_REGISTRATION. */
  async setStatus(name: string, version: number, status: ModelVersionStatus, message: string | null): Promise<void> {
    validateModelName(name);
    if (!(await this.store.setModelVersionStatus(name, version, status, message, this.now()))) {
      throw versionNotFound(name, version);
    }
  }

  async setTag(name: string, version: number, key: string, value: string): Promise<void> {
    validateModelName(name);
    validateTag(key, value);
    if (!(await this.store.setModelVersionTag(name, version, { key, value }))) throw versionNotFound(name, version);
  }

  async deleteTag(name: string, version: number, key: string): Promise<void> {
    validateModelName(name);
    validateTag(key, '');
    if (!(await this.store.deleteModelVersionTag(name, version, key))) throw versionNotFound(name, version);
  }

  async latest(name: string, stages: readonly string[]): Promise<readonly ModelVersion[]> {
    validateModelName(name);
    const canonical = [...new Set(stages.map(canonicalStage))] as Stage[];
    const versions = await this.store.getLatestVersions(name, canonical);
    if (!versions) throw modelNotFound(name);
    return versions;
  }

  /** storage_location or source (sqlalchemy_store.get_model_version_download_uri). */
  async downloadUri(name: string, version: number): Promise<string> {
    const mv = await this.get(name, version);
    return mv.storageLocation || mv.source;
  }

  async search(req: SearchRequest): Promise<SearchResult<ModelVersion>> {
    const query = offsetQuery(MODEL_VERSIONS, req, maxResultsOf(MODEL_VERSIONS_MAX_RESULTS, req.maxResults));
    return offsetPageResult(await this.store.searchModelVersions(excludingPrompts(query)), query);
  }

  // ---- aliases -----------------------------------------------------------------------------

  async setAlias(name: string, alias: string, version: number): Promise<void> {
    validateModelName(name);
    validateAliasName(alias);
    validateAliasNotReserved(alias);
    const outcome = await this.store.setAlias(name, alias, version);
    if (outcome === 'no-model') throw modelNotFound(name);
    if (outcome === 'no-version') throw versionNotFound(name, version);
  }

  async deleteAlias(name: string, alias: string): Promise<void> {
    validateModelName(name);
    validateAliasName(alias);
    if (!(await this.store.deleteAlias(name, alias))) throw modelNotFound(name);
  }

  /** `latest` (any case) is the highest live version; an unknown alias is a 400, as in MLflow. */
  async byAlias(name: string, alias: string): Promise<ModelVersion> {
    validateModelName(name);
    validateAliasName(alias);
    if (alias.toLowerCase() === 'latest') {
      const versions = await this.latest(name, []);
      const highest = versions.reduce<ModelVersion | undefined>((a, b) => (!a || b.version > a.version ? b : a), undefined);
      if (!highest) throw notFound(`Latest version not found for model ${name}.`);
      return highest;
    }
    const target = await this.store.getAliasVersion(name, alias);
    if (!target) throw modelNotFound(name);
    if (target.version === undefined) throw invalidParameter(`Registered model alias ${alias} not found.`);
    return this.get(name, target.version);
  }

  /** Resolves `models:/name/1`, `@alias`, `/Stage` and `/latest` to one live version. */
  async resolveModelUri(uri: string) {
    const parsed = parseModelUri(uri);
    let mv: ModelVersion;
    switch (parsed.kind) {
      case 'version':
        mv = await this.get(parsed.name, parsed.version);
        break;
      case 'alias':
        mv = await this.byAlias(parsed.name, parsed.alias);
        break;
      case 'latest':
      case 'stage': {
        const versions = await this.latest(parsed.name, parsed.kind === 'stage' ? [parsed.stage] : []);
        const highest = versions.reduce<ModelVersion | undefined>((a, b) => (!a || b.version > a.version ? b : a), undefined);
        if (!highest) throw notFound(`No versions of model with name '${parsed.name}' found`);
        mv = highest;
        break;
      }
      case 'logged-model':
        throw invalidParameter(`Invalid model version source: '${uri}'.`);
    }
    return {
      name: mv.name,
      version: mv.version,
      runId: mv.runId,
      modelId: mv.modelId,
      downloadUri: mv.storageLocation || mv.source,
    };
  }
}
