import { describe, expect, it } from 'vitest';
import { MlflowError } from '../../src/protocol/errors.js';
import { safeArtifactPath } from '../../src/artifacts/safe-path.js';

/** Percent-encodes every character that is not unreserved, `times` times over. */
function encode(value: string, times: number): string {
  let out = value;
  for (let i = 0; i < times; i++) {
    out = Array.from(new TextEncoder().encode(out), (b) => {
      const c = String.fromCharCode(b);
      return /[A-Za-z0-9_~-]/.test(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
    }).join('');
  }
  return out;
}

function expectInvalid(raw: string): void {
  let caught: unknown;
  try {
    safeArtifactPath(raw);
  } catch (err) {
    caught = err;
  }
  expect(caught, `accepted ${JSON.stringify(raw)}`).toBeInstanceOf(MlflowError);
  expect((caught as MlflowError).toJSON()).toEqual({ error_code: 'INVALID_PARAMETER_VALUE', message: 'Invalid path' });
}

const ATTACKS: readonly string[] = [
  '..',
  '../etc/passwd',
  'a/../../b',
  'a/b/..',
  '0/../../../etc/passwd',
  '%2e%2e/x',
  '%2E%2E%2Fx',
  '..%2fx',
  '..%5cx',
  'a\\..\\b',
  '/etc/passwd',
  '//etc/passwd',
  'C:\\Windows',
  'C:/Windows',
  'c:x',
  '\\\\server\\share',
  '//server/share',
  'a\u0000b',
  'a%00b',
  'a\nb',
  'a\u001fb',
  'a\u007fb',
  'a#b',
  '#',
  'file:///etc/passwd',
  'file://host/x',
  'file://localhost/etc/passwd',
  'file:/etc/passwd',
  'file:a/../../b',
  'file:a;b',
  'file:a?b',
  'FILE:///etc/passwd',
  // As MLflow's UI routes receive them (`/get-artifact?path=`, `upload-artifact?path=`,
  // `logged-models/{id}/artifacts/files?artifact_file_path=`): out of the run's root into another.
  'model/../../../../etc/passwd',
  '../../other-run/artifacts/model.pkl',
  'artifacts/..%2F..%2Fsecret',
  'a/%2e%2e/%2e%2e/b',
  '%2e%2e%2f%2e%2e%2fetc%2fpasswd',
  '.%2e/x',
  'x/..',
  '/',
  'file:///',
  '\\\\?\\C:\\x',
];

const SAFE: readonly string[] = [
  '',
  'a',
  '0/abc/artifacts/model/MLmodel',
  '1/models/m-0123456789abcdef/artifacts/model.pkl',
  'dir with spaces/file name.txt',
  'ünïcødé/日本語.json',
  'a..b',
  '..a',
  'a..',
  '.hidden',
  'dir/.hidden/.x',
  './a',
  'a/./b',
  'a//b',
  'a/b/',
  '100%',
  'a%zz',
  'a;b=c',
  'a?b',
  's3:/bucket/x',
  'mlflow-artifacts:/0/x',
];

describe('safeArtifactPath rejects traversal and absolute paths', () => {
  for (const times of [0, 1, 2, 3]) {
    it.each(ATTACKS)(`%j encoded ${times}×`, (attack) => {
      expectInvalid(encode(attack, times));
    });
  }
});

describe('safeArtifactPath lets safe paths through unchanged', () => {
  it.each(SAFE)('%j', (safe) => {
    expect(safeArtifactPath(safe)).toBe(safe);
  });

  it.each(SAFE.filter((s) => !s.includes('%')))('%j after 1–3 rounds of URL-encoding', (safe) => {
    for (const times of [1, 2, 3]) expect(safeArtifactPath(encode(safe, times))).toBe(safe);
  });

  it('decodes a `%` escape of a safe character', () => {
    expect(safeArtifactPath('a%20b/c%2Fd')).toBe('a b/c/d');
    expect(safeArtifactPath('100%2525')).toBe('100%');
    expect(safeArtifactPath('%E6%97%A5.txt')).toBe('日.txt');
  });

  it('converts file: URIs without a host to their relative path', () => {
    expect(safeArtifactPath('file:a/b')).toBe('a/b');
  });

  it('is idempotent, so a store may gate a path the HTTP layer already gated', () => {
    for (const safe of SAFE) expect(safeArtifactPath(safeArtifactPath(safe))).toBe(safeArtifactPath(safe));
  });

  it('gives up on values that keep decoding past the bound', () => {
    expectInvalid(encode('x/y', 40));
  });
});
