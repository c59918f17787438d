/**
 * Input limits, declared once for the registry, tracking and the native API. MLflow's carry its
 * names (mlflow/utils/validation.py); the others are flowreg's own bounds, so that every backend can
 * store what it accepts.
 */

// mlflow/utils/validation.py
export const MAX_PARAMS_TAGS_PER_BATCH = 100;
export const MAX_METRICS_PER_BATCH = 1000;
export const MAX_ENTITIES_PER_BATCH = 1000;
export const MAX_PARAM_VAL_LENGTH = 6000;
export const MAX_TAG_VAL_LENGTH = 8000;
export const MAX_EXPERIMENT_NAME_LENGTH = 500;
export const MAX_EXPERIMENT_TAG_VAL_LENGTH = 20_000;
export const MAX_ENTITY_KEY_LENGTH = 250;
export const MAX_MODEL_REGISTRY_TAG_KEY_LENGTH = 250;
export const MAX_MODEL_REGISTRY_TAG_VALUE_LENGTH = 100_000;
export const MAX_DATASET_NAME_SIZE = 500;
export const MAX_DATASET_DIGEST_SIZE = 36;
export const MAX_DATASET_SCHEMA_SIZE = 1_048_575;
export const MAX_DATASET_SOURCE_SIZE = 65_535;
export const MAX_DATASET_PROFILE_SIZE = 16_777_215;
export const MAX_INPUT_TAG_KEY_SIZE = 255;
export const MAX_INPUT_TAG_VALUE_SIZE = 500;
export const MAX_REGISTERED_MODEL_ALIAS_LENGTH = 255;
/** The default of MLFLOW_ARTIFACT_LOCATION_MAX_LENGTH (validation._validate_experiment_artifact_location_length). */
export const MAX_ARTIFACT_LOCATION_LENGTH = 2048;

// flowreg's own
export const MAX_REGISTERED_MODEL_NAME_LENGTH = 256;
export const MAX_DESCRIPTION_LENGTH = 1_000_000;
export const MAX_SOURCE_LENGTH = 10_000;
export const MAX_RUN_LINK_LENGTH = 10_000;
/** Run and logged-model ids are 32-hex (or `m-` + 32-hex); 256 leaves room for other id schemes. */
export const MAX_ID_LENGTH = 256;
