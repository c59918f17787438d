import { describe, it, expect } from 'vitest';
import { expectInvalid } from './expect-invalid.js';
import { MODEL_VERSIONS, REGISTERED_MODELS } from '../../src/search/grammar.js';
import { parseOrderBy } from '../../src/search/order-by.js';
import type { SortKey } from '../../src/store/search-query.js';

// These cases were written for the registry's own parser, whose keys were all attributes and
// carried no entity; the shared parser's keys are read back in that shape.
type OrderByClause = Omit<SortKey, 'entity'>;
const asWritten = (keys: SortKey[]): OrderByClause[] =>
  keys.map(({ entity, ...rest }) => {
    expect(entity).toBe('attribute');
    return rest;
  });
const parseRegisteredModelOrderBy = (orderBy: readonly string[] | undefined) => asWritten(parseOrderBy(REGISTERED_MODELS, orderBy));
const parseModelVersionOrderBy = (orderBy: readonly string[] | undefined) => asWritten(parseOrderBy(MODEL_VERSIONS, orderBy));

const asc = (key: string): OrderByClause => ({ key, ascending: true });
const desc = (key: string): OrderByClause => ({ key, ascending: false });
const couldNotParse = (clause: string): string => `Invalid order_by clause '${clause}'. Could not be parsed.`;

describe('parseRegisteredModelOrderBy', () => {
  it.each<readonly [readonly string[] | undefined, OrderByClause[]]>([
    [undefined, [asc('name')]],
    [[], [asc('name')]],
    [['name'], [asc('name')]],
    [['name ASC'], [asc('name')]],
    [['name asc'], [asc('name')]],
    [['name DESC'], [desc('name')]],
    [['name DeSc'], [desc('name')]],
    [['name  DESC'], [desc('name')]],
    [['name\tDESC'], [desc('name')]],
    [['`name` DESC'], [desc('name')]],
    [['"name" ASC'], [asc('name')]],
    [['timestamp'], [asc('last_updated_timestamp'), asc('name')]],
    [['timestamp DESC'], [desc('last_updated_timestamp'), asc('name')]],
    [['timestamp desc'], [desc('last_updated_timestamp'), asc('name')]],
    [['timestamp  ASC'], [asc('last_updated_timestamp'), asc('name')]],
    [['last_updated_timestamp'], [asc('last_updated_timestamp'), asc('name')]],
    [['last_updated_timestamp DESC'], [desc('last_updated_timestamp'), asc('name')]],
    [['last_updated_timestamp ASC', 'name DESC'], [asc('last_updated_timestamp'), desc('name')]],
    [['name DESC', 'timestamp ASC'], [desc('name'), asc('last_updated_timestamp')]],
  ])('%j → %j', (orderBy, expected) => {
    expect(parseRegisteredModelOrderBy(orderBy)).toEqual(expected);
  });

  const VALID = "Valid keys are '{'name', 'timestamp'}'";
  it.each<readonly [readonly string[], string]>([
    [['creation_timestamp'], `Invalid order by key 'creation_timestamp' specified. ${VALID}`],
    [['creation_timestamp DESC'], `Invalid order by key 'creation_timestamp' specified. ${VALID}`],
    [['NAME'], `Invalid order by key 'NAME' specified. ${VALID}`],
    [['attribute.name'], `Invalid order by key 'attribute.name' specified. ${VALID}`],
    [['tags.x'], `Invalid order by key 'tags.x' specified. ${VALID}`],
    [['version_number'], `Invalid order by key 'version_number' specified. ${VALID}`],
    // Without a direction MLflow keeps the quoting, so these keys do not match.
    [['`name`'], `Invalid order by key '\`name\`' specified. ${VALID}`],
    [['"name"'], `Invalid order by key '"name"' specified. ${VALID}`],
    [['name up'], "Invalid ordering key in order_by clause 'name up'."],
    [['name DESC extra'], couldNotParse('name DESC extra')],
    [['name ASC DESC'], couldNotParse('name ASC DESC')],
    [['name; drop'], couldNotParse('name; drop')],
    [['name; DROP TABLE registered_models'], couldNotParse('name; DROP TABLE registered_models')],
    [['name,timestamp'], couldNotParse('name,timestamp')],
    [['name, timestamp'], couldNotParse('name, timestamp')],
    [['name NULLS FIRST'], couldNotParse('name NULLS FIRST')],
    [['name DESC NULLS LAST'], couldNotParse('name DESC NULLS LAST')],
    [['  name DESC  '], couldNotParse('  name DESC  ')],
    [[''], couldNotParse('')],
    [['  '], couldNotParse('  ')],
    [['-name'], couldNotParse('-name')],
    [['name(1)'], couldNotParse('name(1)')],
    [["'name' DESC"], couldNotParse("'name' DESC")],
    [["name'"], couldNotParse("name'")],
    [['TIMESTAMP'], couldNotParse('TIMESTAMP')],
    [['Timestamp DESC'], couldNotParse('Timestamp DESC')],
    [['timestamp up'], couldNotParse('timestamp up')],
    [['name', 'name DESC'], "`order_by` contains duplicate fields: ['name', 'name DESC']"],
    [['timestamp', 'last_updated_timestamp'], "`order_by` contains duplicate fields: ['timestamp', 'last_updated_timestamp']"],
    [['last_updated_timestamp DESC', 'timestamp'], "`order_by` contains duplicate fields: ['last_updated_timestamp DESC', 'timestamp']"],
  ])('rejects %j', (orderBy, message) => {
    expectInvalid(() => parseRegisteredModelOrderBy(orderBy), message);
  });
});

