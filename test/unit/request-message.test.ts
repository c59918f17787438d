import { describe, expect, it } from 'vitest';
import { MlflowError } from '../../src/protocol/errors.js';
import { JsonSource } from '../../src/protocol/json-source.js';
import { parseJsonBody } from '../../src/protocol/request.js';
import { RequestMessage } from '../../src/protocol/request-message.js';
import { keyValuesOf, metricsOf, runIdOf, viewTypeOf } from '../../src/protocol/messages/tracking-requests.js';
import { parseMetadata } from '../../src/native/metadata.js';

const HINT = ' See the API docs for more information about request parameters.';

/** The message of the INVALID_PARAMETER_VALUE that `fn` throws. */
function invalid(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(MlflowError);
    expect(err).toMatchObject({ code: 'INVALID_PARAMETER_VALUE', httpStatus: 400 });
    return (err as Error).message;
  }
  throw new Error('expected INVALID_PARAMETER_VALUE, nothing was thrown');
}

const body = (text: string) => {
  const { raw, source } = parseJsonBody(text);
  return new RequestMessage(raw, false, source ? { source } : {});
};
const wrongType = (field: string, shown: string, type: string) =>
  `Invalid value ${shown} for parameter '${field}' supplied:  Hint: Value was of type '${type}'.${HINT}`;

describe('RequestMessage primitives', () => {
  it('reads strings, refusing a NUL in every one of them', () => {
    const msg = body('{"a": "x", "b": "", "n": "x\\u0000y", "l": ["ok", "x\\u0000"]}');
    expect(msg.string('a')).toBe('x');
    expect(msg.presentString('b')).toBe('');
    expect(invalid(() => msg.string('b'))).toBe(`Missing value for required parameter 'b'.${HINT}`);
    expect(invalid(() => msg.optionalString('n'))).toBe("Invalid value for parameter 'n': it contains a NUL character.");
    expect(invalid(() => msg.strings('l'))).toBe("Invalid value for parameter 'l': it contains a NUL character.");
  });

  it('reads int64 and double from numbers and proto-JSON strings', () => {
    const msg = body('{"i": 5, "s": " -7 ", "f": 1.5, "nan": "NaN", "inf": "-Infinity", "x": "1e3", "bad": "1.5"}');
    expect([msg.int64('i'), msg.int64('s'), msg.optionalInt64('absent')]).toEqual([5, -7, undefined]);
    expect([msg.double('f'), msg.double('nan'), msg.double('inf'), msg.double('x')]).toEqual([1.5, NaN, -Infinity, 1000]);
    expect(invalid(() => msg.int64('bad'))).toBe(wrongType('bad', '"1.5"', 'str'));
    expect(invalid(() => msg.double('absent'))).toBe(`Missing value for required parameter 'absent'.${HINT}`);
  });

  it('reads enums by name or number', () => {
    const table = [undefined, 'A', 'B'] as const;
    const msg = body('{"n": "B", "i": 1, "s": "2", "bad": "C", "zero": 0}');
    expect([msg.enum('n', table), msg.enum('i', table), msg.enum('s', table), msg.enum('absent', table)]).toEqual(['B', 'A', 'B', undefined]);
    expect(invalid(() => msg.enum('bad', table))).toBe(wrongType('bad', '"C"', 'str'));
    expect(invalid(() => msg.enum('zero', table))).toBe(wrongType('zero', '0', 'int'));
  });

  it('takes the first of a repeated query key for a scalar, and every one for a list', () => {
    const msg = new RequestMessage({ a: ['1', '2'], b: 'x' }, true);
    expect(msg.int64('a')).toBe(1);
    expect(msg.strings('a')).toEqual(['1', '2']);
    expect(msg.strings('b')).toEqual(['x']);
    expect(invalid(() => msg.bool('absent'))).toBe(`Missing value for required parameter 'absent'.${HINT}`);
  });

  it('names key-value entries the registry way and the tracking way', () => {
    const msg = body('{"tags": [{"key": "k"}, {"value": "v"}], "ok": [{"key": "", "value": "v"}], "typed": [{"key": "k", "value": 3}]}');
    expect(invalid(() => msg.keyValues('tags'))).toBe(`Missing value for required parameter 'tags.key'.${HINT}`);
    expect(invalid(() => keyValuesOf(msg, 'tags'))).toBe(`Missing value for required parameter 'tags[1].key'.${HINT}`);
    expect(msg.keyValues('ok')).toEqual([{ key: '', value: 'v' }]);
    expect(invalid(() => keyValuesOf(msg, 'ok'))).toBe(`Missing value for required parameter 'ok[0].key'.${HINT}`);
    expect(invalid(() => msg.keyValues('typed'))).toBe(wrongType('value', '3', 'int'));
    expect(invalid(() => keyValuesOf(msg, 'typed'))).toBe(wrongType('typed[0].value', '3', 'int'));
  });

  it('names nested message fields by their path', () => {
    const msg = body('{"outer": {"inner": {"x": 1.0}}}');
    const inner = msg.message('outer')?.message('inner');
    expect(invalid(() => inner?.string('x'))).toBe(wrongType('outer.inner.x', '1.0', 'float'));
    expect(msg.message('absent')).toBeUndefined();
    expect(invalid(() => body('{"o": [1]}').message('o'))).toBe(wrongType('o', '[1]', 'list'));
  });

  it('reads run_id, or run_uuid under the name run_id', () => {
    expect(runIdOf(body('{"run_uuid": "u"}'))).toBe('u');
    expect(runIdOf(body('{"run_id": "i", "run_uuid": "u"}'))).toBe('i');
    expect(invalid(() => runIdOf(body('{}')))).toBe(`Missing value for required parameter 'run_id'.${HINT}`);
    expect(invalid(() => runIdOf(body('{"run_uuid": 7.0}')))).toBe(wrongType('run_id', '7.0', 'float'));
    expect(invalid(() => runIdOf(body('{"run_uuid": "a\\u0000"}')))).toBe("Invalid value for parameter 'run_id': it contains a NUL character.");
  });

  it('checks every metric entry has key, value and timestamp before reading any', () => {
    const msg = body('{"metrics": [{"key": 5, "value": 1, "timestamp": 1}, {"key": "b", "value": ""}]}');
    expect(invalid(() => metricsOf(msg))).toBe(`Missing value for required parameter 'metrics[1].value'.${HINT}`);
    expect(metricsOf(body('{"metrics": [{"key": "a", "value": "NaN", "timestamp": "3"}]}'))).toEqual([
      { key: 'a', value: NaN, timestamp: 3, step: 0, modelId: null, datasetName: null, datasetDigest: null },
    ]);
  });

  it('reads view types, with an empty string as unset', () => {
    expect(viewTypeOf(body('{"v": ""}'), 'v')).toBe('ACTIVE_ONLY');
    expect(viewTypeOf(body('{"v": 3}'), 'v')).toBe('ALL');
  });
});

