import { describe, it, expect } from 'vitest';
import { expectInvalid } from './expect-invalid.js';
import { parseFilter } from '../../src/search/filter.js';
import { MODEL_VERSIONS, REGISTERED_MODELS } from '../../src/search/grammar.js';
import { stripQuotes, trimBackticks } from '../../src/search/lexer.js';
import type { SearchClause } from '../../src/store/search-query.js';

// These cases were written for the registry's own parser, whose clauses named the entity `kind`;
// the shared parser's clauses are read back in that shape.
type FilterClause = Omit<SearchClause, 'entity'> & { kind: SearchClause['entity'] };
const asWritten = ({ entity, ...rest }: SearchClause): FilterClause => ({ kind: entity, ...rest });
const parseRegisteredModelFilter = (filter: string | undefined): FilterClause[] => parseFilter(REGISTERED_MODELS, filter).map(asWritten);
const parseModelVersionFilter = (filter: string | undefined): FilterClause[] => parseFilter(MODEL_VERSIONS, filter).map(asWritten);

const name = (comparator: '=' | '!=' | 'LIKE' | 'ILIKE', value: string): FilterClause => ({
  kind: 'attribute',
  key: 'name',
  comparator,
  value,
});
const tag = (key: string, comparator: '=' | '!=' | 'LIKE' | 'ILIKE', value: string): FilterClause => ({
  kind: 'tag',
  key,
  comparator,
  value,
});
const PROMPT = 'mlflow.prompt.is_prompt';

// Accepted by both grammars; expected results were checked against MLflow 3.x's parser.
const COMMON_ACCEPTED: ReadonlyArray<readonly [string, FilterClause[]]> = [
  ["name = 'a'", [name('=', 'a')]],
  ["name='a'", [name('=', 'a')]],
  ['name = "a"', [name('=', 'a')]],
  ["name != 'a'", [name('!=', 'a')]],
  ["name LIKE 'a%'", [name('LIKE', 'a%')]],
  ["name like 'a_'", [name('LIKE', 'a_')]],
  ["name ILIKE 'A%'", [name('ILIKE', 'A%')]],
  ["name iLiKe '%b'", [name('ILIKE', '%b')]],
  ["attribute.name = 'x'", [name('=', 'x')]],
  ["name = ''", [name('=', '')]],
  ['name = ""', [name('=', '')]],
  ["name = 'héllo wörld %_'", [name('=', 'héllo wörld %_')]],
  ["name = '日本'", [name('=', '日本')]],
  ["name = 'a b  c'", [name('=', 'a b  c')]],
  ["name = 's3://bucket/key?x=1&y=2'", [name('=', 's3://bucket/key?x=1&y=2')]],
  // Quote escapes are not unescaped, exactly like MLflow: the value keeps its raw text.
  ["name = 'it''s'", [name('=', "it''s")]],
  ["name = 'it\\'s'", [name('=', "it\\'s")]],
  ['name = "it\'s"', [name('=', "it's")]],
  ['name = \'say "hi"\'', [name('=', 'say "hi"')]],
  ['name = "a""b"', [name('=', 'a""b')]],
  ["name = 'a\\'", [name('=', 'a\\')]],
  ["name = 'a OR 1=1'", [name('=', 'a OR 1=1')]],
  ["name = 'a; DROP TABLE x'", [name('=', 'a; DROP TABLE x')]],
  ["name = 'a' AND name = 'b'", [name('=', 'a'), name('=', 'b')]],
  ["name = 'a' and name = 'b'", [name('=', 'a'), name('=', 'b')]],
  ["name = 'a' And name = 'b' AND name = 'c'", [name('=', 'a'), name('=', 'b'), name('=', 'c')]],
  ["name='a'AND tags.x='y'", [name('=', 'a'), tag('x', '=', 'y')]],
  ["name\t=\n'a'", [name('=', 'a')]],
  ["  name   =   'a'  ", [name('=', 'a')]],
  // MLflow treats AND purely as a separator: dangling, doubled and missing ANDs are tolerated.
  ["name = 'a' AND", [name('=', 'a')]],
  ["AND name = 'a'", [name('=', 'a')]],
  ["name = 'a' AND AND name = 'b'", [name('=', 'a'), name('=', 'b')]],
  ["name = 'a' name = 'b'", [name('=', 'a'), name('=', 'b')]],
  ['and', []],
  // Tags: prefixes, quoting styles, dotted keys (split on the first '.').
  ["tags.x = 'y'", [tag('x', '=', 'y')]],
  ["tag.x = 'y'", [tag('x', '=', 'y')]],
  ['tags.x = "y z"', [tag('x', '=', 'y z')]],
  ["tags.x != 'y'", [tag('x', '!=', 'y')]],
  ["tags.x LIKE '%y'", [tag('x', 'LIKE', '%y')]],
  ["tags.x ilike 'Y%'", [tag('x', 'ILIKE', 'Y%')]],
  ["tags.a.b = 'c'", [tag('a.b', '=', 'c')]],
  ["tags.a.b.c = 'd'", [tag('a.b.c', '=', 'd')]],
  ["tags.`x.y` = 'b'", [tag('x.y', '=', 'b')]],
  ["tags.`a b` = 'c'", [tag('a b', '=', 'c')]],
  ["tags.'a b' = 'c'", [tag('a b', '=', 'c')]],
  ['tags."a b" = \'c\'', [tag('a b', '=', 'c')]],
  ['tags."a.b" = \'c\'', [tag('a.b', '=', 'c')]],
  ["tags.`x` = 'a'", [tag('x', '=', 'a')]],
  ["tags.`` = 'x'", [tag('', '=', 'x')]],
  ["tags.name = 'a'", [tag('name', '=', 'a')]],
  ["tags.version = 'a'", [tag('version', '=', 'a')]],
  ["tags.1abc = 'a'", [tag('1abc', '=', 'a')]],
  ["tags.日本 = 'a'", [tag('日本', '=', 'a')]],
  ["tags.x = 'a' AND tags.x != 'b'", [tag('x', '=', 'a'), tag('x', '!=', 'b')]],
  ["tags.x!='a'", [tag('x', '!=', 'a')]],
  // The clause every MLflow client appends to registered-model searches.
  ["tag.`mlflow.prompt.is_prompt` != 'true'", [tag(PROMPT, '!=', 'true')]],
  ["name LIKE 'a%' AND tag.`mlflow.prompt.is_prompt` != 'true'", [name('LIKE', 'a%'), tag(PROMPT, '!=', 'true')]],
  ["tags.`mlflow.prompt.is_prompt` = 'true'", [tag(PROMPT, '=', 'true')]],
  ["name = 'a' AND tags.`a.b` LIKE '%' AND tags.c != 'd'", [name('=', 'a'), tag('a.b', 'LIKE', '%'), tag('c', '!=', 'd')]],
];

