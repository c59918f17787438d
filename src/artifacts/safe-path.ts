/**
 * Path safety: the one gate that user-supplied paths and URIs pass before the server trusts them.
 * A security boundary: keep every such check here.
 */
import { invalidParameter } from '../protocol/errors.js';

/** Python's urllib.parse.unquote_plus, applied until the value stops changing. */
export function unquoteRepeatedly(value: string, plus: boolean): string {
  for (let i = 0; i < 32; i++) {
    let next = plus ? value.replace(/\+/g, ' ') : value;
    next = next.replace(/(%[0-9a-fA-F]{2})+/g, (run) => {
      try {
        return decodeURIComponent(run);
      } catch {
        // Not UTF-8: decode byte by byte as latin-1 would, so that `%2e` inside still surfaces.
        return run.replace(/%([0-9a-fA-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
      }
    });
    if (next === value) return value;
    value = next;
  }
  throw invalidParameter('Invalid path');
}

/** The scheme of a URI (`s3`, `runs`, `file`, …), or '' for a plain path. */
export function uriScheme(uri: string): string {
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(uri);
  return m ? (m[1] as string).toLowerCase() : '';
}

/** utils/uri.py: is_local_uri — a plain path or a file: URI. */
export function isLocalUri(uri: string): boolean {
  const scheme = uriScheme(uri);
  return scheme === '' || scheme === 'file';
}

/** The path part of a URI as urllib.parse.urlparse would give it. */
function urlPath(uri: string): string {
  let rest = uri;
  const scheme = uriScheme(uri);
  if (scheme) rest = rest.slice(scheme.length + 1);
  if (rest.startsWith('//')) {
    const slash = rest.indexOf('/', 2);
    rest = slash < 0 ? '' : rest.slice(slash);
  }
  return rest.split('#')[0]?.split('?')[0]?.split(';')[0] ?? '';
}

/**
 * A non-local model-version source must be an absolute path without relative references
 * (server/handlers.py: _validate_non_local_source_contains_relative_paths): `..` segments,
 * `%2e%2e` in any depth of URL-encoding, `./` segments and NUL are rejected.
 */
export function validateNonLocalSource(source: string): void {
  const message =
    `Invalid model version source: '${source}'. If supplying a source as an http, https, local file path, ` +
    'ftp, objectstore, or mlflow-artifacts uri, an absolute path must be provided without relative path ' +
    'references present. Please provide an absolute path.';
  const decoded = unquoteRepeatedly(source, true);
  const sourcePath = urlPath(decoded).replace(/\/+/g, '/').replace(/\/+$/, '');
  if (decoded.includes('\0') || decoded.split('/').some((segment) => segment === '..')) {
    throw invalidParameter(message);
  }
  if (sourcePath !== '' && (!sourcePath.startsWith('/') || sourcePath.split('/').some((s) => s === '.'))) {
    throw invalidParameter(message);
  }
}

/** C0 controls and DEL. MLflow escapes them (utils/uri.py: _escape_control_characters); we refuse them. */
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;

/**
 * A `file:` URI as a path, the way mlflow/utils/file_utils.py: local_file_uri_to_path reads it
 * (`file:a/b` → `a/b`, `file:///x` → `/x`). Anything urlparse would silently drop or reinterpret
 * (a host, `;params`, `?query`) is refused rather than guessed at.
 */
function fileUriToPath(uri: string): string {
  let rest = uri.slice('file:'.length);
  if (/[;?]/.test(rest)) throw invalidParameter('Invalid path');
  if (rest.startsWith('//')) {
    const slash = rest.indexOf('/', 2);
    const host = slash < 0 ? rest.slice(2) : rest.slice(2, slash);
    if (host !== '') throw invalidParameter('Invalid path');
    rest = slash < 0 ? '' : rest.slice(slash);
  }
  return rest;
}

/**
 * The one gate for artifact paths taken from a request (`<path>` in the URL, `?path=`), with the
 * rules of mlflow/utils/uri.py: validate_path_is_safe:
 *   - URL-decode repeatedly until the value is stable (bounded), so `%252e%252e` is seen as `..`;
 *   - refuse `#`, and (stricter than MLflow, which escapes them) control characters and NUL;
 *   - convert a `file:` URI to its path first;
 *   - refuse `\` (the alternative separator MLflow refuses on Windows; refused everywhere here so
 *     the artifact tree means the same on every OS), a `..` segment, POSIX absolute paths and
 *     Windows drive (`C:\`, `C:/`, `C:x`) or UNC (`\\host`) paths.
 * Returns the decoded relative path ('' is the root). Failure → INVALID_PARAMETER_VALUE "Invalid path".
 * The stores still check containment after resolving symlinks (validate_path_within_directory).
 */
export function safeArtifactPath(raw: string): string {
  let p = unquoteRepeatedly(raw, false);
  const invalid = () => invalidParameter('Invalid path');
  if (CONTROL_CHARS.test(p) || p.includes('#')) throw invalid();
  if (uriScheme(p) === 'file') p = fileUriToPath(p);
  if (p.includes('\\')) throw invalid();
  if (p.startsWith('/')) throw invalid();
  if (/^[a-zA-Z]:/.test(p)) throw invalid();
  if (p.split('/').includes('..')) throw invalid();
  return p;
}
