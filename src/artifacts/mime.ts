/**
 * Content-Type of a downloaded artifact, by name, with MLflow's rules
 * (mlflow/utils/mime_type_utils.py: _guess_mime_type): names whose extension (or, without one,
 * whose whole name, e.g. `MLmodel`) is a known text format are `text/plain`; otherwise what
 * Python's `mimetypes.guess_type` answers from its built-in table; otherwise
 * `application/octet-stream`. The table below is the part of Python's defaults that artifacts
 * plausibly use.
 */

const TEXT_EXTENSIONS = new Set([
  'txt', 'log', 'err', 'cfg', 'conf', 'cnf', 'cf', 'ini', 'properties', 'prop', 'hocon', 'toml',
  'yaml', 'yml', 'xml', 'json', 'js', 'py', 'py3', 'csv', 'tsv', 'md', 'rst', 'ipynb',
  // MLMODEL_FILE_NAME and MLPROJECT_FILE_NAME (mlflow/projects/_project_spec.py), which is
  // lower-case: an `MLproject` file is matched as a whole name, case-sensitively, so it is not text.
  'MLmodel', 'mlproject',
]);

const TYPES: Readonly<Record<string, string>> = {
  '.aac': 'audio/aac',
  '.avi': 'video/x-msvideo',
  '.avif': 'image/avif',
  '.bin': 'application/octet-stream',
  '.bmp': 'image/bmp',
  '.c': 'text/plain',
  '.css': 'text/css',
  '.csv': 'text/csv',
  '.doc': 'application/msword',
  '.eml': 'message/rfc822',
  '.gif': 'image/gif',
  '.h': 'text/plain',
  '.h5': 'application/x-hdf5',
  '.htm': 'text/html',
  '.html': 'text/html',
  '.ico': 'image/vnd.microsoft.icon',
  '.jpeg': 'image/jpeg',
  '.jpg': 'image/jpeg',
  '.json': 'application/json',
  '.mjs': 'application/javascript',
  '.mov': 'video/quicktime',
  '.mp3': 'audio/mpeg',
  '.mp4': 'video/mp4',
  '.pdf': 'application/pdf',
  '.png': 'image/png',
  '.sh': 'application/x-sh',
  '.svg': 'image/svg+xml',
  '.tar': 'application/x-tar',
  '.tif': 'image/tiff',
  '.tiff': 'image/tiff',
  '.wasm': 'application/wasm',
  '.wav': 'audio/x-wav',
  '.webm': 'video/webm',
  '.xls': 'application/vnd.ms-excel',
  '.zip': 'application/zip',
};

/** Compression suffixes `mimetypes` looks through (`x.tar.gz` is a tar), and its aliases for them. */
const ENCODINGS = new Set(['.gz', '.bz2', '.xz', '.br', '.Z']);
const SUFFIX_ALIASES: Readonly<Record<string, string>> = {
  '.tgz': '.tar.gz',
  '.taz': '.tar.gz',
  '.tz': '.tar.gz',
  '.tbz2': '.tar.bz2',
  '.txz': '.tar.xz',
};

/** os.path.splitext: a leading dot does not start an extension. */
function splitExt(name: string): [string, string] {
  const dot = name.lastIndexOf('.');
  if (dot <= 0 || /^\.+$/.test(name.slice(0, dot + 1))) return [name, ''];
  return [name.slice(0, dot), name.slice(dot)];
}

function pythonGuessType(filename: string): string | undefined {
  let [base, ext] = splitExt(filename);
  const alias = SUFFIX_ALIASES[ext] ?? SUFFIX_ALIASES[ext.toLowerCase()];
  if (alias) [base, ext] = splitExt(base + alias);
  if (ENCODINGS.has(ext) || ENCODINGS.has(ext.toLowerCase())) [, ext] = splitExt(base);
  return TYPES[ext] ?? TYPES[ext.toLowerCase()];
}

export function guessMimeType(filename: string): string {
  let ext = splitExt(filename)[1].replace(/\./g, '');
  if (ext === '') ext = filename;
  if (TEXT_EXTENSIONS.has(ext)) return 'text/plain';
  return pythonGuessType(filename) ?? 'application/octet-stream';
}
