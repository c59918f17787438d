/**
 * Artifact-location arithmetic and checks for experiments, runs and logged models
 * (mlflow/utils/uri.py: append_to_uri_path, resolve_uri_if_local; server/handlers.py:
 * _validate_storage_location_uri).
 */
import path from 'node:path';
import { invalidParameter } from '../protocol/errors.js';
import { isLocalUri, unquoteRepeatedly, uriScheme, validateNonLocalSource } from '../artifacts/safe-path.js';
import { MAX_ARTIFACT_LOCATION_LENGTH } from './validation.js';

/** posixpath.join after stripping the suffix's leading slashes (_join_posixpaths_and_append_absolute_suffixes). */
function joinPosix(prefix: string, suffix: string): string {
  if (prefix === '') return suffix;
  const rel = suffix.replace(/^\/+/, '');
  return prefix.endsWith('/') ? prefix + rel : `${prefix}/${rel}`;
}

function validateQueryString(query: string): void {
  if (unquoteRepeatedly(query, false).includes('..')) throw invalidParameter('Invalid query string');
}

/**
 * Appends POSIX paths to a URI's path, keeping scheme, authority, query and fragment:
 * `mlflow-artifacts:/` + `0` → `mlflow-artifacts:/0`, `s3://b/p?x=1` + `a` → `s3://b/p/a?x=1`.
 */
export function appendToUriPath(uri: string, ...paths: string[]): string {
  let suffix = '';
  for (const p of paths) suffix = joinPosix(suffix, p);
  if (suffix === '') return uri;
  const scheme = uriScheme(uri);
  if (!scheme) return joinPosix(uri, suffix);
  let rest = uri.slice(scheme.length + 1);
  let tail = '';
  const q = rest.search(/[?#]/);
  if (q >= 0) {
    tail = rest.slice(q);
    rest = rest.slice(0, q);
  }
  const query = tail.startsWith('?') ? (tail.slice(1).split('#')[0] ?? '') : '';
  validateQueryString(query);
  let authority = '';
  if (rest.startsWith('//')) {
    const slash = rest.indexOf('/', 2);
    authority = slash < 0 ? rest : rest.slice(0, slash);
    rest = slash < 0 ? '' : rest.slice(slash);
  }
  let joined = joinPosix(rest, suffix);
  if (authority && !joined.startsWith('/')) joined = `/${joined}`;
  return `${uri.slice(0, scheme.length)}:${authority}${joined}${tail}`;
}

/**
 * Checks a client-supplied experiment artifact location and resolves a relative local path
 * against the server's working directory, as MLflow does. Rejected: `runs:` URIs, fragments and
 * `;params`, relative references (`..`, `%2e%2e`, NUL) anywhere, over-long values.
 */
export function checkArtifactLocation(location: string, cwd: string = process.cwd()): string {
  if (location.startsWith('runs:')) {
    throw invalidParameter(`Artifact location cannot be a runs:/ URI. Given: '${location}'`);
  }
  if (location.length > MAX_ARTIFACT_LOCATION_LENGTH) {
    throw invalidParameter(
      `Invalid artifact path length. The length of the artifact path cannot be greater than ${MAX_ARTIFACT_LOCATION_LENGTH} characters.`,
    );
  }
  const invalid = () =>
    invalidParameter(`Invalid artifact location: '${location}'. Relative path references are not allowed; provide an absolute location.`);
  if (isLocalUri(location)) {
    const decoded = unquoteRepeatedly(location, false);
    if (decoded.includes('\0') || decoded.split(/[/\\]/).some((s) => s === '..')) throw invalid();
    if (uriScheme(location) === 'file') return location;
    return path.resolve(cwd, location);
  }
  const afterScheme = location.slice(uriScheme(location).length + 1);
  if (afterScheme.includes('#') || /;[^/]*$/.test(afterScheme.split('?')[0] ?? '')) {
    throw invalidParameter("'artifact_location' URL can't include fragments or params.");
  }
  const q = afterScheme.indexOf('?');
  if (q >= 0) validateQueryString(afterScheme.slice(q + 1));
  try {
    validateNonLocalSource(location);
  } catch {
    throw invalid();
  }
  return location;
}
