/**
 * One table per searchable entity: everything in which MLflow's search grammars differ between
 * registered models, model versions, experiments, runs and logged models is a row here, read by
 * the one parser (filter.ts, order-by.ts). Sources: mlflow/utils/search_utils.py (SearchUtils,
 * SearchExperimentsUtils, SearchModelUtils, SearchModelVersionUtils), mlflow/utils/
 * search_logged_model_utils.py and the SQL stores' checks (mlflow/store/{model_registry,tracking}/sqlalchemy_store.py).
 *
 * Messages are MLflow's templates with Python's `%(name)s` placeholders (filled by `fill`).
 */
import type { Comparator, SearchEntity } from '../store/search-query.js';
import type { SplitOptions } from './lexer.js';

/** How a comparison's value is read, which decides the comparators it allows. */
export type ValueKind = 'string' | 'list' | 'numeric' | 'tag' | 'param';

export interface OrderByGrammar {
  /** Entries used when the request gives none. */
  readonly defaults: readonly string[];
  /**
   * Registered models: the key is compared as written (no entity prefix) with this table, alias →
   * canonical key. Otherwise keys resolve as `[entity.]key` like the filter's identifiers.
   */
  readonly rawKeys?: Readonly<Record<string, string>>;
  /** Attribute keys allowed for ordering when they differ from the filter's. */
  readonly attributes?: Readonly<Record<string, string>>;
  /** Entities that may be ordered by; others get `wrongEntity`. */
  readonly entities: readonly SearchEntity[];
  /** Model versions: a `tag.` prefix still names an attribute key. */
  readonly prefixNamesAttribute?: boolean;
  readonly messages: {
    readonly invalidKey?: string;
    readonly wrongEntity?: string;
  };
  readonly rejectDuplicates: boolean;
  /** Appended unless the entity already orders by that attribute (`always`: appended regardless). */
  readonly tieBreakers: readonly { readonly key: string; readonly ascending: boolean; readonly always?: boolean }[];
}

export interface Grammar {
  /** For limits' messages and errors that name the entity. */
  readonly name: string;
  readonly split: SplitOptions;
  /** Entity prefix → entity; an identifier without a prefix is an attribute. */
  readonly prefixes: Readonly<Record<string, SearchEntity>>;
  /** Prefixes that are MLflow's but not served here, with the refusal. */
  readonly refusedPrefixes?: Readonly<Record<string, string>>;
  /** Attribute spelling → canonical key. */
  readonly attributes: Readonly<Record<string, string>>;
  /**
   * The registry checks an attribute key as written, before quotes are removed (so `` `name` `` is
   * refused); the tracking parsers remove quotes and backticks from prefix and key first.
   */
  readonly keyCheckedAsWritten: boolean;
  readonly numeric: ReadonlySet<string>;
  /** 'number': a numeric token (SearchUtils); 'python-int': Python's int() of the value (model versions). */
  readonly numericValue: 'number' | 'python-int';
  /** search_utils.py: *.VALID_..._LIST_ATTRIBUTES / LIST_SUPPORTED_KEYS. */
  readonly lists: readonly string[];
  readonly comparators: Readonly<Record<ValueKind, ReadonlySet<string>>>;
  /** Spellings read as another comparator. */
  readonly comparatorAliases: Readonly<Record<string, Comparator>>;
  /** Tracking parsers check the comparator before the value; the registry checks comparators in the store, after every value. */
  readonly comparatorFirst: boolean;
  readonly messages: {
    readonly unknownEntity: string;
    readonly comparator: Readonly<Record<ValueKind, string>>;
    /** A number where a string attribute is compared. */
    readonly numberForString: string;
    /** A bare name where a string attribute is compared; default: _strip_quotes's message. */
    readonly unquotedString?: string;
  };
  readonly orderBy: OrderByGrammar;
}

const STRING = new Set(['=', '!=', 'LIKE', 'ILIKE']);
const STRING_OR_LIST = new Set(['=', '!=', 'LIKE', 'ILIKE', 'IN', 'NOT IN']);
const LIST = new Set(['IN', 'NOT IN']);
const NUMERIC = new Set(['=', '!=', '<', '<=', '>', '>=']);
const KEY_VALUE_OR_NULL = new Set(['=', '!=', 'LIKE', 'ILIKE', 'IS NULL', 'IS NOT NULL']);