describe('numbers shown as the client wrote them (json.loads: 9.0 is a float)', () => {
  it.each([
    ['9.0', '9.0', 'float'],
    ['9', '9', 'int'],
    ['-0.0', '-0.0', 'float'],
    ['1E3', '1000.0', 'float'],
    ['1.5e-5', '1.5e-05', 'float'],
    ['1e16', '1e+16', 'float'],
    ['1e400', 'Infinity', 'float'],
    ['123456789012345678901234567890', '123456789012345678901234567890', 'int'],
    ['{"z": 1.0, "a": [2, 3.50]}', '{"a":[2,3.5],"z":1.0}', 'dict'],
  ])('%s', (token, shown, type) => {
    expect(invalid(() => body(`{"f": ${token}}`).optionalString('f'))).toBe(wrongType('f', shown, type));
  });

  it('finds the token under nested lists and messages, and ignores look-alikes inside strings', () => {
    const msg = body('{"s": "{\\"p\\": 1}", "p": [{"key": "a", "value": "1.0"}, {"key": "b", "value": 1.0}]}');
    expect(invalid(() => keyValuesOf(msg, 'p'))).toBe(wrongType('p[1].value', '1.0', 'float'));
  });

  it('reads the inner text of a double-encoded body', () => {
    expect(invalid(() => body(JSON.stringify('{"f": 2.0}')).string('f'))).toBe(wrongType('f', '2.0', 'float'));
  });

  it('walks past strings holding brackets and quotes, and takes the last of repeated keys', () => {
    const source = new JsonSource('{"s": "]}\\"{[", "l": [[1, {"x": "]"}], 2.50], "f": 1.0, "f": 2.0, "__proto__": 3.0}');
    expect(source.shownAt(['l', 1])).toEqual({ json: '2.5', type: 'float' });
    expect(source.shownAt(['l', 0, 1])).toEqual({ json: '{"x":"]"}', type: 'dict' });
    expect(source.shownAt(['f'])).toEqual({ json: '2.0', type: 'float' });
    expect(source.shownAt(['__proto__'])).toEqual({ json: '3.0', type: 'float' });
    expect(source.shownAt(['l', 2])).toBeUndefined();
    expect(source.shownAt(['s', 0])).toBeUndefined();
  });

  it('falls back to the parsed value without a source', () => {
    expect(invalid(() => new RequestMessage({ f: 2 }, false).string('f'))).toBe(wrongType('f', '2', 'int'));
    expect(new JsonSource('{"a": 1}').shownAt(['b'])).toBeUndefined();
  });
});

describe('native metadata through the same decoder', () => {
  it.each([
    ['{"tags": {"k": "a\\u0000b"}}', "Invalid metadata: 'tags.k' contains a NUL character"],
    ['{"tags": [{"key": "k", "value": "a\\u0000b"}]}', "Invalid metadata: 'tags[0].value' contains a NUL character"],
    ['{"params": [{"key": "k", "value": null}]}', "Invalid metadata: 'params[0].value' must be a string"],
    ['{"params": [{"value": "v"}]}', "Invalid metadata: 'params[0]' must be an object with 'key' and 'value'"],
    ['{"description": 5}', "Invalid metadata: 'description' must be a string"],
    ['{"run_id": "a\\u0000"}', "Invalid metadata: 'run_id' contains a NUL character"],
    ['{"metrics": {"acc": "0.9"}}', "Invalid metadata: 'metrics.acc' must be a number"],
    ['{"metrics": [{"key": "acc", "value": 1, "step": "2"}]}', "Invalid metadata: 'metrics[0].step' must be an integer"],
    ['{"aliases": "a"}', "Invalid metadata: 'aliases' must be a list of strings"],
  ])('%s', (text, message) => {
    expect(invalid(() => parseMetadata(text, 0))).toBe(message);
  });

  it('takes numbers and booleans as text for tag and param values', () => {
    const m = parseMetadata('{"tags": {"a": 1.5, "b": true}, "params": [{"key": "p", "value": 2}], "metrics": {"m": 0.5}}', 7);
    expect(m.tags).toEqual([{ key: 'a', value: '1.5' }, { key: 'b', value: 'true' }]);
    expect(m.params).toEqual([{ key: 'p', value: '2' }]);
    expect(m.metrics).toEqual([{ key: 'm', value: 0.5, timestamp: 7, step: 0 }]);
  });
});
