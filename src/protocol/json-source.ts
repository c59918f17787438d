/**
 * The JSON text of a request body, kept so that an error message can show a number the way the
 * client wrote it. MLflow decodes bodies with Python's json.loads, where `9.0` is a float and `9` an
 * int, and its messages print the value and its type from that (server/handlers.py:
 * _validate_param_against_schema, utils/validation.py: invalid_value): `Invalid value 9.0 … type
 * 'float'`. JSON.parse cannot tell the two apart (Node 20 has no reviver with the source text), so on
 * the error path only, the body is read again by the small reader below, which keeps each number's
 * token. The hot path pays nothing: a body is re-read only to word an error.
 */
import { pythonFloat } from './validation-messages.js';

/** A JSON number as written in the body. */
class NumberToken {
  constructor(readonly token: string) {}

  /** json.loads makes a float of any number written with a fraction or an exponent. */
  get isFloat(): boolean {
    return /[.eE]/.test(this.token);
  }
}

type TokenJson = null | boolean | string | NumberToken | TokenJson[] | { [key: string]: TokenJson };

/** A value as Python's json.dumps(value, sort_keys=True, separators=(",", ":")) prints it. */
export interface PythonShown {
  /** The rendering used by validation.invalid_value. */
  readonly json: string;
  /** `type(value).__name__`. */
  readonly type: string;
}

const NUMBER = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const STRING = /"(?:[^"\\]|\\.)*"/y;
const SPACE = /[ \t\n\r]*/y;

/** Reads text that JSON.parse has already accepted, keeping number tokens. */
function readJson(text: string): TokenJson {
  let i = 0;
  const match = (re: RegExp): string => {
    re.lastIndex = i;
    const m = re.exec(text);
    i = re.lastIndex;
    return m ? m[0] : '';
  };
  const space = () => match(SPACE);
  const value = (): TokenJson => {
    space();
    const c = text[i];
    if (c === '"') return JSON.parse(match(STRING)) as string;
    if (c === '{') {
      i++;
      // A null prototype so that a "__proto__" key is a plain key, as in JSON.parse.
      const out = Object.create(null) as Record<string, TokenJson>;
      space();
      if (text[i] === '}') return (i++, out);
      for (;;) {
        space();
        const key = JSON.parse(match(STRING)) as string;
        space();
        i++; // ':'
        out[key] = value();
        space();
        if (text[i++] === '}') return out;
      }
    }
    if (c === '[') {
      i++;
      const out: TokenJson[] = [];
      space();
      if (text[i] === ']') return (i++, out);
      for (;;) {
        out.push(value());
        space();
        if (text[i++] === ']') return out;
      }
    }
    for (const [word, v] of [['true', true], ['false', false], ['null', null]] as const) {
      if (text.startsWith(word, i)) return ((i += word.length), v);
    }
    return new NumberToken(match(NUMBER));
  };
  return value();
}

/** json.dumps of a float: float.__repr__, and JavaScript's names for the non-finite values. */
function pythonFloatJson(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? 'Infinity' : '-Infinity';
  return pythonFloat(x);
}

function render(v: TokenJson): string {
  if (v instanceof NumberToken) return v.isFloat ? pythonFloatJson(Number(v.token)) : BigInt(v.token).toString();
  if (Array.isArray(v)) return `[${v.map(render).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const keys = Object.keys(v).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${keys.map((k) => `${JSON.stringify(k)}:${render(v[k] as TokenJson)}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

function typeName(v: TokenJson): string {
  if (v instanceof NumberToken) return v.isFloat ? 'float' : 'int';
  if (v === null) return 'NoneType';
  if (Array.isArray(v)) return 'list';
  return typeof v === 'string' ? 'str' : typeof v === 'boolean' ? 'bool' : 'dict';
}

/** True when a parsed value holds a number anywhere (only then can the token differ from it). */
export function holdsNumber(v: unknown): boolean {
  if (typeof v === 'number') return true;
  if (v === null || typeof v !== 'object') return false;
  return Object.values(v as Record<string, unknown>).some(holdsNumber);
}

/** The JSON text a request message was decoded from. */
export class JsonSource {
  private tree: TokenJson | undefined;

  constructor(readonly text: string) {}

  /** The value at `path` (object keys and list indexes) as MLflow prints it, or undefined. */
  shownAt(path: readonly (string | number)[]): PythonShown | undefined {
    let v: TokenJson | undefined = (this.tree ??= readJson(this.text));
    for (const step of path) {
      if (v === null || typeof v !== 'object' || v instanceof NumberToken) return undefined;
      v = Array.isArray(v) ? v[step as number] : Object.hasOwn(v, step) ? v[step as string] : undefined;
      if (v === undefined) return undefined;
    }
    return { json: render(v), type: typeName(v) };
  }
}