const REGISTRY_PREFIXES: Record<string, SearchEntity> = { attribute: 'attribute', tag: 'tag', tags: 'tag' };
const REGISTRY_ENTITY = "Invalid entity type '%(entity)s'. Valid entity types are ('attribute', 'tag', 'tags')";
/** SearchModelUtils / SearchModelVersionUtils and the registry SQL store's comparator checks. */
const REGISTRY_COMPARATOR_MESSAGES: Record<ValueKind, string> = {
  string: 'Invalid comparator for attribute: %(comparator)s',
  list: 'Invalid comparator for attribute: %(comparator)s',
  numeric: 'Invalid comparator for attribute %(key)s: %(comparator)s',
  tag: 'Invalid comparator for tag: %(comparator)s',
  param: 'Invalid comparator for tag: %(comparator)s',
};
const REGISTRY_COMPARATORS: Record<ValueKind, ReadonlySet<string>> = { string: STRING, list: LIST, numeric: NUMERIC, tag: STRING, param: STRING };
const REGISTRY_SPLIT: SplitOptions = { quoteInvalid: false, nullChecks: false };

export const REGISTERED_MODELS: Grammar = {
  name: 'registered models',
  split: REGISTRY_SPLIT,
  prefixes: REGISTRY_PREFIXES,
  attributes: { name: 'name' },
  keyCheckedAsWritten: true,
  numeric: new Set(),
  numericValue: 'python-int',
  lists: ['name'],
  comparators: REGISTRY_COMPARATORS,
  comparatorAliases: {},
  comparatorFirst: false,
  messages: {
    unknownEntity: REGISTRY_ENTITY,
    comparator: REGISTRY_COMPARATOR_MESSAGES,
    numberForString: 'Expected a quoted string value or a list of quoted string values for attributes. Got value %(value)s',
  },
  orderBy: {
    defaults: [],
    // parse_order_by_for_search_registered_models; creation_timestamp is refused as MLflow's SQL store does.
    rawKeys: { name: 'name', timestamp: 'last_updated_timestamp', last_updated_timestamp: 'last_updated_timestamp' },
    entities: ['attribute'],
    messages: { invalidKey: "Invalid order by key '%(key)s' specified. Valid keys are '{'name', 'timestamp'}'" },
    rejectDuplicates: true,
    tieBreakers: [{ key: 'name', ascending: true }],
  },
};

const MV_ORDER_KEYS = ['creation_timestamp', 'last_updated_timestamp', 'name', 'version_number'];

export const MODEL_VERSIONS: Grammar = {
  ...REGISTERED_MODELS,
  name: 'model versions',
  attributes: { name: 'name', run_id: 'run_id', source_path: 'source_path', version_number: 'version_number' },
  numeric: new Set(['version_number']),
  lists: ['name', 'run_id'],
  messages: {
    ...REGISTERED_MODELS.messages,
    numberForString: "Only the '{'creation_timestamp', 'last_updated_timestamp', 'version_number'}' attributes support comparison with numeric values.",
  },
  orderBy: {
    defaults: ['last_updated_timestamp DESC', 'name ASC', 'version_number DESC'],
    attributes: Object.fromEntries(MV_ORDER_KEYS.map((k) => [k, k])),
    entities: ['attribute'],
    prefixNamesAttribute: true,
    messages: { invalidKey: `Invalid order by key '%(key)s' specified. Valid keys are {${MV_ORDER_KEYS.map((k) => `'${k}'`).join(', ')}}` },
    rejectDuplicates: true,
    tieBreakers: [
      { key: 'name', ascending: true },
      { key: 'version_number', ascending: false },
    ],
  },
};

/** SearchUtils (runs) and SearchExperimentsUtils. */
const TRACKING_COMPARATOR = "Invalid comparator '%(comparator)s' not one of '%(valid)s'";
const TRACKING_COMPARATOR_MESSAGES: Record<ValueKind, string> = {
  string: TRACKING_COMPARATOR,
  list: TRACKING_COMPARATOR,
  numeric: TRACKING_COMPARATOR,
  tag: TRACKING_COMPARATOR,
  param: TRACKING_COMPARATOR,
};
const TRACKING_COMPARATORS: Record<ValueKind, ReadonlySet<string>> = {
  string: STRING_OR_LIST,
  list: LIST,
  numeric: NUMERIC,
  tag: KEY_VALUE_OR_NULL,
  param: KEY_VALUE_OR_NULL,
};
// sqlparse hands these through as written; they mean what SQL says.
const TRACKING_ALIASES: Record<string, Comparator> = { '<>': '!=', '==': '=' };

