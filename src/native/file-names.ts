/**
 * File names of a native publish. They come from the client (multipart `filename=`), so each one
 * is checked here with a message that says what is wrong, and then passes the server's one path
 * gate, `safeArtifactPath`, which must leave it unchanged: a name is stored exactly as sent.
 */
import { invalidParameter } from '../protocol/errors.js';
import { safeArtifactPath } from '../artifacts/safe-path.js';
import { TEMP_PREFIX } from '../artifacts/artifact-store.js';

export const MAX_PATH_BYTES = 4096;
export const MAX_SEGMENT_BYTES = 255;

/**
 * A relative, `/`-separated path with no empty, `.` or `..` segment. Returns it unchanged;
 * throws INVALID_PARAMETER_VALUE naming `what` otherwise.
 */
export function checkRelativePath(raw: string, what: string): string {
  const fail = (reason: string) => invalidParameter(`Invalid ${what} ${JSON.stringify(raw)}: ${reason}`);
  if (raw === '') throw fail('it is empty');
  if (/[\u0000-\u001f\u007f]/.test(raw)) throw fail('it contains a control character');
  if (raw.includes('\\')) throw fail("use '/' to separate directories, not '\\'");
  if (raw.startsWith('/') || /^[a-zA-Z]:/.test(raw)) throw fail('it must be a relative path, not an absolute one');
  const segments = raw.split('/');
  if (segments.includes('..')) throw fail("it must not contain '..'");
  if (segments.includes('.') || segments.includes('')) throw fail("it must not contain empty or '.' segments, or end with '/'");
  if (segments.some((s) => s.startsWith(TEMP_PREFIX))) throw fail(`names starting with '${TEMP_PREFIX}' are reserved`);
  if (Buffer.byteLength(raw) > MAX_PATH_BYTES) throw fail(`it is longer than ${MAX_PATH_BYTES} bytes`);
  if (segments.some((s) => Buffer.byteLength(s) > MAX_SEGMENT_BYTES)) throw fail(`a path segment is longer than ${MAX_SEGMENT_BYTES} bytes`);
  let gated: string;
  try {
    gated = safeArtifactPath(raw);
  } catch {
    throw fail("it is not a safe artifact path (no '#', no URI schemes)");
  }
  if (gated !== raw) throw fail("it must not contain percent-escapes ('%2e' and the like) or a URI scheme");
  return raw;
}

/** A file part's name. */
export function checkFileName(raw: string | undefined): string {
  if (raw === undefined) throw invalidParameter('Invalid file part: it has no filename; every file part needs filename="<relative path>"');
  return checkRelativePath(raw, 'file name');
}
