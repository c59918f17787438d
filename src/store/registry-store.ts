/**
 * The registry's storage contract. Domain objects here are plain data; the wire format lives in
 * protocol/, the rules (validation, messages) in registry/. One SQL implementation serves SQLite
 * and PostgreSQL (store/sql/registry-sql-store.ts).
 */
import type { SearchQuery } from './search-query.js';

export type { SearchQuery };

/** Prompts are registered models with this tag (mlflow/entities/model_registry/prompt_version.py). */
export const IS_PROMPT_TAG = 'mlflow.prompt.is_prompt';

export interface Tag {
  readonly key: string;
  readonly value: string;
}

export type Stage = 'None' | 'Staging' | 'Production' | 'Archived';
export const STAGES: readonly Stage[] = ['None', 'Staging', 'Production', 'Archived'];

export type ModelVersionStatus = 'PENDING_REGISTRATION' | 'FAILED_REGISTRATION' | 'READY';

export interface ModelVersion {
  readonly name: string;
  readonly version: number;
  readonly creationTime: number;
  readonly lastUpdatedTime: number;
  readonly description: string | null;
  readonly userId: string | null;
  readonly currentStage: Stage;
  readonly source: string;
  readonly runId: string | null;
  readonly runLink: string | null;
  readonly status: ModelVersionStatus;
  readonly statusMessage: string | null;
  readonly storageLocation: string | null;
  readonly modelId: string | null;
  readonly tags: readonly Tag[];
  readonly aliases: readonly string[];
}

export interface Alias {
  readonly alias: string;
  readonly version: number;
}

export interface RegisteredModel {
  readonly name: string;
  readonly creationTime: number;
  readonly lastUpdatedTime: number;
  readonly description: string | null;
  readonly tags: readonly Tag[];
  readonly aliases: readonly Alias[];
  /** The highest live version in each stage that has one. */
  readonly latestVersions: readonly ModelVersion[];
}

export interface NewModelVersion {
  readonly source: string;
  readonly runId: string | null;
  readonly runLink: string | null;
  readonly description: string | null;
  readonly userId: string | null;
  readonly tags: readonly Tag[];
  readonly storageLocation: string | null;
  readonly modelId: string | null;
  readonly status: ModelVersionStatus;
}

export interface Page<T> {
  readonly items: readonly T[];
  /** Whether rows exist beyond this page. */
  readonly hasMore: boolean;
}

/**
 * A registry search. Clauses are on `attribute`s (registered models: name; model versions: name,
 * run_id, source_path, version_number) and `tag`s; order keys are attributes.
 */
export interface RegistrySearch extends SearchQuery {
  /** Leave out every registered model (and its versions) carrying this tag (the registry's prompt rule). */
  readonly excludeTaggedModels?: Tag;
}

/**
 * Mutations that target something missing return `false`/`undefined`; the registry turns that into
 * MLflow's RESOURCE_DOES_NOT_EXIST message. Every method is one transaction.
 */
export interface RegistryStore {
  createRegisteredModel(name: string, description: string | null, tags: readonly Tag[], now: number): Promise<RegisteredModel>;
  getRegisteredModel(name: string): Promise<RegisteredModel | undefined>;
  /** @throws StoreConflict when newName is taken. */
  renameRegisteredModel(name: string, newName: string, now: number): Promise<RegisteredModel | undefined>;
  updateRegisteredModel(name: string, description: string | null, now: number): Promise<RegisteredModel | undefined>;
  deleteRegisteredModel(name: string): Promise<boolean>;
  setRegisteredModelTag(name: string, tag: Tag): Promise<boolean>;
  deleteRegisteredModelTag(name: string, key: string): Promise<boolean>;
  searchRegisteredModels(query: RegistrySearch): Promise<Page<RegisteredModel>>;

  /** Allocates the next number atomically; undefined when the registered model does not exist. */
  createModelVersion(name: string, fields: NewModelVersion, now: number): Promise<ModelVersion | undefined>;
  getModelVersion(name: string, version: number): Promise<ModelVersion | undefined>;
  updateModelVersion(name: string, version: number, description: string | null, now: number): Promise<ModelVersion | undefined>;
  /** Moves a version to a stage; with archiveExisting, other versions in that stage go to Archived. */
  transitionModelVersionStage(
    name: string,
    version: number,
    stage: Stage,
    archiveExisting: boolean,
    now: number,
  ): Promise<ModelVersion | undefined>;
  /** Soft delete: the number stays taken, aliases pointing at it go. */
  deleteModelVersion(name: string, version: number, now: number): Promise<boolean>;
  setModelVersionStatus(name: string, version: number, status: ModelVersionStatus, message: string | null, now: number): Promise<boolean>;
  setModelVersionTag(name: string, version: number, tag: Tag): Promise<boolean>;
  deleteModelVersionTag(name: string, version: number, key: string): Promise<boolean>;
  getLatestVersions(name: string, stages: readonly Stage[]): Promise<readonly ModelVersion[] | undefined>;
  searchModelVersions(query: RegistrySearch): Promise<Page<ModelVersion>>;

  /** false when the model or the version does not exist. */
  setAlias(name: string, alias: string, version: number): Promise<'ok' | 'no-model' | 'no-version'>;
  deleteAlias(name: string, alias: string): Promise<boolean>;
  /** The alias target; undefined version when the alias is unknown; undefined result when the model is. */
  getAliasVersion(name: string, alias: string): Promise<{ version: number | undefined } | undefined>;
}