export const RUNS: Grammar = {
  name: 'runs',
  split: { quoteInvalid: true, nullChecks: true },
  prefixes: {
    metric: 'metric',
    metrics: 'metric',
    parameter: 'param',
    parameters: 'param',
    param: 'param',
    params: 'param',
    tag: 'tag',
    tags: 'tag',
    attribute: 'attribute',
    attributes: 'attribute',
    attr: 'attribute',
    run: 'attribute',
  },
  refusedPrefixes: {
    dataset: 'Searching runs by dataset is not supported by this server.',
    datasets: 'Searching runs by dataset is not supported by this server.',
  },
  attributes: {
    run_id: 'run_id',
    run_name: 'run_name',
    'run name': 'run_name',
    'Run name': 'run_name',
    'Run Name': 'run_name',
    user_id: 'user_id',
    status: 'status',
    start_time: 'start_time',
    created: 'start_time',
    Created: 'start_time',
    end_time: 'end_time',
    artifact_uri: 'artifact_uri',
  },
  keyCheckedAsWritten: false,
  numeric: new Set(['start_time', 'end_time']),
  numericValue: 'number',
  lists: ['run_id'],
  comparators: TRACKING_COMPARATORS,
  comparatorAliases: TRACKING_ALIASES,
  comparatorFirst: true,
  messages: {
    unknownEntity: "Invalid entity type '%(entity)s'. Valid values are ['metric', 'parameter', 'tag', 'attribute', 'dataset']",
    comparator: TRACKING_COMPARATOR_MESSAGES,
    numberForString: 'Expected a quoted string value for attributes. Got value %(value)s',
  },
  orderBy: {
    defaults: [],
    entities: ['attribute', 'metric', 'param', 'tag'],
    messages: {},
    rejectDuplicates: true,
    // SqlAlchemyStore._get_orderby_clauses: start_time DESC unless ordered by it, then run_uuid.
    tieBreakers: [
      { key: 'start_time', ascending: false },
      { key: 'run_id', ascending: true, always: true },
    ],
  },
};

export const EXPERIMENTS: Grammar = {
  ...RUNS,
  name: 'experiments',
  split: { quoteInvalid: false, nullChecks: true },
  prefixes: REGISTRY_PREFIXES,
  refusedPrefixes: {},
  attributes: { name: 'name', experiment_id: 'experiment_id', creation_time: 'creation_time', last_update_time: 'last_update_time' },
  numeric: new Set(['creation_time', 'last_update_time']),
  lists: ['experiment_id'],
  messages: {
    ...RUNS.messages,
    unknownEntity: REGISTRY_ENTITY,
    // MLflow's _strip_quotes message would apply here; this server's test pins this one.
    unquotedString: 'Expected a quoted string value for attributes. Got value %(value)s',
  },
  orderBy: {
    defaults: ['creation_time DESC', 'experiment_id ASC'],
    entities: ['attribute'],
    messages: { wrongEntity: 'Invalid order_by entity: %(entity)s' },
    rejectDuplicates: false,
    tieBreakers: [{ key: 'experiment_id', ascending: false }],
  },
};

/** mlflow/utils/search_logged_model_utils.py and SqlAlchemyStore._apply_order_by_search_logged_models. */
export const LOGGED_MODELS: Grammar = {
  ...RUNS,
  name: 'logged models',
  prefixes: { attributes: 'attribute', metrics: 'metric', params: 'param', tags: 'tag' },
  refusedPrefixes: {},
  attributes: {
    name: 'name',
    model_id: 'model_id',
    model_type: 'model_type',
    status: 'status',
    source_run_id: 'source_run_id',
    creation_timestamp: 'creation_timestamp',
    creation_time: 'creation_timestamp',
    creation_timestamp_ms: 'creation_timestamp',
    last_updated_timestamp: 'last_updated_timestamp',
    last_updated_time: 'last_updated_timestamp',
    last_updated_timestamp_ms: 'last_updated_timestamp',
  },
  numeric: new Set(['creation_timestamp', 'last_updated_timestamp']),
  lists: ['model_id', 'model_type', 'name', 'source_run_id', 'status'],
  comparators: { ...TRACKING_COMPARATORS, tag: STRING, param: STRING },
  messages: {
    ...RUNS.messages,
    unknownEntity: "Invalid entity type: %(entity)r. Expected one of ['attributes', 'metrics', 'params', 'tags'].",
  },
  orderBy: {
    defaults: [],
    entities: ['attribute', 'metric'],
    messages: {},
    rejectDuplicates: false,
    tieBreakers: [
      { key: 'creation_timestamp', ascending: false },
      { key: 'model_id', ascending: true },
    ],
  },
};