// Rejected by both grammars (message texts are MLflow's where it has one).
const COMMON_REJECTED: ReadonlyArray<readonly [string, string | RegExp]> = [
  ["name = 'a' OR name = 'b'", /^Invalid clause\(s\) in filter string: OR/],
  ["name='a' or name='b'", 'Invalid clause(s) in filter string: or'],
  ["name = 'a' OR 1=1", /^Invalid clause\(s\) in filter string: OR/],
  ["(name = 'a')", "Invalid clause(s) in filter string: (name = 'a')"],
  ["name = 'a' AND ('b')", "Invalid clause(s) in filter string: ('b')"],
  ["name = 'a' AND(name = 'b')", /^Invalid clause\(s\) in filter string: /],
  ["NOT name = 'a'", 'Invalid clause(s) in filter string: NOT'],
  ["name = 'a' AND NOT name = 'b'", 'Invalid clause(s) in filter string: NOT'],
  ['name is null', 'Invalid clause(s) in filter string: name, is, null'],
  ["name = 'a' -- comment", /^Invalid clause\(s\) in filter string: --/],
  ["name = 'a' /* c */", /^Invalid clause\(s\) in filter string: \/\*/],
  ["name = 'a' 'b'", "Invalid clause(s) in filter string: 'b'"],
  ["name = 'a'b", /^Invalid clause\(s\) in filter string: /],
  ["name = 'a';", 'Invalid clause(s) in filter string: ;'],
  ["name = 'a' ; ", 'Invalid clause(s) in filter string: ;'],
  ["name = 'a' ; DROP TABLE x", `Search filter contained multiple expression "name = 'a' ; DROP TABLE x". Provide AND-ed expression list.`],
  ["name = 'a'; name = 'b'", `Search filter contained multiple expression "name = 'a'; name = 'b'". Provide AND-ed expression list.`],
  ["name = 'a';;", `Search filter contained multiple expression "name = 'a';;". Provide AND-ed expression list.`],
  ["name = 'a' || 'b'", /^Invalid clause\(s\) in filter string: /],
  ["name LIKE 'a' ESCAPE '\\'", "Invalid clause(s) in filter string: ESCAPE, '\\'"],
  ["name = 'unterminated", /^Invalid clause\(s\) in filter string: /],
  ['name', 'Invalid clause(s) in filter string: name'],
  ['=', 'Invalid clause(s) in filter string: ='],
  ["name = 'a' AND tags.x", 'Invalid clause(s) in filter string: tags.x'],
  ["'name' = 'a'", "Invalid comparison clause. Expected 'Identifier' found ''name''"],
  ["foo.name = 'x'", "Invalid entity type 'foo'. Valid entity types are ('attribute', 'tag', 'tags')"],
  ["TAGS.x = 'a'", "Invalid entity type 'TAGS'. Valid entity types are ('attribute', 'tag', 'tags')"],
  ["`tags`.x = 'a'", "Invalid entity type '`tags`'. Valid entity types are ('attribute', 'tag', 'tags')"],
  ["params.x = 'a'", "Invalid entity type 'params'. Valid entity types are ('attribute', 'tag', 'tags')"],
  ["tags . x = 'a'", "Invalid entity type 'tags '. Valid entity types are ('attribute', 'tag', 'tags')"],
  ['name = a', 'Parameter value is either not quoted or unidentified quote types used for string value a. Use either single or double quotes.'],
  ['name = name', /^Parameter value is either not quoted .* string value name\. /],
  ['name = `a`', /^Parameter value is either not quoted .* string value `a`\. /],
  ['tags.x = y', 'Parameter value is either not quoted or unidentified quote types used for string value y. Use either single or double quotes.'],
  ['tags.x = tags.y', /string value tags\.y\. Use either single or double quotes\.$/],
  ['tags.x = 1', "Expected a quoted string value for tag (e.g. 'my-value'). Got value 1"],
  ['tags.x = 1.5', "Expected a quoted string value for tag (e.g. 'my-value'). Got value 1.5"],
  ["tags.x IN ('a')", "Expected a quoted string value for tag (e.g. 'my-value'). Got value ('a')"],
  ["name >= 'a'", 'Invalid comparator for attribute: >='],
  ["name <> 'a'", 'Invalid comparator for attribute: <>'],
  ["name == 'a'", 'Invalid comparator for attribute: =='],
  ["name ~ 'a'", 'Invalid comparator for attribute: ~'],
  ["name NOT LIKE 'a'", 'Invalid comparator for attribute: NOT LIKE'],
  ["name rlike 'a'", 'Invalid comparator for attribute: RLIKE'],
  ["name REGEXP 'a'", 'Invalid comparator for attribute: REGEXP'],
  ["tags.x > 'a'", 'Invalid comparator for tag: >'],
  ["tags.x NOT ILIKE 'a'", 'Invalid comparator for tag: NOT ILIKE'],
  ["name = ('a')", 'Invalid comparator for attribute: ='],
  ["name LIKE ('a')", 'Invalid comparator for attribute: LIKE'],
];

