/**
 * Header values for artifact downloads: `Range` (RFC 9110 §14) and `Content-Disposition`
 * (RFC 6266 with RFC 5987 for non-ASCII names).
 */

export interface ByteRange {
  readonly start: number;
  /** Inclusive. */
  readonly end: number;
}

/**
 * A single `bytes=` range against a file of `size` bytes. undefined means "send the whole file":
 * no header, another unit, a malformed value, or several ranges (a server may ignore Range, and no
 * MLflow client asks for more than one). 'unsatisfiable' is a 416.
 */
export function parseRange(header: string | undefined, size: number): ByteRange | 'unsatisfiable' | undefined {
  if (header === undefined) return undefined;
  const m = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (!m) return undefined;
  const [, first = '', last = ''] = m;
  if (first === '' && last === '') return undefined;
  if (first === '') {
    // Suffix range: the last N bytes.
    const n = Number(last);
    if (n === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(first);
  if (last !== '' && Number(last) < start) return undefined;
  if (start >= size) return 'unsatisfiable';
  return { start, end: last === '' ? size - 1 : Math.min(Number(last), size - 1) };
}

/** RFC 7230 token characters: such a name needs no quoting. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

function quoteValue(value: string): string {
  if (value === '') return '""';
  if (TOKEN.test(value)) return value;
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** Characters that must never reach a header: C0 controls (CR, LF: header injection) and DEL. */
const CONTROLS = /[\u0000-\u001f\u007f]/g;

/**
 * `attachment; filename=<name>`, as MLflow sends it (handlers.py: _content_disposition_attachment):
 * the name quoted when it is not a token; a non-ASCII name gets an ASCII fallback (accents
 * stripped, else `download`) plus `filename*=UTF-8''<percent-encoded>`. Header values must be
 * ASCII, so the raw name is never put in the header; `"` and `\` are escaped in the quoted
 * string (werkzeug's quote_header_value). Further than MLflow: a control character (CR, LF: header
 * injection; Node refuses to send one, a 500) becomes `_` in the fallback, and the name is sent
 * whole, percent-encoded, in `filename*`.
 */
export function contentDisposition(filename: string): string {
  if (/^[\u0020-\u007e]*$/.test(filename)) return `attachment; filename=${quoteValue(filename)}`;
  const fallback =
    filename
      .normalize('NFKD')
      .replace(CONTROLS, '_')
      .replace(/[^\u0020-\u007e]/g, '') || 'download';
  // RFC 5987 attr-char: ALPHA / DIGIT / "!#$&+-.^_`|~"
  const encoded = Array.from(new TextEncoder().encode(filename), (b) => {
    const c = String.fromCharCode(b);
    return /[A-Za-z0-9!#$&+\-.^_`|~]/.test(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }).join('');
  return `attachment; filename=${quoteValue(fallback)}; filename*=UTF-8''${encoded}`;
}