describe('parseModelVersionOrderBy', () => {
  it.each<readonly [readonly string[] | undefined, OrderByClause[]]>([
    [undefined, [desc('last_updated_timestamp'), asc('name'), desc('version_number')]],
    [[], [desc('last_updated_timestamp'), asc('name'), desc('version_number')]],
    [['name'], [asc('name'), desc('version_number')]],
    [['name DESC'], [desc('name'), desc('version_number')]],
    [['version_number'], [asc('version_number'), asc('name')]],
    [['version_number DESC'], [desc('version_number'), asc('name')]],
    [['creation_timestamp desc'], [desc('creation_timestamp'), asc('name'), desc('version_number')]],
    [['last_updated_timestamp'], [asc('last_updated_timestamp'), asc('name'), desc('version_number')]],
    [['attribute.name'], [asc('name'), desc('version_number')]],
    [['attribute.version_number DESC'], [desc('version_number'), asc('name')]],
    [['attribute.`name`'], [asc('name'), desc('version_number')]],
    [['`name`'], [asc('name'), desc('version_number')]],
    [['`name` DESC'], [desc('name'), desc('version_number')]],
    [['"name"'], [asc('name'), desc('version_number')]],
    [['"attribute.name" DESC'], [desc('name'), desc('version_number')]],
    [['attribute."name" DESC'], [desc('name'), desc('version_number')]],
    // MLflow's SQL store ignores the entity type once the key is valid.
    [['tags.name'], [asc('name'), desc('version_number')]],
    [['version_number', 'name'], [asc('version_number'), asc('name')]],
    [['name', 'version_number ASC'], [asc('name'), asc('version_number')]],
    [
      ['creation_timestamp', 'last_updated_timestamp DESC'],
      [asc('creation_timestamp'), desc('last_updated_timestamp'), asc('name'), desc('version_number')],
    ],
  ])('%j → %j', (orderBy, expected) => {
    expect(parseModelVersionOrderBy(orderBy)).toEqual(expected);
  });

  const KEYS = "{'creation_timestamp', 'last_updated_timestamp', 'name', 'version_number'}";
  const ENTITY = "Valid entity types are ('attribute', 'tag', 'tags')";
  it.each<readonly [readonly string[], string]>([
    [['timestamp'], `Invalid attribute key 'timestamp' specified. Valid keys are '${KEYS}'`],
    [['timestamp DESC'], `Invalid attribute key 'timestamp' specified. Valid keys are '${KEYS}'`],
    [['source_path'], `Invalid attribute key 'source_path' specified. Valid keys are '${KEYS}'`],
    [['run_id'], `Invalid attribute key 'run_id' specified. Valid keys are '${KEYS}'`],
    [['NAME'], `Invalid attribute key 'NAME' specified. Valid keys are '${KEYS}'`],
    [['attribute.name.x'], `Invalid attribute key 'name.x' specified. Valid keys are '${KEYS}'`],
    [['`my name` DESC'], `Invalid attribute key 'my name' specified. Valid keys are '${KEYS}'`],
    [['tags.x'], `Invalid order by key 'x' specified. Valid keys are ${KEYS}`],
    [['tag.x DESC'], `Invalid order by key 'x' specified. Valid keys are ${KEYS}`],
    [['attr.name'], `Invalid entity type 'attr'. ${ENTITY}`],
    [['metric.x'], `Invalid entity type 'metric'. ${ENTITY}`],
    [['Attribute.name'], `Invalid entity type 'Attribute'. ${ENTITY}`],
    [['`attribute`.name'], `Invalid entity type '\`attribute\`'. ${ENTITY}`],
    [['`attribute.name`'], `Invalid entity type '\`attribute'. ${ENTITY}`],
    [['name up'], "Invalid ordering key in order_by clause 'name up'."],
    [['name DESC extra'], couldNotParse('name DESC extra')],
    [['name; drop'], couldNotParse('name; drop')],
    [["'name' DESC"], couldNotParse("'name' DESC")],
    [[''], couldNotParse('')],
    [['name', 'attribute.name'], "`order_by` contains duplicate fields: ['name', 'attribute.name']"],
    [['version_number', 'version_number DESC'], "`order_by` contains duplicate fields: ['version_number', 'version_number DESC']"],
  ])('rejects %j', (orderBy, message) => {
    expectInvalid(() => parseModelVersionOrderBy(orderBy), message);
  });
});