describe.each([
  ['registered models', parseRegisteredModelFilter],
  ['model versions', parseModelVersionFilter],
] as const)('%s filter: shared grammar', (_label, parse) => {
  it.each([undefined, '', ' ', '\t\n '])('treats %j as no filter', (filter) => {
    expect(parse(filter)).toEqual([]);
  });

  it.each(COMMON_ACCEPTED)('parses %s', (filter, expected) => {
    expect(parse(filter)).toEqual(expected);
  });

  it.each(COMMON_REJECTED)('rejects %s', (filter, message) => {
    expectInvalid(() => parse(filter), message);
  });

  // MLflow 3 (LIST_SUPPORTED_KEYS) accepts lists of names in both searches.
  it.each([
    ["name IN ('a', 'b')", 'IN', ['a', 'b']],
    ["name not in ('a')", 'NOT IN', ['a']],
  ] as const)('parses %s', (filter, comparator, value) => {
    expect(parse(filter)).toEqual([{ kind: 'attribute', key: 'name', comparator, value }]);
  });
});

describe('registered-model filter', () => {
  const RM_KEYS = "Valid keys are '{'name'}'";
  it.each([
    ['creation_timestamp = 1', `Invalid attribute key 'creation_timestamp' specified. ${RM_KEYS}`],
    ["run_id = 'a'", `Invalid attribute key 'run_id' specified. ${RM_KEYS}`],
    ['version_number = 1', `Invalid attribute key 'version_number' specified. ${RM_KEYS}`],
    ["Name = 'a'", `Invalid attribute key 'Name' specified. ${RM_KEYS}`],
    // Attribute keys are checked before quotes are stripped.
    ["`name` = 'a'", `Invalid attribute key '\`name\`' specified. ${RM_KEYS}`],
    ["attribute.`name` = 'a'", `Invalid attribute key '\`name\`' specified. ${RM_KEYS}`],
    ['"name" = \'a\'', `Invalid attribute key '"name"' specified. ${RM_KEYS}`],
    ["select = 'a'", `Invalid attribute key 'select' specified. ${RM_KEYS}`],
    ['name = 1', 'Expected a quoted string value or a list of quoted string values for attributes. Got value 1'],
    ['name = -1', 'Expected a quoted string value or a list of quoted string values for attributes. Got value -1'],
  ])('rejects %s', (filter, message) => {
    expectInvalid(() => parseRegisteredModelFilter(filter), message);
  });
});

