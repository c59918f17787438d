import { describe, expect, it } from 'vitest';
import { pythonJsonDumps } from '../../src/protocol/python-json.js';

describe('pythonJsonDumps', () => {
  // Expected strings are what CPython 3.11 `json.dumps(value)` prints.
  it.each([
    [[{ name: 'model', version: 1 }], '[{"name": "model", "version": 1}]'],
    [[], '[]'],
    [{}, '{}'],
    [{ a: [1, 2.5, null, true, false] }, '{"a": [1, 2.5, null, true, false]}'],
    ['m\u00e9\u007f"\\\n\t\u0001\u{1F600}', '"m\\u00e9\\u007f\\"\\\\\\n\\t\\u0001\\ud83d\\ude00"'],
    ['~ plain ascii', '"~ plain ascii"'],
  ])('%j → %s', (value, expected) => {
    expect(pythonJsonDumps(value)).toBe(expected);
  });
});
