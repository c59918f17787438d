import { describe, it, expect } from 'vitest';
import { expectInvalid } from './expect-invalid.js';
import { decodeOffsetToken, encodeOffsetToken } from '../../src/protocol/page-token.js';
import { pythonRepr } from '../../src/protocol/python-repr.js';

const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

describe('encodeOffsetToken', () => {
  // Tokens produced by MLflow's SearchUtils.create_page_token for the same offsets.
  it.each([
    [1, 'eyJvZmZzZXQiOiAxfQ=='],
    [10, 'eyJvZmZzZXQiOiAxMH0='],
    [100, 'eyJvZmZzZXQiOiAxMDB9'],
    [123456789, 'eyJvZmZzZXQiOiAxMjM0NTY3ODl9'],
  ])('encodes %i like MLflow', (offset, token) => {
    expect(encodeOffsetToken(offset)).toBe(token);
    expect(decodeOffsetToken(token)).toBe(offset);
  });

  it.each([-1, 1.5, Number.NaN, Number.MAX_SAFE_INTEGER + 2])('refuses the programming error %d', (offset) => {
    expect(() => encodeOffsetToken(offset)).toThrow(RangeError);
  });

  it('round-trips', () => {
    for (const offset of [1, 2, 99, 1000, 200_000, 2 ** 40]) expect(decodeOffsetToken(encodeOffsetToken(offset))).toBe(offset);
  });
});

describe('decodeOffsetToken', () => {
  it.each([
    [undefined, 0],
    ['', 0],
    ['eyJvZmZzZXQiOiAxMDB9', 100],
    ['eyJvZmZzZXQiOiAxMH0=', 10],
    [b64('{"offset":5}'), 5],
    [b64('{"offset": 3, "n": "é"}'), 3],
    // Python's int() accepts numeric strings.
    [b64('{"offset": "7"}'), 7],
    [b64('{"offset": "1_0"}'), 10],
    // Python's lenient base64: stray characters are skipped, input after the padding ignored.
    ['eyJvZmZz!!ZXQiOiAxMH0=', 10],
    ['eyJvZmZzZXQiOiAxMH0=junk', 10],
    ['eyJv=ZmZzZXQiOiAxMH0=', 10],
    ['eyJvZmZzZXQiOiAx\nMH0=', 10],
  ])('decodes %j → %i', (token, offset) => {
    expect(decodeOffsetToken(token)).toBe(offset);
  });

  it.each([
    ['eyJvZmZzZXQiOiAxMH0', 'Invalid page token, could not base64-decode'],
    ['abc', 'Invalid page token, could not base64-decode'],
    ['a', 'Invalid page token, could not base64-decode'],
    ['é', 'Invalid page token, could not base64-decode'],
    ['abcd', "Invalid page token, decoded value=b'i\\xb7\\x1d'"],
    ['%%%%', "Invalid page token, decoded value=b''"],
    ['bm90IGpzb24=', "Invalid page token, decoded value=b'not json'"],
    ['//4=', "Invalid page token, decoded value=b'\\xff\\xfe'"],
    [b64("x'y"), 'Invalid page token, decoded value=b"x\'y"'],
    [b64('x\'"y'), "Invalid page token, decoded value=b'x\\'\"y'"],
    [b64('{"offset": 0}'), "Invalid page token, parsed value={'offset': 0}"],
    [b64('{"offset": -5}'), "Invalid page token, parsed value={'offset': -5}"],
    [b64('{"offset": 2.7}'), "Invalid page token, parsed value={'offset': 2.7}"],
    [b64('{"offset": true}'), "Invalid page token, parsed value={'offset': True}"],
    [b64('{"offset": null}'), "Invalid page token, parsed value={'offset': None}"],
    [b64('{"offset": [1]}'), "Invalid page token, parsed value={'offset': [1]}"],
    [b64('{"offset": 1e300}'), "Invalid page token, parsed value={'offset': 1e+300}"],
    [b64('{"offset": "-3"}'), "Invalid page token, parsed value={'offset': '-3'}"],
    [b64('{}'), 'Invalid page token, parsed value={}'],
    [b64('[1]'), 'Invalid page token, parsed value=[1]'],
    [b64('12'), 'Invalid page token, parsed value=12'],
    [b64('"x"'), "Invalid page token, parsed value='x'"],
    [b64('{"x": 1, "y": [null, false, "a\'b"]}'), `Invalid page token, parsed value={'x': 1, 'y': [None, False, "a'b"]}`],
    [b64('{"offset": "x"}'), 'Invalid page token, not stringable x'],
    [b64('{"offset": "1.5"}'), 'Invalid page token, not stringable 1.5'],
  ])('rejects %j', (token, message) => {
    expectInvalid(() => decodeOffsetToken(token), message);
  });
});

describe('pythonRepr', () => {
  it.each<readonly [unknown, string]>([
    ['abc', "'abc'"],
    ["it's", `"it's"`],
    [`it's "x"`, `'it\\'s "x"'`],
    ['a\\b', "'a\\\\b'"],
    ['a\nb\tc\r', "'a\\nb\\tc\\r'"],
    ['\x00\x7f', "'\\x00\\x7f'"],
    ['\u2028', "'\\u2028'"],
    ['é 日本', "'é 日本'"],
    [null, 'None'],
    [true, 'True'],
    [false, 'False'],
    [3, '3'],
    [['a', 1, null], "['a', 1, None]"],
    [{ k: 'v', n: { m: [] } }, "{'k': 'v', 'n': {'m': []}}"],
  ])('repr(%j) → %s', (value, expected) => {
    expect(pythonRepr(value)).toBe(expected);
  });
});