describe('model-version filter', () => {
  const run = (comparator: '=' | '!=' | 'LIKE' | 'ILIKE', value: string): FilterClause => ({ kind: 'attribute', key: 'run_id', comparator, value });
  const runIn = (...value: string[]): FilterClause => ({ kind: 'attribute', key: 'run_id', comparator: 'IN', value });
  const version = (comparator: '=' | '!=' | '<' | '<=' | '>' | '>=', value: number): FilterClause => ({
    kind: 'attribute',
    key: 'version_number',
    comparator,
    value,
  });

  it.each<readonly [string, FilterClause[]]>([
    ["run_id = 'abc'", [run('=', 'abc')]],
    ["run_id ILIKE 'a%'", [run('ILIKE', 'a%')]],
    ["source_path = 's3://b/k'", [{ kind: 'attribute', key: 'source_path', comparator: '=', value: 's3://b/k' }]],
    ["attribute.source_path LIKE '%/x'", [{ kind: 'attribute', key: 'source_path', comparator: 'LIKE', value: '%/x' }]],
    ["run_id IN ('a', 'b')", [runIn('a', 'b')]],
    ["run_id in ('a','b')", [runIn('a', 'b')]],
    ["run_id IN('a')", [runIn('a')]],
    ["run_id IN ('a',)", [runIn('a')]],
    ["run_id IN ( 'a' , 'b' , )", [runIn('a', 'b')]],
    ['run_id IN ("a", "b")', [runIn('a', 'b')]],
    ["run_id IN ('a' 'b', 'c')", [runIn('ab', 'c')]],
    // Python literal semantics (MLflow 3.x uses ast.literal_eval on the list).
    ["run_id IN ('it''s')", [runIn('its')]],
    ["run_id IN ('a\\'b')", [runIn("a'b")]],
    ["run_id IN ('a\\nb', '\\x41\\u00e9\\101', 'a\\qb')", [runIn('a\nb', 'AéA', 'a\\qb')]],
    // MLflow 3.x keeps every element (2.x dropped the ones that were not str.islower()).
    ["run_id IN ('A', 'b', '123', '')", [runIn('A', 'b', '123', '')]],
    ['version_number = 1', [version('=', 1)]],
    ['version_number=2', [version('=', 2)]],
    ['version_number != 3', [version('!=', 3)]],
    ['version_number < 3 AND version_number >= 1', [version('<', 3), version('>=', 1)]],
    ['attribute.version_number <= 3', [version('<=', 3)]],
    ['version_number > -1', [version('>', -1)]],
    ['version_number = 01', [version('=', 1)]],
    // Quoted integers go through Python's int(), as in MLflow 3.x's SQL store.
    ["version_number = '1'", [version('=', 1)]],
    ['version_number = "3"', [version('=', 3)]],
    ["version_number = ' 2 '", [version('=', 2)]],
    ["version_number = '+4'", [version('=', 4)]],
    ["version_number = '1_0'", [version('=', 10)]],
    [
      "name = 'm' AND run_id IN ('a', 'b') AND version_number >= 2 AND tags.t LIKE 'x%'",
      [name('=', 'm'), runIn('a', 'b'), version('>=', 2), tag('t', 'LIKE', 'x%')],
    ],
    ["name = 'm' AND tag.`mlflow.prompt.is_prompt` != 'true'", [name('=', 'm'), tag(PROMPT, '!=', 'true')]],
  ])('parses %s', (filter, expected) => {
    expect(parseModelVersionFilter(filter)).toEqual(expected);
  });

  const MV_KEYS = "Valid keys are '{'name', 'run_id', 'source_path', 'version_number'}'";
  const LIST_ONLY_RUN_ID = "Only ['name', 'run_id'] attributes support comparison with a list of quoted string values.";
  const ILL_FORMED = 'While parsing a list in the query, expected a non-empty list of string values, but got ill-formed list.';
  it.each<readonly [string, string | RegExp]>([
    ['creation_timestamp > 1', `Invalid attribute key 'creation_timestamp' specified. ${MV_KEYS}`],
    ['last_updated_timestamp > 1', `Invalid attribute key 'last_updated_timestamp' specified. ${MV_KEYS}`],
    ["current_stage = 'None'", `Invalid attribute key 'current_stage' specified. ${MV_KEYS}`],
    ["source = 'x'", `Invalid attribute key 'source' specified. ${MV_KEYS}`],
    ['run_id IN ()', 'While parsing a list in the query, expected a non-empty list of string values, but got empty list'],
    ['run_id IN ( )', 'While parsing a list in the query, expected a non-empty list of string values, but got empty list'],
    ['run_id IN (,)', ILL_FORMED],
    ["run_id IN ('a',,'b')", ILL_FORMED],
    ["run_id IN ('a' b)", ILL_FORMED],
    ["run_id IN ('a', b)", ILL_FORMED],
    ["run_id IN (('a'))", ILL_FORMED],
    ["run_id IN ('a\\x4')", ILL_FORMED],
    ['run_id IN (1, 2)', 'While parsing a list in the query, expected string value, punctuation, or whitespace, but got different type in list: (1, 2)'],
    ["run_id IN ('a', None)", /but got different type in list: \('a', None\)$/],
    ["run_id IN 'a'", "Invalid clause(s) in filter string: run_id, IN, 'a'"],
    ["run_id IN ('a'", /^Invalid clause\(s\) in filter string: run_id, IN, \(/],
    ["run_id = ('a')", 'Invalid comparator for attribute: ='],
    ["source_path IN ('a')", LIST_ONLY_RUN_ID],
    ['version_number IN (1)', LIST_ONLY_RUN_ID],
    ['run_id = 1', "Only the '{'creation_timestamp', 'last_updated_timestamp', 'version_number'}' attributes support comparison with numeric values."],
    ["run_id > 'a'", 'Invalid comparator for attribute: >'],
    ["source_path <= 'a'", 'Invalid comparator for attribute: <='],
    ['version_number LIKE 1', 'Invalid comparator for attribute version_number: LIKE'],
    ["version_number ILIKE '1'", 'Invalid comparator for attribute version_number: ILIKE'],
    ['version_number <> 3', 'Invalid comparator for attribute version_number: <>'],
    // MLflow 3.x refuses non-integral version numbers.
    ['version_number = 1.5', "Invalid value for numeric attribute 'version_number': 1.5"],
    ['version_number = 1.0', "Invalid value for numeric attribute 'version_number': 1.0"],
    ['version_number = 1.', "Invalid value for numeric attribute 'version_number': 1.0"],
    ['version_number = .5', "Invalid value for numeric attribute 'version_number': 0.5"],
    ['version_number = 1e3', "Invalid value for numeric attribute 'version_number': 1000.0"],
    ["version_number = 'abc'", "Invalid value for numeric attribute 'version_number': 'abc'"],
    ["version_number = '1.0'", "Invalid value for numeric attribute 'version_number': '1.0'"],
    ['version_number = 1abc', /^Parameter value is either not quoted .* string value 1abc\. /],
    ['version_number = v1', /^Parameter value is either not quoted .* string value v1\. /],
    ['version_number = +1', /^Invalid clause\(s\) in filter string: /],
  ])('rejects %s', (filter, message) => {
    expectInvalid(() => parseModelVersionFilter(filter), message);
  });
});

describe('quote helpers', () => {
  it.each([
    ["'a'", 'a'],
    ['"a"', 'a'],
    ["''", ''],
    ["'a\"", '\'a"'],
    ["'", "'"],
    ['`a`', '`a`'],
  ])('stripQuotes(%s) → %s', (input, expected) => {
    expect(stripQuotes(input)).toBe(expected);
  });

  it('stripQuotes rejects unquoted values when a quoted value is expected', () => {
    expectInvalid(() => stripQuotes('abc', true), /string value abc\. Use either single or double quotes\.$/);
  });

  it.each([
    ['`a.b`', 'a.b'],
    ['``', ''],
    ['`a', '`a'],
    ["'a'", "'a'"],
  ])('trimBackticks(%s) → %s', (input, expected) => {
    expect(trimBackticks(input)).toBe(expected);
  });
});
