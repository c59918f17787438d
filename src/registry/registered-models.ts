/**
 * Registered-model operations: the rules and MLflow's messages around the store
 * (mlflow/store/model_registry/sqlalchemy_store.py).
 */
import { alreadyExists, notFound } from '../protocol/errors.js';
import { REGISTERED_MODELS } from '../search/grammar.js';
import { maxResultsOf, REGISTERED_MODELS_MAX_RESULTS } from '../search/max-results.js';
import { offsetPageResult, offsetQuery, type SearchRequest } from '../search/search-request.js';
import { IS_PROMPT_TAG, type RegisteredModel, type RegistryStore, type Tag } from '../store/registry-store.js';
import { StoreConflict } from '../store/store-errors.js';
import { validateDescription, validateModelName, validateTag } from './validation.js';
import type { Clock } from '../domain/clock.js';
import type { SearchResult } from '../domain/search-result.js';
import { excludingPrompts } from './prompts.js';

export function modelNotFound(name: string): Error {
  return notFound(`Registered Model with name=${name} not found`);
}

export class RegisteredModels {
  constructor(
    private readonly store: RegistryStore,
    private readonly now: Clock = Date.now,
  ) {}

  async create(name: string, tags: readonly Tag[], description: string | null): Promise<RegisteredModel> {
    validateModelName(name);
    for (const t of tags) validateTag(t.key, t.value);
    validateDescription(description);
    try {
      return await this.store.createRegisteredModel(name, description, tags, this.now());
    } catch (err) {
      if (err instanceof StoreConflict) throw await this.conflict(name, tags);
      throw err;
    }
  }

  /** mlflow/prompt/registry_utils.py: handle_resource_already_exist_error. */
  private async conflict(name: string, newTags: readonly Tag[]): Promise<Error> {
    const existing = await this.store.getRegisteredModel(name);
    const isPrompt = (tags: readonly Tag[] | undefined) => tags?.some((t) => t.key === IS_PROMPT_TAG) ?? false;
    const oldEntity = isPrompt(existing?.tags) ? 'Prompt' : 'Registered Model';
    const newEntity = isPrompt(newTags) ? 'Prompt' : 'Registered Model';
    if (oldEntity !== newEntity) {
      return alreadyExists(
        `Tried to create a ${newEntity.toLowerCase()} with name '${name}', but the name is already taken by a ` +
          `${oldEntity.toLowerCase()}. MLflow does not allow creating a model and a prompt with the same name.`,
      );
    }
    return alreadyExists(`${newEntity} (name=${name}) already exists.`);
  }

  async get(name: string): Promise<RegisteredModel> {
    validateModelName(name);
    const model = await this.store.getRegisteredModel(name);
    if (!model) throw modelNotFound(name);
    return model;
  }

  async rename(name: string, newName: string): Promise<RegisteredModel> {
    validateModelName(name);
    validateModelName(newName, 'new_name');
    try {
      const model = await this.store.renameRegisteredModel(name, newName, this.now());
      if (!model) throw modelNotFound(name);
      return model;
    } catch (err) {
      if (err instanceof StoreConflict) throw alreadyExists(`Registered Model (name=${newName}) already exists.`);
      throw err;
    }
  }

  async update(name: string, description: string | null): Promise<RegisteredModel> {
    validateModelName(name);
    validateDescription(description);
    const model = await this.store.updateRegisteredModel(name, description, this.now());
    if (!model) throw modelNotFound(name);
    return model;
  }

  async delete(name: string): Promise<void> {
    validateModelName(name);
    if (!(await this.store.deleteRegisteredModel(name))) throw modelNotFound(name);
  }

  async setTag(name: string, key: string, value: string): Promise<void> {
    validateModelName(name);
    validateTag(key, value);
    if (!(await this.store.setRegisteredModelTag(name, { key, value }))) throw modelNotFound(name);
  }

  async deleteTag(name: string, key: string): Promise<void> {
    validateModelName(name);
    validateTag(key, '');
    if (!(await this.store.deleteRegisteredModelTag(name, key))) throw modelNotFound(name);
  }

  async search(req: SearchRequest): Promise<SearchResult<RegisteredModel>> {
    const query = offsetQuery(REGISTERED_MODELS, req, maxResultsOf(REGISTERED_MODELS_MAX_RESULTS, req.maxResults));
    return offsetPageResult(await this.store.searchRegisteredModels(excludingPrompts(query)), query);
  }
}
