/**
 * Offset page tokens, byte-for-byte like MLflow's (mlflow/utils/search_utils.py:
 * SearchUtils.create_page_token / parse_start_offset_from_page_token): base64 of the JSON text
 * `{"offset": N}`. Tokens are therefore interchangeable with an MLflow server's.
 *
 * Decoding follows Python's lenient base64.b64decode (characters outside the alphabet are skipped,
 * input after complete padding is ignored) and MLflow's messages. Differences: every failure is a
 * 400 (MLflow lets a few, e.g. a JSON list or non-ASCII input, escape as 500s), and only a
 * positive integer offset is accepted (MLflow also truncates floats and takes `true` as 1;
 * `{"offset": 0}` is refused by both since MLflow never issues it).
 */
import { invalidParameter } from './errors.js';
import { pythonRepr } from './python-repr.js';

// Kept importable from here for the modules that already do.

/** base64(JSON {"offset": N}) exactly like MLflow, so tokens are interchangeable with MLflow's. */
export function encodeOffsetToken(offset: number): string {
  if (!Number.isSafeInteger(offset) || offset < 0) throw new RangeError(`invalid page offset: ${offset}`);
  // Python's json.dumps puts a space after the colon; keep it so the bytes match.
  return Buffer.from(`{"offset": ${offset}}`, 'utf8').toString('base64');
}

/**
 * Longest offset token accepted: MLflow's are under 40 characters; a longer one is refused before
 * it is decoded (and before an error message could echo megabytes of it back).
 */
export const MAX_PAGE_TOKEN_LENGTH = 1024;

/** undefined/empty → 0; anything malformed (not base64, not JSON, no integer offset, negative) → 400. */
export function decodeOffsetToken(token: string | undefined): number {
  if (!token) return 0;
  if (token.length > MAX_PAGE_TOKEN_LENGTH) {
    throw invalidParameter(`Invalid page token: its length is ${token.length}, more than the ${MAX_PAGE_TOKEN_LENGTH} allowed.`);
  }
  const bytes = pythonB64Decode(token);
  if (!bytes) throw invalidParameter('Invalid page token, could not base64-decode');
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw invalidParameter(`Invalid page token, decoded value=${pythonBytesRepr(bytes)}`);
  }
  const invalidParsed = () => invalidParameter(`Invalid page token, parsed value=${pythonRepr(parsed)}`);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw invalidParsed();
  const offset: unknown = (parsed as Record<string, unknown>)['offset'];
  if (typeof offset === 'string') {
    // Python's int() also accepts a numeric string.
    if (!/^\s*[+-]?\d+(?:_\d+)*\s*$/.test(offset)) throw invalidParameter(`Invalid page token, not stringable ${offset}`);
    const n = Number(offset.replace(/_/g, ''));
    if (!Number.isSafeInteger(n) || n <= 0) throw invalidParsed();
    return n;
  }
  if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset <= 0) throw invalidParsed();
  return offset;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Python's binascii.a2b_base64 in non-strict mode; undefined where Python raises. */
function pythonB64Decode(text: string): Uint8Array | undefined {
  if (/[^\x00-\x7f]/.test(text)) return undefined; // Python: "string argument should contain only ASCII characters"
  const out: number[] = [];
  let quadPos = 0;
  let leftChar = 0;
  let pads = 0;
  for (const ch of text) {
    if (ch === '=') {
      // A pad that completes the current quantum ends decoding; other pads are skipped.
      if (quadPos >= 2 && quadPos + ++pads >= 4) return Uint8Array.from(out);
      continue;
    }
    const v = B64.indexOf(ch);
    if (v < 0) continue;
    pads = 0;
    if (quadPos === 0) leftChar = v;
    else {
      const shift = 8 - 2 * quadPos;
      out.push(((leftChar << (8 - shift)) | (v >> (shift - 2))) & 0xff);
      leftChar = v & ((1 << (shift - 2)) - 1);
    }
    quadPos = (quadPos + 1) % 4;
  }
  return quadPos === 0 ? Uint8Array.from(out) : undefined;
}

/** Python's repr() of a bytes object (b'...'). */
function pythonBytesRepr(bytes: Uint8Array): string {
  const hasSingle = bytes.includes(0x27);
  const q = hasSingle && !bytes.includes(0x22) ? '"' : "'";
  let out = `b${q}`;
  for (const b of bytes) {
    const ch = String.fromCharCode(b);
    if (ch === '\\' || ch === q) out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (b < 0x20 || b >= 0x7f) out += `\\x${b.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return out + q;
}

/**
 * Cursor tokens, for flowreg's own listings that page by position rather than offset (the audit
 * trail: a sequence number per trail, `null` for "from the newest"): base64 of
 * `{"cursor": {"<key>": N | null, …}}`. Opaque to clients, like MLflow's.
 */
export function encodeCursorToken(cursor: Readonly<Record<string, number | null>>): string {
  return Buffer.from(JSON.stringify({ cursor }), 'utf8').toString('base64');
}

/** The cursor of a token from encodeCursorToken; anything else (or a key not in `keys`) → 400. */
export function decodeCursorToken(token: string, keys: readonly string[]): Record<string, number | null> {
  if (token.length > MAX_PAGE_TOKEN_LENGTH) {
    throw invalidParameter(`Invalid page token: its length is ${token.length}, more than the ${MAX_PAGE_TOKEN_LENGTH} allowed.`);
  }
  const invalid = () => invalidParameter('Invalid page token: pass the next_page_token of a previous response unchanged.');
  const bytes = pythonB64Decode(token);
  if (!bytes) throw invalid();
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw invalid();
  }
  const cursor = (parsed as { cursor?: unknown } | null)?.cursor;
  if (typeof cursor !== 'object' || cursor === null || Array.isArray(cursor)) throw invalid();
  const out: Record<string, number | null> = {};
  for (const [key, value] of Object.entries(cursor)) {
    if (!keys.includes(key)) throw invalid();
    if (value !== null && !(typeof value === 'number' && Number.isSafeInteger(value) && value > 0)) throw invalid();
    out[key] = value;
  }
  if (Object.keys(out).length === 0) throw invalid();
  return out;
}
