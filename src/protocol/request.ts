/**
 * Reading an MLflow request message (mlflow/server/handlers.py: _get_request_message):
 * a GET with a query string takes its fields from the query (repeated keys for lists); every other
 * request, and a GET without a query string, takes a JSON body (a body that is itself a JSON string
 * is decoded again, for old clients; no body means `{}`). Content-Type is enforced on POST and PUT
 * only (mlflow/server/validation.py).
 *
 * Field accessors give MLflow's validation messages.
 */
import type { IncomingMessage } from 'node:http';
import { invalidParameter } from './errors.js';

export const MAX_JSON_BODY_BYTES = 64 * 1024 * 1024;

const API_DOCS_HINT = ' See the API docs for more information about request parameters.';

type Raw = Readonly<Record<string, unknown>>;

function pythonTypeName(value: unknown): string {
  if (value === null) return 'NoneType';
  if (Array.isArray(value)) return 'list';
  switch (typeof value) {
    case 'string':
      return 'str';
    case 'boolean':
      return 'bool';
    case 'number':
      return Number.isInteger(value) ? 'int' : 'float';
    default:
      return 'dict';
  }
}

/** MLflow renders the value as compact, key-sorted JSON (validation.invalid_value). */
function compactJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/** The request-schema messages (server/handlers.py: _validate_param_against_schema). */
export function requestMissing(field: string): Error {
  return invalidParameter(`Missing value for required parameter '${field}'.${API_DOCS_HINT}`);
}

export function requestWrongType(field: string, value: unknown): Error {
  return invalidParameter(
    `Invalid value ${compactJson(value)} for parameter '${field}' supplied: ` +
      ` Hint: Value was of type '${pythonTypeName(value)}'.${API_DOCS_HINT}`,
  );
}

const missing = requestMissing;
const wrongType = requestWrongType;

export interface KeyValue {
  readonly key: string;
  readonly value: string;
}

/** A parsed request message with typed, validating accessors. */
export class RequestMessage {
  constructor(
    readonly raw: Raw,
    /** True when the fields came from a query string, where every value is a string. */
    readonly fromQuery: boolean,
  ) {}

  has(field: string): boolean {
    return this.raw[field] !== undefined && this.raw[field] !== null;
  }

  /** The value of a non-repeated field; a repeated query key counts once (the first, as Flask's args.get). */
  private scalar(field: string): unknown {
    const v = this.raw[field];
    return this.fromQuery && Array.isArray(v) ? v[0] : v;
  }

  optionalString(field: string): string | undefined {
    const v = this.scalar(field);
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string') throw wrongType(field, v);
    // PostgreSQL cannot store NUL in text, and no MLflow identifier or value needs one.
    if (v.includes('\u0000')) throw invalidParameter(`Invalid value for parameter '${field}': it contains a NUL character.`);
    return v;
  }

  /** Required strings may not be empty, as in MLflow's _assert_required. */
  string(field: string): string {
    const v = this.optionalString(field);
    if (v === undefined || v === '') throw missing(field);
    return v;
  }

  /** Like string(), but an empty string is a value (tag values may be empty). */
  presentString(field: string): string {
    const v = this.optionalString(field);
    if (v === undefined) throw missing(field);
    return v;
  }

  /** int64 fields: JSON numbers or decimal strings (proto JSON accepts both). */
  optionalInt(field: string): number | undefined {
    const v = this.scalar(field);
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'number' && Number.isSafeInteger(v)) return v;
    if (typeof v === 'string' && /^\s*[+-]?\d+\s*$/.test(v) && Number.isSafeInteger(Number(v))) return Number(v);
    throw wrongType(field, v);
  }

  /** Booleans: JSON true/false, or "true"/"false" in any case from a query string. */
  optionalBool(field: string): boolean | undefined {
    const v = this.scalar(field);
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'boolean') return v;
    if (typeof v === 'string' && /^(true|false)$/i.test(v)) return v.toLowerCase() === 'true';
    throw wrongType(field, v);
  }

  bool(field: string): boolean {
    const v = this.optionalBool(field);
    if (v === undefined) throw missing(field);
    return v;
  }

  /** A repeated string field: a list in JSON, repeated keys in a query string. */
  strings(field: string): string[] {
    const v = this.raw[field];
    if (v === undefined || v === null) return [];
    const list = Array.isArray(v) ? v : this.fromQuery ? [v] : undefined;
    if (!list || list.some((x) => typeof x !== 'string')) throw wrongType(field, v);
    if ((list as string[]).some((x) => x.includes('\u0000'))) {
      throw invalidParameter(`Invalid value for parameter '${field}': it contains a NUL character.`);
    }
    return list as string[];
  }

  /** A repeated message field as raw objects. */
  objects(field: string): Raw[] {
    const v = this.raw[field];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'object' || x === null || Array.isArray(x))) {
      throw wrongType(field, v);
    }
    return v as Raw[];
  }

  /** `[{key, value}]` lists (tags, params): a key is required, a missing value reads as ''. */
  keyValues(field: string): KeyValue[] {
    return this.objects(field).map((entry) => {
      const inner = new RequestMessage(entry, false);
      const key = inner.optionalString('key');
      if (key === undefined) throw missing(`${field}.key`);
      return { key, value: inner.optionalString('value') ?? '' };
    });
  }
}

function contentTypeError(req: IncomingMessage): Error | undefined {
  if (req.method !== 'POST' && req.method !== 'PUT') return undefined;
  const header = req.headers['content-type'];
  if (!header) return invalidParameter('Bad Request. Content-Type header is missing.');
  if (header.split(';')[0]?.trim().toLowerCase() !== 'application/json') {
    return invalidParameter("Bad Request. Content-Type must be one of ['application/json'].");
  }
  return undefined;
}

/** Reads the whole body, refusing more than `limit` bytes. */
export async function readBody(req: IncomingMessage, limit = MAX_JSON_BODY_BYTES): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      throw invalidParameter(`Request body exceeds the limit of ${limit} bytes.`);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export function parseJsonObject(text: string): Raw {
  if (text.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
    // Legacy clients post their JSON double-encoded as a string.
    if (typeof value === 'string') value = JSON.parse(value);
  } catch (err) {
    throw invalidParameter(`Malformed JSON in request body: ${(err as Error).message}`);
  }
  if (value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw invalidParameter('Request body must be a JSON object.');
  }
  return value as Raw;
}

/** The request message of an MLflow JSON endpoint. */
export async function readRequestMessage(req: IncomingMessage, query: Raw): Promise<RequestMessage> {
  if (req.method === 'GET' && Object.keys(query).length > 0) {
    // Drain any body so the connection can be reused.
    req.resume();
    return new RequestMessage(query, true);
  }
  const typeError = contentTypeError(req);
  const body = await readBody(req);
  if (typeError) throw typeError;
  return new RequestMessage(parseJsonObject(body.toString('utf8')), false);
}
