// The benchmark's data set, defined once so that both servers get exactly the same rows and the
// load generator asks both for the same things.
//
// - `models` registered models `model-00000`…, each with 5 tags, VERSIONS_PER_MODEL versions (one
//   tag each) and the alias `champion` → version 2;
// - one registered model `m` with `bigVersions` versions (one tag each), for paging;
// - the search filter: a `name LIKE` prefix plus two tag filters.

export const VERSIONS_PER_MODEL = 3;
export const ALIAS = 'champion';
export const ALIAS_VERSION = 2;
export const BIG_MODEL = 'm';

const TEAMS = 10;
const TIERS = ['gold', 'silver', 'bronze'];
const DOMAINS = ['fraud', 'search', 'ads', 'vision', 'speech', 'risk', 'pricing'];
const REGIONS = ['eu', 'us', 'apac', 'latam'];

export function modelName(i) {
  return `model-${String(i).padStart(5, '0')}`;
}

export function modelTags(i) {
  return [
    ['team', `team-${i % TEAMS}`],
    ['tier', TIERS[i % TIERS.length]],
    ['domain', DOMAINS[i % DOMAINS.length]],
    ['region', REGIONS[i % REGIONS.length]],
    ['owner', `owner-${i % 97}@example.com`],
  ];
}

/**
 * The search: `name LIKE` over a tenth of the models (for 10,000: `model-01%`), plus two tag
 * equalities. Returns the filter and the names that must match.
 */
export function searchFilter(models) {
  // One digit below the highest: `model-01` (1,000 of 10,000 names), `model-001` (100 of 500).
  const digits = String(models - 1).length;
  const stem = '0'.repeat(5 - digits) + '1';
  const prefix = `model-${stem}`;
  const filter = `name LIKE '${prefix}%' AND tags.team = 'team-3' AND tags.tier = 'gold'`;
  const expected = [];
  for (let i = 0; i < models; i++) {
    const name = modelName(i);
    if (name.startsWith(prefix) && i % TEAMS === 3 && TIERS[i % TIERS.length] === 'gold') expected.push(name);
  }
  return { filter, prefix, expected };
}

/** Rows of the data set, backend-neutral. `t0` is the base timestamp (ms). */
export function* registeredModelRows(models, t0) {
  for (let i = 0; i < models; i++) {
    yield { name: modelName(i), created: t0 + i, updated: t0 + i, tags: modelTags(i) };
  }
  yield { name: BIG_MODEL, created: t0 + models, updated: t0 + models, tags: [['kind', 'paging']] };
}

export function* modelVersionRows(models, bigVersions, t0) {
  for (let i = 0; i < models; i++) {
    const name = modelName(i);
    for (let v = 1; v <= VERSIONS_PER_MODEL; v++) {
      yield {
        name,
        version: v,
        created: t0 + i,
        source: `s3://bench-models/${name}/${v}`,
        tags: [['git_sha', `sha-${i}-${v}`]],
      };
    }
  }
  for (let v = 1; v <= bigVersions; v++) {
    yield {
      name: BIG_MODEL,
      version: v,
      created: t0 + models + v,
      source: `s3://bench-models/${BIG_MODEL}/${v}`,
      tags: [['git_sha', `sha-m-${v}`]],
    };
  }
}

export function* aliasRows(models) {
  for (let i = 0; i < models; i++) yield { name: modelName(i), alias: ALIAS, version: ALIAS_VERSION };
}

/** The read requests of the benchmark, as path builders fed by a PRNG. */
export const READS = {
  get_registered_model: (models, rnd) =>
    `/api/2.0/mlflow/registered-models/get?name=${modelName(Math.floor(rnd() * models))}`,
  get_model_version: (models, rnd) =>
    `/api/2.0/mlflow/model-versions/get?name=${modelName(Math.floor(rnd() * models))}&version=${1 + Math.floor(rnd() * VERSIONS_PER_MODEL)}`,
  get_model_version_by_alias: (models, rnd) =>
    `/api/2.0/mlflow/registered-models/alias?name=${modelName(Math.floor(rnd() * models))}&alias=${ALIAS}`,
};

export function searchModelsPath(models) {
  const { filter } = searchFilter(models);
  return `/api/2.0/mlflow/registered-models/search?filter=${encodeURIComponent(filter)}&max_results=100`;
}
