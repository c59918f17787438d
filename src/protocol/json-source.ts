/**
 * The JSON text of a request body, kept so that an error message can show a number the way the
 * client wrote it. MLflow decodes bodies with Python's json.loads, where `9.0` is a float and `9` an
 * int, and its messages print the value and its type from that (server/handlers.py:
 * _validate_param_against_schema, utils/validation.py: invalid_value): `Invalid value 9.0 … type
 * 'float'`. JSON.parse cannot tell the two apart (Node 20 has no reviver with the source text), so on
 * the error path only, the body is read again by the small reader below, which walks to the one
 * value at fault and keeps its number tokens. The hot path pays nothing: a body is re-read only to
 * word an error, and then only the path to the value is scanned.
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
// The unrolled form of "(?:[^"\\]|\\.)*": one regex step per run of plain characters.
const STRING = /"[^"\\]*(?:\\.[^"\\]*)*"/y;
const SPACE = /[ \t\n\r]*/y;
const SCALAR = /[^,}\]\s]*/y;
const PLAIN = /[^"{}[\]]*/y;

/**
 * A reader over text that JSON.parse has already accepted: it walks to one value, skipping the
 * others without building them, and builds only that value with its number tokens.
 */
class TokenReader {
  private i = 0;

  constructor(private readonly text: string) {}

  private match(re: RegExp): string {
    re.lastIndex = this.i;
    const m = re.exec(this.text);
    this.i = re.lastIndex;
    return m ? m[0] : '';
  }

  private space(): void {
    this.match(SPACE);
  }

  private skip(): void {
    this.space();
    const c = this.text[this.i];
    if (c === '"') return void this.match(STRING);
    if (c !== '{' && c !== '[') return void this.match(SCALAR);
    this.i++;
    for (let depth = 1; depth > 0; ) {
      this.match(PLAIN);
      const d = this.text[this.i];
      if (d === '"') this.match(STRING);
      else if (d === undefined) return;
      else (this.i++, (depth += d === '{' || d === '[' ? 1 : -1));
    }
  }

  /** Moves to the member or element `step` of the container here; false when it has none. */
  private enter(step: string | number): boolean {
    this.space();
    const open = this.text[this.i];
    if (open !== (typeof step === 'number' ? '[' : '{')) return false;
    this.i++;
    let found: number | undefined;
    for (let index = 0; ; index++) {
      this.space();
      if (this.text[this.i] === '}' || this.text[this.i] === ']') break;
      let here = typeof step === 'number' && index === step;
      if (open === '{') {
        const key = JSON.parse(this.match(STRING)) as string;
        this.space();
        this.i++; // ':'
        here = key === step;
      }
      // The last of repeated keys wins, as in JSON.parse.
      if (here) found = this.i;
      this.skip();
      this.space();
      if (this.text[this.i] !== ',') break;
      this.i++;
    }
    if (found === undefined) return false;
    this.i = found;
    return true;
  }

  /** The value at `path`, with its number tokens, or undefined when there is none. */
  valueAt(path: readonly (string | number)[]): TokenJson | undefined {
    for (const step of path) if (!this.enter(step)) return undefined;
    return this.value();
  }

  private value(): TokenJson {
    this.space();
    const c = this.text[this.i];
    if (c === '"') return JSON.parse(this.match(STRING)) as string;
    if (c === '{') {
      this.i++;
      // A null prototype so that a "__proto__" key is a plain key, as in JSON.parse.
      const out = Object.create(null) as Record<string, TokenJson>;
      this.space();
      if (this.text[this.i] === '}') return (this.i++, out);
      for (;;) {
        this.space();
        const key = JSON.parse(this.match(STRING)) as string;
        this.space();
        this.i++; // ':'
        out[key] = this.value();
        this.space();
        if (this.text[this.i++] === '}') return out;
      }
    }
    if (c === '[') {
      this.i++;
      const out: TokenJson[] = [];
      this.space();
      if (this.text[this.i] === ']') return (this.i++, out);
      for (;;) {
        out.push(this.value());
        this.space();
        if (this.text[this.i++] === ']') return out;
      }
    }
    for (const [word, v] of [['true', true], ['false', false], ['null', null]] as const) {
      if (this.text.startsWith(word, this.i)) return ((this.i += word.length), v);
    }
    return new NumberToken(this.match(NUMBER));
  }
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
  constructor(readonly text: string) {}

  /** The value at `path` (object keys and list indexes) as MLflow prints it, or undefined. */
  shownAt(path: readonly (string | number)[]): PythonShown | undefined {
    const v = new TokenReader(this.text).valueAt(path);
    return v === undefined ? undefined : { json: render(v), type: typeName(v) };
  }
}
