/**
 * Request shapes declared per RPC: `{ name: field.string, tags: field.keyValues(), … }`. A shape
 * reads its fields in the order it lists them, each through one RequestMessage primitive, so the
 * first bad field is the one reported, as MLflow's per-endpoint schemas do (server/handlers.py:
 * _get_request_message, _validate_param_against_schema). A reader may stand for a field under
 * another name or for several fields (`run_id` with the legacy `run_uuid`, a top-level metric).
 */
import type { KeyValue, RequestMessage } from './request-message.js';

/** Reads one declared field; `name` is the key it is declared under. */
export type FieldReader<T> = (msg: RequestMessage, name: string) => T;

export type Shape = Readonly<Record<string, FieldReader<unknown>>>;

/** `model_id` → `modelId`: shapes name fields as the wire does, handlers get them as TypeScript does. */
type Camel<S extends string> = S extends `${infer Head}_${infer Tail}` ? `${Head}${Capitalize<Camel<Tail>>}` : S;

export type Decoded<S extends Shape> = { readonly [K in keyof S & string as Camel<K>]: ReturnType<S[K]> };

function camel(name: string): string {
  return name.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
}

/** A field that must be present (MLflow's _assert_required on a list: an empty list is a value). */
function required<T>(read: FieldReader<T>): FieldReader<T> {
  return (m, n) => {
    if (!m.has(n)) throw m.missing(n);
    return read(m, n);
  };
}

export const field = {
  /** Required, not empty. */
  string: ((m, n) => m.string(n)) as FieldReader<string>,
  /** Required, may be empty (tag values, aliases). */
  presentString: ((m, n) => m.presentString(n)) as FieldReader<string>,
  optionalString: ((m, n) => m.optionalString(n)) as FieldReader<string | undefined>,
  /** Optional, with '' read as unset. */
  nonEmptyString: ((m, n) => m.optionalString(n) || undefined) as FieldReader<string | undefined>,
  /** Optional, absent as null (the stores' "unset"). */
  nullableString: ((m, n) => m.optionalString(n) ?? null) as FieldReader<string | null>,
  int64: ((m, n) => m.int64(n)) as FieldReader<number>,
  optionalInt64: ((m, n) => m.optionalInt64(n)) as FieldReader<number | undefined>,
  bool: ((m, n) => m.bool(n)) as FieldReader<boolean>,
  optionalBool: ((m, n) => m.optionalBool(n)) as FieldReader<boolean | undefined>,
  /** A repeated string; absent is []. */
  strings: ((m, n) => m.strings(n)) as FieldReader<string[]>,
  required,
  keyValues:
    (options: { indexedPaths?: boolean } = {}): FieldReader<KeyValue[]> =>
    (m, n) =>
      m.keyValues(n, options),
  /** A proto enum by name or number. */
  enum:
    <T extends string>(table: readonly (T | undefined)[]): FieldReader<T | undefined> =>
    (m, n) =>
      m.enum(n, table),
  /** Any reader, then a check or conversion of its value. */
  then:
    <A, B>(read: FieldReader<A>, next: (value: A) => B): FieldReader<B> =>
    (m, n) =>
      next(read(m, n)),
};

/** The decoder of `shape`: reads its fields from a message in declaration order, named in camelCase. */
export function decoder<S extends Shape>(shape: S): (msg: RequestMessage) => Decoded<S> {
  const fields = Object.entries(shape).map(([name, read]) => [name, camel(name), read] as const);
  return (msg) => {
    const out: Record<string, unknown> = {};
    for (const [name, key, read] of fields) out[key] = read(msg, name);
    return out as Decoded<S>;
  };
}
