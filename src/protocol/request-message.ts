/**
 * The decoder of MLflow request messages: typed field readers with MLflow's messages for missing
 * and mistyped fields (server/handlers.py: _validate_param_against_schema). Every request field of
 * every endpoint (registry, tracking, native) is read through these primitives.
 */
import { invalidParameter } from './errors.js';
import { holdsNumber, type JsonSource } from './json-source.js';
import { requestMissing, requestWrongType } from './validation-messages.js';

type Raw = Readonly<Record<string, unknown>>;

/** What a field should have held, for messages that say so (the native metadata part). */
export type Expected = 'a string' | 'a number' | 'an integer' | 'a boolean' | 'a list' | 'a list of strings' | 'an object';

/** The wording of decode errors; `path` is the field as the message names it. */
export interface DecodeMessages {
  missing(path: string): Error;
  /** `shown` is the value as MLflow prints it, from the body's JSON text, when the decoder has it. */
  wrongType(path: string, value: unknown, expected: Expected, shown?: { json: string; type: string }): Error;
  nul(path: string): Error;
}

/** MLflow's request-schema messages (server/handlers.py: _validate_param_against_schema). */
export const MLFLOW_MESSAGES: DecodeMessages = {
  missing: requestMissing,
  wrongType: (path, value, _expected, shown) => requestWrongType(path, value, shown?.json, shown?.type),
  nul: (path) => invalidParameter(`Invalid value for parameter '${path}': it contains a NUL character.`),
};

export interface MessageOptions {
  readonly messages?: DecodeMessages;
  /** Prefix of field names in messages: `params[0].` for MLflow's per-entry paths. */
  readonly prefix?: string;
  /** The body text and where this message sits in it, to print numbers as written. */
  readonly source?: JsonSource;
  readonly at?: readonly (string | number)[];
  /** Numbers must be JSON numbers (no proto-JSON strings such as "5" or "NaN"). */
  readonly jsonNumbersOnly?: boolean;
}

export interface KeyValue {
  readonly key: string;
  readonly value: string;
}

const absent = (v: unknown): v is undefined | null => v === undefined || v === null;

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const INT64 = /^\s*[+-]?\d+\s*$/;
const DOUBLE = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * A request message with typed, validating field readers: the only decoder of request fields.
 * Every string goes through one check (no NUL: PostgreSQL cannot store it in text, and no MLflow
 * identifier or value needs one), so every endpoint refuses it the same way on every backend.
 */
export class RequestMessage {
  private readonly wording: DecodeMessages;
  private readonly prefix: string;
  private readonly source: JsonSource | undefined;
  private readonly at: readonly (string | number)[];
  private readonly jsonNumbersOnly: boolean;

  constructor(
    readonly raw: Raw,
    /** True when the fields came from a query string, where every value is a string. */
    readonly fromQuery: boolean,
    options: MessageOptions = {},
  ) {
    this.wording = options.messages ?? MLFLOW_MESSAGES;
    this.prefix = options.prefix ?? '';
    this.source = options.source;
    this.at = options.at ?? [];
    this.jsonNumbersOnly = options.jsonNumbersOnly ?? false;
  }

  has(field: string): boolean {
    return !absent(this.raw[field]);
  }

  /** The field names present in the message. */
  fields(): string[] {
    return Object.keys(this.raw);
  }

  /** The value of a non-repeated field; a repeated query key counts once (the first, as Flask's args.get). */
  scalar(field: string): unknown {
    const v = this.raw[field];
    return this.fromQuery && Array.isArray(v) ? v[0] : v;
  }

  /** The error for a field that is absent (or empty where a value is required). */
  missing(label: string): Error {
    return this.wording.missing(this.prefix + label);
  }

  /** The error for a field of the wrong type, showing the value as the client wrote it. */
  wrongType(field: string, value: unknown, expected: Expected, label = field): Error {
    const shown = this.source && holdsNumber(value) ? this.source.shownAt([...this.at, field]) : undefined;
    return this.wording.wrongType(this.prefix + label, value, expected, shown);
  }

  /**
   * The one text check: every string read from a request passes here. A lone UTF-16 surrogate
   * (`"\ud800"` in JSON) has no UTF-8 form: PostgreSQL refuses it and SQLite would store U+FFFD,
   * so it is refused here, the same on every backend.
   */
  private text(v: string, label: string): string {
    if (v.includes('\u0000')) throw this.wording.nul(this.prefix + label);
    if (LONE_SURROGATE.test(v)) {
      throw invalidParameter(`Invalid value for parameter '${this.prefix + label}': it is not valid Unicode (an unpaired surrogate).`);
    }
    return v;
  }

  /** A string field; `label` names it in messages when it is read under another name (run_uuid). */
  optionalString(field: string, label = field): string | undefined {
    const v = this.scalar(field);
    if (absent(v)) return undefined;
    if (typeof v !== 'string') throw this.wrongType(field, v, 'a string', label);
    return this.text(v, label);
  }

  /** Required strings may not be empty, as in MLflow's _assert_required. */
  string(field: string, label = field): string {
    const v = this.optionalString(field, label);
    if (v === undefined || v === '') throw this.missing(label);
    return v;
  }

  /** Like string(), but an empty string is a value (tag values may be empty). */
  presentString(field: string): string {
    const v = this.optionalString(field);
    if (v === undefined) throw this.missing(field);
    return v;
  }

  /** A string, or a JSON number or boolean as its JSON text (values of the native metadata part). */
  optionalScalarText(field: string): string | undefined {
    const v = this.scalar(field);
    if (typeof v === 'number' && Number.isFinite(v)) return String(v);
    if (typeof v === 'boolean') return String(v);
    return this.optionalString(field);
  }

