/**
 * Reading an MLflow request message (mlflow/server/handlers.py: _get_request_message):
 * a GET with a query string takes its fields from the query (repeated keys for lists); every other
 * request, and a GET without a query string, takes a JSON body (a body that is itself a JSON string
 * is decoded again, for old clients; no body means `{}`). Content-Type is enforced on POST and PUT
 * only (mlflow/server/validation.py).
 *
 * The fields are read by RequestMessage (request-message.ts), with MLflow's validation messages.
 */
import type { IncomingMessage } from 'node:http';
import { invalidParameter } from './errors.js';
import { JsonSource } from './json-source.js';
import { RequestMessage } from './request-message.js';


export const MAX_JSON_BODY_BYTES = 64 * 1024 * 1024;
/**
 * Deepest nesting of arrays and objects in a request body. MLflow's messages nest a few levels;
 * Python's json module stops near 1,000 (its recursion limit). Beyond this a body is a 400 before
 * anything walks it recursively (error messages, the number re-reader), which would otherwise
 * overflow the stack on a `[[[[…` body and answer 500.
 */
export const MAX_JSON_DEPTH = 64;

/** Refuses JSON text nested deeper than MAX_JSON_DEPTH, in one pass over the text, before parsing. */
export function checkJsonDepth(text: string, max = MAX_JSON_DEPTH): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) throw invalidParameter(`Malformed JSON in request body: nested deeper than ${max} levels.`);
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
}

type Raw = Readonly<Record<string, unknown>>;

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

/**
 * Parses a JSON request body into its fields and the text they came from. Legacy clients post their
 * JSON double-encoded as a string; then the inner text is the source.
 */
export function parseJsonBody(text: string): { raw: Raw; source: JsonSource | undefined } {
  if (text.trim() === '') return { raw: {}, source: undefined };
  let value: unknown;
  let source = text;
  checkJsonDepth(text);
  try {
    value = JSON.parse(text);
    if (typeof value === 'string') {
      source = value;
      checkJsonDepth(value);
      value = JSON.parse(value);
    }
  } catch (err) {
    throw invalidParameter(`Malformed JSON in request body: ${(err as Error).message}`);
  }
  if (value === null) return { raw: {}, source: undefined };
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw invalidParameter('Request body must be a JSON object.');
  }
  return { raw: value as Raw, source: new JsonSource(source) };
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
  const { raw, source } = parseJsonBody(body.toString('utf8'));
  return new RequestMessage(raw, false, source ? { source } : {});
}
