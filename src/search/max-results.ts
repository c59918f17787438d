/**
 * `max_results` of every search, checked by one function; each entity's default, maximum and
 * MLflow's messages are data in its grammar table (grammar.ts).
 */
import { invalidParameter } from '../protocol/errors.js';
import { requestWrongType } from '../protocol/validation-messages.js';
import { fill } from './filter.js';

export interface MaxResultsRange {
  /** Used when the request has none. */
  readonly default: number;
  /** undefined: no upper bound (logged models). */
  readonly max: number | undefined;
  /** Logged models: 0 also means the default (`max_results or DEFAULT`). */
  readonly zeroMeansDefault?: boolean;
  /** The smallest accepted value. */
  readonly min: number;
  /** `%(value)s`, `%(max)s` placeholders. */
  readonly belowMin: string;
  /** A message template, or 'wrong-type' for the request decoder's type error (runs: the proto field is an int32). */
  readonly aboveMax: string | 'wrong-type';
}

/** The page size to use: the requested one, or the entity's default; out of range → 400. */
export function maxResultsOf(range: MaxResultsRange, requested: number | undefined): number {
  if (requested === undefined || (range.zeroMeansDefault && requested === 0)) return range.default;
  if (!Number.isInteger(requested) || requested < range.min) {
    throw invalidParameter(fill(range.belowMin, { value: requested, max: range.max }));
  }
  if (range.max !== undefined && requested > range.max) {
    if (range.aboveMax === 'wrong-type') throw requestWrongType('max_results', requested);
    throw invalidParameter(fill(range.aboveMax, { value: requested, max: range.max }));
  }
  return requested;
}

/** mlflow/store/model_registry: SEARCH_REGISTERED_MODEL_MAX_RESULTS_* and the store's check. */
const REGISTRY_BELOW = 'Invalid value for max_results. It must be a positive integer, but got %(value)s';
const REGISTRY_ABOVE = 'Invalid value for request parameter max_results. It must be at most %(max)s, but got value %(value)s';
export const REGISTERED_MODELS_MAX_RESULTS: MaxResultsRange = { default: 100, max: 1000, min: 1, belowMin: REGISTRY_BELOW, aboveMax: REGISTRY_ABOVE };
/** The client's default page size (SEARCH_MODEL_VERSION_MAX_RESULTS_DEFAULT); the proto default is the max. */
export const MODEL_VERSIONS_MAX_RESULTS: MaxResultsRange = { ...REGISTERED_MODELS_MAX_RESULTS, default: 10_000, max: 200_000 };

/** sqlalchemy_store._validate_max_results_param (SEARCH_MAX_RESULTS_DEFAULT / _THRESHOLD). */
export const EXPERIMENTS_MAX_RESULTS: MaxResultsRange = {
  default: 1000,
  max: 50_000,
  min: 1,
  belowMin: "Invalid value %(value)s for parameter 'max_results' supplied. It must be a positive integer",
  aboveMax: "Invalid value %(value)s for parameter 'max_results' supplied. It must be at most %(max)s",
};
export const RUNS_MAX_RESULTS: MaxResultsRange = { ...EXPERIMENTS_MAX_RESULTS, aboveMax: 'wrong-type' };

/** SearchLoggedModels: `max_results or SEARCH_LOGGED_MODEL_MAX_RESULTS_DEFAULT`, negatives refused. */
export const LOGGED_MODELS_MAX_RESULTS: MaxResultsRange = {
  default: 100,
  max: undefined,
  zeroMeansDefault: true,
  min: 0,
  belowMin: "Invalid value %(value)s for parameter 'max_results' supplied.",
  aboveMax: '',
};
