/**
 * The registry's input rules, with MLflow's messages (mlflow/utils/validation.py,
 * mlflow/entities/model_registry/model_version_stages.py) so that clients and scripts that match
 * on them keep working.
 */
import { invalidParameter } from '../protocol/errors.js';
import {
  badPathMessage,
  exceedsMaxLength,
  invalidValue,
  missingValue,
  pathNotUnique,
  posixNormpath,
} from '../protocol/validation-messages.js';
import {
  MAX_DESCRIPTION_LENGTH,
  MAX_ID_LENGTH,
  MAX_MODEL_REGISTRY_TAG_KEY_LENGTH,
  MAX_MODEL_REGISTRY_TAG_VALUE_LENGTH,
  MAX_REGISTERED_MODEL_ALIAS_LENGTH,
  MAX_REGISTERED_MODEL_NAME_LENGTH,
  MAX_RUN_LINK_LENGTH,
  MAX_SOURCE_LENGTH,
} from '../protocol/limits.js';
import { STAGES, type Stage } from '../store/registry-store.js';


/** validation.bad_path_message, with the resolved name in single quotes as MLflow 3's registry prints it. */
function badPath(name: string): string {
  return badPathMessage(`'${posixNormpath(name)}'`);
}

/** validation._validate_model_name (MLflow 3). */
export function validateModelName(name: string, field = 'name'): void {
  if (name.trim() === '') throw invalidParameter(missingValue(field));
  if (name.includes('/') || name.includes(':')) {
    throw invalidParameter(`Invalid model name '${name}'. Names cannot contain '/' or ':'.`);
  }
  if (pathNotUnique(name)) throw invalidParameter(invalidValue(field, name, badPath(name)));
  if (name.length > MAX_REGISTERED_MODEL_NAME_LENGTH) {
    throw invalidParameter(exceedsMaxLength(field, MAX_REGISTERED_MODEL_NAME_LENGTH));
  }
}

/** Python's `\w` matches any Unicode letter or digit, not only ASCII ones. */
const TAG_KEY_CHARS = /^[/\p{L}\p{N}_.\- :]*$/u;

/** validation._validate_registered_model_tag / _validate_model_version_tag. */
export function validateTag(key: string, value: string): void {
  if (!TAG_KEY_CHARS.test(key)) {
    throw invalidParameter(
      invalidValue(
        'key',
        key,
        'Names may only contain alphanumerics, underscores (_), dashes (-), periods (.), spaces ( ), colon(:) and slashes (/).',
      ),
    );
  }
  if (pathNotUnique(key)) throw invalidParameter(invalidValue('key', key, badPath(key)));
  if (key.length > MAX_MODEL_REGISTRY_TAG_KEY_LENGTH) throw invalidParameter(exceedsMaxLength('key', MAX_MODEL_REGISTRY_TAG_KEY_LENGTH));
  if (value.length > MAX_MODEL_REGISTRY_TAG_VALUE_LENGTH) throw invalidParameter(exceedsMaxLength('value', MAX_MODEL_REGISTRY_TAG_VALUE_LENGTH));
}

export function validateDescription(description: string | null): void {
  if (description !== null && description.length > MAX_DESCRIPTION_LENGTH) {
    throw invalidParameter(exceedsMaxLength('description', MAX_DESCRIPTION_LENGTH));
  }
}

/** Upper bounds on a model version's free-form fields, so any backend can store them. */
export function validateVersionFields(fields: {
  source: string;
  runId: string | null;
  runLink: string | null;
  modelId: string | null;
}): void {
  if (fields.source.length > MAX_SOURCE_LENGTH) throw invalidParameter(exceedsMaxLength('source', MAX_SOURCE_LENGTH));
  if ((fields.runId ?? '').length > MAX_ID_LENGTH) throw invalidParameter(exceedsMaxLength('run_id', MAX_ID_LENGTH));
  if ((fields.modelId ?? '').length > MAX_ID_LENGTH) throw invalidParameter(exceedsMaxLength('model_id', MAX_ID_LENGTH));
  if ((fields.runLink ?? '').length > MAX_RUN_LINK_LENGTH) throw invalidParameter(exceedsMaxLength('run_link', MAX_RUN_LINK_LENGTH));
}

/** Python's int(): optional sign and surrounding white space, digits only. */
export function parseVersion(raw: string): number {
  const trimmed = raw.trim();
  if (!/^[+-]?\d+$/.test(trimmed) || !Number.isSafeInteger(Number(trimmed))) {
    throw invalidParameter(`Parameter 'version' must be an integer, got '${raw}'.`);
  }
  return Number(trimmed);
}

const ALIAS_CHARS = /^[\p{L}\p{N}_-]*$/u;

/** validation._validate_model_alias_name. */
export function validateAliasName(alias: string): void {
  if (alias === '') throw invalidParameter('Registered model alias name cannot be empty.');
  if (!ALIAS_CHARS.test(alias)) {
    throw invalidParameter(
      `Invalid alias name: '${alias}'. Names may only contain alphanumerics, underscores (_), and dashes (-).`,
    );
  }
  if (alias.length > MAX_REGISTERED_MODEL_ALIAS_LENGTH) {
    throw invalidParameter(exceedsMaxLength('Registered model alias name', MAX_REGISTERED_MODEL_ALIAS_LENGTH));
  }
}

/** validation._validate_model_alias_name_reserved: `latest` and `v<N>` mean something in model URIs. */
export function validateAliasNotReserved(alias: string): void {
  if (alias.toLowerCase() === 'latest') {
    throw invalidParameter("'latest' alias name (case insensitive) is reserved.");
  }
  if (/^[vV]\d+$/.test(alias)) throw invalidParameter(`Version alias name '${alias}' is reserved.`);
}

/** model_version_stages.get_canonical_stage: case-insensitive, stored in canonical case. */
export function canonicalStage(stage: string): Stage {
  const found = STAGES.find((s) => s.toLowerCase() === stage.toLowerCase());
  if (!found) {
    throw invalidParameter(`Invalid Model Version stage: ${stage}. Value must be one of ${STAGES.join(', ')}.`);
  }
  return found;
}