  /** int64 fields: JSON numbers or decimal strings (proto JSON accepts both). */
  optionalInt64(field: string): number | undefined {
    const v = this.scalar(field);
    if (absent(v)) return undefined;
    if (typeof v === 'number' && Number.isSafeInteger(v)) return v;
    if (!this.jsonNumbersOnly && typeof v === 'string' && INT64.test(v) && Number.isSafeInteger(Number(v))) return Number(v);
    throw this.wrongType(field, v, 'an integer');
  }

  /** The int64 reader under its older name. */
  optionalInt(field: string): number | undefined {
    return this.optionalInt64(field);
  }

  /** A required int64: absent or '' is missing. */
  int64(field: string): number {
    return this.requiredNumber(field, (f) => this.optionalInt64(f));
  }

  /** A proto double: a JSON number, or a string ("NaN", "Infinity", "-Infinity", "1.5"). */
  optionalDouble(field: string): number | undefined {
    const v = this.scalar(field);
    if (absent(v)) return undefined;
    if (typeof v === 'number' && (!this.jsonNumbersOnly || Number.isFinite(v))) return v;
    if (typeof v === 'string' && !this.jsonNumbersOnly) {
      const s = v.trim();
      if (s === 'NaN') return Number.NaN;
      if (s === 'Infinity') return Number.POSITIVE_INFINITY;
      if (s === '-Infinity') return Number.NEGATIVE_INFINITY;
      if (DOUBLE.test(s)) return Number(s);
    }
    throw this.wrongType(field, v, 'a number');
  }

  /** A required double: absent or '' is missing. */
  double(field: string): number {
    return this.requiredNumber(field, (f) => this.optionalDouble(f));
  }

  /** MLflow's _assert_required: a number field that is absent or '' is missing. */
  private requiredNumber(field: string, read: (field: string) => number | undefined): number {
    const v = this.scalar(field);
    if (absent(v) || v === '') throw this.missing(field);
    return read(field) as number;
  }

  /** Booleans: JSON true/false, or "true"/"false" in any case from a query string. */
  optionalBool(field: string): boolean | undefined {
    const v = this.scalar(field);
    if (absent(v)) return undefined;
    if (typeof v === 'boolean') return v;
    if (typeof v === 'string' && /^(true|false)$/i.test(v)) return v.toLowerCase() === 'true';
    throw this.wrongType(field, v, 'a boolean');
  }

  bool(field: string): boolean {
    const v = this.optionalBool(field);
    if (v === undefined) throw this.missing(field);
    return v;
  }

  /** A proto enum by name or number; `table[n]` is the value numbered n (undefined for 0 when unset). */
  enum<T extends string>(field: string, table: readonly (T | undefined)[]): T | undefined {
    const v = this.scalar(field);
    if (absent(v)) return undefined;
    if (typeof v === 'string' && table.includes(v as T)) return v as T;
    const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : -1;
    const found = table[n];
    if (found) return found;
    throw this.wrongType(field, v, 'a string');
  }

  /** A repeated string field: a list in JSON, repeated keys in a query string. */
  strings(field: string): string[] {
    const v = this.raw[field];
    if (absent(v)) return [];
    const list = Array.isArray(v) ? v : this.fromQuery ? [v] : undefined;
    if (!list || list.some((x) => typeof x !== 'string')) throw this.wrongType(field, v, 'a list of strings');
    for (const x of list as string[]) this.text(x, field);
    return list as string[];
  }

  /** A repeated message field as raw objects. */
  objects(field: string): Raw[] {
    const v = this.raw[field];
    if (absent(v)) return [];
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'object' || x === null || Array.isArray(x))) {
      throw this.wrongType(field, v, 'a list');
    }
    return v as Raw[];
  }

  /** A nested message; undefined when absent. Its fields are named `<field>.<name>` in messages. */
  message(field: string): RequestMessage | undefined {
    const v = this.scalar(field);
    if (absent(v)) return undefined;
    if (typeof v !== 'object' || Array.isArray(v)) throw this.wrongType(field, v, 'an object');
    return this.child(v as Raw, `${field}.`, [field]);
  }

  /**
   * A repeated message field. With `indexedPaths` (MLflow's tracking schemas) a field of entry i is
   * named `<field>[i].<name>`; without (the registry's), it is named as at the top level.
   */
  messages(field: string, { indexedPaths = false }: { indexedPaths?: boolean } = {}): RequestMessage[] {
    return this.objects(field).map((entry, i) => this.child(entry, indexedPaths ? `${field}[${i}].` : '', [field, i]));
  }

  /**
   * `[{key, value}]` lists (tags, params); a missing value reads as ''. Tracking's schemas
   * (`indexedPaths`) require a non-empty key and name it `tags[0].key`; the registry's accept an
   * empty key and report a missing one as `tags.key`.
   */
  keyValues(field: string, { indexedPaths = false }: { indexedPaths?: boolean } = {}): KeyValue[] {
    return this.messages(field, { indexedPaths }).map((entry) => {
      let key: string;
      if (indexedPaths) {
        key = entry.string('key');
      } else {
        const k = entry.optionalString('key');
        if (k === undefined) throw this.missing(`${field}.key`);
        key = k;
      }
      return { key, value: entry.optionalString('value') ?? '' };
    });
  }

  private child(raw: Raw, prefix: string, steps: readonly (string | number)[]): RequestMessage {
    return new RequestMessage(raw, false, {
      messages: this.wording,
      prefix: this.prefix + prefix,
      ...(this.source ? { source: this.source, at: [...this.at, ...steps] } : {}),
      jsonNumbersOnly: this.jsonNumbersOnly,
    });
  }
}
